import type { Kysely } from 'kysely'
import type {
  ActionType,
  Applied,
  Case,
  CaseAction,
  CaseEvent,
  LifecycleEnv,
  TimelineDraft,
  Role,
} from '../core/case/case.types.ts'
import { apply, TRANSITIONS } from '../core/case/lifecycle.ts'
import { AppError } from '../core/errors.ts'
import * as cases from '../store/case.repository.ts'
import type { CaseFilter, CasePage, StoredAppeal, TimelineEntry } from '../store/case.repository.ts'
import type { Database } from '../store/database.ts'
import { findUnit } from '../store/user.repository.ts'
import type { Clock, EventPublisher, Principal } from './ports.ts'
import { inScope, scopeFilter } from './scope.ts'

/** Something that must happen inside the action's transaction (the ledger, rollups). */
export interface ActionProcessor {
  onApplied(db: Kysely<Database>, before: Case, applied: Applied, actor: Principal): Promise<void>
  /**
   * The same for many actions committed in one transaction (group commit at intake), in the order
   * they were applied; one case may appear several times. Optional: without it each goes to `onApplied`.
   */
  onAppliedBatch?(db: Kysely<Database>, actions: readonly AppliedAction[]): Promise<void>
}

/** One applied action as a processor hears of it. */
export interface AppliedAction {
  readonly before: Case
  readonly applied: Applied
  readonly actor: Principal
}

/** Hand actions applied in one transaction to each processor, as one batch where it takes one. */
export async function runProcessors(
  db: Kysely<Database>,
  processors: readonly ActionProcessor[],
  actions: readonly AppliedAction[],
): Promise<void> {
  if (actions.length === 0) {
    return
  }
  for (const proc of processors) {
    if (proc.onAppliedBatch) {
      await proc.onAppliedBatch(db, actions)
    } else {
      for (const a of actions) {
        await proc.onApplied(db, a.before, a.applied, a.actor)
      }
    }
  }
}

export interface CaseServiceDeps {
  readonly db: Kysely<Database>
  readonly clock: Clock
  readonly env: LifecycleEnv
  readonly events: EventPublisher
  /** run inside each action's transaction, in order */
  readonly processors?: readonly ActionProcessor[]
}

/** Case use cases other than intake: read, list, act. */
export interface CaseService {
  get(p: Principal, id: string): Promise<Case>
  list(p: Principal, filter: CaseFilter, limit: number, cursor?: string): Promise<CasePage>
  timeline(p: Principal, id: string): Promise<TimelineEntry[]>
  appeals(p: Principal, id: string): Promise<StoredAppeal[]>
  /** Apply an action; `expectedVersion` (the version the client saw) guards against lost updates. */
  act(p: Principal, id: string, action: CaseAction, expectedVersion?: number): Promise<Case>
}

/** Build the case service over its ports. */
export function createCaseService(deps: CaseServiceDeps): CaseService {
  const { db, clock, env, events } = deps

  async function load(p: Principal, id: string): Promise<Case> {
    const c = await cases.findCase(db, id)
    if (!c) {
      throw new AppError('CASE_NOT_FOUND', `case ${id} does not exist`, 'id')
    }
    if (!inScope(p, c)) {
      throw new AppError('FORBIDDEN_SCOPE', `case ${id} is outside your scope`, 'id')
    }
    return c
  }

  async function checkUnits(action: CaseAction): Promise<void> {
    const ids =
      action.type === 'dispatch' || action.type === 'reassign'
        ? [action.unitId]
        : action.type === 'whistle'
          ? action.unitIds
          : []
    for (const unitId of ids) {
      if (!(await findUnit(db, unitId))) {
        throw new AppError('UNIT_UNKNOWN', `unit ${unitId} does not exist`, 'unitId')
      }
    }
  }

  return {
    get: load,

    async list(p, filter, limit, cursor) {
      return cases.listCases(db, scopeFilter(p, filter), limit, cursor)
    },

    async timeline(p, id) {
      await load(p, id)
      return cases.timelineOf(db, id)
    },

    async appeals(p, id) {
      await load(p, id)
      return cases.appealsOf(db, id)
    },

    async act(p, id, action, expectedVersion) {
      // a role that may never take this action hears so before anything about the case itself
      if (!mayEver(p.actor.role, action.type)) {
        throw new AppError('FORBIDDEN_ROLE', `role ${p.actor.role} may not ${action.type} a case`, 'role')
      }
      const before = await load(p, id)
      if (expectedVersion !== undefined && expectedVersion !== before.version) {
        throw new AppError(
          'CASE_VERSION_CONFLICT',
          `case ${id} is at version ${before.version}, not ${expectedVersion}: reload it and try again`,
          'version',
        )
      }
      await checkUnits(action)
      const now = clock()
      const result = apply(before, action, p.actor, now, env)
      if (!result.ok) {
        throw AppError.from(result.error)
      }
      const applied = result.value
      const published: CaseEvent[] = [...applied.events]

      await db.transaction().execute(async (tx) => {
        if (!(await cases.updateCase(tx, applied.case, before.version, now))) {
          throw new AppError(
            'CASE_VERSION_CONFLICT',
            `case ${id} changed while you were acting on it: reload it`,
            'version',
          )
        }
        await cases.insertTimeline(tx, [{ ...applied.entry, seq: applied.case.version }])
        if (action.type === 'merge') {
          published.push(...(await mergeInto(tx, applied.case, action.targetCaseId, p, now)))
        }
        await cases.insertOutbox(tx, published)
        for (const proc of deps.processors ?? []) {
          await proc.onApplied(tx, before, applied, p)
        }
      })
      events.publish(published)
      return applied.case
    },
  }
}

function mayEver(role: Role, type: ActionType): boolean {
  return (
    role === 'admin' ||
    Object.values(TRANSITIONS).some(
      (rules) => Object.hasOwn(rules, type) && rules[type]?.roles.includes(role),
    )
  )
}

/** Move a merged case's appeals to its target and note it on the target's timeline. */
async function mergeInto(
  tx: Kysely<Database>,
  source: Case,
  targetId: string,
  p: Principal,
  now: number,
): Promise<CaseEvent[]> {
  const target = await cases.findCase(tx, targetId)
  if (!target || target.id === source.id || ['rejected', 'merged', 'evaluated'].includes(target.stage)) {
    throw new AppError(
      'CASE_MERGE_TARGET_INVALID',
      `case ${targetId} cannot take appeals (missing or finished)`,
      'targetCaseId',
    )
  }
  const moved = await cases.moveAppeals(tx, source.id, target.id)
  const next: Case = {
    ...target,
    version: target.version + 1,
    counters: { ...target.counters, appeals: target.counters.appeals + moved },
  }
  if (!(await cases.updateCase(tx, next, target.version, now))) {
    throw new AppError(
      'CASE_VERSION_CONFLICT',
      `case ${targetId} changed during the merge: try again`,
      'targetCaseId',
    )
  }
  const entry: TimelineDraft = {
    caseId: target.id,
    action: 'appeal',
    from: target.stage,
    to: target.stage,
    actorId: p.actor.id,
    role: p.actor.role,
    at: now,
    payload: { mergedFrom: source.id, appeals: moved },
  }
  await cases.insertTimeline(tx, [{ ...entry, seq: next.version }])
  return [
    {
      type: 'case.appeal-added',
      caseId: target.id,
      at: now,
      stage: target.stage,
      payload: { mergedFrom: source.id },
    },
  ]
}
