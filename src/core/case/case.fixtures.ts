import type { TimeLimit } from '../calendar/calendar.types.ts'
import { DAY, HOUR, MINUTE } from '../time.ts'
import type { Instant } from '../time.ts'
import type {
  Actor,
  Case,
  CaseAction,
  LifecycleEnv,
  LifecyclePolicy,
  Stage,
  StageLimits,
} from './case.types.ts'
import { apply, openCase } from './lifecycle.ts'

/*
 * Test factories for anything that handles cases: a tiny working-time calendar, a lifecycle env,
 * one actor per role and `buildCase`, which reaches any stage through the real lifecycle.
 * The test calendar is deliberately simple (09:00–17:00 UTC, Monday to Friday, no lunch break, no
 * holidays, a working day = 8 working hours) and independent of src/core/calendar, so lifecycle
 * tests do not change when the real calendar does.
 */

/** An instant from UTC wall-clock fields (month 1–12), without Date: the core reads no clock. */
export function utc(year: number, month: number, day: number, hour = 0, minute = 0): Instant {
  // days from civil, H. Hinnant (proleptic Gregorian)
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yearOfEra = y - era * 400
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear
  const days = era * 146097 + dayOfEra - 719468
  return days * DAY + hour * HOUR + minute * MINUTE
}

/** Monday 2024-03-04 10:00 UTC, when `buildCase` cases are reported. */
export const T0 = utc(2024, 3, 4, 10)
/** Time between the actions `buildCase` applies: the case reaching stage n actions in was last touched at T0 + n × STEP. */
export const STEP = 5 * MINUTE

export const UNITS = { street: 'unit-street-1', water: 'unit-water', police: 'unit-police' } as const

/** One actor per role; handlers of three units. */
export const ACTORS = {
  operator: { id: 'u-operator', role: 'operator' },
  dispatcher: { id: 'u-dispatcher', role: 'dispatcher' },
  handler: { id: 'u-handler', role: 'handler', unitId: UNITS.street },
  waterHandler: { id: 'u-water', role: 'handler', unitId: UNITS.water },
  policeHandler: { id: 'u-police', role: 'handler', unitId: UNITS.police },
  inspector: { id: 'u-inspector', role: 'inspector' },
  leader: { id: 'u-leader', role: 'leader' },
  admin: { id: 'u-admin', role: 'admin' },
  system: { id: 'system', role: 'system' },
} as const satisfies Record<string, Actor>

/** Limits of every test class except E0401, in working time. */
export const TEST_LIMITS: StageLimits = {
  accept: { amount: 1, unit: 'work-hours' },
  dispatch: { amount: 2, unit: 'work-hours' },
  receive: { amount: 1, unit: 'work-hours' },
  handle: { amount: 2, unit: 'work-days' },
  verify: { amount: 1, unit: 'work-days' },
  callback: { amount: 3, unit: 'work-days' },
}

/** Limits of E0401, an emergency class, in clock hours (24×7). */
export const URGENT_LIMITS: StageLimits = {
  accept: { amount: 0.5, unit: 'clock-hours' },
  dispatch: { amount: 0.5, unit: 'clock-hours' },
  receive: { amount: 1, unit: 'clock-hours' },
  handle: { amount: 4, unit: 'clock-hours' },
  verify: { amount: 2, unit: 'clock-hours' },
  callback: { amount: 24, unit: 'clock-hours' },
}

export const TEST_POLICY: LifecyclePolicy = {
  returnWindow: { amount: 2, unit: 'work-hours' },
  reopenWindow: { amount: 5, unit: 'work-days' },
  whistleLimit: { amount: 4, unit: 'work-hours' },
}

/** Classes the test catalog knows. */
export const TEST_CLASSES: readonly string[] = ['E0101', 'E0102', 'C0101', 'E0401']

const WORK_START = 9 * HOUR
const WORK_END = 17 * HOUR
const WORK_DAY = WORK_END - WORK_START

function isWorkingDay(dayNumber: number): boolean {
  const isoWeekday = ((dayNumber + 3) % 7) + 1 // day 0, 1970-01-01, was a Thursday
  return isoWeekday <= 5
}

/** Working milliseconds in [from, to) on the test calendar. */
export function workingMsBetween(from: Instant, to: Instant): number {
  let total = 0
  for (let d = Math.floor(from / DAY); d * DAY < to; d++) {
    if (!isWorkingDay(d)) {
      continue
    }
    const start = Math.max(from, d * DAY + WORK_START)
    const end = Math.min(to, d * DAY + WORK_END)
    if (end > start) {
      total += end - start
    }
  }
  return total
}

/** The instant `ms` working milliseconds after `from` on the test calendar; a period's end is not rolled to the next morning. */
export function addWorkingMs(from: Instant, ms: number): Instant {
  let left = ms
  if (left <= 0) {
    return from
  }
  for (let d = Math.floor(from / DAY); ; d++) {
    if (!isWorkingDay(d)) {
      continue
    }
    const start = Math.max(from, d * DAY + WORK_START)
    const end = d * DAY + WORK_END
    if (start >= end) {
      continue
    }
    if (left <= end - start) {
      return start + left
    }
    left -= end - start
  }
}

/** A limit added to an instant on the test calendar (a working day = 8 working hours). */
export function addLimit(from: Instant, limit: TimeLimit): Instant {
  switch (limit.unit) {
    case 'clock-hours':
      return from + limit.amount * HOUR
    case 'work-hours':
      return addWorkingMs(from, limit.amount * HOUR)
    case 'work-days':
      return addWorkingMs(from, limit.amount * WORK_DAY)
  }
}

/** The lifecycle env of the tests: test calendar, TEST_CLASSES, TEST_LIMITS (URGENT_LIMITS for E0401), TEST_POLICY. */
export function testEnv(overrides: Partial<LifecycleEnv> = {}): LifecycleEnv {
  return {
    policy: TEST_POLICY,
    limitsFor: (classId) => (classId === 'E0401' ? URGENT_LIMITS : TEST_LIMITS),
    classExists: (classId) => TEST_CLASSES.includes(classId),
    addLimit,
    workingMsBetween,
    addWorkingMs,
    ...overrides,
  }
}

/** How `buildCase` enters each stage: from which stage, by which action, by whom. */
const ROUTE: Readonly<Record<Exclude<Stage, 'reported'>, { from: Stage; action: CaseAction; actor: Actor }>> =
  {
    accepted: { from: 'reported', action: { type: 'accept' }, actor: ACTORS.operator },
    rejected: {
      from: 'reported',
      action: { type: 'reject', reason: 'not a city matter' },
      actor: ACTORS.operator,
    },
    merged: {
      from: 'reported',
      action: { type: 'merge', targetCaseId: 'case-0000' },
      actor: ACTORS.operator,
    },
    registered: {
      from: 'accepted',
      action: { type: 'register', classId: 'E0101' },
      actor: ACTORS.dispatcher,
    },
    dispatched: {
      from: 'registered',
      action: { type: 'dispatch', unitId: UNITS.street },
      actor: ACTORS.dispatcher,
    },
    handling: { from: 'dispatched', action: { type: 'receive' }, actor: ACTORS.handler },
    suspended: {
      from: 'handling',
      action: { type: 'suspend', reason: 'needs a new pipe' },
      actor: ACTORS.dispatcher,
    },
    handled: { from: 'handling', action: { type: 'report', note: 'cleared' }, actor: ACTORS.handler },
    closed: { from: 'handled', action: { type: 'verify', passed: true }, actor: ACTORS.inspector },
    evaluated: {
      from: 'closed',
      action: { type: 'evaluate', satisfaction: 'satisfied', resolved: true },
      actor: ACTORS.operator,
    },
  }

/**
 * A case in `overrides.stage` (default `reported`), reported at T0 and driven there through the
 * real lifecycle one STEP apart (class E0101, unit UNITS.street), so every field is what that stage
 * really looks like; the other overrides are then laid over it (shallowly).
 */
export function buildCase(overrides: Partial<Case> = {}, env: LifecycleEnv = testEnv()): Case {
  const { stage = 'reported', ...rest } = overrides
  return { ...reach(stage, env), ...rest }
}

function reach(stage: Stage, env: LifecycleEnv): Case {
  if (stage === 'reported') {
    const intake = {
      id: 'case-0001',
      channel: 'hotline',
      title: 'Blocked drain',
      description: 'Water over the road',
    } as const
    return openCase({ ...intake, reportedAt: T0 }, env)
  }
  const { from, action, actor } = ROUTE[stage]
  const before = reach(from, env)
  const result = apply(before, action, actor, T0 + before.version * STEP, env)
  if (!result.ok) {
    throw new Error(`buildCase cannot reach ${stage}: ${result.error.message}`)
  }
  return result.value.case
}
