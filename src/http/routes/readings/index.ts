import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { SensorIngest, SubmitOutcome } from '../../../ingest/sensors/sensor-ingest.ts'
import type { SensingService } from '../../../services/sensing.service.ts'
import type { AppDeps } from '../../app.ts'
import { authenticate } from '../../auth.ts'
import { ReadingBatch } from './schema.ts'

/**
 * POST /api/v1/readings: a batch of device messages from a gateway, answered per item after the
 * accepted ones are committed. Gateways authenticate as a `system` (or `admin`) user with a bearer
 * token: per-device credentials belong to the MQTT broker, not to this endpoint.
 * GET /api/v1/ingest/stats: accepted, duplicate and dropped readings per channel and reason.
 */
export function readingRoutes(
  deps: Pick<AppDeps, 'auth'> & { sensing: SensingService; sensors: SensorIngest },
): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/readings',
      {
        bodyLimit: 8 * 1024 * 1024,
        schema: {
          tags: ['devices'],
          summary: 'Batch of readings ({deviceId, ts, value | quantities}); one result per item',
          body: ReadingBatch,
        },
        preHandler: authenticate(deps.auth, ['system']),
      },
      async (req) => {
        const items = Array.isArray(req.body) ? req.body : req.body.readings
        const outcomes = await Promise.all(
          items.map((item) => deps.sensors.submit(item.deviceId, item, 'http')),
        )
        const results = outcomes.map((o: SubmitOutcome, index) => ({
          index,
          deviceId: items[index].deviceId,
          ...o,
        }))
        return {
          accepted: outcomes.filter((o) => o.ok).length,
          dropped: outcomes.filter((o) => !o.ok).length,
          results,
        }
      },
    )

    app.get(
      '/ingest/stats',
      {
        schema: {
          tags: ['devices'],
          summary: 'Ingest counters per channel: accepted, duplicate, dropped by reason',
        },
        preHandler: authenticate(deps.auth),
      },
      async () => {
        const rows = await deps.sensing.stats()
        const channels: Record<
          string,
          { accepted: number; duplicate: number; dropped: Record<string, number> }
        > = {}
        const totals = { accepted: 0, duplicate: 0, dropped: 0 }
        for (const r of rows) {
          const c = (channels[r.channel] ??= { accepted: 0, duplicate: 0, dropped: {} })
          if (r.reason === 'accepted' || r.reason === 'duplicate') {
            c[r.reason] += r.count
            totals[r.reason] += r.count
          } else {
            c.dropped[r.reason] = r.count
            totals.dropped += r.count
          }
        }
        return { totals, channels }
      },
    )
  }
}
