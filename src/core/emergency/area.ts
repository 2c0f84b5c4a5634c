import { booleanPointInPolygon } from '@turf/turf'
import type { Position } from 'geojson'
import { haversineM } from '../dispatch/index.ts'
import { fail, ok, type Result } from '../errors.ts'
import type { BBox, LonLat, Region } from '../geo/geo.types.ts'
import type { IncidentArea } from './emergency.types.ts'

/** An incident area made concrete: a box for the index prefilter, an exact test, a middle. */
export interface AreaShape {
  /** [minLon, minLat, maxLon, maxLat]: rows outside it are never read */
  readonly bbox: BBox
  /** exact containment (point in polygon, or great-circle distance for a circle) */
  contains(lon: number, lat: number): boolean
  /** where "nearest" is measured from */
  readonly centre: LonLat
  /** a circle about `centre` that covers the whole area, metres */
  readonly radiusM: number
  /** region areas also take cases placed by region code without a position */
  readonly regionCode?: string
}

/** Largest circle an incident may cover: the whole city fits in 100 km. */
export const MAX_RADIUS_M = 100_000
const MAX_VERTICES = 20_000
const EARTH_RADIUS_M = 6_371_008.8
const RAD = Math.PI / 180

/** Validate an area's shape (not whether a region code exists: the caller knows the regions). */
export function checkArea(a: IncidentArea): Result<never> | undefined {
  switch (a.kind) {
    case 'region':
      return /^\d{6}(\d{3}){0,3}$/.test(a.code)
        ? undefined
        : fail('GEO_INVALID', `region code ${a.code} is not a 6, 9, 12 or 15 digit code`, 'area.code')
    case 'circle':
      if (!validLonLat(a.center.lon, a.center.lat)) {
        return fail('GEO_INVALID', 'the circle centre is not a WGS84 lon/lat', 'area.center')
      }
      if (!(a.radiusM > 0 && a.radiusM <= MAX_RADIUS_M)) {
        return fail('GEO_INVALID', `the radius must be between 0 and ${MAX_RADIUS_M} metres`, 'area.radiusM')
      }
      return undefined
    case 'polygon': {
      const g = a.polygon
      const polys: Position[][][] =
        g.type === 'Polygon' ? [g.coordinates] : g.type === 'MultiPolygon' ? g.coordinates : []
      if (polys.length === 0) {
        return fail('GEO_INVALID', 'area.polygon must be a GeoJSON Polygon or MultiPolygon', 'area.polygon')
      }
      let vertices = 0
      for (const rings of polys) {
        if (rings.length === 0) {
          return fail('GEO_INVALID', 'a polygon has no rings', 'area.polygon')
        }
        for (const ring of rings) {
          vertices += ring.length
          if (ring.length < 4) {
            return fail('GEO_INVALID', 'a ring needs at least 4 positions', 'area.polygon')
          }
          const [f, l] = [ring[0], ring[ring.length - 1]]
          if (f[0] !== l[0] || f[1] !== l[1]) {
            return fail('GEO_INVALID', 'a ring must be closed (last position = first)', 'area.polygon')
          }
          if (ring.some((p) => !validLonLat(p[0], p[1]))) {
            return fail('GEO_INVALID', 'a position is not a WGS84 lon/lat', 'area.polygon')
          }
        }
      }
      if (vertices > MAX_VERTICES) {
        return fail('GEO_INVALID', `the polygon has more than ${MAX_VERTICES} positions`, 'area.polygon')
      }
      return undefined
    }
  }
}

/**
 * The concrete shape of an area. A region area needs its Region (geometry, box, centroid); an
 * unknown code is the caller's error to report.
 */
export function areaShape(a: IncidentArea, region?: Region): Result<AreaShape> {
  const bad = checkArea(a)
  if (bad) {
    return bad
  }
  switch (a.kind) {
    case 'region': {
      if (!region || region.code !== a.code) {
        return fail('GEO_INVALID', `region ${a.code} is not in the city's region tree`, 'area.code')
      }
      const geometry = region.geometry
      const centre = region.centroid
      return ok({
        bbox: region.bbox,
        contains: (lon, lat) => booleanPointInPolygon([lon, lat], geometry),
        centre,
        radiusM: farthest(centre, corners(region.bbox)),
        regionCode: region.code,
      })
    }
    case 'circle': {
      const { lon, lat } = a.center
      const r = a.radiusM
      return ok({
        bbox: capBox(lon, lat, r),
        contains: (x, y) => haversineM(lon, lat, x, y) <= r,
        centre: [lon, lat],
        radiusM: r,
      })
    }
    case 'polygon': {
      const g = a.polygon
      const outer = (g.type === 'Polygon' ? [g.coordinates] : g.coordinates).map((rings) => rings[0])
      const points = outer.flatMap((ring) => ring.slice(0, -1))
      let [minX, minY, maxX, maxY] = [Infinity, Infinity, -Infinity, -Infinity]
      for (const [x, y] of points) {
        minX = Math.min(minX, x)
        minY = Math.min(minY, y)
        maxX = Math.max(maxX, x)
        maxY = Math.max(maxY, y)
      }
      const centre: LonLat = [
        points.reduce((s, p) => s + p[0], 0) / points.length,
        points.reduce((s, p) => s + p[1], 0) / points.length,
      ]
      return ok({
        bbox: [minX, minY, maxX, maxY],
        contains: (lon, lat) => booleanPointInPolygon([lon, lat], g),
        centre,
        radiusM: farthest(
          centre,
          points.map((p) => [p[0], p[1]] as const),
        ),
      })
    }
  }
}

function validLonLat(lon: unknown, lat: unknown): boolean {
  return (
    typeof lon === 'number' &&
    typeof lat === 'number' &&
    Number.isFinite(lon) &&
    Number.isFinite(lat) &&
    lon >= -180 &&
    lon <= 180 &&
    lat >= -90 &&
    lat <= 90
  )
}

function corners(b: BBox): LonLat[] {
  return [
    [b[0], b[1]],
    [b[0], b[3]],
    [b[2], b[1]],
    [b[2], b[3]],
  ]
}

function farthest(c: LonLat, pts: readonly LonLat[]): number {
  return pts.reduce((m, p) => Math.max(m, haversineM(c[0], c[1], p[0], p[1])), 0)
}

/** The lon/lat box around a spherical cap (a city never spans the antimeridian). */
function capBox(lon: number, lat: number, radiusM: number): BBox {
  const angle = radiusM / EARTH_RADIUS_M
  const dLat = angle / RAD
  const cosLat = Math.cos(lat * RAD)
  const dLon = Math.sin(angle) < cosLat ? Math.asin(Math.sin(angle) / cosLat) / RAD : 180
  return [lon - dLon, Math.max(-90, lat - dLat), lon + dLon, Math.min(90, lat + dLat)]
}
