import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ACTORS, UNITS, testEnv, utc } from '../../src/core/case/case.fixtures.ts'
import type { Actor, CaseAction, RegionRef } from '../../src/core/case/case.types.ts'
import { openCase } from '../../src/core/case/lifecycle.ts'
import { TEST_EVAL_CONFIG } from '../../src/core/evaluation/evaluation.fixtures.ts'
import { COUNTERS } from '../../src/core/evaluation/evaluation.types.ts'
import { createCaseService, type CaseService } from '../../src/services/case.service.ts'
import {
  createEvaluationProcessor,
  createEvaluationService,
  type EvaluationService,
} from '../../src/services/evaluation.service.ts'
import type { Principal } from '../../src/services/ports.ts'
import { insertCases } from '../../src/store/case.repository.ts'
import { openDatabase, type Db } from '../../src/store/db.ts'
import { migrateToLatest } from '../../src/store/migrate.ts'
import { queryRollups, tryAcquireLease } from '../../src/store/rollup.repository.ts'
import { upsertUnits } from '../../src/store/user.repository.ts'
import { DATABASES } from '../helpers/databases.ts'

// Test calendar (09:00–17:00 UTC, Mon–Fri); E0101: respond within 1 working hour, handle within 2 working days.
// Every case is dispatched Mon 2024-03-04 10:00: respond by 11:00, handle by Wed 2024-03-06 10:00.
const mon = (h: number, m = 0) => utc(2024, 3, 4, h, m)
const tue = (h: number, m = 0) => utc(2024, 3, 5, h, m)
const wed = (h: number, m = 0) => utc(2024, 3, 6, h, m)
const STREET_A = '110101001'
const STREET_B = '110101002'
const STREET_C = '110101003'
const region = (street: string): RegionRef => ({ districtCode: '110101', streetCode: street })
const who = (actor: Actor): Principal => ({ actor, username: actor.id, displayName: actor.id })
const leader = who(ACTORS.leader)
const config = { ...TEST_EVAL_CONFIG, minDueCases: 2 }

const receive = { type: 'receive' } as const
const report = { type: 'report', note: 'done' } as const
const pass = { type: 'verify', passed: true } as const
const callback = (satisfaction: 'satisfied' | 'basically' | 'unsatisfied', resolved = true) =>
  ({ type: 'evaluate', satisfaction, resolved }) as const

describe.each(DATABASES)('rollups on $dialect', (d) => {
  let db: Db
  let now = mon(9)
  let cases: CaseService
  let evaluation: EvaluationService

  async function act(id: string, a: CaseAction, actor: Actor, at: number) {
    now = at
    await cases.act(who(actor), id, a)
  }
  async function open(id: string, street: string) {
    await insertCases(
      db.kysely,
      [
        openCase(
          { id, channel: 'hotline', title: id, description: id, region: region(street), reportedAt: mon(9) },
          testEnv(),
        ),
      ],
      mon(9),
    )
    await act(id, { type: 'accept' }, ACTORS.operator, mon(9))
    await act(id, { type: 'register', classId: 'E0101' }, ACTORS.dispatcher, mon(9, 30))
    await act(id, { type: 'dispatch', unitId: UNITS.street }, ACTORS.dispatcher, mon(10))
  }
  async function closeWell(id: string, at: number) {
    await act(id, receive, ACTORS.handler, at)
    await act(id, report, ACTORS.handler, at + 3_600_000)
    await act(id, pass, ACTORS.inspector, at + 2 * 3_600_000)
    await act(id, callback('satisfied'), ACTORS.operator, at + 3 * 3_600_000)
  }

  beforeAll(async () => {
    const { url, schema } = d.fresh()
    db = await openDatabase(url, schema ? { schema } : {})
    await migrateToLatest(db)
    await upsertUnits(db.kysely, [
      {
        id: UNITS.street,
        name: 'street',
        name_en: null,
        type: 'street',
        level: 'street',
        region_code: '110101',
        parent_id: null,
        phone: null,
      },
      {
        id: UNITS.water,
        name: 'water',
        name_en: null,
        type: 'water',
        level: 'district',
        region_code: '110101',
        parent_id: null,
        phone: null,
      },
    ])
    const clock = () => now
    const env = testEnv()
    cases = createCaseService({
      db: db.kysely,
      clock,
      env,
      events: { publish: () => undefined },
      processors: [createEvaluationProcessor(config)],
    })
    evaluation = createEvaluationService({ db: db.kysely, clock, config })

    // street A: the seeded month of src/core/evaluation/metrics.test.ts, through the real service
    for (const id of ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H']) {
      await open(id, STREET_A)
    }
    await act('A', receive, ACTORS.handler, mon(10, 30))
    await act('A', report, ACTORS.handler, tue(12))
    await act('A', pass, ACTORS.inspector, tue(13))
    await act('A', callback('satisfied'), ACTORS.operator, tue(15))
    await act('B', receive, ACTORS.handler, mon(11, 30))
    await act('B', report, ACTORS.handler, wed(11))
    await act('B', pass, ACTORS.inspector, wed(12))
    await act('B', callback('basically'), ACTORS.operator, wed(15))
    await act('C', receive, ACTORS.handler, mon(10, 15))
    await act('C', report, ACTORS.handler, tue(10))
    await act('C', { type: 'verify', passed: false, note: 'still blocked' }, ACTORS.inspector, tue(11))
    await act('C', receive, ACTORS.handler, tue(11, 30))
    await act('C', report, ACTORS.handler, tue(15))
    await act('C', pass, ACTORS.inspector, tue(16))
    await act('C', callback('unsatisfied', false), ACTORS.operator, wed(9))
    await act('D', receive, ACTORS.handler, mon(10, 45))
    await act('F', receive, ACTORS.handler, mon(10, 20))
    await act(
      'F',
      { type: 'extend', limit: { amount: 1, unit: 'work-days' }, reason: 'parts' },
      ACTORS.handler,
      tue(9),
    )
    await act('F', { type: 'extend', decision: 'grant' }, ACTORS.dispatcher, tue(10))
    await act('F', report, ACTORS.handler, wed(16))
    await act('F', pass, ACTORS.inspector, wed(16, 30))
    await act('F', callback('satisfied'), ACTORS.system, wed(17))
    await act('G', receive, ACTORS.handler, mon(10, 5))
    await act('H', { type: 'return', reason: 'not ours' }, ACTORS.handler, mon(10, 30))
    await act('H', { type: 'merge', targetCaseId: 'D' }, ACTORS.operator, mon(11))
    // street B: two perfect cases; street C: one
    for (const id of ['B1', 'B2']) {
      await open(id, STREET_B)
    }
    await closeWell('B1', mon(10, 10))
    await closeWell('B2', mon(10, 20))
    await open('C1', STREET_C)
    await closeWell('C1', mon(10, 30))
    now = wed(18)
    await evaluation.exclude(
      leader,
      'G',
      'unreasonable appeal: the reporter asked for a private parking space',
    )
  })
  afterAll(async () => {
    await db?.close()
  })

  const month = { periodKind: 'month', periodKey: '2024-03' } as const

  it("street A's month equals the hand-computed figures", async () => {
    const m = await evaluation.metrics(leader, { ...month, dimKind: 'street', dimValue: STREET_A })
    expect(m.response).toEqual({ numerator: 4, denominator: 6, value: 4 / 6 })
    expect(m.closure).toEqual({ numerator: 4, denominator: 6, value: 4 / 6 })
    expect(m.onTimeClosure).toEqual({ numerator: 3, denominator: 6, value: 0.5 })
    expect(m.resolution).toEqual({ numerator: 3, denominator: 4, value: 0.75 })
    expect(m.rework).toEqual({ numerator: 1, denominator: 4, value: 0.25 })
    expect(m.satisfaction).toEqual({ numerator: 1.8, denominator: 3, value: 0.6 })
    expect(m.score).toBe(67.42)
    expect(m.excluded).toBe(1)
  })

  it('the city row is the sum of its streets: 9 due, 7 answered on time, 7 closed', async () => {
    const m = await evaluation.metrics(leader, { ...month, dimKind: 'city', dimValue: '*' })
    expect([m.response.numerator, m.response.denominator]).toEqual([7, 9])
    expect([m.closure.numerator, m.resolution.numerator, m.satisfaction.denominator]).toEqual([7, 6, 6])
    // day rows: every case has the same handle deadline, Wed 6 March
    const day = await evaluation.metrics(leader, {
      periodKind: 'day',
      periodKey: '2024-03-06',
      dimKind: 'city',
      dimValue: '*',
    })
    expect(day.counters).toEqual(m.counters)
  })

  it('ranks the streets with the minimum-volume rule', async () => {
    const r = await evaluation.ranking(leader, { ...month, dimKind: 'street' })
    expect(r.entries.map((e) => [e.key, e.rank, e.metrics.score, e.unranked])).toEqual([
      [STREET_B, 1, 100, undefined],
      [STREET_A, 2, 67.42, undefined],
      [STREET_C, undefined, 100, 'below-minimum-volume'],
    ])
  })

  it('lists the cases behind each figure, matching the counts', async () => {
    const q = { ...month, dimKind: 'street', dimValue: STREET_A } as const
    const resp = await evaluation.casesBehind(leader, { ...q, figure: 'response' })
    expect(resp.denominator).toEqual(['A', 'B', 'C', 'D', 'E', 'F'])
    expect(resp.numerator.map((n) => n.caseId)).toEqual(['A', 'C', 'D', 'F'])
    expect(resp.excluded).toEqual(['G'])
    const sat = await evaluation.casesBehind(leader, { ...q, figure: 'satisfaction' })
    expect(sat.numerator).toEqual([
      { caseId: 'A', weight: 1 },
      { caseId: 'B', weight: 0.8 },
    ])
    const rework = await evaluation.casesBehind(leader, { ...q, figure: 'rework' })
    expect(rework).toMatchObject({
      numerator: [{ caseId: 'C', weight: 1 }],
      denominator: ['A', 'B', 'C', 'F'],
    })
  })

  it('reports exclusions with reason, actor and time, and counts the case again when revoked', async () => {
    const q = { ...month, dimKind: 'street', dimValue: STREET_A } as const
    expect(await evaluation.exclusions(leader, q)).toEqual([
      {
        caseId: 'G',
        reason: 'unreasonable appeal: the reporter asked for a private parking space',
        actorId: ACTORS.leader.id,
        at: wed(18),
      },
    ])
    await expect(evaluation.exclude(who(ACTORS.dispatcher), 'D', 'x')).rejects.toMatchObject({
      code: 'FORBIDDEN_ROLE',
    })
    await expect(evaluation.exclude(leader, 'D', '  ')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' })
    now = wed(19)
    await evaluation.revokeExclusion(leader, 'G', 'the appeal was reasonable after all')
    const m = await evaluation.metrics(leader, q)
    // G answered on time and is still handling: response 5/7, closure 4/7
    expect([m.response.numerator, m.response.denominator, m.closure.denominator, m.excluded]).toEqual([
      5, 7, 7, 0,
    ])
    expect((await evaluation.exclusions(leader, q))[0]).toMatchObject({
      caseId: 'G',
      revokedAt: wed(19),
      revokedBy: ACTORS.leader.id,
    })
    // and out again
    now = wed(20)
    await evaluation.exclude(leader, 'G', 'duplicate of a case in another channel')
    expect((await evaluation.metrics(leader, q)).response.denominator).toBe(6)
  })

  it('keeps every rollup row equal to the sum of the recorded contributions', async () => {
    const cols = COUNTERS.map((c) => c.replace(/[A-Z]/g, (x) => `_${x.toLowerCase()}`))
    const sums = cols.map((c) => `sum(${c}) as ${c}`).join(', ')
    const fromContributions = await sql<Record<string, unknown>>`
      select street, ${sql.raw(sums)} from case_contributions where month_key = '2024-03' group by street order by street`.execute(
      db.kysely,
    )
    const rows = await queryRollups(db.kysely, { ...month, dimKind: 'street' })
    expect(rows.map((r) => r.dimValue)).toEqual(fromContributions.rows.map((r) => r.street))
    for (const [i, r] of rows.entries()) {
      const k = fromContributions.rows[i]
      expect(COUNTERS.map((c) => r.counters[c])).toEqual(cols.map((c) => Number(k[c])))
    }
  })

  it('hands the sweep lease to one holder at a time until it expires', async () => {
    expect(await tryAcquireLease(db.kysely, 'sla-sweep', 'node-1', 1000, 60_000)).toBe(true)
    expect(await tryAcquireLease(db.kysely, 'sla-sweep', 'node-2', 2000, 60_000)).toBe(false)
    expect(await tryAcquireLease(db.kysely, 'sla-sweep', 'node-1', 30_000, 60_000)).toBe(true)
    expect(await tryAcquireLease(db.kysely, 'sla-sweep', 'node-2', 90_000, 60_000)).toBe(true)
  })
})
