import type { GeoPoint, Priority } from '../core/case/case.types.ts'
import type { Catalog, CatalogClass, CatalogMajor } from '../core/catalog/catalog.types.ts'
import { AppError, fail, ok, type Result } from '../core/errors.ts'
import { gcj02ToWgs84 } from '../geo/datum.ts'

// What a GeoReport v2 submission must satisfy: the attribute definitions (data/open311/attributes.json)
// and the checks of every POST field. Pure, so the HTTP route and the importer share it.
/** Languages the Open311 endpoint answers in (names, descriptions, notes). */
export type Lang = 'zh' | 'en'
export type Texts = Readonly<Record<Lang, string>>

export const ATTRIBUTE_DATATYPES = [
  'string',
  'number',
  'datetime',
  'text',
  'singlevaluelist',
  'multivaluelist',
] as const
export type AttributeDatatype = (typeof ATTRIBUTE_DATATYPES)[number]

/** One attribute of a service definition, and the catalog classes it applies to (data/open311/attributes.json). */
export interface Open311Attribute {
  readonly code: string
  readonly datatype: AttributeDatatype
  readonly required: boolean
  readonly description: Texts
  readonly datatypeDescription?: Texts
  readonly maxLength?: number
  readonly values?: readonly { readonly key: string; readonly name: Texts }[]
  /** value keys that make the case urgent */
  readonly urgent?: readonly string[]
  /** '*', a class-id prefix ('C01', 'E04') or a class id */
  readonly appliesTo: readonly string[]
  readonly except?: readonly string[]
}

export interface Open311Definitions {
  readonly attributes: readonly Open311Attribute[]
}

/** A catalog class as an Open311 service. */
export interface Open311ServiceInfo {
  readonly cls: CatalogClass
  readonly major: CatalogMajor
  readonly attributes: readonly Open311Attribute[]
}

/** A POST /requests body, field names as GeoReport v2 spells them, values as the form sent them. */
export interface Open311Submission {
  readonly service_code?: string
  readonly lat?: string
  readonly long?: string
  /** OneGrid extension: 'gcj02' for coordinates from Chinese web maps; default 'wgs84' */
  readonly coordinate_system?: string
  readonly address_string?: string
  readonly address_id?: string
  readonly zipcode?: string
  readonly email?: string
  readonly device_id?: string
  readonly account_id?: string
  readonly first_name?: string
  readonly last_name?: string
  readonly phone?: string
  readonly description?: string
  readonly media_url?: string
  readonly attributes?: Readonly<Record<string, string | readonly string[]>>
}

const FIELD_MAX: Readonly<Record<string, number>> = {
  description: 4000,
  address_string: 500,
  address_id: 200,
  zipcode: 20,
  email: 200,
  device_id: 200,
  account_id: 200,
  first_name: 100,
  last_name: 100,
  phone: 40,
  media_url: 2000,
}

/** Whether an attribute applies to a class. */
export function appliesTo(a: Open311Attribute, classId: string): boolean {
  const hit = (sel: string) => sel === '*' || classId.startsWith(sel)
  return a.appliesTo.some(hit) && !(a.except ?? []).some(hit)
}

/** A submission found valid: its service and what the intake takes. */
export interface Checked {
  readonly info: Open311ServiceInfo
  readonly text: string
  readonly location?: GeoPoint
  readonly reporterName?: string
  readonly priority?: Priority
}

function invalid(field: string, message: string): AppError {
  return new AppError('VALIDATION_FAILED', `${field} ${message}`, field)
}

/** Validate a submission the way GeoReport v2 describes it; every refusal names its field. */
export function checkSubmission(
  s: Open311Submission,
  service: (code: string) => Open311ServiceInfo,
): Checked {
  const code = s.service_code?.trim()
  if (!code) {
    throw invalid('service_code', 'is required: GET services.json lists the codes')
  }
  let info: Open311ServiceInfo
  try {
    info = service(code)
  } catch {
    throw invalid('service_code', `${code} is not a service here: GET services.json lists the codes`)
  }
  for (const [field, max] of Object.entries(FIELD_MAX)) {
    const v = (s as Readonly<Record<string, unknown>>)[field]
    if (typeof v === 'string' && v.length > max) {
      throw invalid(field, `is longer than ${max} characters`)
    }
  }
  const location = checkLocation(s)
  if (s.email?.trim() && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s.email.trim())) {
    throw invalid('email', 'is not an e-mail address')
  }
  if (s.media_url?.trim() && !isHttpUrl(s.media_url.trim())) {
    throw invalid('media_url', 'must be an http(s) URL')
  }
  if (s.phone?.trim() && !/\d/.test(s.phone)) {
    throw invalid('phone', 'has no digits')
  }

  const lines: string[] = []
  let priority: Priority | undefined
  const given = s.attributes ?? {}
  for (const code of Object.keys(given)) {
    if (!info.attributes.some((a) => a.code === code)) {
      throw invalid(
        `attribute[${code}]`,
        `is not an attribute of service ${info.cls.id}: see services/${info.cls.id}.json`,
      )
    }
  }
  for (const a of info.attributes) {
    const raw = given[a.code]
    const values = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw])
      .map((v: string) => v.trim())
      .filter(Boolean)
    const field = `attribute[${a.code}]`
    if (values.length === 0) {
      if (a.required) {
        throw invalid(field, `is required for service ${info.cls.id}`)
      }
      continue
    }
    if (values.length > 1 && a.datatype !== 'multivaluelist') {
      throw invalid(field, 'takes one value')
    }
    const shown = values.map((v) => checkValue(a, v, field))
    if (values.some((v) => a.urgent?.includes(v))) {
      priority = 'urgent'
    }
    lines.push(`【${a.description.zh}】${shown.join('、')}`)
  }
  const description = s.description?.trim()
  const text = [description || info.cls.name, ...lines].join('\n')
  const name = [s.first_name?.trim(), s.last_name?.trim()].filter(Boolean).join(' ')
  return {
    info,
    text,
    ...(location ? { location } : {}),
    ...(name ? { reporterName: name } : {}),
    ...(priority ? { priority } : {}),
  }
}

/** The point (WGS84), or none when an address stands in for it; refuses a request with neither. */
function checkLocation(s: Open311Submission): GeoPoint | undefined {
  const lat = s.lat?.trim()
  const long = s.long?.trim()
  if (lat && !long) {
    throw invalid('long', 'is required with lat')
  }
  if (long && !lat) {
    throw invalid('lat', 'is required with long')
  }
  let point: GeoPoint | undefined
  if (lat && long) {
    const la = Number(lat)
    const lo = Number(long)
    if (!Number.isFinite(la) || la < -90 || la > 90) {
      throw invalid('lat', `"${lat}" is not a latitude (-90..90)`)
    }
    if (!Number.isFinite(lo) || lo < -180 || lo > 180) {
      throw invalid('long', `"${long}" is not a longitude (-180..180)`)
    }
    // 0,0 is how many Open311 clients say "no point"
    if (la !== 0 || lo !== 0) {
      point = { lon: lo, lat: la }
    }
  }
  const system = s.coordinate_system?.trim().toLowerCase() || 'wgs84'
  if (system !== 'wgs84' && system !== 'gcj02') {
    throw invalid('coordinate_system', 'is wgs84 (default) or gcj02')
  }
  if (point && system === 'gcj02') {
    const [lon, la] = gcj02ToWgs84(point.lon, point.lat)
    point = { lon, lat: la }
  }
  if (!point && !s.address_string?.trim() && !s.address_id?.trim()) {
    throw invalid('lat', 'and long, address_string or address_id is required: where is the problem?')
  }
  return point
}

/** Check one attribute value; returns how the case text shows it. */
function checkValue(a: Open311Attribute, v: string, field: string): string {
  switch (a.datatype) {
    case 'singlevaluelist':
    case 'multivaluelist': {
      const hit = a.values?.find((x) => x.key === v)
      if (!hit) {
        throw invalid(field, `"${v}" is not one of ${(a.values ?? []).map((x) => x.key).join(', ')}`)
      }
      return hit.name.zh
    }
    case 'number':
      if (!Number.isFinite(Number(v))) {
        throw invalid(field, `"${v}" is not a number`)
      }
      return v
    case 'datetime':
      if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(v) || Number.isNaN(Date.parse(v))) {
        throw invalid(field, `"${v}" is not a W3C date-time`)
      }
      return v
    case 'string':
    case 'text': {
      const max = a.maxLength ?? (a.datatype === 'string' ? 500 : 4000)
      if (v.length > max) {
        throw invalid(field, `is longer than ${max} characters`)
      }
      return v
    }
  }
}

function isHttpUrl(v: string): boolean {
  try {
    const u = new URL(v)
    return u.protocol === 'http:' || u.protocol === 'https:'
  } catch {
    return false
  }
}

/** Parse and check data/open311/attributes.json, listing every problem. */
export function parseOpen311Definitions(json: unknown, catalog?: Catalog): Result<Open311Definitions> {
  const problems: string[] = []
  const list = (json as { attributes?: unknown } | null)?.attributes
  if (!Array.isArray(list)) {
    return fail('VALIDATION_FAILED', 'attributes: an array is required', 'attributes')
  }
  const texts = (v: unknown): v is Texts =>
    typeof v === 'object' &&
    v !== null &&
    typeof (v as Texts).zh === 'string' &&
    typeof (v as Texts).en === 'string'
  const seen = new Set<string>()
  list.forEach((raw: unknown, i) => {
    const a = raw as Partial<Open311Attribute>
    const at = `attributes[${i}]`
    if (typeof a.code !== 'string' || !/^[a-z][a-z0-9_]{0,39}$/.test(a.code)) {
      problems.push(`${at}.code: a-z, 0-9, _`)
    } else if (seen.has(a.code)) {
      problems.push(`${at}.code: ${a.code} twice`)
    } else {
      seen.add(a.code)
    }
    if (!ATTRIBUTE_DATATYPES.includes(a.datatype!)) {
      problems.push(`${at}.datatype: one of ${ATTRIBUTE_DATATYPES.join(', ')}`)
    }
    if (typeof a.required !== 'boolean') {
      problems.push(`${at}.required: true or false`)
    }
    if (!texts(a.description)) {
      problems.push(`${at}.description: { zh, en }`)
    }
    if (a.datatypeDescription !== undefined && !texts(a.datatypeDescription)) {
      problems.push(`${at}.datatypeDescription: { zh, en }`)
    }
    const listType = a.datatype === 'singlevaluelist' || a.datatype === 'multivaluelist'
    if (listType && (!Array.isArray(a.values) || a.values.length === 0)) {
      problems.push(`${at}.values: required for lists`)
    }
    for (const [j, v] of (a.values ?? []).entries()) {
      if (typeof v?.key !== 'string' || !v.key || !texts(v.name)) {
        problems.push(`${at}.values[${j}]: { key, name: { zh, en } }`)
      }
    }
    for (const u of a.urgent ?? []) {
      if (!(a.values ?? []).some((v) => v.key === u)) {
        problems.push(`${at}.urgent: ${u} is not a value key`)
      }
    }
    if (!Array.isArray(a.appliesTo) || a.appliesTo.length === 0) {
      problems.push(`${at}.appliesTo: a non-empty array`)
    }
    for (const sel of [...(a.appliesTo ?? []), ...(a.except ?? [])]) {
      const known = sel === '*' || !catalog || catalog.classes.some((c) => c.id.startsWith(sel))
      if (!known) {
        problems.push(`${at}: selector ${sel} matches no catalog class`)
      }
    }
  })
  if (problems.length > 0) {
    return fail('VALIDATION_FAILED', 'Open311 attribute definitions are invalid', 'attributes', problems)
  }
  return ok(Object.freeze({ attributes: list as Open311Attribute[] }))
}
