import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { AppDeps } from '../../app.ts'
import { authenticate } from '../../auth.ts'

/** GET /api/v1/units: every unit (bureaus, utilities, street offices) with level, region and type. */
export function unitRoutes(deps: Pick<AppDeps, 'auth' | 'city'>): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/',
      {
        schema: {
          tags: ['units'],
          querystring: Type.Object(
            {
              level: Type.Optional(Type.String({ maxLength: 20 })),
              region: Type.Optional(Type.String({ pattern: '^[0-9]{2,15}$' })),
              type: Type.Optional(Type.String({ maxLength: 40 })),
            },
            { additionalProperties: false },
          ),
        },
        preHandler: authenticate(deps.auth),
      },
      async (req) => {
        const { level, region, type } = req.query
        const items = deps.city
          .units()
          .filter(
            (u) =>
              (!level || u.level === level) &&
              (!type || u.type === type) &&
              (!region || (u.region_code ?? '').startsWith(region)),
          )
          .map((u) => ({
            id: u.id,
            name: u.name,
            nameEn: u.name_en,
            type: u.type,
            level: u.level,
            regionCode: u.region_code,
          }))
        return { items }
      },
    )
  }
}
