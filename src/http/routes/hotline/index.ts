import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { AppError } from '../../../core/errors.ts'
import { gcj02ToWgs84 } from '../../../geo/datum.ts'
import { parseHotlineCsv } from '../../../ingest/hotline/hotline-csv.ts'
import { reporterTime } from '../../../ingest/text-input.ts'
import { authenticate, principalOf } from '../../auth.ts'
import type { ChannelDeps } from '../channels.ts'
import { presentCase } from '../cases/index.ts'
import { CallbackBody, OrderBody } from './schema.ts'

const CSV_LIMIT = 20 * 1024 * 1024

/** /api/v1/hotline: 12345 work orders, batch import, callbacks. */
export function hotlineRoutes(deps: ChannelDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.addContentTypeParser('text/csv', { parseAs: 'buffer', bodyLimit: CSV_LIMIT }, (_req, body, done) => {
      done(null, body)
    })
    const operator = authenticate(deps.auth, ['operator'])

    app.post(
      '/orders',
      {
        schema: {
          tags: ['hotline'],
          summary: 'Take in one 12345 work order; the same ticketNo twice returns the same case',
          body: OrderBody,
        },
        preHandler: operator,
      },
      async (req, reply) => {
        const b = req.body
        if ((b.lon === undefined) !== (b.lat === undefined)) {
          throw new AppError(
            'VALIDATION_FAILED',
            'lon and lat come together',
            b.lon === undefined ? 'lon' : 'lat',
          )
        }
        const point =
          b.lon !== undefined && b.lat !== undefined ? toWgs84(b.lon, b.lat, b.coordSystem) : undefined
        const r = await deps.hotline.submit({
          ticketNo: b.ticketNo,
          callTime: reporterTime(b.callTime, 'callTime', deps.clock()),
          text: b.text,
          ...(b.callerName ? { callerName: b.callerName } : {}),
          ...(b.callbackNumber ? { callbackNumber: b.callbackNumber } : {}),
          ...(b.address ? { address: b.address } : {}),
          ...(b.urgency ? { urgency: b.urgency } : {}),
          ...(point ? { location: point } : {}),
          ...(b.classId ? { classId: b.classId } : {}),
        })
        return reply
          .status(r.replayed ? 200 : 201)
          .send({ ...presentCase(r.case), appealId: r.appealId, replayed: r.replayed, attached: r.attached })
      },
    )

    app.post(
      '/orders::import',
      {
        schema: {
          tags: ['hotline'],
          summary: 'Import a CSV export of work orders (text/csv, UTF-8); each row is committed on its own',
          description:
            'Columns: ticket_no, call_time, caller_name, callback_number, text, address, urgency, lon, lat, class_id',
        },
        preHandler: operator,
      },
      async (req) => {
        if (!Buffer.isBuffer(req.body)) {
          throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'send the file as text/csv', 'content-type')
        }
        const rows = await deps.hotline.importRows(parseHotlineCsv(req.body, deps.clock()))
        const count = (s: string) => rows.filter((r) => r.status === s).length
        return {
          rows,
          summary: {
            created: count('created'),
            attached: count('attached'),
            duplicate: count('duplicate'),
            rejected: count('rejected'),
          },
        }
      },
    )

    app.post(
      '/callbacks',
      {
        schema: {
          tags: ['hotline'],
          summary: 'Record a callback (回访): evaluates the case when the reporter was reached',
          body: CallbackBody,
        },
        preHandler: operator,
      },
      async (req) => {
        const r = await deps.hotline.callback(principalOf(req), req.body)
        return {
          case: presentCase(r.case),
          unreachable: r.unreachable,
          ...(r.evaluated ? { evaluated: r.evaluated } : {}),
        }
      },
    )
  }
}

function toWgs84(
  lon: number,
  lat: number,
  system: 'wgs84' | 'gcj02' | undefined,
): { lon: number; lat: number } {
  if (system !== 'gcj02') {
    return { lon, lat }
  }
  const [x, y] = gcj02ToWgs84(lon, lat)
  return { lon: x, lat: y }
}
