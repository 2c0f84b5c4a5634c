import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { TrendService } from '../../../services/trend.service.ts'
import type { AppDeps } from '../../app.ts'
import { authenticate, principalOf } from '../../auth.ts'

const TrendQuery = Type.Object(
  {
    days: Type.Optional(Type.Integer({ minimum: 1, maximum: 730, default: 60 })),
    horizon: Type.Optional(Type.Integer({ minimum: 0, maximum: 60, default: 7 })),
    region: Type.Optional(Type.String({ pattern: '^([0-9]{6}([0-9]{3}){0,3})?$' })),
    class: Type.Optional(Type.String({ pattern: '^([CE][0-9]{2}([0-9]{2})?)?$' })),
  },
  { additionalProperties: false },
)

/** /api/v1/metrics/trend: reported cases per local day with a Holt-Winters forecast band. */
export function trendRoutes(
  deps: Pick<AppDeps, 'auth'> & { readonly trend: TrendService },
): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/',
      {
        schema: {
          tags: ['metrics'],
          summary:
            'Daily reported cases, a forecast with its band, and the forecast’s error against seasonal naive',
          querystring: TrendQuery,
        },
        preHandler: authenticate(deps.auth),
      },
      async (req) => {
        const q = req.query
        return deps.trend.trend(
          {
            ...(q.days !== undefined ? { days: q.days } : {}),
            ...(q.horizon !== undefined ? { horizon: q.horizon } : {}),
            ...(q.region ? { region: q.region } : {}),
            ...(q.class ? { classId: q.class } : {}),
          },
          principalOf(req),
        )
      },
    )
  }
}
