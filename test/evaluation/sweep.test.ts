import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { addLimit, addWorkingMs, parseCalendar, workingMsBetween } from '../../src/core/calendar/calendar.ts'
import { ACTORS, UNITS, testEnv, utc } from '../../src/core/case/case.fixtures.ts'
import type { Actor, Applied, Case, CaseAction } from '../../src/core/case/case.types.ts'
import { apply, openCase } from '../../src/core/case/lifecycle.ts'
import type { SweepPolicy, SweepStep } from '../../src/core/evaluation/sweep.ts'
import {
  DEFAULT_SWEEP_POLICY,
  SWEEPER,
  applySweepStep,
  sweepDecision,
} from '../../src/core/evaluation/sweep.ts'
import { HOUR, MINUTE } from '../../src/core/time.ts'

// The real Beijing calendar: 09:00–12:00 and 13:30–17:30 (7 working hours a day), holidays and make-up days.
const parsed = parseCalendar(JSON.parse(readFileSync('data/calendars/cn-beijing.json', 'utf8')))
if (!parsed.ok) {
  throw new Error(parsed.error.message)
}
const cal = parsed.value
// Class E0101 of the test catalog: receive 1 working hour, handle 2 working days.
const env = testEnv({
  addLimit: (from, limit) => addLimit(cal, from, limit),
  workingMsBetween: (from, to) => workingMsBetween(cal, from, to),
  addWorkingMs: (from, ms) => addWorkingMs(cal, from, ms),
})
/** Beijing wall-clock time (UTC+8). */
const bj = (y: number, mo: number, d: number, h: number, mi = 0) => utc(y, mo, d, h, mi) - 8 * HOUR

function drive(at: number, ...steps: [CaseAction, Actor, number][]): Case {
  let c = openCase(
    { id: 'case-1', channel: 'hotline', title: 'Blocked drain', description: '…', reportedAt: at },
    env,
  )
  const all: [CaseAction, Actor, number][] = [
    [{ type: 'accept' }, ACTORS.operator, at],
    [{ type: 'register', classId: 'E0101' }, ACTORS.dispatcher, at],
    ...steps,
  ]
  for (const [a, actor, t] of all) {
    const r = apply(c, a, actor, t, env)
    if (!r.ok) {
      throw new Error(r.error.message)
    }
    c = r.value.case
  }
  return c
}

/** One sweeper pass: decide, then apply every step to the evolving case (as the sweep service does). */
function sweep(c: Case, now: number, policy: SweepPolicy = DEFAULT_SWEEP_POLICY) {
  const steps = sweepDecision(c, now, policy, env)
  const applied: Applied[] = []
  let cur = c
  for (const s of steps) {
    const r = applySweepStep(cur, s, now, env)
    if (!r.ok) {
      throw new Error(r.error.message)
    }
    applied.push(r.value)
    cur = r.value.case
  }
  return { case: cur, kinds: steps.map((s: SweepStep) => s.kind), applied }
}

const dispatch = { type: 'dispatch', unitId: UNITS.street } as const

describe('SLA sweep across Spring Festival 2026 (Sat 14 Feb make-up day, 15–23 Feb holiday, Sat 28 Feb make-up day)', () => {
  // Dispatched Fri 13 Feb 10:00, received 10:30. Handle limit 2 working days: Sat 14 (make-up) is the
  // first, the holiday is skipped, Tue 24 the second → due Tue 24 Feb 17:30. Working time in the stage:
  // Fri 6 h + Sat 7 h + Tue 7 h = 20 h, so 80 % has elapsed when 4 h are left: Tue 24 12:00 (lunch does not count).
  const handling = drive(
    bj(2026, 2, 13, 9),
    [dispatch, ACTORS.dispatcher, bj(2026, 2, 13, 10)],
    [{ type: 'receive' }, ACTORS.handler, bj(2026, 2, 13, 10, 30)],
  )

  it('sets the deadline the walk below relies on', () => {
    expect(handling.due.handle).toBe(bj(2026, 2, 24, 17, 30))
  })

  it('does nothing on the make-up Saturday, through the holiday, or a minute before 80 %', () => {
    for (const t of [
      bj(2026, 2, 14, 17, 30),
      bj(2026, 2, 20, 12),
      bj(2026, 2, 23, 23, 59),
      bj(2026, 2, 24, 11, 59),
    ]) {
      expect(sweepDecision(handling, t, DEFAULT_SWEEP_POLICY, env)).toEqual([])
    }
  })

  it('warns, urges, supervises and escalates twice, each once, at the hand-computed times', () => {
    // Tue 24 12:00: warn
    let s = sweep(handling, bj(2026, 2, 24, 12))
    expect(s.kinds).toEqual(['warn'])
    expect(s.applied[0].entry).toMatchObject({ action: 'warn', role: 'system', actorId: SWEEPER.id })
    expect(s.applied[0].events[0]).toMatchObject({ type: 'case.warned', unitId: UNITS.street })
    expect(s.case.version).toBe(handling.version + 1)
    // repeated sweeps in the afternoon: nothing new
    expect(sweep(s.case, bj(2026, 2, 24, 17, 29)).kinds).toEqual([])
    // Tue 24 17:30: the deadline passes → 催办
    s = sweep(s.case, bj(2026, 2, 24, 17, 30))
    expect(s.kinds).toEqual(['urge'])
    expect(s.case.counters.urges).toBe(1)
    // supervise 4 working hours after 17:30 Tue: Wed 9:00–12:00 + 13:30–14:30 → Wed 25 14:30
    expect(sweep(s.case, bj(2026, 2, 25, 14, 29)).kinds).toEqual([])
    s = sweep(s.case, bj(2026, 2, 25, 14, 30))
    expect(s.kinds).toEqual(['supervise'])
    expect(s.case.supervised).toBe(true)
    // escalate 1 working day later: close of business Thu 26 → district
    expect(sweep(s.case, bj(2026, 2, 26, 17, 29)).kinds).toEqual([])
    s = sweep(s.case, bj(2026, 2, 26, 17, 30))
    expect(s.kinds).toEqual(['escalate'])
    expect(s.case.level).toBe('district')
    // and one more working day: Fri 27 → city
    s = sweep(s.case, bj(2026, 2, 27, 17, 30))
    expect(s.kinds).toEqual(['escalate'])
    expect(s.case.level).toBe('city')
    // nothing above city, ever
    expect(sweep(s.case, bj(2026, 3, 31, 12)).kinds).toEqual([])
    expect(s.case.counters).toMatchObject({ urges: 1, supervisions: 1, escalations: 2 })
  })

  it('catches up in order when it has not run for days, without a pointless warning', () => {
    const s = sweep(handling, bj(2026, 2, 26, 18))
    expect(s.kinds).toEqual(['urge', 'supervise', 'escalate'])
    expect(s.case.level).toBe('district')
    expect(s.case.sla).toMatchObject({ deadline: bj(2026, 2, 24, 17, 30), escalations: 1 })
    expect(sweep(s.case, bj(2026, 2, 26, 18)).kinds).toEqual([])
  })

  it('starts afresh when an extension sets a new deadline', () => {
    const urged = sweep(handling, bj(2026, 2, 24, 18)).case
    const extended = apply(
      urged,
      { type: 'extend', limit: { amount: 1, unit: 'work-days' }, reason: 'pipe on order' },
      ACTORS.dispatcher,
      bj(2026, 2, 24, 18),
      env,
    )
    if (!extended.ok) {
      throw new Error(extended.error.message)
    }
    // new deadline Wed 25 17:30; a sweep at once has nothing to do, one at 16:00 Wed warns again
    expect(extended.value.case.due.handle).toBe(bj(2026, 2, 25, 17, 30))
    expect(sweep(extended.value.case, bj(2026, 2, 24, 18, 1)).kinds).toEqual([])
    expect(sweep(extended.value.case, bj(2026, 2, 25, 16)).kinds).toEqual(['warn'])
  })

  it('watches the response limit on the make-up Saturday and supervises only after the holiday', () => {
    // dispatched Sat 14 Feb 16:00 (a working day): respond by 17:00, warn at 80 % (16:48)
    const d = drive(bj(2026, 2, 14, 15), [dispatch, ACTORS.dispatcher, bj(2026, 2, 14, 16)])
    expect(d.due.receive).toBe(bj(2026, 2, 14, 17))
    expect(sweep(d, bj(2026, 2, 14, 16, 47)).kinds).toEqual([])
    const warned = sweep(d, bj(2026, 2, 14, 16, 48))
    expect(warned.kinds).toEqual(['warn'])
    const urged = sweep(warned.case, bj(2026, 2, 14, 17))
    expect(urged.kinds).toEqual(['urge'])
    // 4 working hours after Sat 17:00: 0.5 h that Saturday, then 3.5 h from Tue 24 → Tue 24 14:00
    expect(sweep(urged.case, bj(2026, 2, 23, 23)).kinds).toEqual([])
    expect(sweep(urged.case, bj(2026, 2, 24, 14)).kinds).toEqual(['supervise'])
  })
})

describe('SLA sweep across National Day 2025 (Sun 28 Sep make-up day, 1–8 Oct holiday)', () => {
  it('counts the make-up Sunday and skips the holiday', () => {
    // dispatched Fri 26 Sep 16:00; 2 working days: Sun 28 (make-up), Mon 29 → due Mon 29 17:30
    const c = drive(
      bj(2025, 9, 26, 15),
      [dispatch, ACTORS.dispatcher, bj(2025, 9, 26, 16)],
      [{ type: 'receive' }, ACTORS.handler, bj(2025, 9, 26, 16, 10)],
    )
    expect(c.due.handle).toBe(bj(2025, 9, 29, 17, 30))
    const urged = sweep(c, bj(2025, 9, 29, 17, 30))
    expect(urged.kinds).toEqual(['urge'])
    // supervise Tue 30 Sep 14:30; escalate at close of business of the next working day, Thu 9 Oct
    const supervised = sweep(urged.case, bj(2025, 9, 30, 14, 30))
    expect(supervised.kinds).toEqual(['supervise'])
    expect(sweep(supervised.case, bj(2025, 10, 8, 23)).kinds).toEqual([])
    expect(sweep(supervised.case, bj(2025, 10, 9, 17, 30)).kinds).toEqual(['escalate'])
  })
})

describe('SLA sweep of urgent classes (clock hours)', () => {
  it('does not wait for Monday: supervises 1 h and escalates 2 h after expiry, night or holiday', () => {
    // E0401: receive 1 clock hour, handle 4 clock hours, dispatched Sun 15 Feb 2026 (a holiday) 22:00
    let c = openCase(
      {
        id: 'case-2',
        channel: 'sensor',
        title: 'Gas leak',
        description: '…',
        classId: 'E0401',
        reportedAt: bj(2026, 2, 15, 21),
      },
      env,
    )
    for (const [a, actor] of [
      [{ type: 'accept' }, ACTORS.operator],
      [{ type: 'register', classId: 'E0401' }, ACTORS.dispatcher],
      [dispatch, ACTORS.dispatcher],
    ] as [CaseAction, Actor][]) {
      const r = apply(c, a, actor, bj(2026, 2, 15, 22), env)
      if (!r.ok) {
        throw new Error(r.error.message)
      }
      c = r.value.case
    }
    expect(sweep(c, bj(2026, 2, 15, 23)).kinds).toEqual(['urge'])
    expect(sweep(c, bj(2026, 2, 16, 0)).kinds).toEqual(['urge', 'supervise'])
    expect(sweep(c, bj(2026, 2, 16, 2)).kinds).toEqual(['urge', 'supervise', 'escalate'])
  })

  it('warns by lead time when the policy says so', () => {
    const d = drive(bj(2026, 3, 2, 9), [dispatch, ACTORS.dispatcher, bj(2026, 3, 2, 9)])
    // respond by 10:00; with a 15-minute lead and no fraction, warn from 9:45
    const policy = { ...DEFAULT_SWEEP_POLICY, warn: { leadMs: 15 * MINUTE } }
    expect(sweepDecision(d, bj(2026, 3, 2, 9, 44), policy, env)).toEqual([])
    expect(sweepDecision(d, bj(2026, 3, 2, 9, 45), policy, env).map((s) => s.kind)).toEqual(['warn'])
  })

  it('refuses a step decided for a deadline the case no longer has', () => {
    const d = drive(bj(2026, 3, 2, 9), [dispatch, ACTORS.dispatcher, bj(2026, 3, 2, 9)])
    const [urge] = sweepDecision(d, bj(2026, 3, 2, 10, 30), DEFAULT_SWEEP_POLICY, env)
    const received = apply(d, { type: 'receive' }, ACTORS.handler, bj(2026, 3, 2, 10, 31), env)
    if (!received.ok) {
      throw new Error(received.error.message)
    }
    const r = applySweepStep(received.value.case, urge, bj(2026, 3, 2, 10, 32), env)
    expect(r.ok).toBe(false)
  })
})
