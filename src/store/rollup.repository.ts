import type { Kysely } from 'kysely'
import type {
  CaseContribution,
  CounterName,
  Counters,
  DimensionKind,
  Exclusion,
  Figure,
  PeriodKind,
} from '../core/evaluation/evaluation.types.ts'
import { COUNTERS } from '../core/evaluation/evaluation.types.ts'
import { countersOf, FIGURE_PARTS } from '../core/evaluation/metrics.ts'
import { netDeltas } from '../core/evaluation/rollup-delta.ts'
import type { RollupDelta } from '../core/evaluation/rollup-delta.ts'
import type { Instant } from '../core/time.ts'
import { insertRows } from './bulk.ts'
import type { BulkInsert } from './bulk.ts'
import type { Database } from './database.ts'

/** snake_case column of each counter. */
type CounterColumns = { [K in CounterName as SnakeOf<K>]: number }
type SnakeOf<S extends string> = S extends `${infer H}${infer T}`
  ? `${H extends Lowercase<H> ? H : `_${Lowercase<H>}`}${SnakeOf<T>}`
  : S

/** Row types of the evaluation tables (migration 20261127100000_rollups). */
export type MetricRollupTable = CounterColumns & {
  period_kind: string
  period_key: string
  dim_kind: string
  dim_value: string
}

export type CaseContributionTable = CounterColumns & {
  case_id: string
  day_key: string
  week_key: string
  month_key: string
  district: string | null
  street: string | null
  community: string | null
  unit_id: string | null
  handler_id: string | null
  inspector_id: string | null
  class_id: string | null
  /** the whole CaseContribution (with its memo) as JSON */
  doc: string
}

export type MetricExclusionTable = {
  case_id: string
  reason: string
  actor_id: string
  at: number
  revoked_at: number | null
  revoked_by: string | null
  revoke_reason: string | null
}

export type LeaseTable = {
  name: string
  holder: string
  expires_at: number
}

export type RollupTables = {
  metric_rollups: MetricRollupTable
  case_contributions: CaseContributionTable
  metric_exclusions: MetricExclusionTable
  leases: LeaseTable
}

type Db = Kysely<Database>
type Col = keyof CounterColumns

/** Which rollup rows to read: one period, one dimension kind, optionally one value. */
export interface RollupQuery {
  readonly periodKind: PeriodKind
  readonly periodKey: string
  readonly dimKind: DimensionKind
  readonly dimValue?: string
}

/** One rollup row as counters. */
export interface RollupRow {
  readonly dimValue: string
  readonly counters: Counters
}

/** The cases behind one figure of one rollup row. */
export interface CasesBehind {
  readonly figure: Figure
  /** with their weight in the numerator (1, or the satisfaction weight) */
  readonly numerator: readonly { readonly caseId: string; readonly weight: number }[]
  readonly denominator: readonly string[]
  /** cases of the same row left out by exclusion */
  readonly excluded: readonly string[]
}

export interface StoredExclusion extends Exclusion {
  readonly revokedAt?: Instant
  readonly revokedBy?: string
  readonly revokeReason?: string
}

const COLUMN: Readonly<Record<CounterName, Col>> = Object.fromEntries(
  COUNTERS.map((c) => [c, c.replace(/[A-Z]/g, (m) => `_${m.toLowerCase()}`)]),
) as Record<CounterName, Col>
const PERIOD_COLUMN = { day: 'day_key', week: 'week_key', month: 'month_key' } as const
const DIM_COLUMN = {
  district: 'district',
  street: 'street',
  community: 'community',
  unit: 'unit_id',
  handler: 'handler_id',
  inspector: 'inspector_id',
  class: 'class_id',
} as const

/** rows per multi-row statement: a rollup row has 17 parameters, a contribution 25; well within both limits */
const CHUNK = 500
/** every column a contribution record's upsert rewrites */
const CONTRIBUTION_COLUMNS = [
  'day_key',
  'week_key',
  'month_key',
  'district',
  'street',
  'community',
  'unit_id',
  'handler_id',
  'inspector_id',
  'class_id',
  ...COUNTERS.map((k) => COLUMN[k]),
  'doc',
] as const satisfies readonly (keyof CaseContributionTable)[]

function tables(db: Db): Kysely<Database & RollupTables> {
  return db.withTables<RollupTables>()
}

function counterColumns(c: Counters): CounterColumns {
  return Object.fromEntries(COUNTERS.map((k) => [COLUMN[k], c[k]])) as unknown as CounterColumns
}

function countersFrom(row: CounterColumns): Counters {
  return Object.fromEntries(COUNTERS.map((k) => [k, Number(row[COLUMN[k]])])) as Counters
}

/** One case's contribution replaced: `before` (as recorded) by `after` (none: no longer counted). */
export interface ContributionChange {
  readonly before: CaseContribution | undefined
  readonly after: CaseContribution | undefined
}

/**
 * Replace cases' contributions, in order: each `before`'s counters out of its rollup rows, `after`'s
 * in, the deltas summed per row (one multi-row UPSERT `x = x + excluded.x`, same SQL on SQLite and
 * PostgreSQL), and each case's last `after` recorded as its current contribution (or the record
 * removed when undefined). Run it in the transaction of the actions that moved the cases, so rollups
 * are never ahead of or behind the cases.
 */
export async function applyContributionDeltas(db: Db, changes: readonly ContributionChange[]): Promise<void> {
  await insertRows(db, ROLLUP_UPSERT, netDeltas(changes))

  const last = new Map<string, CaseContribution | undefined>()
  for (const { before, after } of changes) {
    const caseId = after?.caseId ?? before?.caseId
    if (caseId) {
      last.set(caseId, after)
    }
  }
  const gone = [...last].flatMap(([id, k]) => (k ? [] : [id]))
  for (let i = 0; i < gone.length; i += CHUNK) {
    await tables(db)
      .deleteFrom('case_contributions')
      .where('case_id', 'in', gone.slice(i, i + CHUNK))
      .execute()
  }
  await insertRows(
    db,
    CONTRIBUTION_UPSERT,
    [...last.values()].flatMap((k) => (k ? [k] : [])),
  )
}

const COUNTER_COLUMNS = COUNTERS.map((k) => COLUMN[k])

/** A rollup row's delta added to what the row holds (the row created at the delta when new). */
const ROLLUP_UPSERT: BulkInsert<RollupDelta> = {
  table: 'metric_rollups',
  columns: ['period_kind', 'period_key', 'dim_kind', 'dim_value', ...COUNTER_COLUMNS],
  values: (d) => [d.periodKind, d.periodKey, d.dimKind, d.dimValue, ...COUNTERS.map((k) => d.delta[k])],
  suffix:
    'on conflict ("period_kind", "period_key", "dim_kind", "dim_value") do update set ' +
    COUNTER_COLUMNS.map((c) => `"${c}" = "metric_rollups"."${c}" + "excluded"."${c}"`).join(', '),
}

/** A case's contribution record, replaced whole. */
const CONTRIBUTION_UPSERT: BulkInsert<CaseContribution> = {
  table: 'case_contributions',
  columns: ['case_id', ...CONTRIBUTION_COLUMNS],
  values: (k) => {
    const row = contributionRow(k)
    return [row.case_id, ...CONTRIBUTION_COLUMNS.map((c) => row[c])]
  },
  suffix:
    'on conflict ("case_id") do update set ' +
    CONTRIBUTION_COLUMNS.map((c) => `"${c}" = "excluded"."${c}"`).join(', '),
}

function contributionRow(k: CaseContribution): CaseContributionTable {
  const d = k.dims
  return {
    case_id: k.caseId,
    day_key: k.periods.day,
    week_key: k.periods.week,
    month_key: k.periods.month,
    district: d.district ?? null,
    street: d.street ?? null,
    community: d.community ?? null,
    unit_id: d.unitId ?? null,
    handler_id: d.handlerId ?? null,
    inspector_id: d.inspectorId ?? null,
    class_id: d.classId ?? null,
    ...counterColumns(countersOf(k)),
    doc: JSON.stringify(k),
  }
}

/** The contribution last applied for a case (undefined before its first dispatch). */
export async function findContribution(db: Db, caseId: string): Promise<CaseContribution | undefined> {
  const row = await tables(db)
    .selectFrom('case_contributions')
    .select('doc')
    .where('case_id', '=', caseId)
    .executeTakeFirst()
  return row ? (JSON.parse(row.doc) as CaseContribution) : undefined
}

/** The contributions last applied for these cases, by case id (none for a case not counted yet). */
export async function findContributions(
  db: Db,
  caseIds: readonly string[],
): Promise<Map<string, CaseContribution>> {
  const out = new Map<string, CaseContribution>()
  for (let i = 0; i < caseIds.length; i += CHUNK) {
    const rows = await tables(db)
      .selectFrom('case_contributions')
      .select('doc')
      .where('case_id', 'in', caseIds.slice(i, i + CHUNK))
      .execute()
    for (const r of rows) {
      const k = JSON.parse(r.doc) as CaseContribution
      out.set(k.caseId, k)
    }
  }
  return out
}

/** Rollup rows of one period and dimension kind (every street of month M), by dimension value. */
export async function queryRollups(db: Db, q: RollupQuery): Promise<RollupRow[]> {
  let query = tables(db)
    .selectFrom('metric_rollups')
    .selectAll()
    .where('period_kind', '=', q.periodKind)
    .where('period_key', '=', q.periodKey)
    .where('dim_kind', '=', q.dimKind)
  if (q.dimValue !== undefined) {
    query = query.where('dim_value', '=', q.dimValue)
  }
  const rows = await query.orderBy('dim_value').execute()
  return rows.map((r) => ({ dimValue: r.dim_value, counters: countersFrom(r) }))
}

/**
 * The cases behind one figure of one rollup row, read from the recorded contributions (the same flags
 * the rollup summed, so the lists always match the counts). Indexed by month + street, district or
 * unit, and by week and day; other combinations scan the period. For drill-down, not the cockpit.
 */
export async function casesBehind(
  db: Db,
  q: Required<RollupQuery> & { figure: Figure },
): Promise<CasesBehind> {
  const { numerator, denominator } = FIGURE_PARTS[q.figure]
  let query = tables(db)
    .selectFrom('case_contributions')
    .select(['case_id', COLUMN[numerator], COLUMN[denominator], 'excluded'])
    .where(PERIOD_COLUMN[q.periodKind], '=', q.periodKey)
    .where((eb) => eb.or([eb(COLUMN[denominator], '=', 1), eb('excluded', '=', 1)]))
  if (q.dimKind !== 'city') {
    query = query.where(DIM_COLUMN[q.dimKind], '=', q.dimValue)
  }
  const rows = (await query.orderBy('case_id').execute()) as unknown as Record<string, unknown>[]
  const num = COLUMN[numerator]
  const den = COLUMN[denominator]
  const inDen = rows.filter((r) => Number(r[den]) === 1)
  return {
    figure: q.figure,
    numerator: inDen
      .filter((r) => Number(r[num]) > 0)
      .map((r) => ({
        caseId: String(r.case_id),
        weight: numerator === 'satisfactionMilli' ? Number(r[num]) / 1000 : Number(r[num]),
      })),
    denominator: inDen.map((r) => String(r.case_id)),
    excluded: rows.filter((r) => Number(r.excluded) === 1).map((r) => String(r.case_id)),
  }
}

/** Record an exclusion (or re-exclude a case whose exclusion was revoked). */
export async function upsertExclusion(db: Db, e: Exclusion): Promise<void> {
  const row = { case_id: e.caseId, reason: e.reason, actor_id: e.actorId, at: e.at }
  const reset = {
    reason: e.reason,
    actor_id: e.actorId,
    at: e.at,
    revoked_at: null,
    revoked_by: null,
    revoke_reason: null,
  }
  await tables(db)
    .insertInto('metric_exclusions')
    .values({ ...row, revoked_at: null, revoked_by: null, revoke_reason: null })
    .onConflict((oc) => oc.column('case_id').doUpdateSet(reset))
    .execute()
}

/** Mark an exclusion revoked; the record stays. */
export async function revokeExclusion(
  db: Db,
  caseId: string,
  by: string,
  reason: string,
  at: Instant,
): Promise<void> {
  await tables(db)
    .updateTable('metric_exclusions')
    .set({ revoked_at: at, revoked_by: by, revoke_reason: reason })
    .where('case_id', '=', caseId)
    .execute()
}

/** A case's exclusion record, revoked or not. */
export async function findExclusion(db: Db, caseId: string): Promise<StoredExclusion | undefined> {
  const r = await tables(db)
    .selectFrom('metric_exclusions')
    .selectAll()
    .where('case_id', '=', caseId)
    .executeTakeFirst()
  return r ? exclusionFrom(r) : undefined
}

/** Which of these cases are excluded now (an exclusion record not revoked). */
export async function excludedAmong(db: Db, caseIds: readonly string[]): Promise<Set<string>> {
  const out = new Set<string>()
  for (let i = 0; i < caseIds.length; i += CHUNK) {
    const rows = await tables(db)
      .selectFrom('metric_exclusions')
      .select('case_id')
      .where('case_id', 'in', caseIds.slice(i, i + CHUNK))
      .where('revoked_at', 'is', null)
      .execute()
    for (const r of rows) {
      out.add(r.case_id)
    }
  }
  return out
}

/** Exclusion records of the cases counted in one rollup row, oldest first. */
export async function exclusionsIn(db: Db, q: Required<RollupQuery>): Promise<StoredExclusion[]> {
  let query = tables(db)
    .selectFrom('metric_exclusions as e')
    .innerJoin('case_contributions as k', 'k.case_id', 'e.case_id')
    .selectAll('e')
    .where(`k.${PERIOD_COLUMN[q.periodKind]}`, '=', q.periodKey)
  if (q.dimKind !== 'city') {
    query = query.where(`k.${DIM_COLUMN[q.dimKind]}`, '=', q.dimValue)
  }
  const rows = await query.orderBy('e.at').orderBy('e.case_id').execute()
  return rows.map(exclusionFrom)
}

function exclusionFrom(r: MetricExclusionTable): StoredExclusion {
  return {
    caseId: r.case_id,
    reason: r.reason,
    actorId: r.actor_id,
    at: Number(r.at),
    ...(r.revoked_at !== null ? { revokedAt: Number(r.revoked_at) } : {}),
    ...(r.revoked_by !== null ? { revokedBy: r.revoked_by } : {}),
    ...(r.revoke_reason !== null ? { revokeReason: r.revoke_reason } : {}),
  }
}

/**
 * Take or renew the named lease for `ttlMs` if it is free, expired or already ours; true if we hold it.
 * One statement, so two nodes racing for it cannot both win.
 */
export async function tryAcquireLease(
  db: Db,
  name: string,
  holder: string,
  now: Instant,
  ttlMs: number,
): Promise<boolean> {
  const t = tables(db)
  await t
    .insertInto('leases')
    .values({ name, holder, expires_at: now + ttlMs })
    .onConflict((oc) =>
      oc
        .column('name')
        .doUpdateSet({ holder, expires_at: now + ttlMs })
        .where((eb) => eb.or([eb('leases.expires_at', '<=', now), eb('leases.holder', '=', holder)])),
    )
    .execute()
  const row = await t.selectFrom('leases').select('holder').where('name', '=', name).executeTakeFirst()
  return row?.holder === holder
}

/** Give the lease up (only if we hold it). */
export async function releaseLease(db: Db, name: string, holder: string): Promise<void> {
  await tables(db).deleteFrom('leases').where('name', '=', name).where('holder', '=', holder).execute()
}

/**
 * Ids of cases in `stages` whose current stage deadline (`due_next`) is at or before `until`, earliest
 * first: the SLA sweeper's candidates, served by the (stage, due_next) index. Kept here, beside the
 * lease, as the sweeper's only query on cases.
 */
export async function caseIdsDueBy(
  db: Db,
  stages: readonly string[],
  until: Instant,
  limit: number,
  after?: { readonly due: Instant; readonly id: string },
): Promise<{ id: string; due: Instant }[]> {
  let q = db
    .selectFrom('cases')
    .select(['id', 'due_next'])
    .where('stage', 'in', stages)
    .where('due_next', 'is not', null)
    .where('due_next', '<=', until)
  if (after) {
    q = q.where((eb) =>
      eb.or([
        eb('due_next', '>', after.due),
        eb.and([eb('due_next', '=', after.due), eb('id', '>', after.id)]),
      ]),
    )
  }
  const rows = await q.orderBy('due_next').orderBy('id').limit(limit).execute()
  return rows.map((r) => ({ id: r.id, due: Number(r.due_next) }))
}
