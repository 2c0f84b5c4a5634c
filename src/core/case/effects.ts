import type { TimeLimit } from '../calendar/calendar.types.ts'
import type { Instant } from '../time.ts'
import type {
  ActionType,
  Actor,
  Applied,
  Case,
  CaseAction,
  CaseCounters,
  CaseEvent,
  Deadlines,
  LifecycleEnv,
  TimelineDraft,
} from './case.types.ts'
import { extendMode, kindOf, nextLevel, pendingSummons } from './guards.ts'
import type { Effect } from './lifecycle.ts'

/**
 * What each action does to a case, once `apply` has let it through. Conventions:
 * - A change of stage writes the whole `due` set, so only the new stage's deadlines run and no
 *   stale one lingers: reported {accept}; accepted, registered {dispatch}; dispatched {receive,
 *   handle}; handling, suspended {handle}; handled {verify}; closed {callback}; otherwise none.
 * - `times` describe the current pass through the loop: when a case goes back (return, rework,
 *   reopen), the marks of the stages it left are cleared; the timeline keeps the history.
 *   `firstResponseAt` is the exception: the first 签收 ever, for the response rate.
 */
export const EFFECTS: { readonly [T in ActionType]: Effect<T> } = {
  /** Starts a provisional dispatch deadline so an accepted but unclassified case is still watched. */
  accept: (c, a, actor, now, env) =>
    transition(c, a, actor, now, {
      stage: 'accepted',
      times: { ...c.times, acceptedAt: now },
      due: { dispatch: env.addLimit(now, env.limitsFor(c.classId).dispatch) },
    }),
  reject: (c, a, actor, now) =>
    transition(c, a, actor, now, { stage: 'rejected', rejectReason: a.reason, ...terminated(c, now) }),
  /** Only points at the target; moving the appeals and telling the reporters is the service's job. */
  merge: (c, a, actor, now) =>
    transition(c, a, actor, now, { stage: 'merged', mergedInto: a.targetCaseId, ...terminated(c, now) }),
  /** The class's dispatch limit runs from registration (StageLimits.dispatch is register → dispatch). */
  register: (c, a, actor, now, env) =>
    transition(c, a, actor, now, {
      stage: 'registered',
      classId: a.classId,
      kind: kindOf(a.classId),
      priority: a.priority ?? c.priority,
      times: { ...c.times, registeredAt: now },
      due: { dispatch: env.addLimit(now, env.limitsFor(a.classId).dispatch) },
    }),
  dispatch: (c, a, actor, now, env) =>
    transition(c, a, actor, now, {
      stage: 'dispatched',
      unitId: a.unitId,
      teamId: a.teamId,
      level: a.level ?? c.level,
      times: { ...c.times, dispatchedAt: now },
      due: handlingDeadlines(c, now, env),
    }),
  /** A new unit starts afresh: new dispatch time (so it may return the case), new deadlines. */
  reassign: (c, a, actor, now, env) =>
    transition(c, a, actor, now, {
      stage: 'dispatched',
      unitId: a.unitId,
      teamId: a.teamId,
      extensionRequest: undefined,
      times: { ...c.times, dispatchedAt: now, receivedAt: undefined },
      due: handlingDeadlines(c, now, env),
    }),
  receive: (c, a, actor, now) =>
    transition(c, a, actor, now, {
      stage: 'handling',
      times: { ...c.times, receivedAt: now, firstResponseAt: c.times.firstResponseAt ?? now },
      due: { handle: c.due.handle },
    }),
  return: (c, a, actor, now, env) =>
    transition(c, a, actor, now, {
      stage: 'registered',
      unitId: undefined,
      teamId: undefined,
      counters: bump(c.counters, 'returns'),
      times: { ...c.times, dispatchedAt: undefined },
      due: { dispatch: env.addLimit(now, env.limitsFor(c.classId).dispatch) },
    }),
  /**
   * A handler's request waits for a dispatcher. A grant moves the handle deadline on from where it
   * stands by the requested limit (or by `limit`, if the dispatcher grants a different one).
   */
  extend: (c, a, actor, now, env) => {
    const request = c.extensionRequest
    switch (extendMode(a, actor)) {
      case 'request':
        // the guard has checked that limit and reason are present
        return transition(c, a, actor, now, {
          extensionRequest: { limit: a.limit!, reason: a.reason!, requestedBy: actor.id, at: now },
        })
      case 'decide':
        if (a.decision === 'deny' || !request) {
          return transition(c, a, actor, now, { extensionRequest: undefined })
        }
        return transition(c, a, actor, now, {
          extensionRequest: undefined,
          ...extended(c, a.limit ?? request.limit, now, env),
        })
      case 'direct':
        return transition(c, a, actor, now, extended(c, a.limit!, now, env))
    }
  },
  suspend: (c, a, actor, now) => transition(c, a, actor, now, { stage: 'suspended', suspendedAt: now }),
  resume: (c, a, actor, now, env) =>
    transition(c, a, actor, now, { stage: 'handling', suspendedAt: undefined, due: resumed(c, now, env) }),
  /** A pending extension request is moot once the work is reported. */
  report: (c, a, actor, now, env) =>
    transition(c, a, actor, now, {
      stage: 'handled',
      extensionRequest: undefined,
      times: { ...c.times, handledAt: now },
      due: { verify: env.addLimit(now, env.limitsFor(c.classId).verify) },
    }),
  /** A failed verification is a rework: back to the same unit, which must receive it again. */
  verify: (c, a, actor, now, env) =>
    a.passed
      ? transition(c, a, actor, now, {
          stage: 'closed',
          resolved: true,
          times: { ...c.times, closedAt: now },
          due: { callback: env.addLimit(now, env.limitsFor(c.classId).callback) },
        })
      : transition(c, a, actor, now, {
          stage: 'dispatched',
          counters: bump(c.counters, 'reworks'),
          times: { ...c.times, receivedAt: undefined, handledAt: undefined },
          due: handlingDeadlines(c, now, env),
        }),
  /** `source` defaults to 'auto' for the platform and 'callback' for a person. */
  evaluate: (c, a, actor, now) =>
    transition(c, a, actor, now, {
      stage: 'evaluated',
      evaluation: {
        satisfaction: a.satisfaction,
        resolved: a.resolved,
        source: a.source ?? (actor.role === 'system' ? 'auto' : 'callback'),
        at: now,
        note: a.note,
      },
      times: { ...c.times, evaluatedAt: now },
      due: {},
    }),
  /** The problem recurred: the case goes back to be dispatched afresh, its earlier outcome void. */
  reopen: (c, a, actor, now, env) =>
    transition(c, a, actor, now, {
      stage: 'registered',
      unitId: undefined,
      teamId: undefined,
      resolved: undefined,
      evaluation: undefined,
      counters: bump(c.counters, 'reopens'),
      times: {
        ...c.times,
        dispatchedAt: undefined,
        receivedAt: undefined,
        handledAt: undefined,
        closedAt: undefined,
        evaluatedAt: undefined,
      },
      due: { dispatch: env.addLimit(now, env.limitsFor(c.classId).dispatch) },
    }),
  urge: (c, a, actor, now) => transition(c, a, actor, now, { counters: bump(c.counters, 'urges') }),
  supervise: (c, a, actor, now) =>
    transition(c, a, actor, now, { supervised: true, counters: bump(c.counters, 'supervisions') }),
  instruct: (c, a, actor, now) =>
    transition(c, a, actor, now, { counters: bump(c.counters, 'instructions') }),
  escalate: (c, a, actor, now) =>
    transition(c, a, actor, now, {
      level: nextLevel(c.level) ?? c.level,
      counters: bump(c.counters, 'escalations'),
    }),
  whistle: (c, a, actor, now, env) => {
    const due = env.addLimit(now, a.limit ?? env.policy.whistleLimit)
    const summoned = a.unitIds.map((unitId) => ({ unitId, due, summonedAt: now }))
    return transition(c, a, actor, now, { summons: [...c.summons, ...summoned] })
  },
  'report-in': (c, a, actor, now) => {
    const pending = pendingSummons(c, actor.unitId)
    return transition(c, a, actor, now, {
      summons: c.summons.map((s) => (s === pending ? { ...s, reportedAt: now } : s)),
    })
  },
}

/**
 * The one way an effect produces its outcome: the next version of the case, one timeline entry
 * and one `case.<action>` event. Both carry the action's payload without its `type`. The entry's
 * unit is the actor's (who acted, from where); the event's is the case's (who must hear of it).
 */
function transition(
  c: Case,
  a: CaseAction,
  actor: Actor,
  now: Instant,
  changes: Partial<Omit<Case, 'id' | 'version'>>,
): Applied {
  const { type, ...payload } = a
  const next: Case = { ...c, ...changes, version: c.version + 1 }
  const entry: TimelineDraft = {
    caseId: c.id,
    action: type,
    from: c.stage,
    to: next.stage,
    actorId: actor.id,
    role: actor.role,
    unitId: actor.unitId,
    at: now,
    payload,
  }
  const event: CaseEvent = {
    type: `case.${type}`,
    caseId: c.id,
    at: now,
    stage: next.stage,
    unitId: next.unitId,
    payload,
  }
  return { case: next, entry, events: [event] }
}

function terminated(c: Case, now: Instant): Pick<Case, 'times' | 'due'> {
  return { times: { ...c.times, terminatedAt: now }, due: {} }
}

function bump(counters: CaseCounters, key: keyof CaseCounters): CaseCounters {
  return { ...counters, [key]: counters[key] + 1 }
}

/** Receive and handle limits both run from the moment the unit gets the case. */
function handlingDeadlines(c: Case, now: Instant, env: LifecycleEnv): Deadlines {
  const limits = env.limitsFor(c.classId)
  return { receive: env.addLimit(now, limits.receive), handle: env.addLimit(now, limits.handle) }
}

/**
 * Moves the handle deadline on from where it stands, not from now: an extension granted after the
 * deadline passed does not forgive more lateness than its own length.
 */
function extended(
  c: Case,
  limit: TimeLimit,
  now: Instant,
  env: LifecycleEnv,
): Pick<Case, 'due' | 'counters'> {
  return {
    due: { ...c.due, handle: env.addLimit(c.due.handle ?? now, limit) },
    counters: bump(c.counters, 'extensions'),
  }
}

/**
 * The clock did not run while suspended: push each running deadline back by the time paused,
 * measured the way its limit is measured (clock time, or working time for working units).
 */
function resumed(c: Case, now: Instant, env: LifecycleEnv): Deadlines {
  const limits = env.limitsFor(c.classId)
  const since = c.suspendedAt ?? now
  const shift = (due: Instant | undefined, limit: TimeLimit): Instant | undefined => {
    if (due === undefined) {
      return undefined
    }
    if (limit.unit === 'clock-hours') {
      return due + (now - since)
    }
    const paused = env.workingMsBetween(since, now)
    return paused > 0 ? env.addWorkingMs(due, paused) : due
  }
  return {
    ...c.due,
    receive: shift(c.due.receive, limits.receive),
    handle: shift(c.due.handle, limits.handle),
  }
}
