import type { Kysely } from 'kysely'
import { OPEN_STAGES } from '../core/case/case.types.ts'
import type { DuplicateCandidate } from '../core/triage/duplicates.ts'
import type { Instant } from '../core/time.ts'
import { runSql } from './bulk.ts'
import type { Database } from './database.ts'

/** Where and when to look for cases a new appeal may repeat. */
export interface CandidateQuery {
  /** lon/lat box around the appeal's point; none = look by street only */
  readonly box?: {
    readonly west: number
    readonly south: number
    readonly east: number
    readonly north: number
  }
  readonly streetCode?: string
  readonly since: Instant
  readonly until: Instant
  /** leave this case out (asking about a case's own duplicates) */
  readonly exceptCaseId?: string
  readonly limit?: number
}

interface CandidateRow {
  id: string
  class_id: string | null
  street_code: string | null
  lon: number | null
  lat: number | null
  text: string
  received_at: number
  appeal_lon: number | null
  appeal_lat: number | null
}

const OPEN = OPEN_STAGES.map((s) => `'${s}'`).join(', ')
const SELECT = `select c.id, c.class_id, c.street_code, c.lon, c.lat, a.text, a.received_at,
  a.lon as appeal_lon, a.lat as appeal_lat from cases as c inner join appeals as a on a.case_id = c.id`
// Written so no index applies to stage or time: at intake rates every open case is recent, and the
// planner would otherwise walk (stage, reported_at) over all of them instead of the 50 m box.
const BY_BOX = `${SELECT} where c.lat >= ? and c.lat <= ? and c.lon >= ? and c.lon <= ?
  and (c.stage || '') in (${OPEN}) and c.reported_at + 0 >= ? and c.reported_at + 0 <= ?`
const BY_STREET = `${SELECT} where c.stage in (${OPEN}) and c.reported_at >= ? and c.reported_at <= ?
  and c.street_code = ?`
const BY_BOX_EXCEPT = `${BY_BOX} and c.id != ? limit ?`
const BY_STREET_EXCEPT = `${BY_STREET} and c.id != ? limit ?`
const BY_BOX_LIMIT = `${BY_BOX} limit ?`
const BY_STREET_LIMIT = `${BY_STREET} limit ?`

/**
 * Every appeal of every open case reported in the time window inside the box (or, for an appeal
 * without a point, in the same street): one candidate per appeal, so a case reads as alike as its
 * most alike report, placed at the case's point. With a box the query is driven by cases(lat, lon);
 * without one by cases(stage, reported_at).
 */
export async function duplicateCandidates(
  db: Kysely<Database>,
  q: CandidateQuery,
  classesOf: (caseIds: readonly string[]) => Promise<Map<string, string>> = (ids) => intakeClasses(db, ids),
): Promise<DuplicateCandidate[]> {
  const { box, streetCode } = q
  if (!box && !streetCode) {
    return []
  }
  const params: unknown[] = box
    ? [box.south, box.north, box.west, box.east, q.since, q.until]
    : [q.since, q.until, streetCode]
  if (q.exceptCaseId) {
    params.push(q.exceptCaseId)
  }
  params.push(q.limit ?? 500)
  const found = await runSql<Database, CandidateRow>(
    db,
    box
      ? q.exceptCaseId
        ? BY_BOX_EXCEPT
        : BY_BOX_LIMIT
      : q.exceptCaseId
        ? BY_STREET_EXCEPT
        : BY_STREET_LIMIT,
    params,
  )
  const rows = nearestPerReport(found, (q.since + q.until) / 2)
  const hints = await classesOf([...new Set(rows.filter((r) => r.class_id == null).map((r) => r.id))])
  return rows.map((r) => ({
    caseId: r.id,
    text: r.text,
    at: r.received_at,
    // distance from where the case is, not from its farthest report: attached reports must not
    // stretch a case's footprint down the street one hop at a time
    ...(r.lon != null && r.lat != null
      ? { location: { lon: r.lon, lat: r.lat } }
      : r.appeal_lon != null && r.appeal_lat != null
        ? { location: { lon: r.appeal_lon, lat: r.appeal_lat } }
        : {}),
    ...(r.street_code != null ? { streetCode: r.street_code } : {}),
    ...((r.class_id ?? hints.get(r.id)) ? { classId: (r.class_id ?? hints.get(r.id))! } : {}),
  }))
}

/**
 * A case reported the same way many times (one bin, a hundred identical calls) need not be scored
 * a hundred times: of its appeals with the same text and place, only the one received nearest the
 * probe's time (the window's middle) can score best, so only that one is kept.
 */
function nearestPerReport<
  R extends {
    id: string
    text: string
    received_at: number
    lon: number | null
    lat: number | null
    appeal_lon: number | null
    appeal_lat: number | null
  },
>(rows: readonly R[], at: Instant): R[] {
  const best = new Map<string, R>()
  for (const r of rows) {
    // the case's point when it has one, else the appeal's: the place a candidate is scored at
    const where = r.lon != null && r.lat != null ? '' : `${r.appeal_lon}\u0000${r.appeal_lat}`
    const key = `${r.id}\u0000${where}\u0000${r.text}`
    const kept = best.get(key)
    if (!kept || Math.abs(r.received_at - at) < Math.abs(kept.received_at - at)) {
      best.set(key, r)
    }
  }
  return [...best.values()]
}

/**
 * The class intake triage settled on for cases not registered yet (a hotline order waiting for the
 * operator): recorded on the intake timeline entry, so duplicates of it are found before register.
 */
export async function intakeClasses(
  db: Kysely<Database>,
  caseIds: readonly string[],
): Promise<Map<string, string>> {
  if (caseIds.length === 0) {
    return new Map()
  }
  const rows = await db
    .selectFrom('timeline')
    .select(['case_id', 'payload'])
    .where('case_id', 'in', caseIds)
    .where('action', '=', 'intake')
    .execute()
  const out = new Map<string, string>()
  for (const r of rows) {
    const classId = (JSON.parse(r.payload) as { classId?: unknown }).classId
    if (typeof classId === 'string') {
      out.set(r.case_id, classId)
    }
  }
  return out
}
