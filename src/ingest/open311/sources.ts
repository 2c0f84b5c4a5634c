import { readFile } from 'node:fs/promises'
import { extname } from 'node:path'
import { parse as parseCsv } from 'csv-parse/sync'
import { XMLParser } from 'fast-xml-parser'
import type { Instant } from '../../core/time.ts'

/** One service request from another city's system, as far as its file tells. */
export interface ForeignRequest {
  /** 1-based position in its file */
  readonly row: number
  /** which mapping table its type is looked up in */
  readonly table: 'open311' | 'nyc311'
  readonly id: string
  /** service_name (Open311) or Complaint Type (NYC) */
  readonly type: string
  readonly descriptor?: string
  readonly description?: string
  readonly requestedAt?: Instant
  readonly lat?: number
  readonly long?: number
  readonly address?: string
  readonly zipcode?: string
  readonly mediaUrl?: string
  /** the original status, lower-cased ("Open"/"Closed" in San Francisco's feed) */
  readonly status?: string
}

/** What a file holds: the requests it could read, and the rows it could not. */
export interface ReadResult {
  readonly format: 'open311-json' | 'open311-xml' | 'nyc311-csv' | 'nyc311-json'
  readonly requests: readonly ForeignRequest[]
  readonly unreadable: readonly { readonly row: number; readonly reason: string }[]
}

/**
 * Read a file of real service requests: GeoReport v2 JSON or XML (as cities serve them, including
 * San Francisco's non-conforming "Open", "2012-05-22 23:57:23.97" and xsi:nil), or NYC 311 rows
 * (portal CSV export, SODA CSV or SODA JSON). Times without an offset are wall time in `timeZone`.
 */
export async function readRequestsFile(path: string, timeZone: string): Promise<ReadResult> {
  const text = (await readFile(path, 'utf8')).replace(/^\uFEFF/, '')
  const ext = extname(path).toLowerCase()
  if (ext === '.xml') {
    return fromOpen311Xml(text, timeZone)
  }
  if (ext === '.csv') {
    return fromNycRecords(
      parseCsv(text, { columns: normalizeHeader, skip_empty_lines: true }),
      'nyc311-csv',
      timeZone,
    )
  }
  if (ext === '.json') {
    const json = JSON.parse(text) as unknown
    if (!Array.isArray(json)) {
      throw new Error(`${path}: expected a JSON array of requests`)
    }
    const first = (json[0] ?? {}) as Record<string, unknown>
    if ('unique_key' in first) {
      return fromNycRecords(json as Record<string, unknown>[], 'nyc311-json', timeZone)
    }
    if (json.length > 0 && !('service_request_id' in first)) {
      throw new Error(`${path}: not service requests (no service_request_id; a services list?)`)
    }
    return fromOpen311Records(json as Record<string, unknown>[], 'open311-json', timeZone)
  }
  throw new Error(`${path}: not a .json, .xml or .csv file`)
}

/** "Unique Key" and "unique_key" alike. */
function normalizeHeader(header: string[]): string[] {
  return header.map((h) =>
    h
      .trim()
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_|_$/g, ''),
  )
}

/** A field as text: xsi:nil elements, nulls and blanks are absent. */
function str(v: unknown): string | undefined {
  if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
    return undefined
  }
  const s = String(v).replace(/\s+/g, ' ').trim()
  return s === '' ? undefined : s
}

function num(v: unknown): number | undefined {
  const s = str(v)
  const n = s === undefined ? NaN : Number(s)
  return Number.isFinite(n) ? n : undefined
}

function fromOpen311Xml(text: string, timeZone: string): ReadResult {
  const parser = new XMLParser({
    ignoreAttributes: false,
    parseTagValue: false,
    isArray: (name) => name === 'request',
  })
  const doc = parser.parse(text) as { service_requests?: { request?: Record<string, unknown>[] } | string }
  const list = typeof doc.service_requests === 'object' ? (doc.service_requests.request ?? []) : []
  return fromOpen311Records(list, 'open311-xml', timeZone)
}

function fromOpen311Records(
  records: readonly Record<string, unknown>[],
  format: 'open311-json' | 'open311-xml',
  timeZone: string,
): ReadResult {
  const requests: ForeignRequest[] = []
  const unreadable: { row: number; reason: string }[] = []
  records.forEach((r, i) => {
    const row = i + 1
    const id = str(r.service_request_id)
    const type = str(r.service_name) ?? str(r.service_code)
    if (!id || !type) {
      unreadable.push({ row, reason: 'no service_request_id or service_name' })
      return
    }
    const requested = str(r.requested_datetime)
    requests.push(
      clean({
        row,
        table: 'open311',
        id,
        type,
        description: str(r.description),
        requestedAt: requested ? foreignTime(requested, timeZone) : undefined,
        lat: num(r.lat),
        long: num(r.long),
        address: str(r.address),
        zipcode: str(r.zipcode),
        mediaUrl: str(r.media_url),
        status: str(r.status)?.toLowerCase(),
      }),
    )
  })
  return { format, requests, unreadable }
}

function fromNycRecords(
  records: readonly Record<string, unknown>[],
  format: 'nyc311-csv' | 'nyc311-json',
  timeZone: string,
): ReadResult {
  const requests: ForeignRequest[] = []
  const unreadable: { row: number; reason: string }[] = []
  records.forEach((r, i) => {
    const row = i + 1
    const id = str(r.unique_key)
    const type = str(r.complaint_type)
    if (!id || !type) {
      unreadable.push({ row, reason: 'no unique_key or complaint_type' })
      return
    }
    const created = str(r.created_date)
    const cross = [str(r.intersection_street_1), str(r.intersection_street_2)].filter(Boolean).join(' & ')
    const street = str(r.incident_address) ?? (cross || undefined)
    const place = [street, str(r.city) ?? str(r.borough)].filter(Boolean).join(', ')
    requests.push(
      clean({
        row,
        table: 'nyc311',
        id,
        type,
        descriptor: str(r.descriptor),
        description: [type, str(r.descriptor), str(r.location_type)].filter(Boolean).join(' — '),
        requestedAt: created ? foreignTime(created, timeZone) : undefined,
        lat: num(r.latitude),
        long: num(r.longitude),
        address: street ? place : undefined,
        zipcode: str(r.incident_zip),
        status: str(r.status)?.toLowerCase(),
      }),
    )
  })
  return { format, requests, unreadable }
}

function clean<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T
}

const US_DATE = /^(\d{2})\/(\d{2})\/(\d{4}) (\d{1,2}):(\d{2}):(\d{2}) ?([AP]M)$/i
const ISO_LOCAL = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?$/

/**
 * An instant from a foreign timestamp: ISO 8601 with an offset as it says; ISO without one (SODA,
 * San Francisco's "2012-05-22 23:57:23.97") or the NYC portal's "02/28/2023 11:45:00 PM" as wall
 * time in `timeZone`. Undefined when unreadable.
 */
export function foreignTime(value: string, timeZone: string): Instant | undefined {
  const v = value.trim()
  if (/(Z|[+-]\d{2}:?\d{2})$/i.test(v)) {
    const t = Date.parse(v.replace(' ', 'T'))
    return Number.isNaN(t) ? undefined : t
  }
  const us = US_DATE.exec(v)
  if (us) {
    const [, mo, d, y, h, mi, s, ampm] = us
    const hour = (+h % 12) + (ampm.toUpperCase() === 'PM' ? 12 : 0)
    return zonedTime([+y, +mo, +d, hour, +mi, +s, 0], timeZone)
  }
  const iso = ISO_LOCAL.exec(v)
  if (iso) {
    const [, y, mo, d, h, mi, s = '0', frac = '0'] = iso
    return zonedTime([+y, +mo, +d, +h, +mi, +s, +frac.padEnd(3, '0').slice(0, 3)], timeZone)
  }
  return undefined
}

/** The instant when clocks in `timeZone` show this wall time (the earlier one in a DST overlap). */
function zonedTime(
  p: readonly [number, number, number, number, number, number, number],
  timeZone: string,
): Instant {
  const wall = Date.UTC(p[0], p[1] - 1, p[2], p[3], p[4], p[5], p[6])
  let at = wall - offsetAt(wall, timeZone)
  const again = wall - offsetAt(at, timeZone)
  if (again !== at) {
    at = Math.min(at, again)
  }
  return at
}

const formats = new Map<string, Intl.DateTimeFormat>()

/** Milliseconds `timeZone` is ahead of UTC at an instant. */
function offsetAt(at: Instant, timeZone: string): number {
  let f = formats.get(timeZone)
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
    formats.set(timeZone, f)
  }
  const parts = Object.fromEntries(f.formatToParts(at).map((x) => [x.type, x.value]))
  const shown = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second)
  return shown - (at - (at % 1000))
}
