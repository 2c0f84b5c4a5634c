import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { AppError } from '../../../core/errors.ts'
import type { Device } from '../../../core/sensing/sensing.types.ts'
import {
  deviceIdOf,
  distanceM,
  kindsOfType,
  matches,
  messagesOf,
  NGSI_LD_CORE_CONTEXT,
  parseGeo,
  parseQ,
  problem,
  quantityOf,
  readEntityDevice,
  toEntity,
  type NgsiProblem,
} from '../../../ingest/ngsi-ld/ngsi-ld.ts'
import type { SensorIngest } from '../../../ingest/sensors/sensor-ingest.ts'
import type { SensingService } from '../../../services/sensing.service.ts'
import type { AppDeps } from '../../app.ts'
import { authenticate } from '../../auth.ts'

const Entity = Type.Object({ id: Type.String(), type: Type.String() }, { additionalProperties: true })
const Attrs = Type.Record(Type.String(), Type.Unknown())
const IdParam = Type.Object({ id: Type.String({ maxLength: 200 }) })
const Query = Type.Object(
  {
    type: Type.Optional(Type.String({ maxLength: 100 })),
    id: Type.Optional(Type.String({ maxLength: 10_000 })),
    q: Type.Optional(Type.String({ maxLength: 1000 })),
    georel: Type.Optional(Type.String({ maxLength: 200 })),
    geometry: Type.Optional(Type.String({ maxLength: 50 })),
    coordinates: Type.Optional(Type.String({ maxLength: 200 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  },
  { additionalProperties: true },
)

/** Default report interval of a device registered through NGSI-LD without one. */
const DEFAULT_INTERVAL_SEC = 3600
const LINK = `<${NGSI_LD_CORE_CONTEXT}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"`

/**
 * /ngsi-ld/v1/entities: create an entity (a device, plus readings from its Properties), patch its
 * attributes (readings), query by type, `q` and `georel=near`. Bodies in application/json or
 * application/ld+json; errors as NGSI-LD ProblemDetails. Writes need a `system` or `admin` token.
 */
export function ngsiLdRoutes(
  deps: Pick<AppDeps, 'auth' | 'clock'> & { sensing: SensingService; sensors: SensorIngest },
): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.addContentTypeParser(
      'application/ld+json',
      { parseAs: 'string' },
      app.getDefaultJsonParser('error', 'ignore'),
    )
    app.setErrorHandler(ngsiErrorHandler)
    const writer = authenticate(deps.auth, ['system'])

    async function ingest(device: Device, attrs: Record<string, unknown>): Promise<void> {
      for (const msg of messagesOf(device.kind, attrs, deps.clock())) {
        const r = await deps.sensors.submit(device.id, msg, 'ngsi-ld')
        if (!r.ok) {
          throw new AppError('READING_INVALID', `${r.reason}: ${r.message}`, r.field)
        }
      }
    }

    app.post(
      '/entities',
      {
        schema: {
          tags: ['ngsi-ld'],
          summary: 'Create an entity: a device and readings from its Properties',
          body: Entity,
        },
        preHandler: writer,
      },
      async (req, reply) => {
        const d = readEntityDevice(req.body)
        if (await exists(deps.sensing, d.deviceId)) {
          throw new AppError('INGEST_DUPLICATE', `entity ${req.body.id} already exists`, 'id')
        }
        if (!d.location) {
          throw new AppError('VALIDATION_FAILED', 'location (GeoProperty Point) is required', 'location')
        }
        if (!d.owner) {
          throw new AppError('VALIDATION_FAILED', 'owner (the owner unit id) is required', 'owner')
        }
        const device = await deps.sensing.saveDevice({
          id: d.deviceId,
          kind: d.kind,
          name: d.name ?? d.deviceId,
          location: d.location,
          ownerUnitId: d.owner,
          expectedIntervalSec: d.expectedIntervalSec ?? DEFAULT_INTERVAL_SEC,
          ...(d.componentId ? { componentId: d.componentId } : {}),
        })
        await ingest(device, req.body)
        return reply
          .status(201)
          .header('location', `/ngsi-ld/v1/entities/${encodeURIComponent(req.body.id)}`)
          .send()
      },
    )

    app.patch(
      '/entities/:id/attrs',
      {
        schema: {
          tags: ['ngsi-ld'],
          summary: 'New attribute values: readings (observedAt per Property)',
          params: IdParam,
          body: Attrs,
        },
        preHandler: writer,
      },
      async (req, reply) => {
        const device = await deviceOfEntity(deps.sensing, req.params.id)
        await ingest(device, req.body)
        return reply.status(204).send()
      },
    )

    app.get(
      '/entities/:id',
      { schema: { tags: ['ngsi-ld'], params: IdParam }, preHandler: authenticate(deps.auth) },
      async (req, reply) => {
        const device = await deviceOfEntity(deps.sensing, req.params.id)
        const latest = await deps.sensing.latest([device.id])
        return present(req, reply, toEntity(device, latest, wantsLd(req)))
      },
    )

    app.get(
      '/entities',
      {
        schema: {
          tags: ['ngsi-ld'],
          summary: 'Query: type, id, q (a;b AND), georel=near;maxDistance==m',
          querystring: Query,
        },
        preHandler: authenticate(deps.auth),
      },
      async (req, reply) => {
        const q = req.query
        if (!q.type && !q.id) {
          throw new AppError('VALIDATION_FAILED', 'a query needs type or id', 'type')
        }
        const terms = q.q ? parseQ(q.q) : []
        const geo = q.georel ? parseGeo(q.georel, q.geometry, q.coordinates) : undefined
        let devices: Device[] = []
        if (q.id) {
          for (const id of q.id.split(',')) {
            const d = deviceIdOf(id)
            if (d && (await exists(deps.sensing, d))) {
              devices.push(await deps.sensing.getDevice(d))
            }
          }
          if (q.type) {
            devices = devices.filter((d) => kindsOfType(q.type!).includes(d.kind))
          }
        } else {
          for (const kind of kindsOfType(q.type!)) {
            devices.push(...(await deps.sensing.listDevices({ kind, limit: 10_000 })).items)
          }
        }
        let found = devices.map((d) => ({ d, m: geo ? distanceM(geo, d.location) : 0 }))
        if (geo) {
          found = found
            .filter(
              (x) =>
                (geo.maxDistance === undefined || x.m <= geo.maxDistance) &&
                (geo.minDistance === undefined || x.m >= geo.minDistance),
            )
            .sort((a, b) => a.m - b.m)
        }
        const latest = await deps.sensing.latest(found.map((x) => x.d.id))
        const byDevice = new Map<string, typeof latest>()
        for (const r of latest) {
          byDevice.set(r.deviceId, [...(byDevice.get(r.deviceId) ?? []), r])
        }
        const out = found
          .filter(({ d }) =>
            terms.every((t) => {
              const quantity = quantityOf(d.kind, t.attr)
              const r = byDevice.get(d.id)?.find((x) => x.quantity === quantity)
              const v = r
                ? t.attr === 'fillingLevel'
                  ? r.value / 100
                  : r.value
                : t.attr === 'name'
                  ? d.name
                  : undefined
              return matches(t, v)
            }),
          )
          .slice(0, q.limit ?? 20)
          .map(({ d }) => toEntity(d, byDevice.get(d.id) ?? [], wantsLd(req)))
        return present(req, reply, out)
      },
    )
  }
}

async function exists(sensing: SensingService, id: string): Promise<boolean> {
  try {
    await sensing.getDevice(id)
    return true
  } catch (e) {
    if (e instanceof AppError && e.code === 'DEVICE_UNKNOWN') {
      return false
    }
    throw e
  }
}

async function deviceOfEntity(sensing: SensingService, entityId: string): Promise<Device> {
  const id = deviceIdOf(entityId)
  if (!id || !(await exists(sensing, id))) {
    throw new AppError('NOT_FOUND', `entity ${entityId} does not exist`, 'id')
  }
  return sensing.getDevice(id)
}

function wantsLd(req: FastifyRequest): boolean {
  return (req.headers.accept ?? '').includes('application/ld+json')
}

function present(req: FastifyRequest, reply: FastifyReply, body: unknown) {
  if (wantsLd(req)) {
    return reply.type('application/ld+json').send(body)
  }
  return reply.type('application/json').header('link', LINK).send(body)
}

/** NGSI-LD errors are ProblemDetails with ETSI type URIs, not the platform's error body. */
function ngsiErrorHandler(err: FastifyError | Error, req: FastifyRequest, reply: FastifyReply): void {
  const code = err instanceof AppError ? err.code : undefined
  const fe = err as FastifyError & { validation?: unknown[] }
  let type: NgsiProblem
  if (err instanceof AppError && (err.details as { problem?: NgsiProblem } | undefined)?.problem) {
    type = (err.details as { problem: NgsiProblem }).problem
  } else if (code === 'NOT_FOUND' || code === 'DEVICE_UNKNOWN') {
    type = 'ResourceNotFound'
  } else if (code === 'INGEST_DUPLICATE') {
    type = 'AlreadyExists'
  } else if (code === 'AUTH_REQUIRED' || code === 'AUTH_INVALID' || code === 'FORBIDDEN_ROLE') {
    void reply
      .status(code === 'FORBIDDEN_ROLE' ? 403 : 401)
      .type('application/json')
      .send({
        type: `urn:onegrid:errors:${code}`,
        title: err.message,
        status: code === 'FORBIDDEN_ROLE' ? 403 : 401,
      })
    return
  } else if (code || fe.validation) {
    type = 'BadRequestData'
  } else if (fe.code?.startsWith('FST_ERR_CTP')) {
    type = 'InvalidRequest'
  } else {
    type = 'InternalError'
  }
  const body = problem(
    type,
    type === 'InternalError' ? 'internal error' : err.message,
    `request ${String(req.id)}`,
  )
  if (type === 'InternalError') {
    req.log.error({ err }, 'ngsi-ld request failed')
  }
  void reply
    .status(fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? 415 : body.status)
    .type('application/json')
    .send(body)
}
