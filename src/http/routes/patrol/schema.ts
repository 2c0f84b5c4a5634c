import { Type } from 'typebox'
import { AppError } from '../../../core/errors.ts'
import type { GeoPoint } from '../../../core/case/case.types.ts'
import { gcj02ToWgs84 } from '../../../geo/datum.ts'
import { reporterTime } from '../../../ingest/text-input.ts'
import type { PatrolReport } from '../../../services/patrol.service.ts'

export const TasksQuery = Type.Object(
  {
    lon: Type.Optional(Type.Number({ minimum: -180, maximum: 180 })),
    lat: Type.Optional(Type.Number({ minimum: -90, maximum: 90 })),
    coordSystem: Type.Optional(Type.Union([Type.Literal('wgs84'), Type.Literal('gcj02')])),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
  },
  { additionalProperties: false },
)

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * The fields of a patrol report, from multipart text fields or a JSON body alike (multipart fields
 * are strings, so both go through this one check rather than a JSON schema).
 */
export function readPatrolFields(
  f: Readonly<Record<string, unknown>>,
  photos: readonly string[],
  now: number,
): PatrolReport {
  const str = (k: string): string | undefined => {
    const v = f[k]
    return typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : undefined
  }
  const bad = (field: string, why: string) => new AppError('VALIDATION_FAILED', `${field} ${why}`, field)
  const known = new Set(['clientId', 'clientTime', 'text', 'lon', 'lat', 'coordSystem', 'classId', 'photos'])
  for (const k of Object.keys(f)) {
    if (!known.has(k)) {
      throw bad(k, 'is not a known field')
    }
  }
  const clientId = str('clientId')
  if (!clientId || !UUID.test(clientId)) {
    throw bad('clientId', 'must be the UUID the app gave the report')
  }
  const clientTime = str('clientTime')
  if (!clientTime) {
    throw bad('clientTime', 'is required (RFC 3339)')
  }
  const text = str('text')
  if (!text || text.length > 10_000) {
    throw bad('text', 'must be 1 to 10,000 characters')
  }
  const location = point(str('lon'), str('lat'), str('coordSystem'))
  const classId = str('classId')
  if (classId && !/^[CE][0-9]{4}$/.test(classId)) {
    throw bad('classId', 'must be a class id like E0109')
  }
  return {
    clientId,
    clientTime: reporterTime(clientTime, 'clientTime', now),
    text,
    location,
    ...(classId ? { classId } : {}),
    ...(photos.length ? { photos } : {}),
  }
}

function point(
  lonText: string | undefined,
  latText: string | undefined,
  system: string | undefined,
): GeoPoint {
  if (lonText === undefined || latText === undefined || lonText === '' || latText === '') {
    throw new AppError(
      'VALIDATION_FAILED',
      'a patrol report needs its location: lon and lat (the app must have a position fix)',
      lonText ? 'lat' : 'lon',
    )
  }
  const lon = Number(lonText)
  const lat = Number(latText)
  if (!Number.isFinite(lon) || Math.abs(lon) > 180) {
    throw new AppError('VALIDATION_FAILED', 'lon must be a longitude', 'lon')
  }
  if (!Number.isFinite(lat) || Math.abs(lat) > 90) {
    throw new AppError('VALIDATION_FAILED', 'lat must be a latitude', 'lat')
  }
  if (system !== undefined && system !== 'wgs84' && system !== 'gcj02') {
    throw new AppError('VALIDATION_FAILED', 'coordSystem must be wgs84 or gcj02', 'coordSystem')
  }
  if (system !== 'gcj02') {
    return { lon, lat }
  }
  const [x, y] = gcj02ToWgs84(lon, lat)
  return { lon: x, lat: y }
}
