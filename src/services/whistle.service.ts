import type { Kysely } from 'kysely'
import type { Case } from '../core/case/case.types.ts'
import type { PeriodKind } from '../core/evaluation/evaluation.types.ts'
import { periodKeys } from '../core/evaluation/periods.ts'
import { AppError } from '../core/errors.ts'
import { whistleAttendance, type Names, type WhistleAttendance } from '../core/health-check/index.ts'
import { periodRange } from '../core/health-check/period.ts'
import type { Instant } from '../core/time.ts'
import type { Database } from '../store/database.ts'
import { whistledCasesIn } from '../store/health-check.repository.ts'
import type { Clock, Principal } from './ports.ts'

export interface WhistleDeps {
  readonly db: Kysely<Database>
  readonly clock: Clock
  readonly utcOffsetMinutes: number
  readonly names: Names
}

export interface WhistleQuery {
  readonly period?: PeriodKind
  /** default: the current period */
  readonly key?: string
  readonly unit?: string
}

export interface WhistleReport {
  readonly period: PeriodKind
  readonly key: string
  readonly from: Instant
  readonly to: Instant
  /** the region the figures cover (the user's scope); absent = the whole city */
  readonly region?: string
  readonly rule: string
  readonly items: readonly WhistleAttendance[]
}

export const WHISTLE_RULE =
  '本期发出的每一次吹哨（summonedAt 在期内）：截止前报到为按时，截止后报到为迟到，已过截止仍未报到为缺席，未到截止为未到期'

/**
 * 吹哨报到 attendance per summoned unit for one period: computed from the cases with a whistle
 * entry in the period (a bounded timeline scan on its `at` index), not from kept counters, so a
 * late report-in after the period still turns "absent" into "late" and nothing can drift.
 * A region-scoped user sees the summons on cases in its region only.
 */
export async function whistle(deps: WhistleDeps, p: Principal, q: WhistleQuery): Promise<WhistleReport> {
  const period = q.period ?? 'month'
  const key = q.key ?? periodKeys(deps.clock(), deps.utcOffsetMinutes)[period]
  const range = periodRange(period, key, deps.utcOffsetMinutes)
  if (!range) {
    throw new AppError(
      'VALIDATION_FAILED',
      `key "${key}" is not a ${period} (e.g. 2026-03, 2026-W11, 2026-03-09)`,
      'key',
    )
  }
  const region = p.regionCode
  const items = await attendanceIn(deps, range.from, range.to, region)
  return {
    period,
    key,
    ...range,
    ...(region ? { region } : {}),
    rule: WHISTLE_RULE,
    items: q.unit ? items.filter((i) => i.unitId === q.unit) : items,
  }
}

/** Attendance over summons issued in [from, to) on cases under `region` (all cases without one). */
export async function attendanceIn(
  deps: WhistleDeps,
  from: Instant,
  to: Instant,
  region?: string,
): Promise<WhistleAttendance[]> {
  const cases = await whistledCases(deps.db, from, to, region)
  return whistleAttendance(cases, { from, to, now: deps.clock() }, deps.names)
}

/** Case docs with a whistle in [from, to), parsed. */
export async function whistledCases(
  db: Kysely<Database>,
  from: Instant,
  to: Instant,
  region?: string,
): Promise<Case[]> {
  return (await whistledCasesIn(db, from, to, region)).map((r) => JSON.parse(r.doc) as Case)
}
