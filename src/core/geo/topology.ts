import * as turf from '@turf/turf'
import Flatbush from 'flatbush'
import type { Feature, MultiPolygon, Polygon, Position } from 'geojson'
import { fail, ok } from '../errors.ts'
import type { Result } from '../errors.ts'
import type { BBox, LonLat, Region, RegionGeometry, RegionLevel } from './geo.types.ts'
import { levelOfCode, parentCodeOf } from './grid-code.ts'

/** Beijing's extent (WGS84) with a margin of about 10 km: anything beyond is not Beijing data. */
export const BEIJING_BBOX: BBox = Object.freeze([115.3, 39.35, 117.6, 41.15] as const)

/** What validateRegions checks beyond the structure of each feature. */
export interface ValidateRegionsOptions {
  /** Level of every feature; by default read from `properties.level`, else from the code length. */
  readonly level?: RegionLevel
  /** Every vertex must lie in this box (default BEIJING_BBOX). */
  readonly cityBBox?: BBox
  /** When given, each feature must lie inside it, up to `outsideToleranceM2` of area outside. */
  readonly cityOutline?: RegionGeometry
  /** Area two siblings (same parent) may share before they count as overlapping; default 100 m² (1% of a grid cell). */
  readonly overlapToleranceM2?: number
  /** Area a feature may have outside the city outline; default 1,000 m². */
  readonly outsideToleranceM2?: number
  /** When given, children must cover each parent they name, up to `gapTolerance` of its area. */
  readonly parents?: readonly Region[]
  /** Fraction of a parent's area its children may leave uncovered; default 0.001. */
  readonly gapTolerance?: number
}

/** The kinds of bad geodata validateRegions refuses. */
export type GeoProblemKind =
  | 'bad-feature'
  | 'unclosed-ring'
  | 'self-intersection'
  | 'swapped-coordinates'
  | 'outside-city'
  | 'overlap'
  | 'gap'

/** One problem, naming the feature (index, code, name) so a person can find and fix it. */
export interface GeoProblem {
  readonly kind: GeoProblemKind
  readonly featureIndex: number
  readonly code?: string
  readonly name?: string
  readonly message: string
}

/**
 * Check a GeoJSON FeatureCollection of region polygons (WGS84) and turn it into Regions. Refuses
 * unclosed or self-intersecting rings, lat/lon-swapped coordinates, vertices outside the city,
 * siblings that overlap, and (with `parents`) parents their children do not cover. The failure's
 * message names the first problems' features; `details.problems` lists all of them.
 */
export function validateRegions(
  featureCollection: unknown,
  opts: ValidateRegionsOptions = {},
): Result<Region[]> {
  if (
    !isRecord(featureCollection) ||
    featureCollection.type !== 'FeatureCollection' ||
    !Array.isArray(featureCollection.features)
  ) {
    return fail('GEO_INVALID', 'expected a GeoJSON FeatureCollection with a features array')
  }
  const bbox = opts.cityBBox ?? BEIJING_BBOX
  const problems: GeoProblem[] = []
  const regions: (Region | undefined)[] = []
  const features = featureCollection.features as unknown[]
  features.forEach((raw, i) => {
    const r = checkFeature(raw, i, bbox, opts, problems)
    regions.push(r)
  })
  const good = regions.filter((r): r is Region => r !== undefined)
  const indexOf = new Map<Region, number>()
  regions.forEach((r, i) => r && indexOf.set(r, i))
  if (opts.cityOutline) {
    checkOutline(good, opts.cityOutline, opts.outsideToleranceM2 ?? 1_000, indexOf, problems)
  }
  checkOverlaps(good, opts.overlapToleranceM2 ?? 100, indexOf, problems)
  if (opts.parents) {
    checkGaps(good, opts.parents, opts.gapTolerance ?? 0.001, problems)
  }
  if (problems.length === 0) {
    return ok(good)
  }
  const shown = problems.slice(0, 3).map((p) => p.message)
  const more = problems.length > 3 ? ` (and ${problems.length - 3} more problems)` : ''
  const code = problems.every((p) => p.kind === 'outside-city') ? 'GEO_OUTSIDE_CITY' : 'GEO_INVALID'
  return fail(code, shown.join('; ') + more, undefined, { problems })
}

/** How a feature is named in messages: index, code and name when it has them. */
export function featureLabel(index: number, code?: string, name?: string): string {
  return [`feature #${index}`, code, name].filter(Boolean).join(' ')
}

function checkFeature(
  raw: unknown,
  i: number,
  bbox: BBox,
  opts: ValidateRegionsOptions,
  problems: GeoProblem[],
): Region | undefined {
  const props = isRecord(raw) && isRecord(raw.properties) ? raw.properties : {}
  const code =
    typeof props.code === 'string'
      ? props.code
      : isRecord(raw) && typeof raw.id === 'string'
        ? raw.id
        : undefined
  const name = typeof props.name === 'string' ? props.name : undefined
  const label = featureLabel(i, code, name)
  const report = (kind: GeoProblemKind, what: string): undefined => {
    problems.push({
      kind,
      featureIndex: i,
      ...(code ? { code } : {}),
      ...(name ? { name } : {}),
      message: `${label}: ${what}`,
    })
    return undefined
  }
  if (!isRecord(raw) || raw.type !== 'Feature' || !isRecord(raw.geometry)) {
    return report('bad-feature', 'not a GeoJSON Feature with a geometry')
  }
  if (code === undefined || levelOfCode(code) === undefined) {
    return report('bad-feature', 'properties.code must be a 6, 9, 12 or 15 digit region code')
  }
  if (!name) {
    return report('bad-feature', 'properties.name is missing')
  }
  const level = opts.level ?? (isLevel(props.level) ? props.level : levelOfCode(code)!)
  const g = raw.geometry
  if (g.type !== 'Polygon' && g.type !== 'MultiPolygon') {
    return report('bad-feature', `geometry must be a Polygon or MultiPolygon, not ${String(g.type)}`)
  }
  const polygons = g.type === 'Polygon' ? [g.coordinates] : g.coordinates
  if (!Array.isArray(polygons) || polygons.length === 0) {
    return report('bad-feature', 'geometry has no coordinates')
  }
  const rings: Position[][] = []
  for (const p of polygons) {
    if (!Array.isArray(p) || p.length === 0) {
      return report('bad-feature', 'a polygon has no rings')
    }
    for (const ring of p) {
      if (!Array.isArray(ring) || !ring.every(isPosition)) {
        return report('bad-feature', 'a ring holds something other than [lon, lat] numbers')
      }
      rings.push(ring)
    }
  }
  // Swapped order first: a [39.9, 116.4] polygon is also "outside the city" but the useful message is the swap.
  const all = rings.flat()
  const swapped = all.filter((pt) => !inBox(pt[0], pt[1], bbox) && inBox(pt[1], pt[0], bbox)).length
  if (swapped > all.length / 2) {
    const pt = all.find((q) => inBox(q[1], q[0], bbox))!
    return report(
      'swapped-coordinates',
      `coordinates look like [lat, lon] (e.g. [${pt[0]}, ${pt[1]}]); GeoJSON wants [lon, lat]`,
    )
  }
  const outside = all.find((pt) => !inBox(pt[0], pt[1], bbox))
  if (outside) {
    return report(
      'outside-city',
      `vertex [${outside[0]}, ${outside[1]}] is outside the city bbox [${bbox.join(', ')}]`,
    )
  }
  for (const [r, ring] of rings.entries()) {
    if (ring.length < 4) {
      return report('unclosed-ring', `ring ${r} has ${ring.length} positions; a closed ring needs at least 4`)
    }
    const a = ring[0]
    const b = ring[ring.length - 1]
    if (a[0] !== b[0] || a[1] !== b[1]) {
      return report(
        'unclosed-ring',
        `ring ${r} is not closed: it starts at [${a[0]}, ${a[1]}] and ends at [${b[0]}, ${b[1]}]`,
      )
    }
  }
  const geometry = { type: g.type, coordinates: g.coordinates } as RegionGeometry
  // Ring by ring: rings of one shape may touch at a vertex (a hole on the shell, two parts at a
  // corner), which is valid; a ring crossing or touching itself is not.
  for (const [r, ring] of rings.entries()) {
    const kinks = turf.kinks(turf.polygon([ring]))
    if (kinks.features.length > 0) {
      const at = kinks.features[0].geometry.coordinates
      return report(
        'self-intersection',
        `ring ${r} crosses itself near [${at[0].toFixed(6)}, ${at[1].toFixed(6)}] (${kinks.features.length} crossing(s))`,
      )
    }
  }
  const parentCode = typeof props.parentCode === 'string' ? props.parentCode : parentCodeOf(code)
  return Object.freeze({
    code,
    name,
    level,
    ...(parentCode !== undefined ? { parentCode } : {}),
    centroid: centroidOf(geometry),
    bbox: turf.bbox(geometry) as unknown as BBox,
    geometry,
  })
}

function checkOutline(
  regions: readonly Region[],
  outline: RegionGeometry,
  tolerance: number,
  indexOf: ReadonlyMap<Region, number>,
  problems: GeoProblem[],
): void {
  const outlineFeature = turf.feature(outline)
  for (const r of regions) {
    const polygons = r.geometry.type === 'Polygon' ? [r.geometry.coordinates] : r.geometry.coordinates
    // Vertices inside the outline are the common case; only then is the exact (costly) difference skipped.
    const allInside = polygons.every((p) =>
      p[0].every((pt) => turf.booleanPointInPolygon(pt, outlineFeature)),
    )
    if (allInside) {
      continue
    }
    const out = turf.difference(turf.featureCollection([turf.feature(r.geometry), outlineFeature]))
    const area = out ? turf.area(out) : 0
    if (area > tolerance) {
      problems.push(
        problem('outside-city', indexOf.get(r)!, r, `${Math.round(area)} m² lies outside the city outline`),
      )
    }
  }
}

function checkOverlaps(
  regions: readonly Region[],
  tolerance: number,
  indexOf: ReadonlyMap<Region, number>,
  problems: GeoProblem[],
): void {
  if (regions.length < 2) {
    return
  }
  const tree = new Flatbush(regions.length)
  for (const r of regions) {
    tree.add(r.bbox[0], r.bbox[1], r.bbox[2], r.bbox[3])
  }
  tree.finish()
  regions.forEach((a, i) => {
    for (const j of tree.search(a.bbox[0], a.bbox[1], a.bbox[2], a.bbox[3])) {
      if (j <= i) {
        continue
      }
      const b = regions[j]
      if (a.parentCode !== b.parentCode) {
        continue
      }
      const area = overlapArea(a, b)
      if (area > tolerance) {
        const other = featureLabel(indexOf.get(b)!, b.code, b.name)
        problems.push(
          problem('overlap', indexOf.get(a)!, a, `overlaps its sibling ${other} by ${Math.round(area)} m²`),
        )
      }
    }
  })
}

function checkGaps(
  regions: readonly Region[],
  parents: readonly Region[],
  tolerance: number,
  problems: GeoProblem[],
): void {
  const children = new Map<string, Region[]>()
  for (const r of regions) {
    if (r.parentCode) {
      children.set(r.parentCode, [...(children.get(r.parentCode) ?? []), r])
    }
  }
  parents.forEach((parent, i) => {
    const kids = children.get(parent.code)
    if (!kids) {
      return
    }
    const parentFeature = turf.feature(parent.geometry)
    const parentArea = turf.area(parentFeature)
    let covered = 0
    for (const k of kids) {
      const inside = turf.intersect(turf.featureCollection([turf.feature(k.geometry), parentFeature]))
      covered += inside ? turf.area(inside) : 0
    }
    const gap = parentArea - covered
    if (gap > tolerance * parentArea) {
      const msg = `${featureLabel(i, parent.code, parent.name)}: its ${kids.length} children leave ${Math.round(gap)} m² (${((100 * gap) / parentArea).toFixed(2)}%) uncovered`
      problems.push({ kind: 'gap', featureIndex: i, code: parent.code, name: parent.name, message: msg })
    }
  })
}

function overlapArea(a: Region, b: Region): number {
  const w = Math.min(a.bbox[2], b.bbox[2]) - Math.max(a.bbox[0], b.bbox[0])
  const h = Math.min(a.bbox[3], b.bbox[3]) - Math.max(a.bbox[1], b.bbox[1])
  if (w <= 0 || h <= 0) {
    return 0
  }
  if (isRect(a) && isRect(b)) {
    const lat = (Math.max(a.bbox[1], b.bbox[1]) + h / 2) * (Math.PI / 180)
    return w * 111_320 * Math.cos(lat) * h * 110_574
  }
  const x = turf.intersect(
    turf.featureCollection<Polygon | MultiPolygon>([turf.feature(a.geometry), turf.feature(b.geometry)]),
  )
  return x ? turf.area(x) : 0
}

function isRect(r: Region): boolean {
  if (
    r.geometry.type !== 'Polygon' ||
    r.geometry.coordinates.length !== 1 ||
    r.geometry.coordinates[0].length !== 5
  ) {
    return false
  }
  return r.geometry.coordinates[0].every(
    (p) => (p[0] === r.bbox[0] || p[0] === r.bbox[2]) && (p[1] === r.bbox[1] || p[1] === r.bbox[3]),
  )
}

function problem(kind: GeoProblemKind, index: number, r: Region, what: string): GeoProblem {
  return {
    kind,
    featureIndex: index,
    code: r.code,
    name: r.name,
    message: `${featureLabel(index, r.code, r.name)}: ${what}`,
  }
}

/** Area-weighted centroid; falls back to a point on the surface when the centroid lies outside (a crescent). */
export function centroidOf(geometry: RegionGeometry): LonLat {
  const f: Feature<RegionGeometry> = turf.feature(geometry)
  let c = turf.centerOfMass(f).geometry.coordinates
  if (!turf.booleanPointInPolygon(c, f)) {
    c = turf.pointOnFeature(f).geometry.coordinates
  }
  return [c[0], c[1]]
}

function inBox(x: number, y: number, b: BBox): boolean {
  return x >= b[0] && x <= b[2] && y >= b[1] && y <= b[3]
}

function isPosition(p: unknown): p is Position {
  return Array.isArray(p) && p.length >= 2 && Number.isFinite(p[0]) && Number.isFinite(p[1])
}

function isLevel(v: unknown): v is RegionLevel {
  return v === 'city' || v === 'district' || v === 'street' || v === 'community' || v === 'grid'
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}
