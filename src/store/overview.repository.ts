import type { Kysely } from 'kysely'
import { OPEN_STAGES } from '../core/case/case.types.ts'
import type { Database } from './database.ts'

export type Counts = Record<string, number>

async function countBy(
  db: Kysely<Database>,
  column: 'stage' | 'channel' | 'class_id' | 'district_code',
  where: (q: ReturnType<typeof base>) => ReturnType<typeof base>,
): Promise<Counts> {
  const rows = await where(base(db))
    .select([column, (eb) => eb.fn.countAll<number | string>().as('n')])
    .groupBy(column)
    .execute()
  const out: Counts = {}
  for (const r of rows as unknown as Record<string, string | number | null>[]) {
    const key = r[column]
    if (key !== null && key !== undefined) {
      out[String(key)] = Number(r.n)
    }
  }
  return out
}

function base(db: Kysely<Database>) {
  return db.selectFrom('cases')
}

/**
 * The cockpit's live counts. Each query is bounded by what is open now or reported today — both
 * served by indexes ((stage, due_next), (reported_at, id)) — never by the whole history.
 */
export async function overviewCounts(db: Kysely<Database>, dayStart: number, now: number) {
  const open = (q: ReturnType<typeof base>) => q.where('stage', 'in', OPEN_STAGES)
  const today = (q: ReturnType<typeof base>) => q.where('reported_at', '>=', dayStart)
  const [byStage, byChannel, byClass, byRegion, overdue, supervised] = await Promise.all([
    countBy(db, 'stage', open),
    countBy(db, 'channel', today),
    countBy(db, 'class_id', today),
    countBy(db, 'district_code', open),
    base(db)
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('stage', 'in', OPEN_STAGES)
      .where('due_next', '<', now)
      .executeTakeFirstOrThrow(),
    base(db)
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('stage', 'in', OPEN_STAGES)
      .where('supervised', '=', 1)
      .executeTakeFirstOrThrow(),
  ])
  const todayTotal = Object.values(byChannel).reduce((a, b) => a + b, 0)
  const inProgress = Object.values(byStage).reduce((a, b) => a + b, 0)
  return {
    today: todayTotal,
    inProgress,
    overdue: Number(overdue.n),
    supervised: Number(supervised.n),
    byStage,
    byChannel,
    byClass,
    byRegion,
  }
}
