import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { DAY } from '../../../core/time.ts'
import type { SensorIngest } from '../../../ingest/sensors/sensor-ingest.ts'
import type { SensingService } from '../../../services/sensing.service.ts'
import type { AppDeps } from '../../app.ts'
import { authenticate } from '../../auth.ts'
import { DeviceBody, DeviceId, DeviceListQuery, ReadingsQuery } from './schema.ts'

/** /api/v1/devices: the device registry and each device's readings for charts. */
export function deviceRoutes(
  deps: Pick<AppDeps, 'auth' | 'clock'> & { sensing: SensingService; sensors: SensorIngest },
): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/',
      {
        schema: {
          tags: ['devices'],
          summary: 'Devices by kind, region (code prefix) or owner unit',
          querystring: DeviceListQuery,
        },
        preHandler: authenticate(deps.auth),
      },
      async (req) => {
        const q = req.query
        return deps.sensing.listDevices({
          limit: q.limit ?? 100,
          ...(q.kind ? { kind: q.kind } : {}),
          ...(q.region ? { region: q.region } : {}),
          ...(q.owner ? { owner: q.owner } : {}),
          ...(q.cursor ? { after: q.cursor } : {}),
        })
      },
    )

    app.get(
      '/:id',
      { schema: { tags: ['devices'], params: DeviceId }, preHandler: authenticate(deps.auth) },
      async (req) => deps.sensing.getDevice(req.params.id),
    )

    app.put(
      '/:id',
      {
        schema: {
          tags: ['devices'],
          summary: 'Register or update a device; its position is placed in a grid cell',
          params: DeviceId,
          body: DeviceBody,
        },
        preHandler: authenticate(deps.auth, ['admin']),
      },
      async (req) => {
        const b = req.body
        return deps.sensing.saveDevice({
          id: req.params.id,
          kind: b.kind,
          name: b.name,
          location: b.location,
          ownerUnitId: b.ownerUnitId,
          expectedIntervalSec: b.expectedIntervalSec,
          ...(b.componentId ? { componentId: b.componentId } : {}),
          ...(b.installedAt ? { installedAt: Date.parse(b.installedAt) } : {}),
        })
      },
    )

    app.get(
      '/:id/readings',
      {
        schema: {
          tags: ['devices'],
          summary: 'Readings in [from, to): raw, or 1-minute / 1-hour min, max, average and count',
          params: DeviceId,
          querystring: ReadingsQuery,
        },
        preHandler: authenticate(deps.auth),
      },
      async (req) => {
        const q = req.query
        const to = q.to ? Date.parse(q.to) : deps.clock() + 1
        const from = q.from ? Date.parse(q.from) : to - DAY
        const resolution = q.resolution ?? 'raw'
        const items = await deps.sensing.readings(req.params.id, {
          from,
          to,
          resolution,
          ...(q.quantity ? { quantity: q.quantity } : {}),
          ...(q.limit ? { limit: q.limit } : {}),
        })
        return { deviceId: req.params.id, resolution, from, to, items }
      },
    )
  }
}
