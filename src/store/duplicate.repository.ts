import type { Kysely } from 'kysely'
import { OPEN_STAGES } from '../core/case/case.types.ts'
import type { DuplicateCandidate } from '../core/triage/duplicates.ts'
import type { Instant } from '../core/time.ts'
import type { Database } from './database.ts'

/** Where and when to look for cases a new appeal may repeat. */
export interface CandidateQuery {
  /** lon/lat box around the appeal's point; none = look by street only */
  readonly box?: { readonly west: number; readonly south: number; readonly east: number; readonly north: number }
  readonly streetCode?: string
  readonly since: Instant
  readonly until: Instant
  /** leave this case out (asking about a case's own duplicates) */
  readonly exceptCaseId?: string
  readonly limit?: number
}

/**
 * Every appeal of every open case reported in the time window inside the box (or, for an appeal
 * without a point, in the same street): one candidate per appeal, so a case is as near as its
 * nearest report. Served by cases(stage, reported_at) and cases(lat, lon).
 */
export async function duplicateCandidates(db: Kysely<Database>, q: CandidateQuery): Promise<DuplicateCandidate[]> {
  const { box, streetCode } = q
  if (!box && !streetCode) return []
  let query = db
    .selectFrom('cases as c')
    .innerJoin('appeals as a', 'a.case_id', 'c.id')
    .select(['c.id', 'c.class_id', 'c.street_code', 'a.text', 'a.lon', 'a.lat', 'a.received_at'])
    .where('c.stage', 'in', OPEN_STAGES)
    .where('c.reported_at', '>=', q.since)
    .where('c.reported_at', '<=', q.until)
    .where((eb) => {
      const near = box
        ? eb.and([
            eb('c.lat', '>=', box.south),
            eb('c.lat', '<=', box.north),
            eb('c.lon', '>=', box.west),
            eb('c.lon', '<=', box.east),
          ])
        : undefined
      const street = streetCode ? eb('c.street_code', '=', streetCode) : undefined
      // with a point: the box, plus same-street cases that have no point of their own
      if (near && street) return eb.or([near, eb.and([street, eb('c.lat', 'is', null)])])
      return (near ?? street)!
    })
  if (q.exceptCaseId) query = query.where('c.id', '!=', q.exceptCaseId)
  const rows = await query.limit(q.limit ?? 500).execute()
  return rows.map((r) => ({
    caseId: r.id,
    text: r.text,
    at: r.received_at,
    ...(r.lon != null && r.lat != null ? { location: { lon: r.lon, lat: r.lat } } : {}),
    ...(r.street_code != null ? { streetCode: r.street_code } : {}),
    ...(r.class_id != null ? { classId: r.class_id } : {}),
  }))
}
