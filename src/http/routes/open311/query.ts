import { AppError } from '../../../core/errors.ts'
import type { Instant } from '../../../core/time.ts'
import type { RequestQuery } from '../../../services/open311.service.ts'
import type { Fields } from './body.ts'
import { parseW3c } from './format.ts'

/** A query value as text (a nested object, which no Open311 parameter is, gives ''). */
function text(v: unknown): string {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : ''
}

/** Values of a list parameter: comma-separated, repeated, or both. */
function list(v: unknown): string[] {
  const parts = (Array.isArray(v) ? (v as unknown[]) : v === undefined ? [] : [v]).flatMap((x) =>
    text(x).split(','),
  )
  return parts.map((s) => s.trim()).filter(Boolean)
}

function date(q: Fields, field: 'start_date' | 'end_date', offsetMinutes: number): Instant | undefined {
  const raw = q[field]
  if (raw === undefined || raw === '') {
    return undefined
  }
  const at = typeof raw === 'string' ? parseW3c(raw, offsetMinutes) : undefined
  if (at === undefined) {
    throw new AppError(
      'VALIDATION_FAILED',
      `${field} "${text(raw)}" is not a W3C date-time (e.g. 2026-03-02T09:00:00+08:00)`,
      field,
    )
  }
  return at
}

/** start_date and end_date (W3C, local city time when they carry no offset). */
export function readWindow(q: Fields, offsetMinutes: number): { start?: Instant; end?: Instant } {
  const start = date(q, 'start_date', offsetMinutes)
  const end = date(q, 'end_date', offsetMinutes)
  return { ...(start !== undefined ? { start } : {}), ...(end !== undefined ? { end } : {}) }
}

/** The filters of GET requests, checked; a bad one is refused naming its parameter. */
export function readRequestQuery(
  q: Fields,
  offsetMinutes: number,
): { query: RequestQuery; extensions: boolean } {
  const statuses = list(q.status).map((s) => s.toLowerCase())
  const wrong = statuses.find((s) => s !== 'open' && s !== 'closed')
  if (wrong) {
    throw new AppError('VALIDATION_FAILED', `status "${wrong}" is not open or closed`, 'status')
  }
  const ids = list(q.service_request_id)
  const codes = list(q.service_code)
  const ext = text(q.extensions).toLowerCase()
  return {
    query: {
      ...readWindow(q, offsetMinutes),
      ...(ids.length ? { ids } : {}),
      ...(codes.length ? { serviceCodes: codes } : {}),
      ...(statuses.length ? { statuses: statuses as ('open' | 'closed')[] } : {}),
    },
    extensions: ext === 'true' || ext === '1',
  }
}
