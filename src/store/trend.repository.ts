import { sql, type Kysely } from 'kysely'
import { DAY } from '../core/time.ts'
import type { Database } from './database.ts'

/** Which cases a trend counts. */
export interface TrendFilter {
  /** reported in [fromUtc, toUtc) */
  readonly fromUtc: number
  readonly toUtc: number
  /** the city's offset from UTC, ms: days are local days */
  readonly offsetMs: number
  /** region code prefix (district 6, street 9, …) */
  readonly region?: string
  readonly classId?: string
  readonly unitId?: string
}

/**
 * Cases reported per local day, as (epoch day, count): one GROUP BY over the reported_at range
 * (index cases_reported). Merged cases are duplicates of another case's problem and are not counted.
 */
export async function dailyCounts(
  db: Kysely<Database>,
  f: TrendFilter,
): Promise<{ day: number; count: number }[]> {
  // Both constants are integers the server chose (not user input): as literals, the division is
  // integer division on SQLite and PostgreSQL alike.
  const day = sql<number>`(reported_at + ${sql.lit(Math.trunc(f.offsetMs))}) / ${sql.lit(DAY)}`
  let q = db
    .selectFrom('cases')
    .select([day.as('day'), (eb) => eb.fn.countAll<number>().as('n')])
    .where('reported_at', '>=', f.fromUtc)
    .where('reported_at', '<', f.toUtc)
    .where('stage', '!=', 'merged')
  if (f.region) {
    q = q.where('region_code', 'like', `${f.region}%`)
  }
  if (f.classId) {
    q = q.where('class_id', '=', f.classId)
  }
  if (f.unitId) {
    q = q.where('unit_id', '=', f.unitId)
  }
  const rows = await q.groupBy(day).execute()
  return rows.map((r) => ({ day: Number(r.day), count: Number(r.n) }))
}
