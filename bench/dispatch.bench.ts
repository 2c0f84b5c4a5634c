// `npm run bench -- dispatch`: nearest-team recommendations vs a plain kdbush radius query + haversine on the
// same teams and points, index rebuild cost, and duty resolutions per second on the Beijing demo list.
import { readFileSync } from 'node:fs'
import KDBush from 'kdbush'
import type { Team } from '../src/core/dispatch/dispatch.types.ts'
import { buildTeamIndex, recommendTeams } from '../src/core/dispatch/nearest.ts'
import { haversineM } from '../src/core/dispatch/sphere-knn.ts'
import type { DutyQuery } from '../src/core/duty/duty.types.ts'
import { parseDutyRules } from '../src/core/duty/parse.ts'
import { resolveDuty } from '../src/core/duty/resolve.ts'

const TEAMS = 2000
const QUERIES = 100_000
const UNITS = 16
// Beijing's built-up area, where teams and cases concentrate.
const BOX = { minLon: 116.1, maxLon: 116.7, minLat: 39.7, maxLat: 40.15 }

/** Run the benchmark and print its figures, ending with `dispatch ratio: X (target ≥ 0.3)`. */
export async function run(): Promise<void> {
  const rand = lcg(42)
  // Each unit's teams carry that unit's trade (as a district 环卫中心's teams all handle E01), and one team in
  // ten lacks the minor class asked for; queries ask a unit for a class of its own trade, as dispatch does
  // after the responsibility list has named the unit.
  const majors = ['E01', 'E03', 'E05', 'C02']
  const minors = ['E0102', 'E0301', 'E0501', 'C0210']
  const teams: Team[] = Array.from({ length: TEAMS }, (_, i) => ({
    id: `t${i}`,
    unitId: `u${i % UNITS}`,
    name: `队${i}`,
    skills: i % 10 === 0 ? [`${majors[(i % UNITS) % 4]}99`] : [majors[(i % UNITS) % 4]],
    position: {
      lon: BOX.minLon + rand() * (BOX.maxLon - BOX.minLon),
      lat: BOX.minLat + rand() * (BOX.maxLat - BOX.minLat),
    },
    shift: i % 5 === 0 ? { days: [1, 2, 3, 4, 5], from: '08:00', to: '18:00' } : 'always',
    status: i % 7 === 0 ? 'busy' : 'available',
    load: i % 4,
    capacity: 5,
  }))
  const points = Array.from({ length: QUERIES }, () => ({
    lon: BOX.minLon + rand() * (BOX.maxLon - BOX.minLon),
    lat: BOX.minLat + rand() * (BOX.maxLat - BOX.minLat),
  }))

  // Index build: kdbush is static, so moving teams means rebuilding.
  let t = performance.now()
  const builds = 200
  let index = buildTeamIndex(teams)
  for (let i = 0; i < builds; i++) {
    index = buildTeamIndex(teams)
  }
  const buildMs = (performance.now() - t) / builds
  console.log(`buildTeamIndex(${TEAMS} teams, ${UNITS} units): ${buildMs.toFixed(3)} ms per rebuild`)

  // Baseline: one kdbush over all teams; radius query (2 km in degrees of latitude, widened for longitude),
  // haversine on each hit, keep the nearest. No eligibility, no score, no reasons.
  const kd = new KDBush(teams.length, 16)
  for (const tm of teams) {
    kd.add(tm.position.lon, tm.position.lat)
  }
  kd.finish()
  const radiusDeg = 2000 / 111_195 / Math.cos((39.9 * Math.PI) / 180)
  const baseline = (): number => {
    let sink = 0
    for (const p of points) {
      let best = Infinity
      for (const id of kd.within(p.lon, p.lat, radiusDeg)) {
        const tm = teams[id]
        const d = haversineM(p.lon, p.lat, tm.position.lon, tm.position.lat)
        if (d < best) {
          best = d
        }
      }
      sink += best === Infinity ? 0 : 1
    }
    return sink
  }
  // Ours: per-unit index, skills, shift, status, capacity, score, top 3. Each recommendation builds its Chinese
  // reason when read (as the recommendation route does); ranking alone does not pay for strings.
  const ours = (): number => {
    let sink = 0
    for (let i = 0; i < points.length; i++) {
      const recs = recommendTeams(index, {
        unitId: `u${i % UNITS}`,
        classId: minors[(i % UNITS) % 4],
        point: points[i],
        localMinuteOfDay: (i * 7) % 1440,
        isoWeekday: 1 + (i % 7),
        limit: 3,
      })
      sink += recs.length
    }
    return sink
  }
  // Alternate the two over several rounds and keep each one's best, so load from other processes on the
  // box does not land on one side of the ratio.
  let baseQps = 0
  let oursQps = 0
  let found = 0
  for (let round = 0; round < 5; round++) {
    t = performance.now()
    baseline()
    baseQps = Math.max(baseQps, QUERIES / ((performance.now() - t) / 1000))
    t = performance.now()
    found = ours()
    oursQps = Math.max(oursQps, QUERIES / ((performance.now() - t) / 1000))
  }
  console.log(`baseline kdbush within(2 km) + haversine nearest: ${fmt(baseQps)} queries/s`)
  console.log(
    `recommendTeams (unit, skills, shift, status, load, top 3; reasons on read): ${fmt(oursQps)} queries/s (${(found / QUERIES).toFixed(2)} recommendations/query)`,
  )

  // Duty resolution on the demo list.
  const parsed = parseDutyRules(
    JSON.parse(readFileSync(new URL('../data/duty/beijing-demo.json', import.meta.url), 'utf8')),
  )
  if (!parsed.ok) {
    throw new Error(parsed.error.message)
  }
  const rules = parsed.value
  const catalog = JSON.parse(
    readFileSync(new URL('../data/catalog/default.json', import.meta.url), 'utf8'),
  ) as { classes: { id: string }[] }
  const streetCodes = [...new Set(rules.rules.map((r) => r.scope).filter((s) => s.length === 9))]
  const grades = ['main', 'alley', 'secondary', undefined] as const
  const queries: DutyQuery[] = Array.from({ length: 100_000 }, (_, i) => {
    const street = streetCodes[i % streetCodes.length]
    const grade = grades[i % grades.length]
    return {
      classId: catalog.classes[(i * 31) % catalog.classes.length].id,
      regionCodes: { street, grid: `${street}001${String(1 + (i % 9)).padStart(3, '0')}` },
      ...(grade ? { roadGrade: grade } : {}),
      localMinuteOfDay: (i * 13) % 1440,
    }
  })
  const fallback = (s: string) => `${s}-office`
  for (const q of queries.slice(0, 5000)) {
    resolveDuty(rules, q, fallback)
  }
  t = performance.now()
  let resolved = 0
  for (const q of queries) {
    if (resolveDuty(rules, q, fallback).ok) {
      resolved++
    }
  }
  const dutyRps = queries.length / ((performance.now() - t) / 1000)
  console.log(
    `resolveDuty on the demo list (${rules.rules.length} rules): ${fmt(dutyRps)} resolutions/s (${resolved} resolved)`,
  )

  console.log(`dispatch ratio: ${(oursQps / baseQps).toFixed(2)} (target ≥ 0.3)`)
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US')
}

/** Deterministic pseudo-random numbers so runs compare. */
function lcg(seed: number): () => number {
  let s = seed
  return () => (s = (s * 16807) % 2147483647) / 2147483647
}
