import { domainError, fail, ok } from '../errors.ts'
import type { DomainError, Result } from '../errors.ts'
import type { Instant } from '../time.ts'
import type {
  ActionOf,
  ActionType,
  Actor,
  Applied,
  Case,
  CaseAction,
  CaseKind,
  Channel,
  GeoPoint,
  LifecycleEnv,
  Priority,
  RegionRef,
  Role,
  Stage,
} from './case.types.ts'
import { EFFECTS } from './effects.ts'
import { GUARDS, kindOf } from './guards.ts'

/** Refuses an action for a reason beyond stage, role and unit (payload, windows, pending requests). */
export type Guard<T extends ActionType = ActionType> = (
  c: Case,
  a: ActionOf<T>,
  actor: Actor,
  now: Instant,
  env: LifecycleEnv,
) => DomainError | undefined

/** Produces the outcome of an action that passed every check. */
export type Effect<T extends ActionType = ActionType> = (
  c: Case,
  a: ActionOf<T>,
  actor: Actor,
  now: Instant,
  env: LifecycleEnv,
) => Applied

/**
 * Which unit an actor must belong to: the one the case is assigned to, or one summoned by 吹哨.
 * `appliesTo` limits the check to some roles (a dispatcher may whistle for any unit, a handler only
 * for its own); without it every actor is checked, admin included: admin passes role checks only.
 */
export interface UnitCheck {
  readonly of: 'assigned' | 'summoned'
  readonly appliesTo?: readonly Role[]
}

/** Who may perform an action, what else it needs, and what it does. */
export interface Rule<T extends ActionType = ActionType> {
  readonly roles: readonly Role[]
  readonly unit?: UnitCheck
  guard?(c: Case, a: ActionOf<T>, actor: Actor, now: Instant, env: LifecycleEnv): DomainError | undefined
  effect(c: Case, a: ActionOf<T>, actor: Actor, now: Instant, env: LifecycleEnv): Applied
}

/** The rules allowed in one stage, each typed by its action. */
export type RuleSet = { readonly [T in ActionType]?: Rule<T> }

const OWN_UNIT: UnitCheck = { of: 'assigned' }
const OWN_UNIT_IF_HANDLER: UnitCheck = { of: 'assigned', appliesTo: ['handler'] }

/** Who may do what (DESIGN.md §3). `system` is the platform: intake pipeline, SLA sweeper, sensor rules. */
const RULES: { readonly [T in ActionType]: Rule<T> } = {
  accept: { roles: ['operator', 'system'], effect: EFFECTS.accept },
  reject: { roles: ['operator'], guard: GUARDS.reject, effect: EFFECTS.reject },
  merge: { roles: ['operator', 'system'], guard: GUARDS.merge, effect: EFFECTS.merge },
  register: { roles: ['dispatcher', 'system'], guard: GUARDS.register, effect: EFFECTS.register },
  dispatch: { roles: ['dispatcher', 'system'], guard: GUARDS.dispatch, effect: EFFECTS.dispatch },
  reassign: { roles: ['dispatcher'], guard: GUARDS.reassign, effect: EFFECTS.reassign },
  receive: { roles: ['handler'], unit: OWN_UNIT, effect: EFFECTS.receive },
  return: { roles: ['handler'], unit: OWN_UNIT, guard: GUARDS.return, effect: EFFECTS.return },
  extend: {
    roles: ['handler', 'dispatcher'],
    unit: OWN_UNIT_IF_HANDLER,
    guard: GUARDS.extend,
    effect: EFFECTS.extend,
  },
  suspend: { roles: ['dispatcher'], guard: GUARDS.suspend, effect: EFFECTS.suspend },
  resume: { roles: ['dispatcher'], effect: EFFECTS.resume },
  report: { roles: ['handler'], unit: OWN_UNIT, guard: GUARDS.report, effect: EFFECTS.report },
  verify: {
    roles: ['inspector', 'operator', 'dispatcher', 'system'],
    guard: GUARDS.verify,
    effect: EFFECTS.verify,
  },
  evaluate: { roles: ['operator', 'system'], guard: GUARDS.evaluate, effect: EFFECTS.evaluate },
  reopen: { roles: ['operator'], guard: GUARDS.reopen, effect: EFFECTS.reopen },
  urge: { roles: ['dispatcher', 'leader', 'system'], effect: EFFECTS.urge },
  supervise: {
    roles: ['dispatcher', 'leader', 'system'],
    guard: GUARDS.supervise,
    effect: EFFECTS.supervise,
  },
  instruct: { roles: ['leader'], guard: GUARDS.instruct, effect: EFFECTS.instruct },
  escalate: { roles: ['dispatcher', 'system'], guard: GUARDS.escalate, effect: EFFECTS.escalate },
  whistle: {
    roles: ['handler', 'dispatcher'],
    unit: OWN_UNIT_IF_HANDLER,
    guard: GUARDS.whistle,
    effect: EFFECTS.whistle,
  },
  'report-in': {
    roles: ['handler'],
    unit: { of: 'summoned' },
    guard: GUARDS['report-in'],
    effect: EFFECTS['report-in'],
  },
}

/** Oversight is recorded in every open stage and leaves the stage as it is. */
const OVERSIGHT: RuleSet = {
  urge: RULES.urge,
  supervise: RULES.supervise,
  instruct: RULES.instruct,
  escalate: RULES.escalate,
}
const SUMMONS: RuleSet = { whistle: RULES.whistle, 'report-in': RULES['report-in'] }

/** The transition table: what may happen in each stage. Anything not listed is CASE_ILLEGAL_ACTION. */
export const TRANSITIONS: Readonly<Record<Stage, RuleSet>> = {
  reported: { accept: RULES.accept, reject: RULES.reject, merge: RULES.merge, ...OVERSIGHT },
  accepted: { register: RULES.register, merge: RULES.merge, ...OVERSIGHT },
  registered: { dispatch: RULES.dispatch, merge: RULES.merge, ...OVERSIGHT },
  dispatched: {
    receive: RULES.receive,
    return: RULES.return,
    reassign: RULES.reassign,
    ...SUMMONS,
    ...OVERSIGHT,
  },
  handling: {
    extend: RULES.extend,
    suspend: RULES.suspend,
    report: RULES.report,
    reassign: RULES.reassign,
    ...SUMMONS,
    ...OVERSIGHT,
  },
  suspended: { resume: RULES.resume, ...OVERSIGHT },
  handled: { verify: RULES.verify, ...OVERSIGHT },
  closed: { evaluate: RULES.evaluate, reopen: RULES.reopen },
  evaluated: { reopen: RULES.reopen },
  rejected: {},
  merged: {},
}

/**
 * Applies one action to a case: the next case, its timeline entry and events, or why not.
 * Checks in order: the stage allows the action (CASE_ILLEGAL_ACTION), the actor's role may
 * (FORBIDDEN_ROLE; admin always may), the actor's unit (CASE_NOT_YOUR_UNIT), then the action's
 * own guard (payload and business conditions). Pure: `now` and `env` come from the caller.
 */
export function apply(
  c: Case,
  a: CaseAction,
  actor: Actor,
  now: Instant,
  env: LifecycleEnv,
): Result<Applied> {
  const rules = TRANSITIONS[c.stage]
  // hasOwn: the action type may come straight from a URL, and 'constructor' is no action.
  // The cast forgets which action the rule is for; the table's keys guarantee it is a.type.
  const rule = Object.hasOwn(rules, a.type) ? (rules[a.type] as Rule | undefined) : undefined
  if (!rule) {
    return fail('CASE_ILLEGAL_ACTION', `${a.type} is not allowed in stage ${c.stage}`, undefined, {
      stage: c.stage,
      action: a.type,
      allowed: Object.keys(rules),
    })
  }
  if (actor.role !== 'admin' && !rule.roles.includes(actor.role)) {
    return fail(
      'FORBIDDEN_ROLE',
      `role ${actor.role} may not ${a.type} a case (${rule.roles.join(', ')} may)`,
      undefined,
      {
        role: actor.role,
        action: a.type,
      },
    )
  }
  const denied = unitDenied(c, a.type, actor, rule.unit) ?? rule.guard?.(c, a, actor, now, env)
  if (denied) {
    return { ok: false, error: denied }
  }
  return ok(rule.effect(c, a, actor, now, env))
}

/** One appeal's worth of facts, enough to open a case. */
export interface CaseIntake {
  readonly id: string
  readonly channel: Channel
  readonly title: string
  readonly description: string
  readonly location?: GeoPoint
  readonly address?: string
  readonly region?: RegionRef
  readonly classId?: string
  readonly kind?: CaseKind
  readonly priority?: Priority
  readonly reportedAt: Instant
}

/**
 * A new case in stage `reported`, version 1, with its first appeal counted and the accept deadline
 * running (from the class's limits if triage already guessed a class, else the platform defaults).
 * It starts at street level, the bottom of the escalation ladder; dispatch may set another level.
 */
export function openCase(input: CaseIntake, env: LifecycleEnv): Case {
  const { reportedAt, classId } = input
  return {
    id: input.id,
    version: 1,
    stage: 'reported',
    channel: input.channel,
    title: input.title,
    description: input.description,
    kind: input.kind ?? (classId === undefined ? undefined : kindOf(classId)),
    classId,
    priority: input.priority ?? 'normal',
    location: input.location,
    address: input.address,
    region: input.region ?? {},
    level: 'street',
    due: { accept: env.addLimit(reportedAt, env.limitsFor(classId).accept) },
    supervised: false,
    summons: [],
    counters: {
      appeals: 1,
      returns: 0,
      reworks: 0,
      extensions: 0,
      urges: 0,
      supervisions: 0,
      instructions: 0,
      escalations: 0,
      reopens: 0,
    },
    times: { reportedAt },
  }
}

/**
 * The deadline governing the current stage, the one the SLA sweeper watches: reported → accept;
 * accepted, registered → dispatch; dispatched → the earlier of receive and handle; handling →
 * handle; handled → verify; closed → callback. Suspended and finished cases have none.
 */
export function stageDue(c: Case): Instant | undefined {
  const { due } = c
  switch (c.stage) {
    case 'reported':
      return due.accept
    case 'accepted':
    case 'registered':
      return due.dispatch
    case 'dispatched':
      return earliest(due.receive, due.handle)
    case 'handling':
      return due.handle
    case 'handled':
      return due.verify
    case 'closed':
      return due.callback
    case 'suspended':
    case 'evaluated':
    case 'rejected':
    case 'merged':
      return undefined
  }
}

function earliest(a: Instant | undefined, b: Instant | undefined): Instant | undefined {
  if (a === undefined) {
    return b
  }
  if (b === undefined) {
    return a
  }
  return Math.min(a, b)
}

function unitDenied(
  c: Case,
  action: ActionType,
  actor: Actor,
  check: UnitCheck | undefined,
): DomainError | undefined {
  if (!check || (check.appliesTo && !check.appliesTo.includes(actor.role))) {
    return undefined
  }
  const who = actor.unitId === undefined ? `${actor.role} ${actor.id} (no unit)` : `unit ${actor.unitId}`
  if (check.of === 'assigned') {
    if (actor.unitId !== undefined && actor.unitId === c.unitId) {
      return undefined
    }
    return domainError(
      'CASE_NOT_YOUR_UNIT',
      `case ${c.id} is assigned to unit ${c.unitId}; ${who} may not ${action} it`,
    )
  }
  if (actor.unitId !== undefined && c.summons.some((s) => s.unitId === actor.unitId)) {
    return undefined
  }
  return domainError('CASE_NOT_YOUR_UNIT', `${who} was not summoned to case ${c.id}`)
}
