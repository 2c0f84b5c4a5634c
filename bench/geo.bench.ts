/**
 * Point → grid cell: our `lookup` against the floor DESIGN.md §8 names, "flatbush + turf
 * booleanPointInPolygon on the same cells", over the same 200k random points in 东城/西城.
 * Run: npx tsx -e "import('./bench/geo.bench.ts').then(m=>m.run())"
 */
import * as turf from '@turf/turf'
import Flatbush from 'flatbush'
import type { Feature } from 'geojson'
import type { RegionGeometry } from '../src/core/geo/geo.types.ts'
import { buildRegionIndex, lookup } from '../src/core/geo/region-index.ts'
import { loadRegions } from '../src/geo/load-regions.ts'
import { seededRng } from '../src/geo/prng.ts'

const POINTS = 200_000
const ROUNDS = 5

export async function run(): Promise<void> {
  const set = await loadRegions()
  const gc = (globalThis as { gc?: () => void }).gc
  gc?.()
  const heapBefore = process.memoryUsage().heapUsed
  const t0 = performance.now()
  const index = buildRegionIndex(set)
  const buildMs = performance.now() - t0
  gc?.()
  const heapDelta = process.memoryUsage().heapUsed - heapBefore

  // Baseline: the same cells, flatbush over their bboxes, turf's point-in-polygon for the exact test.
  const cells: Feature<RegionGeometry>[] = set.grids.map((g) => turf.feature(g.geometry))
  const tree = new Flatbush(set.grids.length)
  for (const g of set.grids) {
    tree.add(g.bbox[0], g.bbox[1], g.bbox[2], g.bbox[3])
  }
  tree.finish()
  const baseline = (x: number, y: number): string | undefined => {
    for (const i of tree.search(x, y, x, y)) {
      if (turf.booleanPointInPolygon([x, y], cells[i])) {
        return set.grids[i].code
      }
    }
    return undefined
  }
  const ours = (x: number, y: number): string | undefined => lookup(index, x, y)?.gridCode

  const pts = randomPointsIn(
    set.districts.filter((d) => d.code === '110101' || d.code === '110102').map((d) => d.geometry),
    POINTS,
  )
  let disagree = 0
  for (let k = 0; k < pts.length; k += 2) {
    if (ours(pts[k], pts[k + 1]) !== baseline(pts[k], pts[k + 1])) {
      disagree++
    }
  }

  const time = (f: (x: number, y: number) => string | undefined): number => {
    let hits = 0
    const t = performance.now()
    for (let k = 0; k < pts.length; k += 2) {
      if (f(pts[k], pts[k + 1]) !== undefined) {
        hits++
      }
    }
    const s = (performance.now() - t) / 1000
    if (hits === 0) {
      throw new Error('no point hit a cell')
    }
    return POINTS / s
  }
  let best = { ours: 0, baseline: 0 }
  for (let r = 0; r < ROUNDS; r++) {
    // Alternate so neither side always runs on a warmer (or more throttled) CPU.
    const b = time(baseline)
    const o = time(ours)
    best = { ours: Math.max(best.ours, o), baseline: Math.max(best.baseline, b) }
  }
  const ratio = best.ours / best.baseline
  console.log(
    `geo cells: ${set.grids.length} (communities ${set.communities.length}, streets ${set.streets.length}, districts ${set.districts.length})`,
  )
  console.log(
    `geo index build: ${buildMs.toFixed(0)} ms, heap delta ${(heapDelta / 1024 / 1024).toFixed(1)} MB${gc ? '' : ' (run node with --expose-gc for a steadier figure)'}`,
  )
  console.log(`geo points: ${POINTS} random in 东城/西城, answers differing from baseline: ${disagree}`)
  console.log(`geo lookup (ours, full ancestry):     ${fmt(best.ours)} lookups/s`)
  console.log(`geo baseline (flatbush + turf PIP):   ${fmt(best.baseline)} lookups/s`)
  console.log(`geo ratio: ${ratio.toFixed(2)} (target ≥ 0.5)`)
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US')
}

/** n points uniformly inside the union of the geometries, as a flat [x0, y0, x1, y1, …] array. */
function randomPointsIn(geometries: readonly RegionGeometry[], n: number): Float64Array {
  const rng = seededRng('geo-bench')
  const fs = geometries.map((g) => turf.feature(g))
  const boxes = fs.map((f) => turf.bbox(f))
  const [x0, y0, x1, y1] = [
    Math.min(...boxes.map((b) => b[0])),
    Math.min(...boxes.map((b) => b[1])),
    Math.max(...boxes.map((b) => b[2])),
    Math.max(...boxes.map((b) => b[3])),
  ]
  const out = new Float64Array(n * 2)
  for (let k = 0; k < n;) {
    const x = x0 + rng() * (x1 - x0)
    const y = y0 + rng() * (y1 - y0)
    if (!fs.some((f) => turf.booleanPointInPolygon([x, y], f))) {
      continue
    }
    out[2 * k] = x
    out[2 * k + 1] = y
    k++
  }
  return out
}
