import { parse } from 'csv-parse/sync'
import { AppError } from '../../core/errors.ts'
import type { Instant } from '../../core/time.ts'
import type { HotlineOrder } from '../../services/hotline.service.ts'
import { decodeUtf8, reporterTime } from '../text-input.ts'

/** Columns of a call-centre export, in the order the template lists them. */
export const HOTLINE_COLUMNS = [
  'ticket_no',
  'call_time',
  'caller_name',
  'callback_number',
  'text',
  'address',
  'urgency',
  'lon',
  'lat',
  'class_id',
] as const

const REQUIRED = ['ticket_no', 'call_time', 'text'] as const

/** One data row: a valid order, or why not (naming the column). */
export type HotlineCsvRow =
  | { readonly row: number; readonly order: HotlineOrder }
  | { readonly row: number; readonly ticketNo?: string; readonly column: string; readonly reason: string }

/**
 * Parse a 12345 work-order export (UTF-8 CSV with a header row). The file as a whole is refused
 * only when it cannot be read (encoding, quoting, missing columns); each row is judged alone.
 * `row` counts data rows from 1 (the header is not a row).
 */
export function parseHotlineCsv(body: Uint8Array, now: Instant): HotlineCsvRow[] {
  const text = decodeUtf8(body, 'CSV')
  let records: string[][]
  try {
    const rows: unknown = parse(text, { skip_empty_lines: true, trim: true, relax_column_count: true })
    records = rows as string[][]
  } catch (e) {
    throw new AppError('VALIDATION_FAILED', `CSV cannot be parsed: ${(e as Error).message}`, 'body')
  }
  const header = (records[0] ?? []).map((h) => h.toLowerCase())
  const missing = REQUIRED.filter((c) => !header.includes(c))
  if (missing.length > 0) {
    throw new AppError(
      'VALIDATION_FAILED',
      `CSV header lacks column(s) ${missing.join(', ')}; expected ${HOTLINE_COLUMNS.join(',')}`,
      missing[0],
    )
  }
  return records.slice(1).map((cells, i) => {
    const get = (c: (typeof HOTLINE_COLUMNS)[number]) => {
      const at = header.indexOf(c)
      return at >= 0 ? (cells[at] ?? '').trim() : ''
    }
    return toOrder(i + 1, get, now)
  })
}

function toOrder(
  row: number,
  get: (c: (typeof HOTLINE_COLUMNS)[number]) => string,
  now: Instant,
): HotlineCsvRow {
  const ticketNo = get('ticket_no')
  const bad = (column: string, reason: string): HotlineCsvRow => ({
    row,
    ...(ticketNo ? { ticketNo } : {}),
    column,
    reason: `row ${row}, column ${column}: ${reason}`,
  })
  for (const c of REQUIRED) {
    if (!get(c)) {
      return bad(c, 'is empty')
    }
  }
  if (ticketNo.length > 64) {
    return bad('ticket_no', 'is longer than 64 characters')
  }
  if (get('text').length > 10_000) {
    return bad('text', 'is longer than 10,000 characters')
  }
  let callTime: number
  try {
    callTime = reporterTime(get('call_time'), 'call_time', now)
  } catch (e) {
    return bad('call_time', (e as Error).message)
  }
  const urgency = get('urgency') || 'normal'
  if (urgency !== 'normal' && urgency !== 'urgent') {
    return bad('urgency', `must be normal or urgent (got "${urgency}")`)
  }
  const phone = get('callback_number')
  if (phone && !/^[0-9+\- ]{3,20}$/.test(phone)) {
    return bad('callback_number', `"${phone}" is not a phone number`)
  }
  const classId = get('class_id')
  if (classId && !/^[CE][0-9]{4}$/.test(classId)) {
    return bad('class_id', `"${classId}" is not a class id like E0109`)
  }
  const [lonText, latText] = [get('lon'), get('lat')]
  let location: { lon: number; lat: number } | undefined
  if (lonText || latText) {
    const lon = Number(lonText)
    const lat = Number(latText)
    if (!lonText || !Number.isFinite(lon) || lon < -180 || lon > 180) {
      return bad('lon', 'must be a longitude with lat')
    }
    if (!latText || !Number.isFinite(lat) || lat < -90 || lat > 90) {
      return bad('lat', 'must be a latitude with lon')
    }
    location = { lon, lat }
  }
  return {
    row,
    order: {
      ticketNo,
      callTime,
      text: get('text'),
      urgency,
      ...(get('caller_name') ? { callerName: get('caller_name') } : {}),
      ...(phone ? { callbackNumber: phone } : {}),
      ...(get('address') ? { address: get('address') } : {}),
      ...(location ? { location } : {}),
      ...(classId ? { classId } : {}),
    },
  }
}
