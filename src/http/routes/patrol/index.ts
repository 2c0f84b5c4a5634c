import multipart from '@fastify/multipart'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { gcj02ToWgs84 } from '../../../geo/datum.ts'
import { MAX_PHOTO_BYTES, MAX_PHOTOS } from '../../../services/patrol.service.ts'
import { authenticate, principalOf } from '../../auth.ts'
import { presentCase } from '../cases/index.ts'
import type { ChannelDeps } from '../channels.ts'
import { readMultipart } from './multipart.ts'
import { readPatrolFields, TasksQuery } from './schema.ts'

/** /api/v1/patrol: the grid inspectors' app — reports (offline-first) and verification tasks. */
export function patrolRoutes(deps: ChannelDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    await app.register(multipart, {
      limits: { fileSize: MAX_PHOTO_BYTES, files: MAX_PHOTOS, fields: 20, fieldSize: 20_000, parts: 30 },
    })
    const inspector = authenticate(deps.auth, ['inspector'])

    app.post(
      '/reports',
      {
        schema: {
          tags: ['patrol'],
          summary:
            'A patrol report: multipart (fields + photos) or JSON; the same clientId twice returns the same case',
          description:
            'Fields: clientId (UUID), clientTime (RFC 3339), text, lon, lat, coordSystem (wgs84|gcj02), classId?; ' +
            'files: up to 6 JPEG/PNG/WebP photos of at most 5 MB, checked by content. JSON may name uploaded photos.',
        },
        preHandler: inspector,
      },
      async (req, reply) => {
        const p = principalOf(req)
        let report
        if (req.isMultipart()) {
          const { fields, files } = await readMultipart(req)
          // check the fields before keeping any photo of a report that will be refused
          readPatrolFields(fields, [], deps.clock())
          const paths: string[] = []
          for (const f of files) {
            paths.push((await deps.patrol.storePhoto(p, f.bytes, f.field, f.filename)).path)
          }
          report = readPatrolFields(fields, paths, deps.clock())
        } else {
          const body = (req.body ?? {}) as Record<string, unknown>
          const { photos, ...rest } = body
          const named = Array.isArray(photos) ? photos.map(String) : []
          report = readPatrolFields(rest, named, deps.clock())
        }
        const r = await deps.patrol.report(p, report)
        return reply
          .status(r.replayed ? 200 : 201)
          .send({ ...presentCase(r.case), appealId: r.appealId, replayed: r.replayed, attached: r.attached })
      },
    )

    app.get(
      '/tasks',
      {
        schema: {
          tags: ['patrol'],
          summary: 'Cases waiting for your verification (核查), nearest first',
          querystring: TasksQuery,
        },
        preHandler: inspector,
      },
      async (req) => {
        const q = req.query
        const near =
          q.lon !== undefined && q.lat !== undefined
            ? q.coordSystem === 'gcj02'
              ? (([lon, lat]) => ({ lon, lat }))(gcj02ToWgs84(q.lon, q.lat))
              : { lon: q.lon, lat: q.lat }
            : undefined
        const items = await deps.patrol.tasks(principalOf(req), near, q.limit ?? 50)
        return {
          items: items.map((c) => ({
            ...presentCase(c),
            ...(c.distanceM !== undefined ? { distanceM: c.distanceM } : {}),
          })),
        }
      },
    )
  }
}
