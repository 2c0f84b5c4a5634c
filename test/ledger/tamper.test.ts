import { execFile } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { LedgerEntry, VerifyReport } from '../../src/core/ledger/ledger.types.ts'
import { MINUTE } from '../../src/core/time.ts'
import { DATABASES } from '../helpers/databases.ts'
import { startTestPlatform, type TestPlatform } from '../helpers/platform.ts'

const run = promisify(execFile)

/** Take one hotline appeal through intake → dispatch → report → verify over the API. */
async function closeOneCase(t: TestPlatform, text: string): Promise<string> {
  const classId = t.platform.catalog.classes.find(
    (c) => !c.urgent && c.limits.handle.unit === 'work-days',
  )!.id
  const act = async (user: string, id: string, action: string, body: object = {}) => {
    t.clock.advance(5 * MINUTE)
    const r = await t.app.inject({
      method: 'POST',
      url: `/api/v1/cases/${id}/actions/${action}`,
      headers: await t.as(user),
      payload: body,
    })
    expect(r.statusCode, `${action}: ${r.body}`).toBe(200)
  }
  const created = await t.app.inject({
    method: 'POST',
    url: '/api/v1/cases',
    headers: await t.as('operator'),
    payload: { channel: 'hotline', text, location: { lon: 116.3849, lat: 39.9405 } },
  })
  expect(created.statusCode, created.body).toBe(201)
  const id = created.json<{ id: string }>().id
  await act('operator', id, 'accept')
  await act('dispatcher', id, 'register', { classId })
  await act('dispatcher', id, 'dispatch', { unitId: 'u-xc-cgw', reason: '属地城管委负责' })
  await act('handler', id, 'receive')
  await act('handler', id, 'report', { note: '已清理完毕' })
  await act('inspector', id, 'verify', { passed: true, note: '核查通过' })
  return id
}

describe.each(DATABASES)('the hand-off ledger under tampering on $dialect', (d) => {
  let t: TestPlatform
  let dir: string
  let cases: string[]
  let entries: LedgerEntry[]
  const db = () => t.platform.db.kysely
  const verify = (): Promise<VerifyReport> => t.platform.ledger.verify()

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'onegrid-ledger-'))
    t = await startTestPlatform(d, {
      autoDispatch: false,
      ledger: { ledgerKeysDir: join(dir, 'keys'), ledgerAnchorFile: join(dir, 'anchors.jsonl') },
    })
    cases = []
    cases.push(await closeOneCase(t, '什刹海前海西街路边垃圾堆积'))
    cases.push(await closeOneCase(t, '西四北大街人行道垃圾无人清理'))
    expect(await t.platform.ledger.checkpoint()).toMatchObject({ treeSize: 6 })
    cases.push(await closeOneCase(t, '德胜门内大街垃圾桶满溢'))
    t.clock.advance(MINUTE)
    const cp = await t.platform.ledger.checkpoint()
    expect(cp?.treeSize).toBe(9)
    // the city's supervision centre and Xicheng's co-sign
    expect(cp?.witnesses.map((w) => w.unitId)).toEqual(['city-jdzx', '110102-jdzx'])
    entries = await t.platform.ledger.entries(0, 100)
  }, 60_000)
  afterAll(() => t?.close())

  /** The entry a case's action produced. */
  const entryOf = (caseIndex: number, action: string) =>
    entries.find((e) => e.caseId === cases[caseIndex] && e.action === action)!

  it('records dispatch, report and verify of every case, and a clean log verifies', async () => {
    expect(entries.map((e) => e.action)).toEqual(Array(3).fill(['dispatch', 'report', 'verify']).flat())
    expect(entryOf(0, 'dispatch')).toMatchObject({ toUnitId: 'u-xc-cgw', actorId: expect.any(String) })
    const report = await verify()
    expect(report.problems).toEqual([])
    expect(report).toMatchObject({ ok: true, entries: 9, checkpoints: 2 })
  })

  it('an edited timeline row fails at its entry, and the CLI exits 1 naming it', async () => {
    const target = entryOf(1, 'report')
    const where = sql`case_id = ${target.caseId} and seq = ${target.caseVersion!}`
    const { rows } = await sql<{ payload: string }>`select payload from timeline where ${where}`.execute(db())
    await sql`update timeline set payload = ${'{"note":"从未清理"}'} where ${where}`.execute(db())
    try {
      const report = await verify()
      expect(report.ok).toBe(false)
      expect(report.firstBadEntry).toMatchObject({
        kind: 'state-hash',
        seq: target.seq,
        caseId: target.caseId,
        action: 'report',
      })
      const { url, schema } = urlOf(t, d)
      const cli = await run('node', ['bin/onegrid.js', 'verify-ledger'], {
        env: {
          ...process.env,
          DATABASE_URL: url,
          ...(schema ? { DATABASE_SCHEMA: schema } : {}),
          LEDGER_KEYS_DIR: join(dir, 'keys'),
          LEDGER_ANCHOR_FILE: join(dir, 'anchors.jsonl'),
        },
      }).then(
        () => ({ code: 0, stderr: '' }),
        (e: { code: number; stderr: string }) => e,
      )
      expect(cli.code).toBe(1)
      expect(cli.stderr).toContain(
        `first bad entry: [state-hash] seq ${target.seq}, case ${target.caseId}, action report`,
      )
    } finally {
      await sql`update timeline set payload = ${rows[0].payload} where ${where}`.execute(db())
    }
    expect((await verify()).ok).toBe(true)
  }, 30_000)

  it('a deleted entry: the gap, the checkpoint range and the orphaned timeline row name it', async () => {
    const gone = entryOf(1, 'dispatch')
    const saved = await sql<
      Record<string, unknown>
    >`select * from ledger_entries where seq = ${gone.seq}`.execute(db())
    await sql`delete from ledger_entries where seq = ${gone.seq}`.execute(db())
    try {
      const report = await verify()
      expect(report.firstBadEntry).toMatchObject({
        kind: 'seq-gap',
        seq: gone.seq + 1,
        expected: String(gone.seq),
      })
      expect(report.problems).toContainEqual(
        expect.objectContaining({ kind: 'checkpoint-root', treeSize: 6, fromSeq: 0, toSeq: 5 }),
      )
      expect(report.problems).toContainEqual(
        expect.objectContaining({ kind: 'timeline-unrecorded', caseId: gone.caseId, action: 'dispatch' }),
      )
    } finally {
      await db()
        .insertInto('ledger_entries')
        .values(saved.rows[0] as never)
        .execute()
    }
  })

  it('two entries with their seqs swapped fail at the first of them', async () => {
    const a = entryOf(1, 'verify')
    const b = entryOf(2, 'dispatch')
    expect(b.seq).toBe(a.seq + 1)
    const swap = async () => {
      await sql`update ledger_entries set seq = -1 where seq = ${a.seq}`.execute(db())
      await sql`update ledger_entries set seq = ${a.seq} where seq = ${b.seq}`.execute(db())
      await sql`update ledger_entries set seq = ${b.seq} where seq = -1`.execute(db())
    }
    await swap()
    try {
      const report = await verify()
      expect(report.firstBadEntry).toMatchObject({
        kind: 'leaf-hash',
        seq: a.seq,
        caseId: b.caseId,
        action: 'dispatch',
      })
      expect(report.problems).toContainEqual(
        expect.objectContaining({ kind: 'checkpoint-root', treeSize: 9 }),
      )
    } finally {
      await swap()
    }
    expect((await verify()).ok).toBe(true)
  })

  it('swapped checkpoint signatures fail both checkpoints', async () => {
    const read = () =>
      sql<{
        tree_size: number
        platform_sig: string
      }>`select tree_size, platform_sig from ledger_checkpoints order by tree_size`.execute(db())
    const before = (await read()).rows
    const set = async (size: number, sig: string) =>
      sql`update ledger_checkpoints set platform_sig = ${sig} where tree_size = ${size}`.execute(db())
    await set(6, before[1].platform_sig)
    await set(9, before[0].platform_sig)
    try {
      const report = await verify()
      const bad = report.problems.filter((p) => p.kind === 'checkpoint-platform-sig').map((p) => p.treeSize)
      expect(bad).toEqual([6, 9])
    } finally {
      await set(6, before[0].platform_sig)
      await set(9, before[1].platform_sig)
    }
  })

  it('a database rolled back behind an anchored checkpoint names the first lost hand-off', async () => {
    const lost = entryOf(2, 'dispatch')
    const saved = await sql<
      Record<string, unknown>
    >`select * from ledger_entries where seq >= ${lost.seq}`.execute(db())
    const savedCp = await sql<
      Record<string, unknown>
    >`select * from ledger_checkpoints where tree_size > 6`.execute(db())
    await sql`delete from ledger_entries where seq >= ${lost.seq}`.execute(db())
    await sql`delete from ledger_checkpoints where tree_size > 6`.execute(db())
    try {
      const report = await verify()
      expect(report).toMatchObject({ ok: false, entries: 6 })
      expect(report.firstBadEntry).toMatchObject({
        kind: 'checkpoint-beyond-log',
        treeSize: 9,
        seq: lost.seq,
        caseId: lost.caseId,
        action: 'dispatch',
      })
    } finally {
      await db()
        .insertInto('ledger_entries')
        .values(saved.rows as never)
        .execute()
      await db()
        .insertInto('ledger_checkpoints')
        .values(savedCp.rows as never)
        .execute()
    }
    expect((await verify()).ok).toBe(true)
  })

  it('serves entries, checkpoints, keys and proofs to anyone', async () => {
    const cps = await t.app.inject({ url: '/api/v1/ledger/checkpoints' })
    expect(cps.statusCode).toBe(200)
    expect(cps.json()).toMatchObject({ latest: { treeSize: 9 }, items: [{ treeSize: 9 }, { treeSize: 6 }] })
    const page = await t.app.inject({ url: '/api/v1/ledger/entries?from=3&limit=4' })
    expect(page.json()).toMatchObject({ nextFrom: 7 })
    expect(page.json<{ items: LedgerEntry[] }>().items.map((e) => e.seq)).toEqual([3, 4, 5, 6])
    const proof = await t.app.inject({ url: '/api/v1/ledger/entries/4/proof?treeSize=9' })
    expect(proof.statusCode, proof.body).toBe(200)
    expect(proof.json()).toMatchObject({ leafIndex: 4, treeSize: 9, entry: { seq: 4 } })
    expect(proof.json<{ path: string[] }>().path).toHaveLength(4)
    const cons = await t.app.inject({ url: '/api/v1/ledger/consistency?from=6&to=9' })
    expect(cons.statusCode, cons.body).toBe(200)
    expect(cons.json<{ path: string[] }>().path.length).toBeGreaterThan(0)
    const keys = await t.app.inject({ url: '/api/v1/ledger/keys' })
    expect(keys.json<{ keys: { unitId: string }[] }>().keys.map((k) => k.unitId)).toEqual(
      expect.arrayContaining(['platform', 'city-jdzx', '110102-jdzx', 'u-xc-cgw']),
    )
    const mine = await t.app.inject({
      url: `/api/v1/cases/${cases[0]}/ledger`,
      headers: await t.as('leader'),
    })
    expect(mine.json<{ items: { action: string; state: { id: string } }[] }>().items).toMatchObject([
      { action: 'dispatch', state: { id: cases[0] } },
      { action: 'report' },
      { action: 'verify' },
    ])
    expect((await t.app.inject({ url: `/api/v1/cases/${cases[0]}/ledger` })).statusCode).toBe(401)
  })
})

function urlOf(t: TestPlatform, d: (typeof DATABASES)[number]): { url: string; schema?: string } {
  if (d.dialect === 'postgres') {
    return { url: process.env.TEST_DATABASE_URL!, schema: t.platform.db.schema! }
  }
  const file = t.platform.db.sqlite!.name
  return { url: `sqlite:${file}` }
}
