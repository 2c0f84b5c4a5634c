import type { Kysely } from 'kysely'
import type { Instant } from '../core/time.ts'
import type { Database } from './database.ts'
import type { RollupTables } from './rollup.repository.ts'

// Every query here is bounded by a time index (cases.reported_at or timeline.at) and narrowed to one
// region by the region_code prefix: the health check is a report run on demand, so one period of
// one district is read row by row, never the whole history.

/** Case docs reported in [from, to) under a region prefix, with the evaluation's on-time flag. */
export async function casesReportedIn(
  db: Kysely<Database>,
  region: string,
  from: Instant,
  to: Instant,
): Promise<{ doc: string; closedOnTime: number | null }[]> {
  return db
    .withTables<RollupTables>()
    .selectFrom('cases')
    .leftJoin('case_contributions as k', 'k.case_id', 'cases.id')
    .select(['cases.doc as doc', 'k.closed_on_time as closedOnTime'])
    .where('cases.reported_at', '>=', from)
    .where('cases.reported_at', '<', to)
    .where('cases.region_code', 'like', `${region}%`)
    .orderBy('cases.reported_at')
    .orderBy('cases.id')
    .execute()
}

/**
 * Patrol appeals (channel 'patrol') received in [from, to) on cases in the region: where each was
 * reported from, and the cell of its case. Found through the timeline's intake/appeal entries,
 * which the `at` index bounds.
 */
export async function patrolReportsIn(
  db: Kysely<Database>,
  region: string,
  from: Instant,
  to: Instant,
): Promise<{ id: string; lon: number | null; lat: number | null; gridCode: string | null }[]> {
  return db
    .selectFrom('timeline as t')
    .innerJoin('appeals as a', 'a.case_id', 't.case_id')
    .innerJoin('cases as c', 'c.id', 'a.case_id')
    .select(['a.id as id', 'a.lon as lon', 'a.lat as lat', 'c.grid_code as gridCode'])
    .distinct()
    .where('t.at', '>=', from)
    .where('t.at', '<', to)
    .where('t.action', 'in', ['intake', 'appeal'])
    .where('a.channel', '=', 'patrol')
    .where('a.received_at', '>=', from)
    .where('a.received_at', '<', to)
    .where('c.region_code', 'like', `${region}%`)
    .execute()
}

/** The cells of cases an inspector verified in [from, to) in the region. */
export async function inspectorVerificationsIn(
  db: Kysely<Database>,
  region: string,
  from: Instant,
  to: Instant,
): Promise<{ gridCode: string | null }[]> {
  return db
    .selectFrom('timeline as t')
    .innerJoin('cases as c', 'c.id', 't.case_id')
    .select(['c.grid_code as gridCode'])
    .where('t.at', '>=', from)
    .where('t.at', '<', to)
    .where('t.action', '=', 'verify')
    .where('t.role', '=', 'inspector')
    .where('c.region_code', 'like', `${region}%`)
    .execute()
}

/** Docs of cases (optionally under a region prefix) with a 吹哨 (whistle) entry in [from, to). */
export async function whistledCasesIn(
  db: Kysely<Database>,
  from: Instant,
  to: Instant,
  region?: string,
): Promise<{ doc: string }[]> {
  let q = db
    .selectFrom('cases as c')
    .select(['c.doc as doc'])
    .where('c.id', 'in', (sub) =>
      sub
        .selectFrom('timeline as t')
        .select('t.case_id')
        .where('t.at', '>=', from)
        .where('t.at', '<', to)
        .where('t.action', '=', 'whistle'),
    )
  if (region) {
    q = q.where('c.region_code', 'like', `${region}%`)
  }
  return q.orderBy('c.id').execute()
}
