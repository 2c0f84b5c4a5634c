import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ACTORS, UNITS, testEnv, utc } from '../../src/core/case/case.fixtures.ts'
import type { CaseEvent } from '../../src/core/case/case.types.ts'
import { openCase } from '../../src/core/case/lifecycle.ts'
import { TEST_EVAL_CONFIG } from '../../src/core/evaluation/evaluation.fixtures.ts'
import { createCaseService } from '../../src/services/case.service.ts'
import { createEvaluationProcessor } from '../../src/services/evaluation.service.ts'
import type { Principal } from '../../src/services/ports.ts'
import { createSweepService } from '../../src/services/sweep.service.ts'
import { insertCases, timelineOf, findCase } from '../../src/store/case.repository.ts'
import { openDatabase, type Db } from '../../src/store/db.ts'
import { migrateToLatest } from '../../src/store/migrate.ts'
import { findContribution, tryAcquireLease } from '../../src/store/rollup.repository.ts'
import { upsertUnits } from '../../src/store/user.repository.ts'
import { DATABASES } from '../helpers/databases.ts'

// Test calendar (09:00–17:00 UTC, Mon–Fri). Dispatched Mon 2024-03-04 10:00: respond by 11:00 (1 working
// hour), so warn at 10:48 (80 %), urge at 11:00, supervise 4 working hours later (15:00), escalate one
// working day after that (Tue 15:00).
const mon = (h: number, m = 0) => utc(2024, 3, 4, h, m)
const tue = (h: number, m = 0) => utc(2024, 3, 5, h, m)
const who = (a: (typeof ACTORS)[keyof typeof ACTORS]): Principal => ({
  actor: a,
  username: a.id,
  displayName: a.id,
})

describe.each(DATABASES)('SLA sweep service on $dialect', (d) => {
  let db: Db
  let now = mon(9)
  const published: CaseEvent[] = []
  const env = testEnv()
  const processors = [createEvaluationProcessor(TEST_EVAL_CONFIG)]
  const sweeper = () =>
    createSweepService({
      db: db.kysely,
      clock: () => now,
      env,
      events: { publish: (e) => published.push(...e) },
      processors,
      holder: 'node-1',
    })

  beforeAll(async () => {
    const { url, schema } = d.fresh()
    db = await openDatabase(url, schema ? { schema } : {})
    await migrateToLatest(db)
    await upsertUnits(db.kysely, [
      {
        id: UNITS.street,
        name: 's',
        name_en: null,
        type: 'street',
        level: 'street',
        region_code: null,
        parent_id: null,
        phone: null,
      },
    ])
    const svc = createCaseService({
      db: db.kysely,
      clock: () => now,
      env,
      events: { publish: () => undefined },
      processors,
    })
    await insertCases(
      db.kysely,
      [
        openCase(
          {
            id: 'S1',
            channel: 'hotline',
            title: 't',
            description: 'd',
            region: { streetCode: '110101001' },
            reportedAt: mon(9),
          },
          env,
        ),
      ],
      mon(9),
    )
    await svc.act(who(ACTORS.operator), 'S1', { type: 'accept' })
    await svc.act(who(ACTORS.dispatcher), 'S1', { type: 'register', classId: 'E0101' })
    now = mon(10)
    await svc.act(who(ACTORS.dispatcher), 'S1', { type: 'dispatch', unitId: UNITS.street })
  })
  afterAll(async () => {
    await db?.close()
  })

  it('warns, urges, supervises and escalates once each, however often it runs', async () => {
    const pass = async (at: number) => {
      now = at
      return (await sweeper().sweepOnce()).steps
    }
    expect(await pass(mon(10, 47))).toEqual({ warn: 0, urge: 0, supervise: 0, escalate: 0 })
    expect(await pass(mon(10, 48))).toEqual({ warn: 1, urge: 0, supervise: 0, escalate: 0 })
    expect(await pass(mon(10, 50))).toEqual({ warn: 0, urge: 0, supervise: 0, escalate: 0 })
    expect(await pass(mon(11))).toEqual({ warn: 0, urge: 1, supervise: 0, escalate: 0 })
    expect(await pass(mon(15))).toEqual({ warn: 0, urge: 0, supervise: 1, escalate: 0 })
    expect(await pass(tue(15))).toEqual({ warn: 0, urge: 0, supervise: 0, escalate: 1 })
    expect(await pass(tue(15, 1))).toEqual({ warn: 0, urge: 0, supervise: 0, escalate: 0 })

    const c = (await findCase(db.kysely, 'S1'))!
    expect(c).toMatchObject({
      level: 'district',
      supervised: true,
      counters: { urges: 1, supervisions: 1, escalations: 1 },
    })
    const timeline = await timelineOf(db.kysely, 'S1')
    expect(timeline.slice(-4).map((e) => [e.action, e.role])).toEqual([
      ['warn', 'system'],
      ['urge', 'system'],
      ['supervise', 'system'],
      ['escalate', 'system'],
    ])
    expect(published.map((e) => e.type)).toEqual([
      'case.warned',
      'case.urge',
      'case.supervise',
      'case.escalate',
    ])
    // the sweeper's actions move no figure, but the case stays recorded
    expect((await findContribution(db.kysely, 'S1'))?.flags.dueResponse).toBe(1)
  })

  it('does nothing while another node holds the lease', async () => {
    now = tue(16)
    expect(await tryAcquireLease(db.kysely, 'sla-sweep', 'node-2', now, 60_000)).toBe(true)
    expect(await sweeper().sweepOnce()).toMatchObject({ ran: false, examined: 0 })
    now = tue(16) + 60_000
    expect(await sweeper().sweepOnce()).toMatchObject({ ran: true, examined: 1 })
  })
})
