import Flatbush from 'flatbush'
import type {
  LookupResult,
  Region,
  RegionGeometry,
  RegionLevel,
  RegionMatch,
  RegionSet,
} from './geo.types.ts'

/**
 * A point → region index over a RegionSet: one flatbush tree per level (grid, community, street,
 * district) over the regions' bboxes, plus flat coordinate arrays for the exact test. Lookup answers
 * are precomputed per region so the intake hot path allocates nothing but flatbush's result array.
 */
export interface RegionIndex {
  readonly set: RegionSet
  readonly byCode: ReadonlyMap<string, Region>
  /** Internal: per level, finest first. */
  readonly levels: readonly LevelIndex[]
  /** Internal: text aliases → regions, for findRegionsInText. */
  readonly aliases: ReadonlyMap<string, readonly Region[]>
  readonly maxAliasLength: number
}

/** Per-level search structures; exported as a type only so RegionIndex can name it. */
export interface LevelIndex {
  readonly level: Exclude<RegionLevel, 'city'>
  readonly tree: Flatbush | undefined
  readonly shapes: readonly Shape[]
  readonly answers: readonly LookupResult[]
  /** The point being looked up; reused so the hot path allocates no closure per call (single-threaded JS). */
  readonly probe: { x: number; y: number; hit: number }
  /** Flatbush filter doing the exact test; it keeps nothing, so flatbush returns an empty array. */
  readonly filter: (i: number) => boolean
}

/** A region's outline flattened for the even-odd test; `rect` means the bbox IS the shape. */
interface Shape {
  readonly rect: boolean
  readonly coords: Float64Array
  /** Start offset (in numbers, not points) of each ring in coords, plus a final end offset. */
  readonly ringStarts: Uint32Array
}

/**
 * Build the index. Cost is linear in the number of vertices; the Beijing set (~12k regions) builds
 * in well under a second.
 */
export function buildRegionIndex(set: RegionSet): RegionIndex {
  const byCode = new Map<string, Region>()
  for (const r of allRegions(set)) {
    byCode.set(r.code, r)
  }
  const levels: LevelIndex[] = [
    buildLevel('grid', set.grids, byCode),
    buildLevel('community', set.communities, byCode),
    buildLevel('street', set.streets, byCode),
    buildLevel('district', set.districts, byCode),
  ]
  const { aliases, maxAliasLength } = buildAliases([...set.districts, ...set.streets, ...set.communities])
  return Object.freeze({ set, byCode, levels: Object.freeze(levels), aliases, maxAliasLength })
}

/**
 * The finest region containing a WGS84 point and its ancestors: grid → community → street →
 * district. Undefined when the point lies in no district (outside Beijing). Points on a shared edge
 * go to whichever neighbour the tree returns first.
 */
export function lookup(index: RegionIndex, lon: number, lat: number): LookupResult | undefined {
  for (const level of index.levels) {
    if (level.tree === undefined) {
      continue
    }
    const probe = level.probe
    probe.x = lon
    probe.y = lat
    probe.hit = -1
    level.tree.search(lon, lat, lon, lat, level.filter)
    if (probe.hit >= 0) {
      return level.answers[probe.hit]
    }
  }
  return undefined
}

/** Every region of the set, coarsest level first. */
export function allRegions(set: RegionSet): Region[] {
  return [set.city, ...set.districts, ...set.streets, ...set.communities, ...set.grids]
}

/**
 * Region names (district, street, community) mentioned in free Chinese text, in text order,
 * longest match first at each position, so '朝阳门' is 朝阳门街道 and not 朝阳区 + '门'. A name may
 * be given without its suffix ('什刹海' for 什刹海街道, '朝阳' for 朝阳区). When a short name is
 * shared (八里庄 is a street of both 朝阳 and 海淀) and the text names one of their ancestors, only
 * that one is kept; otherwise all are returned. Each region appears once.
 */
export function findRegionsInText(index: RegionIndex, text: string): RegionMatch[] {
  const raw: { matched: string; start: number; end: number; regions: readonly Region[] }[] = []
  let i = 0
  while (i < text.length) {
    let found = false
    for (let len = Math.min(index.maxAliasLength, text.length - i); len >= 2; len--) {
      const s = text.slice(i, i + len)
      const regions = index.aliases.get(s)
      if (regions) {
        raw.push({ matched: s, start: i, end: i + len, regions })
        i += len
        found = true
        break
      }
    }
    if (!found) {
      i++
    }
  }
  const certain = new Set<string>()
  for (const m of raw) {
    if (m.regions.length === 1) {
      certain.add(m.regions[0].code)
    }
  }
  const isUnderCertain = (code: string): boolean => {
    for (const c of certain) {
      if (code !== c && code.startsWith(c)) {
        return true
      }
    }
    return false
  }
  const out: RegionMatch[] = []
  const seen = new Set<string>()
  for (const m of raw) {
    let regions = m.regions
    if (regions.length > 1) {
      const narrowed = regions.filter((r) => isUnderCertain(r.code))
      if (narrowed.length > 0) {
        regions = narrowed
      }
    }
    for (const r of regions) {
      if (seen.has(r.code)) {
        continue
      }
      seen.add(r.code)
      out.push(
        Object.freeze({
          code: r.code,
          name: r.name,
          level: r.level,
          matched: m.matched,
          start: m.start,
          end: m.end,
        }),
      )
    }
  }
  return out
}

/** Even-odd ray test over all rings (outer rings and holes of every part alike). */
function containsPoint(s: Shape, x: number, y: number): boolean {
  const c = s.coords
  const starts = s.ringStarts
  let inside = false
  for (let r = 0; r + 1 < starts.length; r++) {
    const from = starts[r]
    const to = starts[r + 1]
    // Rings are closed (last point = first), so consecutive pairs cover every edge.
    for (let k = from; k + 2 < to; k += 2) {
      const xi = c[k]
      const yi = c[k + 1]
      const xj = c[k + 2]
      const yj = c[k + 3]
      if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) {
        inside = !inside
      }
    }
  }
  return inside
}

function buildLevel(
  level: LevelIndex['level'],
  regions: readonly Region[],
  byCode: ReadonlyMap<string, Region>,
): LevelIndex {
  const shapes = regions.map((r) => toShape(r.geometry, r.bbox))
  const answers = regions.map((r) => answerFor(r, byCode))
  const probe = { x: 0, y: 0, hit: -1 }
  const filter = (i: number): boolean => {
    if (probe.hit < 0) {
      const s = shapes[i]
      if (s.rect || containsPoint(s, probe.x, probe.y)) {
        probe.hit = i
      }
    }
    return false
  }
  if (regions.length === 0) {
    return Object.freeze({ level, tree: undefined, shapes, answers, probe, filter })
  }
  const tree = new Flatbush(regions.length)
  for (const r of regions) {
    tree.add(r.bbox[0], r.bbox[1], r.bbox[2], r.bbox[3])
  }
  tree.finish()
  return Object.freeze({ level, tree, shapes, answers, probe, filter })
}

function answerFor(region: Region, byCode: ReadonlyMap<string, Region>): LookupResult {
  const answer: Record<string, string> = { level: region.level }
  for (
    let r: Region | undefined = region;
    r !== undefined && r.level !== 'city';
    r = r.parentCode ? byCode.get(r.parentCode) : undefined
  ) {
    answer[`${r.level}Code`] = r.code
    answer[`${r.level}Name`] = r.name
  }
  return Object.freeze(answer) as unknown as LookupResult
}

function toShape(g: RegionGeometry, bbox: Region['bbox']): Shape {
  const polygons = g.type === 'Polygon' ? [g.coordinates] : g.coordinates
  let n = 0
  let rings = 0
  for (const p of polygons) {
    for (const ring of p) {
      n += ring.length * 2
      rings++
    }
  }
  const coords = new Float64Array(n)
  const ringStarts = new Uint32Array(rings + 1)
  let k = 0
  let r = 0
  for (const p of polygons) {
    for (const ring of p) {
      ringStarts[r++] = k
      for (const pt of ring) {
        coords[k++] = pt[0]!
        coords[k++] = pt[1]!
      }
    }
  }
  ringStarts[r] = k
  return { rect: isBBoxRectangle(polygons, bbox), coords, ringStarts }
}

/** True when the shape is one axis-aligned rectangle equal to its bbox: then a bbox hit is exact. */
function isBBoxRectangle(
  polygons: readonly (readonly (readonly (readonly number[])[])[])[],
  bbox: Region['bbox'],
): boolean {
  if (polygons.length !== 1 || polygons[0].length !== 1) {
    return false
  }
  const ring = polygons[0][0]
  if (ring.length !== 5) {
    return false
  }
  for (const pt of ring) {
    const onX = pt[0] === bbox[0] || pt[0] === bbox[2]
    const onY = pt[1] === bbox[1] || pt[1] === bbox[3]
    if (!onX || !onY) {
      return false
    }
  }
  // Four corners on the bbox could still be a bow-tie; a rectangle's consecutive corners share x or y.
  for (let i = 0; i < 4; i++) {
    const a = ring[i]
    const b = ring[i + 1]
    if (a[0] !== b[0] && a[1] !== b[1]) {
      return false
    }
  }
  return true
}

const SUFFIXES: Readonly<Record<string, readonly string[]>> = Object.freeze({
  district: ['区', '县'],
  street: ['街道办事处', '街道', '地区', '镇', '乡'],
  community: ['社区居委会', '居委会', '社区', '村委会', '村'],
})

function buildAliases(regions: readonly Region[]): {
  aliases: Map<string, Region[]>
  maxAliasLength: number
} {
  const aliases = new Map<string, Region[]>()
  let maxAliasLength = 0
  const add = (alias: string, r: Region): void => {
    if (alias.length < 2) {
      return
    }
    const list = aliases.get(alias)
    if (list === undefined) {
      aliases.set(alias, [r])
    } else if (!list.includes(r)) {
      list.push(r)
    }
    maxAliasLength = Math.max(maxAliasLength, alias.length)
  }
  for (const r of regions) {
    add(r.name, r)
    for (const suffix of SUFFIXES[r.level] ?? []) {
      if (r.name.endsWith(suffix)) {
        add(r.name.slice(0, -suffix.length), r)
        break
      }
    }
  }
  return { aliases, maxAliasLength }
}
