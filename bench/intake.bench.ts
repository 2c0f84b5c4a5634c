import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import Fastify from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { openCase } from '../src/core/case/lifecycle.ts'
import { buildApp } from '../src/http/app.ts'
import { IntakeBody } from '../src/http/routes/cases/schema.ts'
import { createPlatform, type Platform } from '../src/platform.ts'
import { openDatabase } from '../src/store/db.ts'
import { migrateToLatest } from '../src/store/migrate.ts'
import { newId } from '../src/store/ids.ts'

const N = 20_000
const BATCH = 512
/** seconds per load round */
const SECONDS = 4
const TEXT = '市民反映：西城区什刹海前海西街路边垃圾堆了好几天没人清理，味道很大，希望尽快处理。'

function tmpDb(): string {
  return `sqlite:${join(mkdtempSync(join(tmpdir(), 'onegrid-bench-')), 'bench.db')}`
}

/**
 * The case engine alone (issue 2's measure): an appeal becomes a case, its appeal, timeline and
 * outbox rows, group-committed. Placement, classification, duplicate detection and routing are
 * the intake pipeline's and are measured by `npm run bench -- pipeline`.
 */
async function platform(): Promise<Platform> {
  return createPlatform({
    databaseUrl: tmpDb(),
    catalogFile: 'data/catalog/default.json',
    calendarFile: 'data/calendars/cn-beijing.json',
    regionsFile: 'data/regions/beijing.json',
    dutyFile: 'data/duty/beijing-demo.json',
    pipeline: { plan: () => ({}) },
  })
}

/** Floor: the same case row inserted with a raw prepared statement, BATCH rows per transaction. */
export async function rawInsertPerSecond(p: Platform): Promise<number> {
  const db = await openDatabase(tmpDb())
  await migrateToLatest(db)
  const sqlite = db.sqlite!
  // the plain durable way: SQLite fsyncs the WAL inside every COMMIT
  sqlite.pragma('synchronous = FULL')
  const insert = sqlite.prepare(
    `insert into cases (id, version, stage, channel, kind, class_id, priority, level, unit_id, team_id, region_code,
      district_code, street_code, grid_code, lon, lat, title, due_next, supervised, merged_into, reported_at, closed_at,
      updated_at, doc) values (?, 1, 'reported', 'hotline', null, null, 'normal', 'street', null, null, null, null, null,
      null, 116.38, 39.94, ?, ?, 0, null, ?, null, ?, ?)`,
  )
  const many = sqlite.transaction((rows: { id: string; doc: string; at: number }[]) => {
    for (const r of rows) {
      insert.run(r.id, TEXT.slice(0, 40), r.at, r.at, r.at, r.doc)
    }
  })
  const t0 = performance.now()
  for (let done = 0; done < N; done += BATCH) {
    const now = Date.now()
    const rows = Array.from({ length: BATCH }, () => {
      const id = newId('C', now)
      const c = openCase(
        { id, channel: 'hotline', title: TEXT.slice(0, 40), description: TEXT, reportedAt: now },
        p.env,
      )
      return { id, doc: JSON.stringify(c), at: now }
    })
    many(rows)
  }
  const rate = N / ((performance.now() - t0) / 1000)
  await db.close()
  return rate
}

/** Ours: appeals through the intake service (build case, appeal, timeline, outbox; group commit), BATCH in flight. */
async function serviceIntakePerSecond(p: Platform): Promise<number> {
  const t0 = performance.now()
  for (let done = 0; done < N; done += BATCH) {
    await Promise.all(
      Array.from({ length: BATCH }, (_, i) =>
        p.intake.intake({
          channel: 'hotline',
          text: TEXT,
          location: { lon: 116.38, lat: 39.94 },
          idempotencyKey: `b-${done + i}`,
        }),
      ),
    )
  }
  return N / ((performance.now() - t0) / 1000)
}

/**
 * Requests/s from autocannon run in its own process: a load tool sharing the server's event loop
 * measures itself, not the server.
 */
async function load(url: string, headers: Record<string, string>, body: string): Promise<number> {
  const args = [
    'node_modules/autocannon/autocannon.js',
    '-j',
    '-c',
    '64',
    '-d',
    String(SECONDS),
    '-m',
    'POST',
    '-b',
    body,
  ]
  for (const [k, v] of Object.entries({ 'content-type': 'application/json', ...headers })) {
    args.push('-H', `${k}=${v}`)
  }
  const { stdout } = await promisify(execFile)('node', [...args, url], { maxBuffer: 16 * 1024 * 1024 })
  const result = JSON.parse(stdout) as { non2xx: number; requests: { average: number } }
  if (result.non2xx > 0) {
    throw new Error(`${url}: ${result.non2xx} non-2xx answers`)
  }
  return result.requests.average
}

/** Load rounds per side, alternating bare and ours; each side keeps its best (the box is shared). */
const ROUNDS = 3

/**
 * HTTP: POST /api/v1/cases against a bare Fastify route with the same JSON schema, same load tool.
 * Both servers listen at once and the rounds alternate, so a burst of load from elsewhere on the
 * box hits one round of one side, not a whole side.
 */
export async function httpRatio(): Promise<{ ours: number; bare: number }> {
  const body = JSON.stringify({
    channel: 'hotline',
    text: TEXT,
    location: { lon: 116.38, lat: 39.94 },
    reporter: { phone: '13800000000' },
  })
  const bare = Fastify().withTypeProvider<TypeBoxTypeProvider>()
  bare.post('/api/v1/cases', { schema: { body: IntakeBody } }, async (_req, reply) =>
    reply.status(201).send({ ok: true }),
  )
  const bareUrl = await bare.listen({ port: 0, host: '127.0.0.1' })

  const p = await platform()
  await p.auth.addUser({ username: 'bench', password: 'bench-pw', role: 'operator' })
  const { token } = await p.auth.login('bench', 'bench-pw')
  const app = await buildApp(p.appDeps())
  const url = await app.listen({ port: 0, host: '127.0.0.1' })

  let best = { ours: 0, bare: 0 }
  for (let round = 0; round < ROUNDS; round++) {
    const bareRate = await load(`${bareUrl}/api/v1/cases`, {}, body)
    const ours = await load(`${url}/api/v1/cases`, { authorization: `Bearer ${token}` }, body)
    best = { ours: Math.max(best.ours, ours), bare: Math.max(best.bare, bareRate) }
  }
  await app.close()
  await p.close()
  await bare.close()
  return best
}

/** `npm run bench -- intake` (HTTP first, while the process is fresh: its heap is both servers' heap) */
export async function run(): Promise<void> {
  const http = await httpRatio()
  const p = await platform()
  const raw = await rawInsertPerSecond(p)
  const ours = await serviceIntakePerSecond(p)
  await p.close()
  console.log(
    `raw better-sqlite3 insert of the same row (batches of ${BATCH}, WAL, synchronous=FULL): ${raw.toFixed(0)} rows/s`,
  )
  console.log(
    `intake service with commit (case + appeal + timeline + outbox, group commit ≤ 512): ${ours.toFixed(0)} cases/s`,
  )
  console.log(`intake ratio: ${(ours / raw).toFixed(2)} (target ≥ 0.25)`)
  console.log(
    `bare Fastify POST with the same schema: ${http.bare.toFixed(0)} req/s (autocannon, 64 connections, best of ${ROUNDS} alternating rounds of ${SECONDS} s)`,
  )
  console.log(`POST /api/v1/cases (auth, validation, intake, commit): ${http.ours.toFixed(0)} req/s`)
  console.log(`http intake ratio: ${(http.ours / http.bare).toFixed(2)} (target ≥ 0.25)`)
}
