import type { Kysely } from 'kysely'
import type { Case } from '../core/case/case.types.ts'
import { AppError } from '../core/errors.ts'
import type {
  CaseContribution,
  DimensionKind,
  EvaluationConfig,
  Figure,
  Metrics,
  PeriodKind,
} from '../core/evaluation/evaluation.types.ts'
import {
  DEFAULT_EVALUATION_CONFIG,
  DIMENSION_KINDS,
  FIGURES,
  PERIOD_KINDS,
} from '../core/evaluation/evaluation.types.ts'
import { contributionOf, emptyCounters, metricsOf } from '../core/evaluation/metrics.ts'
import { rank } from '../core/evaluation/ranking.ts'
import type { Ranking } from '../core/evaluation/ranking.ts'
import { findCase } from '../store/case.repository.ts'
import type { Database } from '../store/database.ts'
import * as rollups from '../store/rollup.repository.ts'
import type { CasesBehind, StoredExclusion } from '../store/rollup.repository.ts'
import type { ActionProcessor, AppliedAction } from './case.service.ts'
import type { Clock, Principal } from './ports.ts'

/** One rollup row: a period and a dimension value ('*' for the city). */
export interface FigureQuery {
  readonly periodKind: PeriodKind
  readonly periodKey: string
  readonly dimKind: DimensionKind
  readonly dimValue: string
}

/** Which rows to rank: every value of a dimension kind in one period. */
export interface RankingQuery {
  readonly periodKind: PeriodKind
  readonly periodKey: string
  readonly dimKind: DimensionKind
}

export interface EvaluationService {
  /** the six figures and the score of one row (all zero when nothing counts there yet) */
  metrics(p: Principal, q: FigureQuery): Promise<Metrics>
  /** every street (unit …) of a period, ranked */
  ranking(p: Principal, q: RankingQuery): Promise<Ranking>
  /** the case ids behind one figure of one row */
  casesBehind(p: Principal, q: FigureQuery & { readonly figure: Figure }): Promise<CasesBehind>
  /** exclusion records of the cases counted in one row */
  exclusions(p: Principal, q: FigureQuery): Promise<StoredExclusion[]>
  /** leave a case out of every figure (it stays counted as excluded); leaders and admins only */
  exclude(p: Principal, caseId: string, reason: string): Promise<StoredExclusion>
  /** count an excluded case again; the exclusion record keeps who revoked it and why */
  revokeExclusion(p: Principal, caseId: string, reason: string): Promise<StoredExclusion>
}

export interface EvaluationServiceDeps {
  readonly db: Kysely<Database>
  readonly clock: Clock
  readonly config?: EvaluationConfig
}

/**
 * The processor that keeps rollups exact: inside each action's transaction, the case's recorded
 * contribution out, its new one in. Register it in the case service's (and the sweep service's)
 * `processors`; intake hands it a whole group commit at once.
 */
export function createEvaluationProcessor(
  config: EvaluationConfig = DEFAULT_EVALUATION_CONFIG,
): ActionProcessor {
  const onAppliedBatch = async (tx: Kysely<Database>, actions: readonly AppliedAction[]) => {
    const ids = [...new Set(actions.map((a) => a.before.id))]
    const current = new Map<string, CaseContribution | undefined>(await rollups.findContributions(tx, ids))
    // the recorded contribution knows; only a case not yet counted needs a look at the records
    const excluded = await rollups.excludedAmong(
      tx,
      ids.filter((id) => !current.has(id)),
    )
    // a case's steps chain in memory; the rollups take only the net change per case
    const changes = new Map<
      string,
      { before: CaseContribution | undefined; after: CaseContribution | undefined }
    >()
    for (const { before, applied } of actions) {
      const prior = current.get(before.id)
      const next = contributionOf(
        applied.case,
        {
          prior,
          before,
          action: applied.entry.action,
          actorId: applied.entry.actorId,
          excluded: prior ? prior.flags.excluded === 1 : excluded.has(before.id),
        },
        config,
      )
      const change = changes.get(before.id)
      if (change) {
        change.after = next
      } else {
        changes.set(before.id, { before: prior, after: next })
      }
      current.set(before.id, next)
    }
    await rollups.applyContributionDeltas(tx, [...changes.values()])
  }
  return {
    onApplied: (tx, before, applied, actor) => onAppliedBatch(tx, [{ before, applied, actor }]),
    onAppliedBatch,
  }
}

/** Build the evaluation queries and exclusions over the store. */
export function createEvaluationService(deps: EvaluationServiceDeps): EvaluationService {
  const { db, clock } = deps
  const config = deps.config ?? DEFAULT_EVALUATION_CONFIG

  async function setExcluded(p: Principal, caseId: string, reason: string, excluded: boolean) {
    if (p.actor.role !== 'leader' && p.actor.role !== 'admin') {
      throw new AppError(
        'FORBIDDEN_ROLE',
        `role ${p.actor.role} may not change exclusions; a leader may`,
        'role',
      )
    }
    if (typeof reason !== 'string' || reason.trim() === '') {
      throw new AppError('VALIDATION_FAILED', 'an exclusion needs a reason that says why', 'reason')
    }
    return db.transaction().execute(async (tx) => {
      const c = await findCase(tx, caseId)
      if (!c) {
        throw new AppError('CASE_NOT_FOUND', `case ${caseId} does not exist`, 'caseId')
      }
      const current = await rollups.findExclusion(tx, caseId)
      const active = current !== undefined && current.revokedAt === undefined
      if (active === excluded) {
        throw new AppError(
          'VALIDATION_FAILED',
          excluded ? `case ${caseId} is already excluded` : `case ${caseId} is not excluded`,
          'caseId',
        )
      }
      const now = clock()
      if (excluded) {
        await rollups.upsertExclusion(tx, { caseId, reason: reason.trim(), actorId: p.actor.id, at: now })
      } else {
        await rollups.revokeExclusion(tx, caseId, p.actor.id, reason.trim(), now)
      }
      await recount(tx, c, excluded)
      return (await rollups.findExclusion(tx, caseId))!
    })
  }

  async function recount(tx: Kysely<Database>, c: Case, excluded: boolean) {
    const prior = await rollups.findContribution(tx, c.id)
    // before the first dispatch there is nothing to move; the processor reads the record at dispatch
    if (!prior) {
      return
    }
    await rollups.applyContributionDeltas(tx, [
      { before: prior, after: contributionOf(c, { prior, excluded }, config) },
    ])
  }

  return {
    async metrics(p, q) {
      checkQuery(p, q)
      const [row] = await rollups.queryRollups(db, q)
      return metricsOf(row?.counters ?? emptyCounters(), config)
    },
    async ranking(p, q) {
      checkQuery(p, { ...q, dimValue: '*' })
      const rows = await rollups.queryRollups(db, q)
      return rank(
        rows.map((r) => ({ key: r.dimValue, counters: r.counters })),
        config,
      )
    },
    async casesBehind(p, q) {
      checkQuery(p, q)
      if (!FIGURES.includes(q.figure)) {
        throw new AppError('VALIDATION_FAILED', `figure must be one of ${FIGURES.join(', ')}`, 'figure')
      }
      checkDrillDown(p, q)
      return rollups.casesBehind(db, q)
    },
    async exclusions(p, q) {
      checkQuery(p, q)
      checkDrillDown(p, q)
      return rollups.exclusionsIn(db, q)
    },
    exclude: (p, caseId, reason) => setExcluded(p, caseId, reason, true),
    revokeExclusion: (p, caseId, reason) => setExcluded(p, caseId, reason, false),
  }
}

/**
 * Figures are published city-wide, but case lists are not: someone scoped to a region drills down
 * only inside it.
 */
function checkQuery(_p: Principal, q: FigureQuery): void {
  if (!PERIOD_KINDS.includes(q.periodKind)) {
    throw new AppError(
      'VALIDATION_FAILED',
      `periodKind must be one of ${PERIOD_KINDS.join(', ')}`,
      'periodKind',
    )
  }
  if (!DIMENSION_KINDS.includes(q.dimKind)) {
    throw new AppError('VALIDATION_FAILED', `dimKind must be one of ${DIMENSION_KINDS.join(', ')}`, 'dimKind')
  }
}

function checkDrillDown(p: Principal, q: FigureQuery): void {
  if (!mayDrillDown(p, q)) {
    throw new AppError(
      'FORBIDDEN_SCOPE',
      `the cases behind ${q.dimKind} ${q.dimValue} are outside your region`,
      'dimValue',
    )
  }
}

/** Whether a principal may see the case list behind a row (region-scoped users: only their region). */
export function mayDrillDown(p: Principal, q: FigureQuery): boolean {
  if (!p.regionCode) {
    return true
  }
  const regional = q.dimKind === 'district' || q.dimKind === 'street' || q.dimKind === 'community'
  return regional && q.dimValue.startsWith(p.regionCode)
}
