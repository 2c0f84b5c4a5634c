import * as turf from '@turf/turf'
import type { Feature, MultiPolygon, Polygon, Position } from 'geojson'
import type { LonLat, RegionGeometry } from '../core/geo/geo.types.ts'
import type { Rng } from './prng.ts'

/** 天安门 in WGS84: the centre the synthetic density falls off from. */
export const CITY_CENTRE: LonLat = [116.39126, 39.9073]

/**
 * Relative density of administrative units at a point: 1 at the centre, ½ at 6 km, ~0.1 at 18 km.
 * Seeds are spaced by 1/√density, so inner-city units come out smaller than suburban ones.
 */
export function densityWeight(p: LonLat): number {
  const d = Math.sqrt(metricDist2(p, CITY_CENTRE))
  return 1 / (1 + (d / 6000) ** 2)
}

/** Squared ground distance in m² (equirectangular; fine at city scale). */
export function metricDist2(a: LonLat, b: LonLat): number {
  const k = Math.cos(((a[1] + b[1]) / 2) * (Math.PI / 180))
  const dx = (a[0] - b[0]) * 111_320 * k
  const dy = (a[1] - b[1]) * 110_574
  return dx * dx + dy * dy
}

/**
 * n seeds by Mitchell's best-candidate sampling: each new seed is the candidate farthest (in
 * density-scaled distance) from those already chosen, which spreads seeds evenly without a grid
 * look. `draw` proposes a candidate point; `weight` is the local density (1 = uniform).
 */
export function bestCandidateSeeds(
  n: number,
  draw: () => LonLat,
  rng: Rng,
  weight: (p: LonLat) => number = () => 1,
  tries = 24,
): LonLat[] {
  const seeds: LonLat[] = []
  for (let s = 0; s < n; s++) {
    let best: LonLat | undefined
    let bestScore = -1
    for (let t = 0; t < tries; t++) {
      const c = draw()
      let dmin = Infinity
      for (const q of seeds) {
        dmin = Math.min(dmin, metricDist2(c, q))
      }
      const score = seeds.length === 0 ? rng() : dmin * weight(c)
      if (score > bestScore) {
        bestScore = score
        best = c
      }
    }
    seeds.push(best!)
  }
  return seeds
}

/** A proposal function drawing uniform points inside a geometry (rejection sampling over its bbox). */
export function uniformInside(geometry: RegionGeometry, rng: Rng): () => LonLat {
  const f = turf.feature(geometry)
  const [x0, y0, x1, y1] = turf.bbox(f)
  return () => {
    for (;;) {
      const p: LonLat = [x0 + rng() * (x1 - x0), y0 + rng() * (y1 - y0)]
      if (turf.booleanPointInPolygon([p[0], p[1]], f)) {
        return p
      }
    }
  }
}

/** Index of the seed nearest to p. */
export function nearestSeed(p: LonLat, seeds: readonly LonLat[]): number {
  let best = 0
  let bestD = Infinity
  seeds.forEach((s, i) => {
    const d = metricDist2(p, s)
    if (d < bestD) {
      bestD = d
      best = i
    }
  })
  return best
}

/**
 * Split `area` into one piece per seed: the seeds' Voronoi cells clipped to the area. A seed inside
 * the area always gets a non-empty piece (its own cell contains it).
 */
export function voronoiPartition(seeds: readonly LonLat[], area: RegionGeometry): RegionGeometry[] {
  const f = turf.feature(area)
  const [x0, y0, x1, y1] = turf.bbox(f)
  const pad = 0.01
  const cells = turf.voronoi(turf.featureCollection(seeds.map((s) => turf.point([s[0], s[1]]))), {
    bbox: [x0 - pad, y0 - pad, x1 + pad, y1 + pad],
  })
  return seeds.map((_, i) => {
    const cell = cells.features[i]
    if (!cell) {
      throw new Error(`voronoi gave no cell for seed ${i} (duplicate seed?)`)
    }
    const piece = turf.intersect(turf.featureCollection<Polygon | MultiPolygon>([cell, f]))
    if (!piece) {
      throw new Error(`seed ${i} lies outside the area it should split`)
    }
    return dropSlivers(piece.geometry, 1)
  })
}

/** Union of polygons (adjacent cells sharing edges dissolve into one outline). */
export function unionAll(geometries: readonly RegionGeometry[]): RegionGeometry {
  if (geometries.length === 1) {
    return geometries[0]
  }
  const u = turf.union(turf.featureCollection(geometries.map((g) => turf.feature(g))))
  if (!u) {
    throw new Error('union of an empty set')
  }
  return u.geometry
}

/**
 * Make a real-world polygon valid: drop repeated vertices, split self-crossings (the source data
 * snaps vertices to a 1/1024° lattice, which folds some narrow necks) and drop specks below minAreaM2.
 */
export function repairPolygon(geometry: RegionGeometry, minAreaM2: number): RegionGeometry {
  const f: Feature<RegionGeometry> = turf.feature(geometry)
  // The polygon clipper resolves self-crossings and self-touching rings when it unions a shape with itself.
  const fixed = turf.union(turf.featureCollection([f, f]))
  if (!fixed) {
    throw new Error('repair left nothing of the polygon')
  }
  return dropSlivers(fixed.geometry, minAreaM2)
}

/** Remove polygon parts smaller than minAreaM2 (numerical specks left by clipping). */
export function dropSlivers(geometry: RegionGeometry, minAreaM2: number): RegionGeometry {
  if (geometry.type === 'Polygon') {
    return geometry
  }
  const kept = geometry.coordinates.filter((p) => turf.area(turf.polygon(p)) >= minAreaM2)
  if (kept.length === 0) {
    return geometry
  }
  if (kept.length === 1) {
    return { type: 'Polygon', coordinates: kept[0] }
  }
  return { type: 'MultiPolygon', coordinates: kept }
}

/**
 * Round to `digits` decimals (6 ≈ 0.1 m) and drop the consecutive duplicates rounding creates,
 * keeping rings closed; rings that collapse below a triangle are dropped.
 */
export function roundGeometry(geometry: RegionGeometry, digits = 6): RegionGeometry {
  const f = 10 ** digits
  const ring = (r: Position[]): Position[] => {
    const out: Position[] = []
    for (const p of r) {
      const q = [Math.round(p[0] * f) / f, Math.round(p[1] * f) / f]
      const last = out[out.length - 1]
      if (!last || last[0] !== q[0] || last[1] !== q[1]) {
        out.push(q)
      }
    }
    const first = out[0]
    const last = out[out.length - 1]
    if (first[0] !== last[0] || first[1] !== last[1]) {
      out.push([first[0], first[1]])
    }
    return removeSpikes(out)
  }
  const poly = (p: Position[][]): Position[][] => p.map(ring).filter((r) => r.length >= 4)
  const polygons = (geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates)
    .map(poly)
    .filter((p) => p.length > 0)
  return splitPinches(polygons)
}

/**
 * Rings that pass twice through one vertex (the clipper leaves such pinches where a neck narrows to
 * a point, and rounding can make more) are split there into simple rings: a loop turning the
 * shell's way becomes its own part, a loop turning the other way becomes a hole, so every ring of
 * the output is simple, as OGC validity (and validateRegions) demands.
 */
export function splitPinches(polygons: readonly Position[][][]): RegionGeometry {
  const shells: Position[][] = []
  const holes: Position[][] = []
  for (const p of polygons) {
    p.forEach((r, k) => {
      const sign = Math.sign(signedArea(r))
      for (const loop of simpleLoops(r)) {
        const isShell = (Math.sign(signedArea(loop)) === sign) === (k === 0)
        ;(isShell ? shells : holes).push(loop)
      }
    })
  }
  const parts: Position[][][] = shells.map((s) => [s])
  for (const h of holes) {
    const probe = [(h[0][0] + h[1][0]) / 2, (h[0][1] + h[1][1]) / 2]
    let best: Position[][] | undefined
    for (const part of parts) {
      if (!turf.booleanPointInPolygon(probe, turf.polygon([part[0]]))) {
        continue
      }
      if (!best || Math.abs(signedArea(part[0])) < Math.abs(signedArea(best[0]))) {
        best = part
      }
    }
    ;(best ?? parts[0]).push(h)
  }
  return parts.length === 1
    ? { type: 'Polygon', coordinates: parts[0] }
    : { type: 'MultiPolygon', coordinates: parts }
}

/**
 * Drop spike vertices, where the ring runs out and straight back along itself (A→B→C with C on
 * the way back to A): after rounding, the two legs of a spike can cross.
 */
function removeSpikes(closed: Position[]): Position[] {
  let ring = closed.slice(0, -1)
  for (let changed = true; changed && ring.length > 3;) {
    changed = false
    for (let i = 0; i < ring.length && ring.length > 3; i++) {
      const a = ring[(i + ring.length - 1) % ring.length]
      const b = ring[i]
      const c = ring[(i + 1) % ring.length]
      const [ux, uy, vx, vy] = [a[0] - b[0], a[1] - b[1], c[0] - b[0], c[1] - b[1]]
      const cross = Math.abs(ux * vy - uy * vx)
      const dot = ux * vx + uy * vy
      if (
        (dot > 0 && cross <= 1e-3 * Math.hypot(ux, uy) * Math.hypot(vx, vy)) ||
        (a[0] === c[0] && a[1] === c[1])
      ) {
        ring.splice(i, 1)
        changed = true
        i--
      }
    }
  }
  ring = ring.filter((p, i) => i === 0 || p[0] !== ring[i - 1][0] || p[1] !== ring[i - 1][1])
  return [...ring, ring[0]]
}

/** A closed ring cut at every repeated vertex into closed loops that visit no vertex twice. */
function simpleLoops(ring: readonly Position[]): Position[][] {
  const loops: Position[][] = []
  const stack: Position[] = []
  const at = new Map<string, number>()
  for (const p of ring.slice(0, -1)) {
    const key = `${p[0]},${p[1]}`
    const k = at.get(key)
    if (k === undefined) {
      at.set(key, stack.length)
      stack.push(p)
      continue
    }
    const loop = stack.splice(k + 1)
    for (const q of loop) {
      at.delete(`${q[0]},${q[1]}`)
    }
    loops.push([stack[k], ...loop, stack[k]])
  }
  loops.push([...stack, stack[0]])
  // Spikes (there and back) and specks enclose no area: drop them.
  return loops.filter((l) => l.length >= 4 && signedArea(l) !== 0)
}

function signedArea(ring: readonly Position[]): number {
  let a = 0
  for (let i = 0; i + 1 < ring.length; i++) {
    a += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1]
  }
  return a / 2
}

/** Chinese numeral for 1..99 (第一, 第十二 …), as community names use. */
export function chineseNumeral(n: number): string {
  const d = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九']
  if (n < 10) {
    return d[n]
  }
  const tens = Math.floor(n / 10)
  const ones = n % 10
  return (tens === 1 ? '' : d[tens]) + '十' + (ones === 0 ? '' : d[ones])
}
