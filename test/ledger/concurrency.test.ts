import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPlatform, type Platform } from '../../src/platform.ts'
import type { Principal } from '../../src/services/ports.ts'
import { DATABASES } from '../helpers/databases.ts'
import { startTestPlatform, type TestPlatform } from '../helpers/platform.ts'

const dispatcher: Principal = {
  actor: { id: 'dispatcher', role: 'dispatcher' },
  username: 'dispatcher',
  displayName: 'dispatcher',
}

const PG = DATABASES.find((db) => db.dialect === 'postgres')

// Two platforms over one PostgreSQL stand for two API processes: each has its own pool and its own
// ledger service, so only the database can keep their seqs apart. (SQLite has one writer; two
// connections inside one process would only block each other's synchronous driver.)
describe.skipIf(!PG)('two processes appending to one ledger on PostgreSQL', () => {
  const d = PG!
  let a: TestPlatform
  let b: Platform
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'onegrid-ledger-'))
    const ledger = { ledgerKeysDir: join(dir, 'keys') }
    a = await startTestPlatform(d, { autoDispatch: false, ledger })
    const file = a.platform.db.sqlite?.name
    b = await createPlatform({
      databaseUrl: file ? `sqlite:${file}` : process.env.TEST_DATABASE_URL!,
      ...(a.platform.db.schema ? { databaseSchema: a.platform.db.schema } : {}),
      catalogFile: 'data/catalog/default.json',
      calendarFile: 'data/calendars/cn-beijing.json',
      regionsFile: 'data/regions/beijing.json',
      dutyFile: 'data/duty/beijing-demo.json',
      clock: a.clock,
      ...ledger,
    })
  }, 60_000)
  afterAll(async () => {
    await b?.close()
    await a?.close()
  })

  it('keeps seqs contiguous and the log verifiable under concurrent hand-offs', async () => {
    const classId = a.platform.catalog.classes.find((c) => !c.urgent)!.id
    const ids: string[] = []
    for (let i = 0; i < 16; i++) {
      const r = await a.platform.intake.intake({ channel: 'hotline', text: `并发测试 ${i}：井盖缺失` })
      const operator = { ...dispatcher, actor: { id: 'operator', role: 'operator' as const } }
      await a.platform.cases.act(operator, r.case.id, { type: 'accept' })
      await a.platform.cases.act(dispatcher, r.case.id, { type: 'register', classId })
      ids.push(r.case.id)
    }
    await Promise.all(
      ids.map((id, i) =>
        (i % 2 ? b : a.platform).cases.act(dispatcher, id, {
          type: 'dispatch',
          unitId: 'u-xc-cgw',
          reason: 'test',
        }),
      ),
    )
    const entries = await a.platform.ledger.entries(0, 100)
    expect(entries.map((e) => e.seq)).toEqual([...Array(16).keys()])
    await b.ledger.checkpoint()
    const report = await a.platform.ledger.verify()
    expect(report.problems).toEqual([])
    expect(report).toMatchObject({ ok: true, entries: 16, checkpoints: 1 })
  }, 30_000)
})
