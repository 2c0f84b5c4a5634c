import { describe, expect, it } from 'vitest'
import type { DomainError } from '../errors.ts'
import { HOUR, MINUTE } from '../time.ts'
import type { Instant } from '../time.ts'
import {
  ACTORS,
  T0,
  TEST_LIMITS,
  TEST_POLICY,
  UNITS,
  URGENT_LIMITS,
  addLimit,
  buildCase,
  testEnv,
  utc,
} from './case.fixtures.ts'
import { OPEN_STAGES, STAGES } from './case.types.ts'
import type { ActionOf, ActionType, Actor, Applied, Case, CaseAction, Stage } from './case.types.ts'
import { apply, openCase, stageDue } from './lifecycle.ts'

const env = testEnv()
/** Monday 11:00, after every `buildCase` step and inside every window the fixtures open. */
const NOW = T0 + HOUR
const mon = (h: number, m = 0) => utc(2024, 3, 4, h, m)
const tue = (h: number, m = 0) => utc(2024, 3, 5, h, m)
const wed = (h: number, m = 0) => utc(2024, 3, 6, h, m)
const thu = (h: number, m = 0) => utc(2024, 3, 7, h, m)
const fri = (h: number, m = 0) => utc(2024, 3, 8, h, m)
const nextMon = (h: number, m = 0) => utc(2024, 3, 11, h, m)

function must(c: Case, a: CaseAction, actor: Actor, now: Instant = NOW): Applied {
  const r = apply(c, a, actor, now, env)
  if (!r.ok) {
    throw new Error(`${a.type} by ${actor.role} refused: ${r.error.code} ${r.error.message}`)
  }
  return r.value
}

function refused(c: Case, a: CaseAction, actor: Actor, now: Instant = NOW): DomainError {
  const r = apply(c, a, actor, now, env)
  if (r.ok) {
    throw new Error(`${a.type} by ${actor.role} was accepted in ${c.stage}`)
  }
  return r.error
}

/** A payload as a careless client might send it: fields missing or of the wrong type. */
const raw = (a: Record<string, unknown>) => a as unknown as CaseAction

// DESIGN.md §3, written out on its own rather than read from TRANSITIONS: action → from → to.
const same = (stages: readonly Stage[]) => Object.fromEntries(stages.map((s) => [s, s]))
const EXPECTED: Record<ActionType, Partial<Record<Stage, Stage>>> = {
  accept: { reported: 'accepted' },
  reject: { reported: 'rejected' },
  merge: { reported: 'merged', accepted: 'merged', registered: 'merged' },
  register: { accepted: 'registered' },
  dispatch: { registered: 'dispatched' },
  reassign: { dispatched: 'dispatched', handling: 'dispatched' },
  receive: { dispatched: 'handling' },
  return: { dispatched: 'registered' },
  extend: { handling: 'handling' },
  suspend: { handling: 'suspended' },
  resume: { suspended: 'handling' },
  report: { handling: 'handled' },
  verify: { handled: 'closed' },
  evaluate: { closed: 'evaluated' },
  reopen: { closed: 'registered', evaluated: 'registered' },
  urge: same(OPEN_STAGES),
  supervise: same(OPEN_STAGES),
  instruct: same(OPEN_STAGES),
  escalate: same(OPEN_STAGES),
  whistle: same(['dispatched', 'handling']),
  'report-in': same(['dispatched', 'handling']),
}

/** A correct call of each action: who, with which payload, after which set-up. */
const CALLS: { [T in ActionType]: { actor: Actor; action: ActionOf<T>; setup?: (c: Case) => Case } } = {
  accept: { actor: ACTORS.operator, action: { type: 'accept' } },
  reject: { actor: ACTORS.operator, action: { type: 'reject', reason: 'advertising, not a city matter' } },
  merge: { actor: ACTORS.operator, action: { type: 'merge', targetCaseId: 'case-0002' } },
  register: { actor: ACTORS.dispatcher, action: { type: 'register', classId: 'E0102' } },
  dispatch: { actor: ACTORS.dispatcher, action: { type: 'dispatch', unitId: UNITS.street } },
  reassign: {
    actor: ACTORS.dispatcher,
    action: { type: 'reassign', unitId: UNITS.water, reason: 'a water main' },
  },
  receive: { actor: ACTORS.handler, action: { type: 'receive' } },
  return: { actor: ACTORS.handler, action: { type: 'return', reason: 'a water main, not ours' } },
  extend: {
    actor: ACTORS.handler,
    action: { type: 'extend', limit: { amount: 1, unit: 'work-days' }, reason: 'parts on order' },
  },
  suspend: { actor: ACTORS.dispatcher, action: { type: 'suspend', reason: 'needs a new pipe' } },
  resume: { actor: ACTORS.dispatcher, action: { type: 'resume' } },
  report: { actor: ACTORS.handler, action: { type: 'report', note: 'drain cleared', photos: ['p1.jpg'] } },
  verify: { actor: ACTORS.inspector, action: { type: 'verify', passed: true } },
  evaluate: {
    actor: ACTORS.operator,
    action: { type: 'evaluate', satisfaction: 'basically', resolved: true },
  },
  reopen: { actor: ACTORS.operator, action: { type: 'reopen', reason: 'flooded again' } },
  urge: { actor: ACTORS.leader, action: { type: 'urge' } },
  supervise: { actor: ACTORS.leader, action: { type: 'supervise', note: 'third complaint this week' } },
  instruct: { actor: ACTORS.leader, action: { type: 'instruct', note: 'fix before the holiday' } },
  escalate: { actor: ACTORS.dispatcher, action: { type: 'escalate', reason: 'crosses two streets' } },
  whistle: {
    actor: ACTORS.handler,
    action: { type: 'whistle', unitIds: [UNITS.water], reason: 'a water main' },
  },
  'report-in': {
    actor: ACTORS.waterHandler,
    action: { type: 'report-in' },
    setup: (c) => ({ ...c, summons: [{ unitId: UNITS.water, due: NOW + HOUR, summonedAt: T0 }] }),
  },
}

const PAIRS = STAGES.flatMap((stage) =>
  (Object.keys(CALLS) as ActionType[]).map((action) => ({ stage, action, to: EXPECTED[action][stage] })),
)

describe('every (stage, action) pair', () => {
  it.each(PAIRS.filter((p) => p.to !== undefined))('$stage + $action → $to', ({ stage, action, to }) => {
    const { actor, action: a, setup } = CALLS[action]
    const before = (setup ?? ((c: Case) => c))(buildCase({ stage }))
    const { case: after, entry, events } = must(before, a, actor)

    expect(after.stage).toBe(to)
    expect(after.version).toBe(before.version + 1)
    expect(entry).toMatchObject({
      caseId: before.id,
      action,
      from: stage,
      to,
      actorId: actor.id,
      role: actor.role,
      at: NOW,
    })
    expect(entry.payload).not.toHaveProperty('type')
    expect(events).toEqual([
      expect.objectContaining({ type: `case.${action}`, caseId: before.id, stage: to, at: NOW }),
    ])
    // the sweeper always has a deadline to watch while the city owes the reporter something
    if (to === 'suspended' || to === 'evaluated' || to === 'rejected' || to === 'merged') {
      expect(stageDue(after)).toBeUndefined()
    } else {
      expect(stageDue(after)).toEqual(expect.any(Number))
    }
  })

  it.each(PAIRS.filter((p) => p.to === undefined))('$stage + $action is illegal', ({ stage, action }) => {
    const { actor, action: a, setup } = CALLS[action]
    const before = (setup ?? ((c: Case) => c))(buildCase({ stage }))
    const error = refused(before, a, actor)
    expect(error.code).toBe('CASE_ILLEGAL_ACTION')
    expect(error.message).toBe(`${action} is not allowed in stage ${stage}`)
  })

  it('refuses an action type that is not an action, however it is spelled', () => {
    for (const type of ['constructor', '__proto__', 'toString', 'close']) {
      expect(refused(buildCase(), raw({ type }), ACTORS.admin).code).toBe('CASE_ILLEGAL_ACTION')
    }
  })

  it('never changes the case it is given', () => {
    const before = buildCase({ stage: 'handling' })
    const copy = structuredClone(before)
    must(before, { type: 'report', note: 'done' }, ACTORS.handler)
    expect(before).toEqual(copy)
  })
})

describe('openCase and stageDue', () => {
  it('opens a reported case at version 1 with its first appeal and the accept deadline running', () => {
    const c = openCase(
      {
        id: 'c1',
        channel: 'patrol',
        title: 'Broken manhole cover',
        description: '...',
        classId: 'C0101',
        reportedAt: fri(16, 30),
      },
      env,
    )
    expect(c).toMatchObject({
      stage: 'reported',
      version: 1,
      kind: 'component',
      level: 'street',
      priority: 'normal',
    })
    expect(c.counters).toMatchObject({ appeals: 1, returns: 0, reworks: 0 })
    // one working hour, half of it on Monday morning
    expect(c.due).toEqual({ accept: nextMon(9, 30) })
    expect(stageDue(c)).toBe(nextMon(9, 30))
  })

  it('names the deadline that governs each stage', () => {
    const at = (stage: Stage) => buildCase({ stage })
    expect(stageDue(at('accepted'))).toBe(at('accepted').due.dispatch)
    expect(stageDue(at('registered'))).toBe(at('registered').due.dispatch)
    expect(stageDue(at('handling'))).toBe(at('handling').due.handle)
    expect(stageDue(at('handled'))).toBe(at('handled').due.verify)
    expect(stageDue(at('closed'))).toBe(at('closed').due.callback)
    expect(stageDue(buildCase({ stage: 'dispatched', due: { receive: wed(10), handle: tue(10) } }))).toBe(
      tue(10),
    )
    expect(stageDue(buildCase({ stage: 'dispatched', due: { receive: mon(12), handle: tue(10) } }))).toBe(
      mon(12),
    )
    for (const stage of ['suspended', 'evaluated', 'rejected', 'merged'] as const) {
      expect(stageDue(buildCase({ stage, due: { handle: wed(10) } }))).toBeUndefined()
    }
  })
})

describe('roles', () => {
  it('refuses a role the table does not list, naming the role and the action', () => {
    const error = refused(buildCase({ stage: 'registered' }), CALLS.dispatch.action, ACTORS.handler)
    expect(error.code).toBe('FORBIDDEN_ROLE')
    expect(error.message).toContain('handler')
    expect(error.message).toContain('dispatch')
  })

  it('lets only a leader instruct, and keeps rejection a person’s call', () => {
    expect(refused(buildCase(), CALLS.instruct.action, ACTORS.dispatcher).code).toBe('FORBIDDEN_ROLE')
    expect(must(buildCase(), CALLS.instruct.action, ACTORS.leader).case.counters.instructions).toBe(1)
    expect(refused(buildCase(), CALLS.reject.action, ACTORS.system).code).toBe('FORBIDDEN_ROLE')
  })

  it('lets the platform accept, register and dispatch on its own', () => {
    let c = must(buildCase(), { type: 'accept' }, ACTORS.system).case
    c = must(c, { type: 'register', classId: 'E0101' }, ACTORS.system).case
    c = must(c, { type: 'dispatch', unitId: UNITS.street }, ACTORS.system).case
    expect(c).toMatchObject({ stage: 'dispatched', unitId: UNITS.street })
  })

  it('lets admin past every role check but not past a unit check', () => {
    expect(must(buildCase(), { type: 'accept' }, ACTORS.admin).case.stage).toBe('accepted')
    expect(refused(buildCase({ stage: 'dispatched' }), { type: 'receive' }, ACTORS.admin).code).toBe(
      'CASE_NOT_YOUR_UNIT',
    )
    const admin = { ...ACTORS.admin, unitId: UNITS.street }
    expect(must(buildCase({ stage: 'dispatched' }), { type: 'receive' }, admin).case.stage).toBe('handling')
  })
})

describe('payloads', () => {
  const withoutReason: [Stage, ActionType, Actor][] = [
    ['reported', 'reject', ACTORS.operator],
    ['dispatched', 'return', ACTORS.handler],
    ['handling', 'reassign', ACTORS.dispatcher],
    ['handling', 'suspend', ACTORS.dispatcher],
    ['closed', 'reopen', ACTORS.operator],
    ['reported', 'escalate', ACTORS.dispatcher],
    ['handling', 'whistle', ACTORS.handler],
    ['handling', 'extend', ACTORS.handler],
  ]
  it.each(withoutReason)('%s + %s needs a reason', (stage, action, actor) => {
    const { reason: _reason, ...rest } = CALLS[action].action as { reason?: string }
    for (const payload of [rest, { ...rest, reason: '   ' }, { ...rest, reason: 42 }]) {
      const error = refused(buildCase({ stage }), raw(payload), actor)
      expect(error).toMatchObject({ code: 'CASE_PAYLOAD_INVALID', field: 'reason' })
    }
  })

  it.each([
    ['handling', raw({ type: 'report' }), ACTORS.handler, 'note'],
    ['reported', raw({ type: 'supervise', note: '' }), ACTORS.leader, 'note'],
    ['reported', raw({ type: 'instruct' }), ACTORS.leader, 'note'],
    ['accepted', raw({ type: 'register' }), ACTORS.dispatcher, 'classId'],
    [
      'accepted',
      raw({ type: 'register', classId: 'E0101', priority: 'asap' }),
      ACTORS.dispatcher,
      'priority',
    ],
    ['registered', raw({ type: 'dispatch' }), ACTORS.dispatcher, 'unitId'],
    ['registered', raw({ type: 'dispatch', unitId: 'u', level: 'province' }), ACTORS.dispatcher, 'level'],
    ['reported', raw({ type: 'merge' }), ACTORS.operator, 'targetCaseId'],
    ['handled', raw({ type: 'verify' }), ACTORS.inspector, 'passed'],
    ['handled', raw({ type: 'verify', passed: 'yes' }), ACTORS.inspector, 'passed'],
    [
      'closed',
      raw({ type: 'evaluate', satisfaction: 'great', resolved: true }),
      ACTORS.operator,
      'satisfaction',
    ],
    ['closed', raw({ type: 'evaluate', satisfaction: 'satisfied' }), ACTORS.operator, 'resolved'],
    ['handling', raw({ type: 'report', note: 'ok', photos: 'p.jpg' }), ACTORS.handler, 'photos'],
    [
      'handling',
      raw({ type: 'report', note: 'ok', position: { lon: 200, lat: 40 } }),
      ACTORS.handler,
      'position',
    ],
    [
      'handling',
      raw({ type: 'extend', limit: { amount: 0, unit: 'work-days' }, reason: 'x' }),
      ACTORS.handler,
      'limit',
    ],
    [
      'handling',
      raw({ type: 'extend', limit: { amount: 1, unit: 'weeks' }, reason: 'x' }),
      ACTORS.handler,
      'limit',
    ],
    ['handling', raw({ type: 'extend', decision: 'maybe' }), ACTORS.dispatcher, 'decision'],
    ['handling', raw({ type: 'whistle', unitIds: [], reason: 'x' }), ACTORS.handler, 'unitIds'],
    ['handling', raw({ type: 'whistle', unitIds: ['a', 'a'], reason: 'x' }), ACTORS.handler, 'unitIds'],
  ] as const)('%s + %o is refused on its field', (stage, action, actor, field) => {
    expect(refused(buildCase({ stage }), action, actor)).toMatchObject({
      code: 'CASE_PAYLOAD_INVALID',
      field,
    })
  })

  it('records the payload, without its type, and the actor’s unit on the timeline', () => {
    const a: CaseAction = { type: 'return', reason: 'not ours' }
    const { entry, events } = must(buildCase({ stage: 'dispatched' }), a, ACTORS.handler)
    expect(entry.payload).toEqual({ reason: 'not ours' })
    expect(entry.unitId).toBe(UNITS.street)
    expect(events[0]?.payload).toEqual({ reason: 'not ours' })
  })
})

describe('units', () => {
  it('lets only the assigned unit receive, return, report or ask for time', () => {
    const dispatched = buildCase({ stage: 'dispatched' })
    const handling = buildCase({ stage: 'handling' })
    for (const [c, a] of [
      [dispatched, CALLS.receive.action],
      [dispatched, CALLS.return.action],
      [handling, CALLS.report.action],
      [handling, CALLS.extend.action],
      [handling, CALLS.whistle.action],
    ] as const) {
      const error = refused(c, a, ACTORS.waterHandler)
      expect(error.code).toBe('CASE_NOT_YOUR_UNIT')
      expect(error.message).toContain(UNITS.street)
    }
    const unitless = { id: 'u-new', role: 'handler' } as const
    expect(refused(dispatched, CALLS.receive.action, unitless).code).toBe('CASE_NOT_YOUR_UNIT')
  })
})

describe('dispatch and receive', () => {
  it('registers with the class’s kind and restarts the dispatch clock by its limit', () => {
    const { case: c } = must(
      buildCase({ stage: 'accepted' }),
      { type: 'register', classId: 'C0101', priority: 'urgent' },
      ACTORS.dispatcher,
    )
    expect(c).toMatchObject({
      classId: 'C0101',
      kind: 'component',
      priority: 'urgent',
      due: { dispatch: mon(13) },
    })
    const error = refused(
      buildCase({ stage: 'accepted' }),
      { type: 'register', classId: 'E9999' },
      ACTORS.dispatcher,
    )
    expect(error).toMatchObject({ code: 'CATALOG_CLASS_UNKNOWN', field: 'classId' })
  })

  it('starts the receive and handle clocks at dispatch and stops the dispatch clock', () => {
    const a: CaseAction = { type: 'dispatch', unitId: UNITS.water, teamId: 'team-3', level: 'district' }
    const { case: c } = must(buildCase({ stage: 'registered' }), a, ACTORS.dispatcher)
    expect(c).toMatchObject({
      unitId: UNITS.water,
      teamId: 'team-3',
      level: 'district',
      times: { dispatchedAt: NOW },
    })
    // 1 working hour to receive; 2 working days (16 working hours) to handle
    expect(c.due).toEqual({ receive: mon(12), handle: wed(11) })
    expect(stageDue(c)).toBe(mon(12))
  })

  it('keeps the first response time through a reassignment', () => {
    let c = must(buildCase({ stage: 'dispatched' }), { type: 'receive' }, ACTORS.handler, mon(11)).case
    expect(c.times).toMatchObject({ receivedAt: mon(11), firstResponseAt: mon(11) })
    expect(c.due.receive).toBeUndefined()
    c = must(c, CALLS.reassign.action, ACTORS.dispatcher, mon(14)).case
    expect(c).toMatchObject({
      stage: 'dispatched',
      unitId: UNITS.water,
      due: { receive: mon(15), handle: wed(14) },
    })
    expect(c.times.receivedAt).toBeUndefined()
    c = must(c, { type: 'receive' }, ACTORS.waterHandler, mon(15)).case
    expect(c.times).toMatchObject({ receivedAt: mon(15), firstResponseAt: mon(11) })
  })

  it('refuses to reassign a case to the unit and team that already hold it', () => {
    const a: CaseAction = { type: 'reassign', unitId: UNITS.street, reason: 'again' }
    expect(refused(buildCase({ stage: 'handling' }), a, ACTORS.dispatcher)).toMatchObject({
      code: 'CASE_PAYLOAD_INVALID',
      field: 'unitId',
    })
    expect(
      must(buildCase({ stage: 'handling' }), { ...a, teamId: 'team-2' }, ACTORS.dispatcher).case.teamId,
    ).toBe('team-2')
  })
})

describe('return window', () => {
  const dispatchedAt = mon(10, 15) // buildCase's dispatch, 3 steps after T0
  const window = addLimit(dispatchedAt, TEST_POLICY.returnWindow)

  it('lets the unit return the case within the window, sending it back to be dispatched', () => {
    expect(buildCase({ stage: 'dispatched' }).times.dispatchedAt).toBe(dispatchedAt)
    const { case: c } = must(buildCase({ stage: 'dispatched' }), CALLS.return.action, ACTORS.handler, window)
    expect(c).toMatchObject({ stage: 'registered', unitId: undefined, counters: { returns: 1 } })
    expect(c.due).toEqual({ dispatch: addLimit(window, TEST_LIMITS.dispatch) })
    expect(c.times.dispatchedAt).toBeUndefined()
  })

  it('closes the window after it', () => {
    const error = refused(
      buildCase({ stage: 'dispatched' }),
      CALLS.return.action,
      ACTORS.handler,
      window + MINUTE,
    )
    expect(error.code).toBe('CASE_RETURN_WINDOW_CLOSED')
    expect(error.message).toContain('2 work-hours')
  })

  it('measures the window in working time, across the weekend', () => {
    const registered = buildCase({ stage: 'registered' })
    const c = must(
      registered,
      { type: 'dispatch', unitId: UNITS.street },
      ACTORS.dispatcher,
      fri(16, 30),
    ).case
    expect(must(c, CALLS.return.action, ACTORS.handler, nextMon(10, 30)).case.stage).toBe('registered')
    expect(refused(c, CALLS.return.action, ACTORS.handler, nextMon(10, 31)).code).toBe(
      'CASE_RETURN_WINDOW_CLOSED',
    )
  })

  it('gives a unit a case is reassigned to a window of its own', () => {
    const c = must(buildCase({ stage: 'handling' }), CALLS.reassign.action, ACTORS.dispatcher, tue(15)).case
    expect(c.times.dispatchedAt).toBe(tue(15))
    expect(must(c, CALLS.return.action, ACTORS.waterHandler, tue(16, 30)).case.stage).toBe('registered')
  })

  it('opens a new window for the next unit after a return', () => {
    let c = must(buildCase({ stage: 'dispatched' }), CALLS.return.action, ACTORS.handler, mon(11)).case
    c = must(c, { type: 'dispatch', unitId: UNITS.water }, ACTORS.dispatcher, wed(9)).case
    expect(must(c, CALLS.return.action, ACTORS.waterHandler, wed(10)).case.counters.returns).toBe(2)
  })
})

describe('verification and rework', () => {
  it('counts every failed verification and hands the work back to the same unit', () => {
    let c = buildCase({ stage: 'handled' })
    c = must(c, { type: 'verify', passed: false, note: 'still flooded' }, ACTORS.inspector, mon(12)).case
    expect(c).toMatchObject({ stage: 'dispatched', unitId: UNITS.street, counters: { reworks: 1 } })
    expect(c.due).toEqual({ receive: mon(13), handle: wed(12) })
    expect(c.times.handledAt).toBeUndefined()

    c = must(c, { type: 'receive' }, ACTORS.handler, mon(13)).case
    c = must(c, { type: 'report', note: 'pumped' }, ACTORS.handler, mon(15)).case
    expect(c.due).toEqual({ verify: tue(15) })
    c = must(c, { type: 'verify', passed: false }, ACTORS.operator, mon(16)).case
    expect(c.counters.reworks).toBe(2)

    c = must(c, { type: 'receive' }, ACTORS.handler, tue(9)).case
    c = must(c, { type: 'report', note: 'drain relaid' }, ACTORS.handler, tue(11)).case
    c = must(c, { type: 'verify', passed: true }, ACTORS.system, tue(12)).case
    expect(c).toMatchObject({
      stage: 'closed',
      resolved: true,
      counters: { reworks: 2 },
      times: { closedAt: tue(12) },
    })
    expect(c.due).toEqual({ callback: fri(12) })
  })

  it('does not let a unit return a reworked case it has long held', () => {
    const c = must(
      buildCase({ stage: 'handled' }),
      { type: 'verify', passed: false },
      ACTORS.inspector,
      tue(12),
    ).case
    expect(refused(c, CALLS.return.action, ACTORS.handler, tue(12)).code).toBe('CASE_RETURN_WINDOW_CLOSED')
  })

  it('records a callback evaluation, or an automatic one by the platform', () => {
    const closed = buildCase({ stage: 'closed' })
    const byPhone = must(
      closed,
      { type: 'evaluate', satisfaction: 'unsatisfied', resolved: false, note: 'slow' },
      ACTORS.operator,
    )
    expect(byPhone.case.evaluation).toEqual({
      satisfaction: 'unsatisfied',
      resolved: false,
      source: 'callback',
      at: NOW,
      note: 'slow',
    })
    expect(byPhone.case.due).toEqual({})
    const auto = must(closed, { type: 'evaluate', satisfaction: 'satisfied', resolved: true }, ACTORS.system)
    expect(auto.case.evaluation?.source).toBe('auto')
  })
})

describe('reopen window', () => {
  const closedAt = mon(10, 30) // buildCase's close, 6 steps after T0
  const window = addLimit(closedAt, TEST_POLICY.reopenWindow) // 5 working days: next Monday 10:30

  it('reopens a closed or evaluated case within the window, back to be dispatched afresh', () => {
    expect(window).toBe(nextMon(10, 30))
    for (const stage of ['closed', 'evaluated'] as const) {
      const { case: c } = must(buildCase({ stage }), CALLS.reopen.action, ACTORS.operator, window)
      expect(c).toMatchObject({
        stage: 'registered',
        unitId: undefined,
        resolved: undefined,
        evaluation: undefined,
      })
      expect(c.counters.reopens).toBe(1)
      expect(c.due).toEqual({ dispatch: nextMon(12, 30) })
      expect(c.times.closedAt).toBeUndefined()
    }
  })

  it('refuses after the window', () => {
    const error = refused(
      buildCase({ stage: 'closed' }),
      CALLS.reopen.action,
      ACTORS.operator,
      window + MINUTE,
    )
    expect(error.code).toBe('CASE_REOPEN_WINDOW_CLOSED')
  })
})

describe('extension', () => {
  const ask: CaseAction = {
    type: 'extend',
    limit: { amount: 1, unit: 'work-days' },
    reason: 'parts on order',
  }

  it('records a request without moving the deadline, and allows one pending request at a time', () => {
    const handling = buildCase({ stage: 'handling' })
    expect(handling.due.handle).toBe(wed(10, 15))
    const { case: c, entry } = must(handling, ask, ACTORS.handler)
    expect(c.extensionRequest).toEqual({
      limit: { amount: 1, unit: 'work-days' },
      reason: 'parts on order',
      requestedBy: 'u-handler',
      at: NOW,
    })
    expect(c.due.handle).toBe(wed(10, 15))
    expect(entry).toMatchObject({ action: 'extend', role: 'handler', payload: { reason: 'parts on order' } })
    expect(refused(c, ask, ACTORS.handler).code).toBe('CASE_ILLEGAL_ACTION')
    expect(
      refused(c, { type: 'extend', limit: { amount: 2, unit: 'work-hours' }, reason: 'x' }, ACTORS.dispatcher)
        .code,
    ).toBe('CASE_ILLEGAL_ACTION')
  })

  it('moves the handle deadline by the requested limit when granted', () => {
    const pending = must(buildCase({ stage: 'handling' }), ask, ACTORS.handler).case
    const { case: c, entry } = must(pending, { type: 'extend', decision: 'grant' }, ACTORS.dispatcher, tue(9))
    expect(c.due.handle).toBe(thu(10, 15))
    expect(c.counters.extensions).toBe(1)
    expect(c.extensionRequest).toBeUndefined()
    expect(entry).toMatchObject({ role: 'dispatcher', payload: { decision: 'grant' } })
    const shorter = must(
      pending,
      { type: 'extend', decision: 'grant', limit: { amount: 2, unit: 'work-hours' } },
      ACTORS.dispatcher,
    )
    expect(shorter.case.due.handle).toBe(wed(12, 15))
  })

  it('leaves the deadline where it was when denied', () => {
    const pending = must(buildCase({ stage: 'handling' }), ask, ACTORS.handler).case
    const { case: c } = must(pending, { type: 'extend', decision: 'deny' }, ACTORS.dispatcher)
    expect(c.due.handle).toBe(wed(10, 15))
    expect(c.counters.extensions).toBe(0)
    expect(c.extensionRequest).toBeUndefined()
  })

  it('needs a pending request to decide, and a dispatcher to decide it', () => {
    const handling = buildCase({ stage: 'handling' })
    expect(refused(handling, { type: 'extend', decision: 'grant' }, ACTORS.dispatcher).code).toBe(
      'CASE_NO_EXTENSION_PENDING',
    )
    const pending = must(handling, ask, ACTORS.handler).case
    expect(refused(pending, { type: 'extend', decision: 'grant' }, ACTORS.handler).code).toBe(
      'FORBIDDEN_ROLE',
    )
  })

  it('lets a dispatcher extend directly', () => {
    const { case: c } = must(
      buildCase({ stage: 'handling' }),
      { type: 'extend', limit: { amount: 2, unit: 'work-hours' }, reason: 'rain' },
      ACTORS.dispatcher,
    )
    expect(c.due.handle).toBe(wed(12, 15))
    expect(c.counters.extensions).toBe(1)
  })
})

describe('suspension', () => {
  const handling = buildCase({ stage: 'handling' }) // handle due Wednesday 10:15, in working days

  it('stops the clock while suspended and pushes the deadline back by the working time paused', () => {
    const suspended = must(handling, CALLS.suspend.action, ACTORS.dispatcher, mon(11)).case
    expect(suspended).toMatchObject({ stage: 'suspended', suspendedAt: mon(11) })
    expect(stageDue(suspended)).toBeUndefined()
    // Monday 11–17, Tuesday 9–17, Wednesday 9–11: 16 working hours = 2 working days
    const { case: c } = must(suspended, { type: 'resume' }, ACTORS.dispatcher, wed(11))
    expect(c).toMatchObject({ stage: 'handling', suspendedAt: undefined })
    expect(c.due.handle).toBe(fri(10, 15))
  })

  it('costs nothing when suspended outside working hours', () => {
    const suspended = must(handling, CALLS.suspend.action, ACTORS.dispatcher, utc(2024, 3, 9, 10)).case
    const { case: c } = must(suspended, { type: 'resume' }, ACTORS.dispatcher, utc(2024, 3, 10, 18))
    expect(c.due.handle).toBe(wed(10, 15))
  })

  it('pauses a clock-hours limit by the clock time suspended', () => {
    const urgent = { ...handling, classId: 'E0401', due: { handle: mon(22) } }
    expect(URGENT_LIMITS.handle.unit).toBe('clock-hours')
    const suspended = must(urgent, CALLS.suspend.action, ACTORS.dispatcher, mon(20)).case
    const { case: c } = must(suspended, { type: 'resume' }, ACTORS.dispatcher, tue(1))
    expect(c.due.handle).toBe(tue(3))
  })
})

describe('吹哨报到: whistle and report-in', () => {
  const handling = buildCase({ stage: 'handling' })
  const whistle: CaseAction = {
    type: 'whistle',
    unitIds: [UNITS.water, UNITS.police],
    reason: 'burst main under the road',
  }

  it('summons each unit with a report-in deadline, and each reports in for itself', () => {
    let c = must(handling, whistle, ACTORS.handler).case
    const due = addLimit(NOW, TEST_POLICY.whistleLimit) // 4 working hours: Monday 15:00
    expect(due).toBe(mon(15))
    expect(c.summons).toEqual([
      { unitId: UNITS.water, due, summonedAt: NOW },
      { unitId: UNITS.police, due, summonedAt: NOW },
    ])
    expect(c.stage).toBe('handling')

    c = must(c, { type: 'report-in', note: 'crew on site' }, ACTORS.waterHandler, mon(12)).case
    expect(c.summons.map((s) => s.reportedAt)).toEqual([mon(12), undefined])
    expect(refused(c, { type: 'report-in' }, ACTORS.waterHandler).code).toBe('CASE_ILLEGAL_ACTION')
    expect(refused(c, { type: 'report-in' }, ACTORS.handler).code).toBe('CASE_NOT_YOUR_UNIT')
  })

  it('refuses to summon a unit that has not yet reported in, but may summon it again after', () => {
    let c = must(handling, whistle, ACTORS.handler).case
    const again: CaseAction = {
      type: 'whistle',
      unitIds: [UNITS.water],
      reason: 'still leaking',
      limit: { amount: 1, unit: 'clock-hours' },
    }
    expect(refused(c, again, ACTORS.handler)).toMatchObject({
      code: 'CASE_PAYLOAD_INVALID',
      field: 'unitIds',
    })
    c = must(c, { type: 'report-in' }, ACTORS.waterHandler, mon(12)).case
    c = must(c, again, ACTORS.dispatcher, mon(13)).case
    expect(c.summons.at(-1)).toEqual({ unitId: UNITS.water, due: mon(14), summonedAt: mon(13) })
    c = must(c, { type: 'report-in' }, ACTORS.waterHandler, mon(13, 30)).case
    const water = c.summons.filter((s) => s.unitId === UNITS.water)
    expect(water.map((s) => s.reportedAt)).toEqual([mon(12), mon(13, 30)])
  })

  it('does not let a unit summon itself', () => {
    const self: CaseAction = { type: 'whistle', unitIds: [UNITS.street], reason: 'x' }
    expect(refused(handling, self, ACTORS.handler)).toMatchObject({
      code: 'CASE_PAYLOAD_INVALID',
      field: 'unitIds',
    })
  })
})

describe('oversight', () => {
  it('records urging, supervision and instructions without moving the case', () => {
    let c = buildCase({ stage: 'dispatched' })
    c = must(c, { type: 'urge' }, ACTORS.system).case
    c = must(c, { type: 'urge', note: 'reporter called again' }, ACTORS.dispatcher).case
    c = must(c, { type: 'supervise', note: 'on the watch list' }, ACTORS.leader).case
    c = must(c, { type: 'instruct', note: 'report by noon' }, ACTORS.leader).case
    expect(c).toMatchObject({
      stage: 'dispatched',
      supervised: true,
      counters: { urges: 2, supervisions: 1, instructions: 1 },
    })
  })

  it('escalates street → district → city, then refuses', () => {
    let c = buildCase({ stage: 'handling' })
    c = must(c, CALLS.escalate.action, ACTORS.dispatcher).case
    expect(c.level).toBe('district')
    c = must(c, CALLS.escalate.action, ACTORS.system).case
    expect(c).toMatchObject({ level: 'city', counters: { escalations: 2 } })
    const error = refused(c, CALLS.escalate.action, ACTORS.dispatcher)
    expect(error.code).toBe('CASE_ILLEGAL_ACTION')
    expect(error.message).toContain('city')
  })
})

describe('merge', () => {
  it('ends the case pointing at its target', () => {
    const { case: c, events } = must(
      buildCase({ stage: 'registered' }),
      { type: 'merge', targetCaseId: 'case-0002', reason: 'same drain' },
      ACTORS.system,
    )
    expect(c).toMatchObject({
      stage: 'merged',
      mergedInto: 'case-0002',
      due: {},
      times: { terminatedAt: NOW },
    })
    expect(events[0]).toMatchObject({
      type: 'case.merge',
      payload: { targetCaseId: 'case-0002', reason: 'same drain' },
    })
  })

  it('refuses to merge a case into itself', () => {
    const error = refused(buildCase(), { type: 'merge', targetCaseId: 'case-0001' }, ACTORS.operator)
    expect(error).toMatchObject({ code: 'CASE_MERGE_TARGET_INVALID', field: 'targetCaseId' })
  })

  it('rejects with the reason kept on the case', () => {
    const { case: c } = must(buildCase(), CALLS.reject.action, ACTORS.operator)
    expect(c).toMatchObject({ stage: 'rejected', rejectReason: 'advertising, not a city matter', due: {} })
  })
})
