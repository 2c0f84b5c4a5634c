import type { Kysely } from 'kysely'
import type { Instant } from '../core/time.ts'
import type { Database } from './database.ts'

/** A note to a reporter, waiting in the outbox for a sender. */
export interface Notice {
  readonly type: `notification.${string}`
  readonly caseId: string
  readonly at: Instant
  readonly payload: Readonly<Record<string, unknown>>
}

/** Queue notes in the outbox (inside the caller's transaction). */
export async function insertNotices(db: Kysely<Database>, notices: readonly Notice[]): Promise<void> {
  if (notices.length === 0) {
    return
  }
  await db
    .insertInto('outbox')
    .values(
      notices.map((n) => ({ type: n.type, case_id: n.caseId, at: n.at, payload: JSON.stringify(n.payload) })),
    )
    .execute()
}

/** Notes queued for a case, oldest first. */
export async function noticesOf(db: Kysely<Database>, caseId: string): Promise<Notice[]> {
  const rows = await db
    .selectFrom('outbox')
    .selectAll()
    .where('case_id', '=', caseId)
    .where('type', 'like', 'notification.%')
    .orderBy('id')
    .execute()
  return rows.map((r) => ({
    type: r.type as Notice['type'],
    caseId: r.case_id ?? caseId,
    at: r.at,
    payload: JSON.parse(r.payload) as Record<string, unknown>,
  }))
}
