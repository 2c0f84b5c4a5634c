import type { FastifyInstance } from 'fastify'
import { AppError } from '../../../core/errors.ts'
import type { Open311Submission } from '../../../services/open311.service.ts'

/** A request body as parsed: field name → value (a repeated form field gives an array). */
export type Fields = Readonly<Record<string, unknown>>

function bad(message: string): AppError {
  return new AppError('VALIDATION_FAILED', message, 'body')
}

function looksLike(body: string): 'xml' | 'json' | undefined {
  const head = body.trimStart()
  if (head.startsWith('<')) {
    return 'xml'
  }
  if (head.startsWith('{') || head.startsWith('[')) {
    return 'json'
  }
  return undefined
}

/** Parse `application/x-www-form-urlencoded` strictly: bad %-escapes and non-form bodies are refused. */
export function parseForm(body: string): Record<string, string | string[]> {
  const seems = looksLike(body)
  if (seems) {
    throw bad(
      `the body is declared application/x-www-form-urlencoded but looks like ${seems.toUpperCase()}: ` +
        'send form fields (service_code=…&lat=…&long=…)' +
        (seems === 'json' ? ' or declare Content-Type: application/json' : ''),
    )
  }
  try {
    decodeURIComponent(body.replace(/\+/g, ' '))
  } catch {
    throw bad('the form data is malformed: a %-escape is not valid UTF-8 percent-encoding')
  }
  const out: Record<string, string | string[]> = {}
  for (const [k, v] of new URLSearchParams(body)) {
    const had = out[k]
    out[k] = had === undefined ? v : Array.isArray(had) ? [...had, v] : [had, v]
  }
  return out
}

/** Parse a JSON body, saying plainly when it is XML or not an object of fields. */
export function parseJsonBody(body: string): Fields {
  if (body.trim() === '') {
    throw bad('the body is empty: send the request fields')
  }
  let json: unknown
  try {
    json = JSON.parse(body)
  } catch (e) {
    if (looksLike(body) === 'xml') {
      throw bad(
        'the body is declared application/json but is XML: send form fields ' +
          '(application/x-www-form-urlencoded, the GeoReport v2 format) or a JSON object',
      )
    }
    throw bad(`the body is declared application/json but is not valid JSON: ${(e as Error).message}`)
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw bad('a JSON body must be one object of request fields')
  }
  return json as Fields
}

/** Use the spec's body formats (form, or JSON) in an Open311 scope, and refuse the others in its error format. */
export function installBodyParsers(app: FastifyInstance): void {
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, parseForm(body as string))
    } catch (e) {
      done(e as Error, undefined)
    }
  })
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, parseJsonBody(body as string))
    } catch (e) {
      done(e as Error, undefined)
    }
  })
  app.addContentTypeParser('*', (req, _payload, done) => {
    done(
      bad(
        `content type ${req.headers['content-type'] ?? '(none)'} is not accepted: send ` +
          'application/x-www-form-urlencoded (the GeoReport v2 format) or application/json',
      ),
      undefined,
    )
  })
}

const SCALARS = [
  'service_code',
  'lat',
  'long',
  'coordinate_system',
  'address_string',
  'address_id',
  'zipcode',
  'email',
  'device_id',
  'account_id',
  'first_name',
  'last_name',
  'phone',
  'description',
  'media_url',
] as const

function scalar(field: string, v: unknown): string | undefined {
  if (v === undefined || v === null) {
    return undefined
  }
  if (Array.isArray(v)) {
    if (v.length > 1) {
      throw new AppError('VALIDATION_FAILED', `${field} is given ${v.length} times`, field)
    }
    return scalar(field, v[0])
  }
  if (typeof v === 'string') {
    return v
  }
  if (typeof v === 'number' || typeof v === 'boolean') {
    return String(v)
  }
  throw new AppError('VALIDATION_FAILED', `${field} must be a single value`, field)
}

function attributeValue(field: string, v: unknown): string | string[] {
  if (Array.isArray(v)) {
    return v.map((x) => scalar(field, x) ?? '')
  }
  return scalar(field, v) ?? ''
}

/**
 * The submission in a POST body. Attributes come as `attribute[code]=value`
 * (`attribute[code][]=a&attribute[code][]=b` for lists) or, in JSON, `"attribute": {code: value}`.
 * Fields the spec does not name are ignored, as clients add their own.
 */
export function toSubmission(fields: Fields): Open311Submission {
  const submission: Record<string, unknown> = {}
  for (const f of SCALARS) {
    const v = scalar(f, fields[f])
    if (v !== undefined) {
      submission[f] = v
    }
  }
  const attributes: Record<string, string | string[]> = {}
  for (const [k, v] of Object.entries(fields)) {
    const m = /^attribute\[([^\]]+)\](\[\])?$/.exec(k)
    if (m) {
      attributes[m[1]] = m[2] ? [attributeValue(k, v)].flat() : attributeValue(k, v)
    }
  }
  const nested = fields.attribute ?? fields.attributes
  if (nested !== undefined) {
    if (typeof nested !== 'object' || nested === null || Array.isArray(nested)) {
      throw new AppError('VALIDATION_FAILED', 'attribute must be an object of code: value', 'attribute')
    }
    for (const [k, v] of Object.entries(nested)) {
      attributes[k] = attributeValue(`attribute[${k}]`, v)
    }
  }
  if (Object.keys(attributes).length > 0) {
    submission.attributes = attributes
  }
  return submission
}

/** The api_key of a POST: a body field, as the spec says, or (some clients) a query parameter. */
export function apiKeyOf(fields: Fields, query: Fields): string | undefined {
  const first = (v: unknown) => (Array.isArray(v) ? (v[0] as unknown) : v)
  const key = first(fields.api_key) ?? first(query.api_key)
  return typeof key === 'string' && key.trim() ? key.trim() : undefined
}
