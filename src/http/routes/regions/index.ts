import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { AppError } from '../../../core/errors.ts'
import type { AppDeps } from '../../app.ts'

const Level = Type.Union([
  Type.Literal('district'),
  Type.Literal('street'),
  Type.Literal('community'),
  Type.Literal('grid'),
])

/** /api/v1/regions: the region tree as GeoJSON (WGS84, simplified for display) and point lookup. */
export function regionRoutes(deps: Pick<AppDeps, 'city'>): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/',
      {
        schema: {
          tags: ['regions'],
          security: [],
          summary:
            'Regions of one level as a GeoJSON FeatureCollection; grid cells need a parent street or community',
          querystring: Type.Object(
            { level: Level, parent: Type.Optional(Type.String({ pattern: '^[0-9]{6,12}$' })) },
            { additionalProperties: false },
          ),
        },
      },
      async (req, reply) => {
        void reply.header('cache-control', 'public, max-age=3600')
        return deps.city.regionFeatures(req.query.level, req.query.parent)
      },
    )

    app.get(
      '/lookup',
      {
        schema: {
          tags: ['regions'],
          security: [],
          summary: 'Which grid cell, community, street and district a WGS84 point lies in',
          querystring: Type.Object(
            {
              lon: Type.Number({ minimum: -180, maximum: 180 }),
              lat: Type.Number({ minimum: -90, maximum: 90 }),
            },
            { additionalProperties: false },
          ),
        },
      },
      async (req) => {
        const hit = deps.city.locate({ lon: req.query.lon, lat: req.query.lat })
        if (!hit) {
          throw new AppError(
            'GEO_OUTSIDE_CITY',
            `(${req.query.lon}, ${req.query.lat}) lies outside the city`,
            'lon',
          )
        }
        return hit
      },
    )

    app.get(
      '/:code',
      {
        schema: {
          tags: ['regions'],
          security: [],
          params: Type.Object({ code: Type.String({ pattern: '^[0-9]{6,15}$' }) }),
        },
      },
      async (req) => {
        const r = deps.city.index.byCode.get(req.params.code)
        if (!r) {
          throw new AppError('NOT_FOUND', `no region ${req.params.code}`, 'code')
        }
        return {
          code: r.code,
          name: r.name,
          level: r.level,
          parentCode: r.parentCode,
          centroid: r.centroid,
          bbox: r.bbox,
        }
      },
    )
  }
}
