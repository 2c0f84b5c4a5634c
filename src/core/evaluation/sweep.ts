import type { TimeLimit } from '../calendar/calendar.types.ts'
import type {
  Actor,
  Applied,
  Case,
  CaseAction,
  HandlingLevel,
  LifecycleEnv,
  SlaMemo,
  Stage,
  StageLimits,
} from '../case/case.types.ts'
import { OPEN_STAGES } from '../case/case.types.ts'
import { nextLevel } from '../case/guards.ts'
import { apply, stageDue } from '../case/lifecycle.ts'
import { fail, ok } from '../errors.ts'
import type { Result } from '../errors.ts'
import { HOUR } from '../time.ts'
import type { Instant } from '../time.ts'

/**
 * When the sweeper warns, urges, supervises and escalates (docs/evaluation.md, "Deadlines that bite").
 * Delays run from the stage deadline in the calendar's units; stages whose limit is in clock hours
 * (urgent classes: a gas leak is not left until Monday) use the `urgent…` delays.
 */
export interface SweepPolicy {
  /**
   * Warn the unit before expiry when either trigger fires: `fraction` of the stage's time has elapsed,
   * or at most `leadMs` is left (both measured the way the stage's limit is: working or clock time).
   */
  readonly warn: { readonly fraction?: number; readonly leadMs?: number }
  /** 督办 this long after expiry (after the 催办 at expiry) */
  readonly superviseAfter: TimeLimit
  /** then escalate one level (street → district → city) each time this much more has passed */
  readonly escalateAfter: TimeLimit
  readonly urgentSuperviseAfter: TimeLimit
  readonly urgentEscalateAfter: TimeLimit
}

/**
 * Warn at 80 % of the stage's time; urge at expiry; supervise 4 working hours later; escalate one
 * level each further working day. Urgent (clock-hour) stages: supervise 1 hour, escalate every 2 hours.
 */
export const DEFAULT_SWEEP_POLICY: SweepPolicy = Object.freeze({
  warn: Object.freeze({ fraction: 0.8 }),
  superviseAfter: Object.freeze({ amount: 4, unit: 'work-hours' }),
  escalateAfter: Object.freeze({ amount: 1, unit: 'work-days' }),
  urgentSuperviseAfter: Object.freeze({ amount: 1, unit: 'clock-hours' }),
  urgentEscalateAfter: Object.freeze({ amount: 2, unit: 'clock-hours' }),
})

/** The platform itself, as the actor of sweeper actions. */
export const SWEEPER: Actor = Object.freeze({ id: 'system:sla-sweeper', role: 'system', name: 'SLA sweeper' })

export type SweepKind = 'warn' | 'urge' | 'supervise' | 'escalate'

/** One thing the sweeper should do now about one case's current stage deadline. */
export interface SweepStep {
  readonly kind: SweepKind
  readonly stage: Stage
  /** the stage deadline this step is about */
  readonly deadline: Instant
  /** the lifecycle action to apply as SWEEPER (absent for `warn`, which is a notice, not an action) */
  readonly action?: CaseAction
  /** escalate: the level the case moves to */
  readonly toLevel?: HandlingLevel
}

/**
 * What the sweeper should do now about case `c`, in order, given what it already did for the current
 * stage deadline (`c.sla`). Idempotent: once the steps are applied (see `applySweepStep`, which records
 * them in `c.sla`), the same call returns nothing until the next threshold or a new deadline.
 * A sweep that runs late catches up: everything past due is returned at once, except a warning,
 * which is pointless once the deadline has passed (the 催办 says more). Suspended and finished cases,
 * and closed cases awaiting a callback, are not swept.
 */
export function sweepDecision(c: Case, now: Instant, policy: SweepPolicy, env: LifecycleEnv): SweepStep[] {
  const clock = stageClock(c, env)
  if (!clock) {
    return []
  }
  const { deadline, urgent } = clock
  const memo = currentMemo(c, deadline)
  const base = { stage: c.stage, deadline }
  if (now < deadline) {
    if (memo?.warnedAt !== undefined) {
      return []
    }
    const left = clock.measure(now, deadline)
    const span = clock.measure(clock.start, deadline)
    const { fraction, leadMs } = policy.warn
    const byFraction = fraction !== undefined && span > 0 && span - left >= fraction * span
    const byLead = leadMs !== undefined && left <= leadMs
    return byFraction || byLead ? [{ kind: 'warn', ...base }] : []
  }
  const late = describe(clock.measure(deadline, now), urgent)
  const steps: SweepStep[] = []
  if (memo?.urgedAt === undefined) {
    steps.push({
      kind: 'urge',
      ...base,
      action: { type: 'urge', note: `超时催办 overdue ${late} (${c.stage})` },
    })
  }
  const superviseAt = env.addLimit(deadline, urgent ? policy.urgentSuperviseAfter : policy.superviseAfter)
  if (now < superviseAt) {
    return steps
  }
  if (memo?.supervisedAt === undefined) {
    steps.push({
      kind: 'supervise',
      ...base,
      action: { type: 'supervise', note: `超时督办 overdue ${late} (${c.stage})` },
    })
  }
  const every = urgent ? policy.urgentEscalateAfter : policy.escalateAfter
  const done = memo?.escalations ?? 0
  let level = c.level
  let at = superviseAt
  for (let n = 1; ; n++) {
    at = env.addLimit(at, every)
    if (now < at) {
      break
    }
    if (n <= done) {
      continue
    }
    const to = nextLevel(level)
    if (!to) {
      break
    }
    steps.push({
      kind: 'escalate',
      ...base,
      toLevel: to,
      action: { type: 'escalate', reason: `超时升级 overdue ${late} (${c.stage}): ${level} → ${to}` },
    })
    level = to
  }
  return steps
}

/**
 * Apply one sweep step to the case as SWEEPER and record it in `c.sla`: the lifecycle action for urge,
 * supervise and escalate (so it is on the timeline, counted and pushed like a person's), and for warn
 * a timeline entry `warn` with the event `case.warned` to the unit, and nothing else changed.
 * Refuses a step decided for a deadline the case no longer has.
 */
export function applySweepStep(c: Case, step: SweepStep, now: Instant, env: LifecycleEnv): Result<Applied> {
  if (c.stage !== step.stage || stageDue(c) !== step.deadline) {
    return fail(
      'CASE_VERSION_CONFLICT',
      `case ${c.id} has a new deadline since the sweep decided; sweep again`,
    )
  }
  const memo: SlaMemo = currentMemo(c, step.deadline) ?? { stage: c.stage, deadline: step.deadline }
  if (step.kind === 'warn') {
    const payload = { deadline: step.deadline }
    const next: Case = { ...c, version: c.version + 1, sla: { ...memo, warnedAt: now } }
    return ok({
      case: next,
      entry: {
        caseId: c.id,
        action: 'warn',
        from: c.stage,
        to: c.stage,
        actorId: SWEEPER.id,
        role: SWEEPER.role,
        at: now,
        payload,
      },
      events: [{ type: 'case.warned', caseId: c.id, at: now, stage: c.stage, unitId: c.unitId, payload }],
    })
  }
  const r = apply(c, step.action!, SWEEPER, now, env)
  if (!r.ok) {
    return r
  }
  const sla: SlaMemo =
    step.kind === 'urge'
      ? { ...memo, urgedAt: now }
      : step.kind === 'supervise'
        ? { ...memo, supervisedAt: now }
        : { ...memo, escalations: (memo.escalations ?? 0) + 1, lastEscalatedAt: now }
  return ok({ ...r.value, case: { ...r.value.case, sla } })
}

interface StageClock {
  readonly start: Instant
  readonly deadline: Instant
  readonly urgent: boolean
  /** elapsed time between two instants the way the stage's limit counts it */
  readonly measure: (from: Instant, to: Instant) => number
}

/** The stage's deadline, when its clock started, and how its limit counts time. */
function stageClock(c: Case, env: LifecycleEnv): StageClock | undefined {
  if (!OPEN_STAGES.includes(c.stage)) {
    return undefined
  }
  const deadline = stageDue(c)
  if (deadline === undefined) {
    return undefined
  }
  const t = c.times
  const [key, start]: [keyof StageLimits, Instant | undefined] =
    c.stage === 'reported'
      ? ['accept', t.reportedAt]
      : c.stage === 'accepted'
        ? ['dispatch', t.acceptedAt]
        : c.stage === 'registered'
          ? ['dispatch', t.registeredAt ?? t.acceptedAt]
          : c.stage === 'dispatched'
            ? [deadline === c.due.receive ? 'receive' : 'handle', t.dispatchedAt]
            : c.stage === 'handling'
              ? ['handle', t.dispatchedAt]
              : ['verify', t.handledAt]
  const urgent = env.limitsFor(c.classId)[key].unit === 'clock-hours'
  return {
    start: start ?? deadline,
    deadline,
    urgent,
    measure: urgent ? (from, to) => to - from : env.workingMsBetween,
  }
}

function currentMemo(c: Case, deadline: Instant): SlaMemo | undefined {
  return c.sla && c.sla.stage === c.stage && c.sla.deadline === deadline ? c.sla : undefined
}

function describe(ms: number, urgent: boolean): string {
  const hours = Math.round((ms / HOUR) * 10) / 10
  return urgent ? `${hours} h` : `${hours} working h`
}
