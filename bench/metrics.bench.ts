import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { COUNTERS, DEFAULT_EVALUATION_CONFIG } from '../src/core/evaluation/evaluation.types.ts'
import { createEvaluationService } from '../src/services/evaluation.service.ts'
import type { Principal } from '../src/services/ports.ts'
import { openDatabase, type Db } from '../src/store/db.ts'
import { migrateToLatest } from '../src/store/migrate.ts'

/*
 * Cockpit aggregate at city scale (DESIGN.md §8): rankings and metrics read from maintained rollups,
 * against the floor of a covering-index GROUP BY over a 10-million-row case table, in the same run.
 *
 * Rollup contents are generated the way a city of that size would have them (a year, 16 districts,
 * 349 streets, ~7,000 communities, 400 units, 122 classes; day, week and month rows), not by running
 * 10 M cases through the service. The floor table `cases_floor` holds only the columns the GROUP BY
 * needs, with covering indexes (month, street, flags…) and (month, district, flags…): the best a
 * scan of cases can do. Usage: npm run bench -- metrics [--cases N]
 */

const QUERIES = 200
/** the floor is the slow path; its p95 over fewer queries is reference enough and keeps the run short */
const FLOOR_QUERIES = 60
const ROLLUP_DIM_INDEX =
  'create index metric_rollups_dim on metric_rollups (dim_kind, dim_value, period_kind, period_key)'
const DISTRICTS = [
  '110101', '110102', '110105', '110106', '110107', '110108', '110109', '110111',
  '110112', '110113', '110114', '110115', '110116', '110117', '110118', '110119',
] // prettier-ignore
const STREETS = 349
const COMMUNITIES_PER_STREET = 20
const UNITS = 400
const CLASSES = 122
const YEAR = 2025
const MONTHS = Array.from({ length: 12 }, (_, i) => `${YEAR}-${String(i + 1).padStart(2, '0')}`)
const FLOOR_COLUMNS = [
  'responded_on_time',
  'closed',
  'closed_on_time',
  'resolved',
  'reworked',
  'callbacks',
  'satisfaction_milli',
]
const ROLLUP_COLUMNS = [
  'period_kind',
  'period_key',
  'dim_kind',
  'dim_value',
  ...COUNTERS.map((c) => c.replace(/[A-Z]/g, (x) => `_${x.toLowerCase()}`)),
]
const LEADER: Principal = { actor: { id: 'bench', role: 'leader' }, username: 'bench', displayName: 'bench' }

const streetCode = (s: number) => `${DISTRICTS[s % 16]}${String(Math.floor(s / 16) + 1).padStart(3, '0')}`

/** Deterministic pseudo-random numbers (mulberry32), so every run and dialect sees the same city. */
function random(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Every rollup row of a year for `cases` cases, as positional arrays in ROLLUP_COLUMNS order. */
function* rollupRows(cases: number): Generator<(string | number)[]> {
  const rnd = random(42)
  const dims: [string, string, number][] = [['city', '*', 1]]
  for (const d of DISTRICTS) {
    dims.push(['district', d, 1 / 16])
  }
  for (let s = 0; s < STREETS; s++) {
    dims.push(['street', streetCode(s), 1 / STREETS])
    for (let k = 1; k <= COMMUNITIES_PER_STREET; k++) {
      dims.push([
        'community',
        `${streetCode(s)}${String(k).padStart(3, '0')}`,
        1 / (STREETS * COMMUNITIES_PER_STREET),
      ])
    }
  }
  for (let u = 0; u < UNITS; u++) {
    dims.push(['unit', `unit-${u}`, 1 / UNITS])
  }
  for (let c = 0; c < CLASSES; c++) {
    dims.push(['class', `E${String(1000 + c)}`, 1 / CLASSES])
  }
  const periods: [string, string, number][] = []
  for (const m of MONTHS) {
    periods.push(['month', m, 1 / 12])
  }
  for (let w = 1; w <= 52; w++) {
    periods.push(['week', `${YEAR}-W${String(w).padStart(2, '0')}`, 1 / 52])
  }
  for (let d = 0; d < 365; d++) {
    const day = new Date(Date.UTC(YEAR, 0, 1 + d)).toISOString().slice(0, 10)
    periods.push(['day', day, 1 / 365])
  }
  for (const [pk, pv, pshare] of periods) {
    for (const [dk, dv, dshare] of dims) {
      const mean = cases * pshare * dshare
      const due = Math.round(mean * (0.7 + 0.6 * rnd()))
      if (due === 0) {
        continue
      }
      const part = (lo: number, n: number) => Math.round(n * (lo + (1 - lo) * rnd()))
      const closed = part(0.85, due)
      const callbacks = part(0.5, closed)
      const satisfied = part(0.7, callbacks)
      const basically = part(0, callbacks - satisfied)
      yield [
        pk, pv, dk, dv,
        part(0, due * 0.01), due, part(0.85, due), due, closed, part(0.8, closed), part(0.85, closed),
        part(0, closed * 0.1), callbacks, satisfied, basically, callbacks - satisfied - basically,
        satisfied * 1000 + basically * 800,
      ] // prettier-ignore
    }
  }
}

/** The i-th floor case: month, district, street and flags, a pure function of i (same on both dialects). */
function floorCase(i: number): (string | number)[] {
  const s = (i * 7919) % STREETS
  const h = Math.imul(i, 2654435761) >>> 0
  return [
    i,
    MONTHS[i % 12],
    DISTRICTS[s % 16],
    streetCode(s),
    h % 10 < 9 ? 1 : 0,
    h % 7 < 6 ? 1 : 0,
    h % 11 < 9 ? 1 : 0,
    h % 13 < 11 ? 1 : 0,
    h % 17 === 0 ? 1 : 0,
    h % 3 < 2 ? 1 : 0,
    h % 3 < 2 ? (h % 5 === 0 ? 800 : 1000) : 0,
  ]
}

const FLOOR_TABLE = `create table cases_floor (id bigint primary key, month_key text not null, district text not null,
  street text not null, ${FLOOR_COLUMNS.map((c) => `${c} integer not null`).join(', ')})`
const FLOOR_INDEXES = [
  `create index cases_floor_month_street on cases_floor (month_key, street, ${FLOOR_COLUMNS.join(', ')})`,
  `create index cases_floor_month_district on cases_floor (month_key, district, ${FLOOR_COLUMNS.join(', ')})`,
]
const SUMS = `count(*) as due, ${FLOOR_COLUMNS.map((c) => `sum(${c}) as ${c}`).join(', ')}`

/**
 * Run `n` queries alternating "rank every street of month M" and "one district's month", after one
 * warm-up pass over every month of both kinds (a live cockpit keeps these pages hot).
 */
async function timeQueries(
  n: number,
  ranking: (month: string) => Promise<unknown>,
  metric: (month: string, district: string) => Promise<unknown>,
): Promise<{ p50: number; p95: number }> {
  for (const month of MONTHS) {
    await ranking(month)
    await metric(month, DISTRICTS[0])
  }
  const times: number[] = []
  for (let i = 0; i < n; i++) {
    const month = MONTHS[(i * 5) % 12]
    const t0 = performance.now()
    if (i % 2 === 0) {
      await ranking(month)
    } else {
      await metric(month, DISTRICTS[(i * 3) % 16])
    }
    times.push(performance.now() - t0)
  }
  times.sort((a, b) => a - b)
  return { p50: times[Math.floor(times.length * 0.5)], p95: times[Math.ceil(times.length * 0.95) - 1] }
}

async function rollupPath(db: Db) {
  const svc = createEvaluationService({
    db: db.kysely,
    clock: () => Date.now(),
    config: DEFAULT_EVALUATION_CONFIG,
  })
  return timeQueries(
    QUERIES,
    (month) => svc.ranking(LEADER, { periodKind: 'month', periodKey: month, dimKind: 'street' }),
    (month, district) =>
      svc.metrics(LEADER, { periodKind: 'month', periodKey: month, dimKind: 'district', dimValue: district }),
  )
}

async function sqliteRun(cases: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'onegrid-metrics-'))
  const db = await openDatabase(`sqlite:${join(dir, 'metrics.db')}`)
  try {
    await migrateToLatest(db)
    const s = db.sqlite!
    // bulk load: no fsync, a big page cache for the index sorts, the secondary index built once at the end
    s.pragma('synchronous = OFF')
    s.pragma('cache_size = -1000000')
    s.pragma('temp_store = memory')
    s.exec('drop index metric_rollups_dim')
    let t0 = performance.now()
    const insertRollup = s.prepare(
      `insert into metric_rollups (${ROLLUP_COLUMNS.join(', ')}) values (${ROLLUP_COLUMNS.map(() => '?').join(', ')})`,
    )
    let rollups = 0
    const rows = rollupRows(cases)
    s.transaction(() => {
      for (const r of rows) {
        insertRollup.run(r)
        rollups++
      }
    })()
    console.log(
      `sqlite: ${rollups.toLocaleString()} rollup rows in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    )
    t0 = performance.now()
    s.exec(FLOOR_TABLE)
    const insertCase = s.prepare(`insert into cases_floor values (${Array(11).fill('?').join(', ')})`)
    const CHUNK = 500_000
    for (let from = 0; from < cases; from += CHUNK) {
      s.transaction(() => {
        for (let i = from; i < Math.min(cases, from + CHUNK); i++) {
          insertCase.run(floorCase(i))
        }
      })()
    }
    for (const ix of FLOOR_INDEXES) {
      s.exec(ix)
    }
    s.exec('analyze')
    s.pragma('synchronous = FULL')
    const size = statSync(join(dir, 'metrics.db')).size
    console.log(
      `sqlite: ${cases.toLocaleString()} floor cases + covering indexes in ${((performance.now() - t0) / 1000).toFixed(1)} s, file ${(size / 2 ** 30).toFixed(2)} GiB`,
    )
    const byStreet = s.prepare(`select street, ${SUMS} from cases_floor where month_key = ? group by street`)
    const byDistrict = s.prepare(`select ${SUMS} from cases_floor where month_key = ? and district = ?`)
    const floor = await timeQueries(
      FLOOR_QUERIES,
      async (month) => byStreet.all(month),
      async (month, district) => byDistrict.get(month, district),
    )
    const ours = await rollupPath(db)
    report('sqlite', ours, floor)
    return ours.p95
  } finally {
    await db.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

async function postgresRun(url: string, cases: number): Promise<number> {
  const schema = `bench_metrics_${process.pid}`
  const db = await openDatabase(url, { schema })
  const client = new pg.Client({ connectionString: url, options: `-c search_path="${schema}"` })
  await client.connect()
  try {
    await migrateToLatest(db)
    await client.query(`set maintenance_work_mem = '512MB'`)
    await client.query('drop index metric_rollups_dim')
    let t0 = performance.now()
    let rollups = 0
    let batch: (string | number)[][] = []
    const flush = async () => {
      if (batch.length === 0) {
        return
      }
      const columns = ROLLUP_COLUMNS.map((_, j) => batch.map((r) => r[j]))
      const types = ROLLUP_COLUMNS.map((_, j) => (j < 4 ? 'text[]' : 'bigint[]'))
      await client.query(
        `insert into metric_rollups (${ROLLUP_COLUMNS.join(', ')}) select * from unnest(${types.map((t, j) => `$${j + 1}::${t}`).join(', ')})`,
        columns,
      )
      rollups += batch.length
      batch = []
    }
    for (const r of rollupRows(cases)) {
      batch.push(r)
      if (batch.length === 20_000) {
        await flush()
      }
    }
    await flush()
    await client.query(ROLLUP_DIM_INDEX)
    await client.query('vacuum analyze metric_rollups')
    console.log(
      `postgres: ${rollups.toLocaleString()} rollup rows in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    )
    t0 = performance.now()
    await client.query(FLOOR_TABLE)
    // the same cases as floorCase(i), generated by the server
    const months = `array[${MONTHS.map((m) => `'${m}'`).join(',')}]`
    const districts = `array[${DISTRICTS.map((d) => `'${d}'`).join(',')}]`
    await client.query(`
      insert into cases_floor
      select g, (${months})[m + 1], (${districts})[st % 16 + 1],
        (${districts})[st % 16 + 1] || lpad((st / 16 + 1)::text, 3, '0'),
        (h % 10 < 9)::int, (h % 7 < 6)::int, (h % 11 < 9)::int, (h % 13 < 11)::int, (h % 17 = 0)::int,
        (h % 3 < 2)::int, case when h % 3 < 2 then case when h % 5 = 0 then 800 else 1000 end else 0 end
      from (select g, (g % 12)::int as m, (g * 7919 % ${STREETS})::int as st, (g * 2654435761) % 4294967296 as h
            from generate_series(0::bigint, ${cases - 1}::bigint) g) s`)
    for (const ix of FLOOR_INDEXES) {
      await client.query(ix)
    }
    await client.query('vacuum analyze cases_floor')
    console.log(
      `postgres: ${cases.toLocaleString()} floor cases + covering indexes in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    )
    const floor = await timeQueries(
      FLOOR_QUERIES,
      (month) =>
        client.query(`select street, ${SUMS} from cases_floor where month_key = $1 group by street`, [month]),
      (month, district) =>
        client.query(`select ${SUMS} from cases_floor where month_key = $1 and district = $2`, [
          month,
          district,
        ]),
    )
    const ours = await rollupPath(db)
    report('postgres', ours, floor)
    return ours.p95
  } finally {
    await client.query(`drop schema if exists "${schema}" cascade`)
    await client.end()
    await db.close()
  }
}

function report(dialect: string, ours: { p50: number; p95: number }, floor: { p50: number; p95: number }) {
  console.log(
    `${dialect}: rollups (ranking of 349 streets + district metrics, through the service) p50 ${ours.p50.toFixed(2)} ms, p95 ${ours.p95.toFixed(2)} ms`,
  )
  console.log(
    `${dialect}: floor covering-index GROUP BY over cases p50 ${floor.p50.toFixed(2)} ms, p95 ${floor.p95.toFixed(2)} ms ` +
      `(rollups ${(floor.p95 / ours.p95).toFixed(1)}× faster at p95)`,
  )
}

/** Entry point for `npm run bench -- metrics [--cases N]`. */
export async function run(args: readonly string[] = []): Promise<void> {
  const at = args.indexOf('--cases')
  const cases = at >= 0 ? Number(args[at + 1]) : 10_000_000
  if (!Number.isInteger(cases) || cases <= 0) {
    throw new Error('--cases must be a positive whole number')
  }
  console.log(
    `metrics bench: ${cases.toLocaleString()} cases, ${QUERIES} rollup queries, ${FLOOR_QUERIES} floor queries`,
  )
  const p95s = [await sqliteRun(cases)]
  const url = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL
  if (url) {
    p95s.push(await postgresRun(url, cases))
  } else {
    console.log('postgres: skipped (set BENCH_DATABASE_URL or TEST_DATABASE_URL)')
  }
  console.log(`metrics p95: ${Math.max(...p95s).toFixed(1)} ms (target ≤ 50 ms)`)
}
