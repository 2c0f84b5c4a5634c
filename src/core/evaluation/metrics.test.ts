import { describe, expect, it } from 'vitest'
import { utc } from '../case/case.fixtures.ts'
import type { CaseContribution } from './evaluation.types.ts'
import { DEFAULT_EVALUATION_CONFIG } from './evaluation.types.ts'
import type { Tracked } from './evaluation.fixtures.ts'
import { TEST_EVAL_CONFIG, UNIT, WHO, exclude, registeredCase, step } from './evaluation.fixtures.ts'
import {
  addCounters,
  countersOf,
  emptyCounters,
  figureMembers,
  metricsOf,
  sumContributions,
} from './metrics.ts'
import { periodKeys } from './periods.ts'
import { contributionDeltas } from './rollup-delta.ts'

// Test calendar: 09:00–17:00 UTC, Monday–Friday. Class E0101: receive 1 working hour, handle 2 working
// days (16 working hours). Dispatched Monday 2024-03-04 10:00 → respond by Mon 11:00, handle by Wed 10:00.
const mon = (h: number, m = 0) => utc(2024, 3, 4, h, m)
const tue = (h: number, m = 0) => utc(2024, 3, 5, h, m)
const wed = (h: number, m = 0) => utc(2024, 3, 6, h, m)
const fri29 = (h: number) => utc(2024, 3, 29, h)

const dispatch = { type: 'dispatch', unitId: UNIT } as const
const receive = { type: 'receive' } as const
const report = { type: 'report', note: 'done' } as const
const pass = { type: 'verify', passed: true } as const
const failVerify = { type: 'verify', passed: false, note: 'still blocked' } as const

function dispatched(id: string, at = mon(10)): Tracked {
  return step(registeredCase(id, at - 3_600_000), dispatch, WHO.dispatcher, at)
}
function run(
  t: Tracked,
  ...steps: [Parameters<typeof step>[1], Parameters<typeof step>[2], number][]
): Tracked {
  return steps.reduce((acc, [a, actor, at]) => step(acc, a, actor, at), t)
}

/** The seeded month: nine cases whose every figure is worked out by hand below. */
function seed(): Record<string, Tracked> {
  return {
    // on time everywhere; reporter satisfied, resolved
    A: run(
      dispatched('A'),
      [receive, WHO.handler, mon(10, 30)],
      [report, WHO.handler, tue(12)],
      [pass, WHO.inspector, tue(13)],
      [{ type: 'evaluate', satisfaction: 'satisfied', resolved: true }, WHO.operator, tue(15)],
    ),
    // answered late (11:30 > 11:00), reported late (Wed 11:00 > Wed 10:00); basically satisfied
    B: run(
      dispatched('B'),
      [receive, WHO.handler, mon(11, 30)],
      [report, WHO.handler, wed(11)],
      [pass, WHO.inspector, wed(12)],
      [{ type: 'evaluate', satisfaction: 'basically', resolved: true }, WHO.operator, wed(15)],
    ),
    // reworked once; the passing report (Tue 15:00) beats the first handle deadline; the reporter says unresolved
    C: run(
      dispatched('C'),
      [receive, WHO.handler, mon(10, 15)],
      [report, WHO.handler, tue(10)],
      [failVerify, WHO.inspector, tue(11)],
      [receive, WHO.handler, tue(11, 30)],
      [report, WHO.handler, tue(15)],
      [pass, WHO.inspector, tue(16)],
      [{ type: 'evaluate', satisfaction: 'unsatisfied', resolved: false }, WHO.operator, wed(9)],
    ),
    // answered on time, still being handled
    D: run(dispatched('D'), [receive, WHO.handler, mon(10, 45)]),
    // never answered
    E: dispatched('E'),
    // extension granted (handle by Thu 10:00); reported Wed 16:00 is on time; automatic evaluation only
    F: run(
      dispatched('F'),
      [receive, WHO.handler, mon(10, 20)],
      [{ type: 'extend', limit: { amount: 1, unit: 'work-days' }, reason: 'parts' }, WHO.handler, tue(9)],
      [{ type: 'extend', decision: 'grant' }, WHO.dispatcher, tue(10)],
      [report, WHO.handler, wed(16)],
      [pass, WHO.inspector, wed(16, 30)],
      [{ type: 'evaluate', satisfaction: 'satisfied', resolved: true }, WHO.system, wed(17)],
    ),
    // perfect, but excluded (an unreasonable appeal)
    G: exclude(
      run(
        dispatched('G'),
        [receive, WHO.handler, mon(10, 5)],
        [report, WHO.handler, mon(15)],
        [pass, WHO.inspector, mon(16)],
      ),
    ),
    // returned, then merged into A: leaves every figure
    H: run(
      dispatched('H'),
      [{ type: 'return', reason: 'not ours' }, WHO.handler, mon(10, 30)],
      [{ type: 'merge', targetCaseId: 'A' }, WHO.operator, mon(11)],
    ),
    // dispatched Fri 29 March: handle deadline Tue 2 April, so it counts in April
    I: run(
      dispatched('I', fri29(10)),
      [receive, WHO.handler, fri29(10) + 600_000],
      [report, WHO.handler, fri29(15)],
      [pass, WHO.inspector, fri29(16)],
    ),
  }
}

function march(cases: Record<string, Tracked>): CaseContribution[] {
  return Object.values(cases)
    .map((t) => t.contribution)
    .filter((k): k is CaseContribution => k !== undefined && k.periods.month === '2024-03')
}

describe('metrics over a seeded month', () => {
  const cases = seed()
  const m = metricsOf(sumContributions(march(cases)), TEST_EVAL_CONFIG)

  it('counts a case in the month of the handle deadline its first dispatch set', () => {
    expect(cases.A.contribution!.periods).toEqual({ day: '2024-03-06', week: '2024-W10', month: '2024-03' })
    expect(cases.I.contribution!.periods.month).toBe('2024-04')
    // an extension moves the deadline "on time" is judged by, not the period
    expect(cases.F.contribution!.periods.day).toBe('2024-03-06')
  })

  it('gives every rate as hand-computed numerator / denominator', () => {
    // due a response A B C D E F; on time A C D F
    expect(m.response).toEqual({ numerator: 4, denominator: 6, value: 4 / 6 })
    // closed A B C F of 6 due; on time A C F
    expect(m.closure).toEqual({ numerator: 4, denominator: 6, value: 4 / 6 })
    expect(m.onTimeClosure).toEqual({ numerator: 3, denominator: 6, value: 0.5 })
    // resolved A B F (C's reporter says no, which outweighs the inspector)
    expect(m.resolution).toEqual({ numerator: 3, denominator: 4, value: 0.75 })
    // reworked C
    expect(m.rework).toEqual({ numerator: 1, denominator: 4, value: 0.25 })
    // callbacks A (1) B (0.8) C (0); F's automatic evaluation is no callback
    expect(m.satisfaction).toEqual({ numerator: 1.8, denominator: 3, value: 0.6 })
    expect(m.excluded).toBe(1)
  })

  it('scores 10/45/45: 10×0.6667 + 45×0.75 + 45×0.6 = 67.42', () => {
    expect(m.score).toBe(67.42)
    expect(m.scoreBasis).toEqual(['response', 'resolution', 'satisfaction'])
  })

  it('uses the configured weight for basically satisfied', () => {
    expect(cases.B.contribution!.satisfactionWeight).toBe(0.8)
    const half = { ...TEST_EVAL_CONFIG, basicallyWeight: 0.5 }
    const b = step(
      run(
        dispatched('B3'),
        [receive, WHO.handler, mon(10, 10)],
        [report, WHO.handler, mon(12)],
        [pass, WHO.inspector, mon(13)],
      ),
      { type: 'evaluate', satisfaction: 'basically', resolved: true },
      WHO.operator,
      mon(14),
      undefined,
      half,
    )
    expect(countersOf(b.contribution!).satisfactionMilli).toBe(500)
  })

  it('lists the cases behind each figure', () => {
    const ks = march(cases)
    const resp = figureMembers(ks, 'response')
    expect(resp.denominator.sort()).toEqual(['A', 'B', 'C', 'D', 'E', 'F'])
    expect(resp.numerator.map((n) => n.caseId).sort()).toEqual(['A', 'C', 'D', 'F'])
    expect(resp.excluded).toEqual(['G'])
    const sat = figureMembers(ks, 'satisfaction')
    expect(sat.denominator.sort()).toEqual(['A', 'B', 'C'])
    expect(sat.numerator.sort((x, y) => x.caseId.localeCompare(y.caseId))).toEqual([
      { caseId: 'A', weight: 1 },
      { caseId: 'B', weight: 0.8 },
    ])
  })

  it('reopening takes a case out of closed, resolved and satisfaction again', () => {
    const reopened = step(cases.A, { type: 'reopen', reason: 'blocked again' }, WHO.operator, wed(9))
    const k = reopened.contribution!
    expect([k.flags.closed, k.flags.resolved, k.flags.callbacks, k.flags.dueClose]).toEqual([0, 0, 0, 1])
    // still answered on time: the first 签收 ever counts
    expect(k.flags.respondedOnTime).toBe(1)
    // and the period does not move
    expect(k.periods.month).toBe('2024-03')
  })
})

describe('contributions as a case moves', () => {
  it('contribute nothing before the first dispatch', () => {
    expect(registeredCase('X', mon(9)).contribution).toBeUndefined()
  })

  it('sum, action by action, to the final contribution (old out, new in)', () => {
    const c = seed().C
    let total = emptyCounters()
    const all = [...c.history, c.contribution]
    for (let i = 1; i < all.length; i++) {
      for (const d of contributionDeltas(all[i - 1], all[i])) {
        if (d.periodKind === 'month' && d.dimKind === 'street') {
          total = addCounters(total, d.delta)
        }
      }
    }
    expect(total).toEqual(countersOf(c.contribution!))
  })

  it('write no rollup row for an action that changes no figure', () => {
    const d = seed().D
    const urged = step(d, { type: 'urge' }, WHO.dispatcher, mon(12))
    expect(contributionDeltas(d.contribution, urged.contribution)).toEqual([])
  })

  it('a reassigned case keeps its response limit and handle deadline', () => {
    const e = seed().E
    const moved = step(
      e,
      { type: 'reassign', unitId: 'unit-water', reason: 'water main' },
      WHO.dispatcher,
      tue(9),
    )
    expect(moved.contribution!.memo).toEqual(e.contribution!.memo)
    expect(moved.contribution!.dims.unitId).toBe('unit-water')
  })
})

describe('period keys', () => {
  it('use local time: 23:30 Beijing on 31 January is January, though it is 15:30 UTC', () => {
    const at = utc(2026, 1, 31, 15, 30)
    expect(periodKeys(at, DEFAULT_EVALUATION_CONFIG.utcOffsetMinutes)).toEqual({
      day: '2026-01-31',
      week: '2026-W05',
      month: '2026-01',
    })
    expect(periodKeys(utc(2026, 1, 31, 16, 30), 480).month).toBe('2026-02')
  })

  it('give ISO weeks across the new year', () => {
    expect(periodKeys(utc(2024, 12, 30, 12), 0).week).toBe('2025-W01')
    expect(periodKeys(utc(2027, 1, 1, 12), 0).week).toBe('2026-W53')
  })
})
