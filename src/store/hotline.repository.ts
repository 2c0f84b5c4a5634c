import type { Kysely } from 'kysely'
import type { Satisfaction } from '../core/case/case.types.ts'
import type { Instant } from '../core/time.ts'
import type { Database } from './database.ts'

/** Record one callback attempt (reached or not). */
export async function recordCallback(
  db: Kysely<Database>,
  c: {
    caseId: string
    reached: boolean
    at: Instant
    actorId: string
    resolved?: boolean
    satisfaction?: Satisfaction
    note?: string
  },
): Promise<void> {
  await db
    .insertInto('hotline_callbacks')
    .values({
      case_id: c.caseId,
      at: c.at,
      reached: c.reached ? 1 : 0,
      resolved: c.resolved === undefined ? null : c.resolved ? 1 : 0,
      satisfaction: c.satisfaction ?? null,
      actor_id: c.actorId,
      note: c.note ?? null,
    })
    .execute()
}

/** Unreachable callback attempts on a case. */
export async function unreachableCount(db: Kysely<Database>, caseId: string): Promise<number> {
  const r = await db
    .selectFrom('hotline_callbacks')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('case_id', '=', caseId)
    .where('reached', '=', 0)
    .executeTakeFirst()
  return Number(r?.n ?? 0)
}
