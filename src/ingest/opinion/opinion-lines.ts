import { AppError } from '../../core/errors.ts'
import type { Instant } from '../../core/time.ts'
import type { OpinionPost } from '../../services/opinion.service.ts'
import { decodeUtf8, reporterTime } from '../text-input.ts'

/** One line of a feed: a post, or why it was refused (code and field as the API would name them). */
export type OpinionLine =
  | { readonly line: number; readonly post: OpinionPost }
  | {
      readonly line: number
      readonly id?: string
      readonly code: 'BAD_JSON' | 'VALIDATION_FAILED'
      readonly field?: string
      readonly reason: string
    }

const MAX_TEXT = 5000

/**
 * Parse a JSON-lines feed (`application/x-ndjson`): one `{id, text, time, source, lon?, lat?, place?}`
 * per line, blank lines skipped. Invalid UTF-8 refuses the whole body naming the line; a body in
 * which no line is JSON (XML sent as JSON lines) is BAD_JSON; otherwise each line is judged alone.
 */
export function parseOpinionLines(body: Uint8Array, now: Instant): OpinionLine[] {
  const text = decodeUtf8(body, 'JSON lines')
  const out: OpinionLine[] = []
  const lines = text.split('\n')
  for (const [i, raw] of lines.entries()) {
    if (raw.trim() === '') {
      continue
    }
    out.push(parseLine(i + 1, raw, now))
  }
  if (out.length > 0 && out.every((l) => 'code' in l && l.code === 'BAD_JSON')) {
    throw new AppError('BAD_JSON', 'no line of the body is JSON: send one JSON object per line', 'body')
  }
  return out
}

function parseLine(line: number, raw: string, now: Instant): OpinionLine {
  let v: unknown
  try {
    v = JSON.parse(raw)
  } catch (e) {
    return { line, code: 'BAD_JSON', reason: `line ${line} is not JSON: ${(e as Error).message}` }
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    return { line, code: 'BAD_JSON', reason: `line ${line} is not a JSON object` }
  }
  const o = v as Record<string, unknown>
  const id = typeof o.id === 'string' || typeof o.id === 'number' ? String(o.id) : undefined
  const bad = (field: string, reason: string): OpinionLine => ({
    line,
    ...(id ? { id } : {}),
    code: 'VALIDATION_FAILED',
    field,
    reason: `line ${line}: ${field} ${reason}`,
  })
  if (!id || id.length > 200) {
    return bad('id', 'must be a string of at most 200 characters')
  }
  if (typeof o.text !== 'string' || o.text.trim() === '' || o.text.length > MAX_TEXT) {
    return bad('text', `must be non-empty text of at most ${MAX_TEXT} characters`)
  }
  if (typeof o.source !== 'string' || !/^[\w.-]{1,40}$/.test(o.source)) {
    return bad('source', 'must name the platform, e.g. "weibo"')
  }
  if (typeof o.time !== 'string') {
    return bad('time', 'must be an RFC 3339 date-time')
  }
  let time: number
  try {
    time = reporterTime(o.time, 'time', now)
  } catch (e) {
    return bad('time', (e as Error).message.replace(/^time /, ''))
  }
  const hasLon = o.lon !== undefined && o.lon !== null
  const hasLat = o.lat !== undefined && o.lat !== null
  if (hasLon !== hasLat) {
    return bad(hasLon ? 'lat' : 'lon', 'must come with the other coordinate')
  }
  if (hasLon && (typeof o.lon !== 'number' || Math.abs(o.lon) > 180)) {
    return bad('lon', 'must be a longitude')
  }
  if (hasLat && (typeof o.lat !== 'number' || Math.abs(o.lat) > 90)) {
    return bad('lat', 'must be a latitude')
  }
  if (o.place !== undefined && (typeof o.place !== 'string' || o.place.length > 100)) {
    return bad('place', 'must be a place name of at most 100 characters')
  }
  return {
    line,
    post: {
      id,
      source: o.source,
      text: o.text,
      time,
      ...(hasLon ? { location: { lon: o.lon as number, lat: o.lat as number } } : {}),
      ...(typeof o.place === 'string' ? { place: o.place } : {}),
    },
  }
}
