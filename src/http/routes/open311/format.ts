import type { FastifyReply, FastifyRequest } from 'fastify'
import { XMLBuilder } from 'fast-xml-parser'
import type { Lang } from '../../../services/open311.service.ts'
import type { Instant } from '../../../core/time.ts'

/** The two representations GeoReport v2 serves, chosen by the path's extension. */
export type Format = 'json' | 'xml'

export const CONTENT_TYPE: Readonly<Record<Format, string>> = {
  json: 'application/json; charset=utf-8',
  xml: 'text/xml; charset=utf-8',
}

/** The element each list's items get in XML, by the list's own element name. */
const ITEM: Readonly<Record<string, string>> = {
  services: 'service',
  service_requests: 'request',
  service_request_updates: 'request_update',
  errors: 'error',
  endpoints: 'endpoint',
  formats: 'format',
  attributes: 'attribute',
  values: 'value',
}

const builder = new XMLBuilder({ format: true, suppressEmptyNode: true })

/** `json` or `xml` from a path parameter; anything else is undefined. */
export function formatOf(ext: string | undefined): Format | undefined {
  return ext === 'json' || ext === 'xml' ? ext : undefined
}

/** The format an error should use: the path's extension, else what Accept asks for, else JSON. */
export function errorFormat(req: FastifyRequest): Format {
  const ext = /\.(json|xml)$/.exec(req.url.split('?')[0] ?? '')?.[1]
  if (ext === 'json' || ext === 'xml') {
    return ext
  }
  return /xml/.test(req.headers.accept ?? '') ? 'xml' : 'json'
}

// XML 1.0 cannot carry these code points even escaped
// eslint-disable-next-line no-control-regex
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g

function toXmlValue(key: string, v: unknown): unknown {
  if (v === null || v === undefined) {
    return ''
  }
  if (Array.isArray(v)) {
    const item = ITEM[key]
    if (!item) {
      throw new Error(`open311 XML: no item element for list ${key}`)
    }
    return { [item]: v.map((x) => toXmlValue(item, x)) }
  }
  if (typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toXmlValue(k, x)]))
  }
  if (typeof v === 'string') {
    return v.replace(NOT_XML, '')
  }
  return v
}

/**
 * The XML document for a JSON body: `root` names the document element; a list body becomes its
 * items (`<services><service>…`), nested lists get the spec's wrapper elements.
 */
export function toXml(root: string, body: unknown): string {
  const doc = builder.build({ [root]: toXmlValue(root, body) })
  return `<?xml version="1.0" encoding="utf-8"?>\n${doc}`
}

/** Send a body as JSON or as the spec's XML under `root`. */
export function send(
  reply: FastifyReply,
  format: Format,
  root: string,
  body: unknown,
  status = 200,
): FastifyReply {
  void reply.status(status).header('content-type', CONTENT_TYPE[format])
  return reply.send(format === 'json' ? JSON.stringify(body) : toXml(root, body))
}

/** GeoReport v2 errors: a list of { code (the HTTP status), description }. */
export function sendErrors(
  reply: FastifyReply,
  format: Format,
  status: number,
  descriptions: readonly string[],
) {
  return send(
    reply,
    format,
    'errors',
    descriptions.map((description) => ({ code: status, description })),
    status,
  )
}

/**
 * The answer's language: `?lang=en|zh` first, then the best of en/zh in Accept-Language, else
 * Chinese (the catalog's own language).
 */
export function langOf(req: FastifyRequest): Lang {
  const q = (req.query as Record<string, unknown> | undefined)?.lang
  const asked = typeof q === 'string' ? q.toLowerCase() : ''
  if (asked.startsWith('en')) {
    return 'en'
  }
  if (asked.startsWith('zh')) {
    return 'zh'
  }
  let best: { lang: Lang; q: number } | undefined
  for (const part of (req.headers['accept-language'] ?? '').split(',')) {
    const [tag = '', ...params] = part.trim().toLowerCase().split(';')
    const weight = Number(
      params
        .find((p) => p.trim().startsWith('q='))
        ?.trim()
        .slice(2) ?? '1',
    )
    const lang: Lang | undefined = tag.startsWith('en') ? 'en' : tag.startsWith('zh') ? 'zh' : undefined
    if (lang && Number.isFinite(weight) && weight > 0 && (!best || weight > best.q)) {
      best = { lang, q: weight }
    }
  }
  return best?.lang ?? 'zh'
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0')

/** An instant as a W3C date-time in a fixed offset, e.g. 2026-03-02T09:00:00+08:00. */
export function w3c(at: Instant, offsetMinutes: number): string {
  const local = new Date(at + offsetMinutes * 60_000)
  const sign = offsetMinutes < 0 ? '-' : '+'
  const off = Math.abs(offsetMinutes)
  return (
    `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}` +
    `T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}` +
    `${sign}${pad(Math.floor(off / 60))}:${pad(off % 60)}`
  )
}

const W3C =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i

/**
 * Parse a W3C date-time (any precision from a year to fractions of a second). Without an offset it
 * is the city's local time. Undefined when malformed or not a real date.
 */
export function parseW3c(value: string, offsetMinutes: number): Instant | undefined {
  const m = W3C.exec(value.trim())
  if (!m) {
    return undefined
  }
  const [, y, mo = '1', d = '1', h = '0', mi = '0', s = '0', frac = '0', tz] = m
  const parts = [+y, +mo - 1, +d, +h, +mi, +s]
  const utc = Date.UTC(
    parts[0],
    parts[1],
    parts[2],
    parts[3],
    parts[4],
    parts[5],
    +frac.padEnd(3, '0').slice(0, 3),
  )
  const back = new Date(utc)
  if (
    back.getUTCMonth() !== parts[1] ||
    back.getUTCDate() !== parts[2] ||
    parts[3] > 23 ||
    parts[4] > 59 ||
    parts[5] > 59
  ) {
    return undefined
  }
  let offset = offsetMinutes
  if (tz && tz.toUpperCase() === 'Z') {
    offset = 0
  } else if (tz) {
    const digits = tz.replace(':', '')
    offset = (tz.startsWith('-') ? -1 : 1) * (+digits.slice(1, 3) * 60 + +digits.slice(3, 5))
  }
  return utc - offset * 60_000
}
