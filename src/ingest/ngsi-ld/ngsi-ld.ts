import { distance } from '@turf/turf'
import { AppError } from '../../core/errors.ts'
import { DEVICE_KIND_IDS, DEVICE_KINDS } from '../../core/sensing/sensing.types.ts'
import type { Device, DeviceKind } from '../../core/sensing/sensing.types.ts'

/**
 * The NGSI-LD subset (ETSI GS CIM 009) OneGrid speaks, over FIWARE Smart Data Models: an entity is a
 * device; its measurement Properties are readings; `location` is its GeoProperty.
 */

export const NGSI_LD_CORE_CONTEXT = 'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld'
export const SDM_CONTEXT =
  'https://raw.githubusercontent.com/smart-data-models/data-models/master/context.jsonld'

/** NGSI-LD problem types (clause 5.5.2) this subset uses. */
export type NgsiProblem =
  | 'BadRequestData'
  | 'InvalidRequest'
  | 'ResourceNotFound'
  | 'AlreadyExists'
  | 'OperationNotSupported'
  | 'InternalError'

export const PROBLEM_STATUS: Record<NgsiProblem, number> = {
  BadRequestData: 400,
  InvalidRequest: 400,
  ResourceNotFound: 404,
  AlreadyExists: 409,
  OperationNotSupported: 422,
  InternalError: 500,
}

/** The NGSI-LD error body: a ProblemDetails object with an ETSI type URI. */
export function problem(type: NgsiProblem, title: string, detail?: string) {
  return {
    type: `https://uri.etsi.org/ngsi-ld/errors/${type}`,
    title,
    ...(detail ? { detail } : {}),
    status: PROBLEM_STATUS[type],
  }
}

/** Which entity types map to which device kinds (`Device` covers the kinds with no observation model). */
export function kindsOfType(type: string): DeviceKind[] {
  return DEVICE_KIND_IDS.filter((k) => DEVICE_KINDS[k].smartDataModel === type)
}

export function entityType(kind: DeviceKind): string {
  return DEVICE_KINDS[kind].smartDataModel
}

export function entityId(d: Pick<Device, 'id' | 'kind'>): string {
  return `urn:ngsi-ld:${entityType(d.kind)}:${d.id}`
}

/** The device id inside an entity id `urn:ngsi-ld:<Type>:<deviceId>`. */
export function deviceIdOf(id: string): string | undefined {
  const m = /^urn:ngsi-ld:[A-Za-z][A-Za-z0-9]*:([A-Za-z0-9._:-]{1,100})$/.exec(id)
  return m?.[1]
}

/** Attribute name (SDM name or our quantity id) → quantity id of a kind. */
export function quantityOf(kind: DeviceKind, attr: string): string | undefined {
  const qs = DEVICE_KINDS[kind].quantities
  if (Object.hasOwn(qs, attr)) {
    return attr
  }
  return Object.keys(qs).find((q) => qs[q].sdmAttribute === attr)
}

/** The SDM attribute name of a quantity. */
export function attributeOf(kind: DeviceKind, quantity: string): string {
  return DEVICE_KINDS[kind].quantities[quantity]?.sdmAttribute ?? quantity
}

/** Attributes that describe the entity, not a measurement. */
const META = new Set([
  'id',
  'type',
  '@context',
  'location',
  'name',
  'owner',
  'dateObserved',
  'controlledProperty',
  'refDevice',
  'description',
  'address',
  'componentId',
  'expectedIntervalSec',
])

/** Model ratios our devices report in percent (WasteContainer.fillingLevel is 0..1). */
const RATIO_ATTRIBUTES = new Set(['fillingLevel'])

type Attr = { type?: unknown; value?: unknown; observedAt?: unknown; unitCode?: unknown; object?: unknown }

function propValue(a: unknown): unknown {
  return typeof a === 'object' && a !== null && !Array.isArray(a) && 'value' in a ? (a as Attr).value : a
}

/** What a create carries about the device itself. */
export interface EntityDevice {
  readonly deviceId: string
  readonly kind: DeviceKind
  readonly name?: string
  readonly location?: { lon: number; lat: number }
  readonly owner?: string
  readonly componentId?: string
  readonly expectedIntervalSec?: number
}

/** Read the device part of an entity; throws BadRequestData-worthy AppErrors. */
export function readEntityDevice(body: Record<string, unknown>): EntityDevice {
  if (typeof body.id !== 'string' || typeof body.type !== 'string') {
    throw new AppError('VALIDATION_FAILED', 'an entity needs id and type', 'id')
  }
  const deviceId = deviceIdOf(body.id)
  if (!deviceId) {
    throw new AppError('VALIDATION_FAILED', 'id must be urn:ngsi-ld:<Type>:<device id>', 'id')
  }
  const kinds = kindsOfType(body.type)
  if (kinds.length === 0) {
    const types = [...new Set(DEVICE_KIND_IDS.map(entityType))].join(', ')
    throw new AppError('VALIDATION_FAILED', `type ${body.type} is not one of ${types}`, 'type')
  }
  let kind = kinds[0]
  if (kinds.length > 1) {
    // `Device`: which kind follows from what it measures
    const props = propValue(body.controlledProperty)
    const list: unknown[] = Array.isArray(props)
      ? (props as unknown[])
      : typeof props === 'string'
        ? [props]
        : []
    const measured = [...list, ...Object.keys(body).filter((k) => !META.has(k))]
    const found = kinds.find((k) => measured.some((p) => typeof p === 'string' && quantityOf(k, p)))
    if (!found) {
      throw new AppError(
        'VALIDATION_FAILED',
        `a Device entity must name what it measures in controlledProperty (one of ${kinds.map((k) => DEVICE_KINDS[k].primary).join(', ')})`,
        'controlledProperty',
      )
    }
    kind = found
  }
  const loc = propValue(body.location) as { type?: unknown; coordinates?: unknown } | undefined
  let location: { lon: number; lat: number } | undefined
  if (loc !== undefined) {
    const c = loc.coordinates
    if (loc.type !== 'Point' || !Array.isArray(c) || typeof c[0] !== 'number' || typeof c[1] !== 'number') {
      throw new AppError(
        'VALIDATION_FAILED',
        'location must be a GeoProperty with a GeoJSON Point',
        'location',
      )
    }
    location = { lon: c[0], lat: c[1] }
  }
  const owner = propValue(body.owner)
  const ownerId: unknown = Array.isArray(owner) ? (owner as unknown[])[0] : owner
  const name = propValue(body.name)
  const componentId = propValue(body.componentId)
  const interval = propValue(body.expectedIntervalSec)
  return {
    deviceId,
    kind,
    ...(typeof name === 'string' ? { name } : {}),
    ...(location ? { location } : {}),
    ...(typeof ownerId === 'string' ? { owner: ownerId } : {}),
    ...(typeof componentId === 'string' ? { componentId } : {}),
    ...(typeof interval === 'number' ? { expectedIntervalSec: interval } : {}),
  }
}

/**
 * The measurement Properties of an entity fragment as device messages for validateReading, one per
 * distinct observedAt (falling back to `dateObserved`, then to `now`).
 */
export function messagesOf(
  kind: DeviceKind,
  attrs: Record<string, unknown>,
  now: number,
): Record<string, unknown>[] {
  const fallback = propValue(attrs.dateObserved)
  const byTs = new Map<string | number, Record<string, unknown>>()
  for (const [name, raw] of Object.entries(attrs)) {
    if (META.has(name)) {
      continue
    }
    const quantity = quantityOf(kind, name)
    const a = (typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? raw : { value: raw }) as Attr
    // unknown attributes are passed through under their own name so validation refuses them by reason
    const key = quantity ?? name
    let value = a.value
    if (RATIO_ATTRIBUTES.has(name) && typeof value === 'number') {
      value = Math.round(value * 100 * 1e6) / 1e6
    }
    const ts = typeof a.observedAt === 'string' ? a.observedAt : typeof fallback === 'string' ? fallback : now
    const msg = byTs.get(ts) ?? { ts }
    msg[key] = typeof a.unitCode === 'string' ? { value, unit: a.unitCode } : value
    byTs.set(ts, msg)
  }
  return [...byTs.values()]
}

/** A device and its latest readings as an NGSI-LD entity (normalized form). */
export function toEntity(
  d: Device,
  latest: readonly { quantity: string; ts: number; value: number }[],
  withContext: boolean,
): Record<string, unknown> {
  const kind = DEVICE_KINDS[d.kind]
  const e: Record<string, unknown> = {
    id: entityId(d),
    type: kind.smartDataModel,
    name: { type: 'Property', value: d.name },
    location: {
      type: 'GeoProperty',
      value: { type: 'Point', coordinates: [d.location.lon, d.location.lat] },
    },
    owner: { type: 'Property', value: [d.ownerUnitId] },
  }
  if (kind.smartDataModel === 'Device') {
    e.controlledProperty = { type: 'Property', value: Object.keys(kind.quantities) }
  }
  for (const r of latest) {
    const spec = kind.quantities[r.quantity]
    const attr = attributeOf(d.kind, r.quantity)
    const value = RATIO_ATTRIBUTES.has(attr) ? r.value / 100 : r.value
    e[attr] = {
      type: 'Property',
      value,
      observedAt: new Date(r.ts).toISOString(),
      ...(spec?.unitCode && !RATIO_ATTRIBUTES.has(attr) ? { unitCode: spec.unitCode } : {}),
    }
  }
  if (withContext) {
    e['@context'] = [SDM_CONTEXT, NGSI_LD_CORE_CONTEXT]
  }
  return e
}

/** One `q` term: attribute, operator, value. */
export interface QTerm {
  readonly attr: string
  readonly op: '==' | '!=' | '>' | '>=' | '<' | '<='
  readonly value: number | string
}

/** Parse the `q` subset: terms joined by `;` (AND). `|` and parentheses are refused as unsupported. */
export function parseQ(q: string): QTerm[] {
  if (/[|()]/.test(q)) {
    throw new AppError('VALIDATION_FAILED', 'q: only terms joined by ; (AND) are supported', 'q', {
      problem: 'OperationNotSupported',
    })
  }
  return q.split(';').map((term) => {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_.]*)\s*(==|!=|>=|<=|>|<)\s*(.+?)\s*$/.exec(term)
    if (!m) {
      throw new AppError('VALIDATION_FAILED', `q: cannot read "${term}" (attr op value)`, 'q')
    }
    const raw = m[3]
    const value = /^".*"$/.test(raw) ? raw.slice(1, -1) : Number(raw)
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new AppError('VALIDATION_FAILED', `q: ${raw} is neither a number nor a "quoted string"`, 'q')
    }
    return { attr: m[1], op: m[2] as QTerm['op'], value }
  })
}

export function matches(term: QTerm, v: unknown): boolean {
  if (v === undefined) {
    return false
  }
  if (typeof term.value === 'string' || typeof v === 'string') {
    const a = typeof v === 'string' || typeof v === 'number' ? String(v) : ''
    const b = String(term.value)
    return term.op === '==' ? a === b : term.op === '!=' ? a !== b : false
  }
  const n = v as number
  switch (term.op) {
    case '==':
      return n === term.value
    case '!=':
      return n !== term.value
    case '>':
      return n > term.value
    case '>=':
      return n >= term.value
    case '<':
      return n < term.value
    case '<=':
      return n <= term.value
  }
}

/** The geo-query subset: `near;maxDistance==m` or `near;minDistance==m` around a Point. */
export interface GeoQuery {
  readonly lon: number
  readonly lat: number
  readonly maxDistance?: number
  readonly minDistance?: number
}

export function parseGeo(
  georel: string,
  geometry: string | undefined,
  coordinates: string | undefined,
): GeoQuery {
  const parts = georel.split(';')
  if (parts[0] !== 'near') {
    throw new AppError('VALIDATION_FAILED', `georel ${parts[0]} is not supported (only near)`, 'georel', {
      problem: 'OperationNotSupported',
    })
  }
  if (geometry !== 'Point') {
    throw new AppError('VALIDATION_FAILED', 'georel near needs geometry=Point', 'geometry')
  }
  let c: unknown
  try {
    c = JSON.parse(coordinates ?? '')
  } catch {
    c = undefined
  }
  if (!Array.isArray(c) || typeof c[0] !== 'number' || typeof c[1] !== 'number') {
    throw new AppError('VALIDATION_FAILED', 'coordinates must be [lon,lat]', 'coordinates')
  }
  let maxDistance: number | undefined
  let minDistance: number | undefined
  for (const p of parts.slice(1)) {
    const m = /^(maxDistance|minDistance)==(\d+(\.\d+)?)$/.exec(p)
    if (!m) {
      throw new AppError('VALIDATION_FAILED', `georel: cannot read "${p}"`, 'georel')
    }
    if (m[1] === 'maxDistance') {
      maxDistance = Number(m[2])
    } else {
      minDistance = Number(m[2])
    }
  }
  if (maxDistance === undefined && minDistance === undefined) {
    throw new AppError('VALIDATION_FAILED', 'georel near needs maxDistance==m or minDistance==m', 'georel')
  }
  return {
    lon: c[0],
    lat: c[1],
    ...(maxDistance !== undefined ? { maxDistance } : {}),
    ...(minDistance !== undefined ? { minDistance } : {}),
  }
}

/** Great-circle distance in metres. */
export function distanceM(a: { lon: number; lat: number }, b: { lon: number; lat: number }): number {
  return distance([a.lon, a.lat], [b.lon, b.lat], { units: 'meters' })
}
