import { PostgresAdapter, sql, type Kysely } from 'kysely'

// Migrations are frozen in time: they use Kysely<any> and never import application code.

/** The 0/1 counters of a case's contribution, one column each (satisfaction_milli is separate). */
const FLAGS = [
  'excluded',
  'due_response',
  'responded_on_time',
  'due_close',
  'closed',
  'closed_on_time',
  'resolved',
  'reworked',
  'callbacks',
  'satisfied',
  'basically',
  'unsatisfied',
]

function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter
}

export async function up(db: Kysely<any>): Promise<void> {
  const pg = isPostgres(db)

  // One row per (period, dimension value): what the cockpit and the rankings read, never the cases.
  // The primary key leads with the period and the dimension kind, so "every street of month M" is one
  // contiguous range; on SQLite the table is clustered on it (WITHOUT ROWID).
  let rollups = db.schema
    .createTable('metric_rollups')
    .addColumn('period_kind', 'text', (c) => c.notNull())
    .addColumn('period_key', 'text', (c) => c.notNull())
    .addColumn('dim_kind', 'text', (c) => c.notNull())
    .addColumn('dim_value', 'text', (c) => c.notNull())
  for (const f of FLAGS) {
    rollups = rollups.addColumn(f, 'bigint', (c) => c.notNull().defaultTo(0))
  }
  rollups = rollups
    .addColumn('satisfaction_milli', 'bigint', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('metric_rollups_pk', ['period_kind', 'period_key', 'dim_kind', 'dim_value'])
  await (pg ? rollups : rollups.modifyEnd(sql`without rowid`)).execute()
  // one street's (unit's …) history across periods, for trends
  await db.schema
    .createIndex('metric_rollups_dim')
    .on('metric_rollups')
    .columns(['dim_kind', 'dim_value', 'period_kind', 'period_key'])
    .execute()

  // The contribution last applied for each case: subtracted exactly on its next action, and the
  // list of cases behind any rollup figure (drill-down), with the same flags the rollup summed.
  let contributions = db.schema
    .createTable('case_contributions')
    .addColumn('case_id', 'text', (c) => c.primaryKey())
    .addColumn('day_key', 'text', (c) => c.notNull())
    .addColumn('week_key', 'text', (c) => c.notNull())
    .addColumn('month_key', 'text', (c) => c.notNull())
    .addColumn('district', 'text')
    .addColumn('street', 'text')
    .addColumn('community', 'text')
    .addColumn('unit_id', 'text')
    .addColumn('handler_id', 'text')
    .addColumn('inspector_id', 'text')
    .addColumn('class_id', 'text')
  for (const f of FLAGS) {
    contributions = contributions.addColumn(f, 'integer', (c) => c.notNull())
  }
  await contributions
    .addColumn('satisfaction_milli', 'integer', (c) => c.notNull())
    .addColumn('doc', 'text', (c) => c.notNull())
    .execute()
  for (const [name, cols] of [
    ['case_contributions_month_street', ['month_key', 'street']],
    ['case_contributions_month_district', ['month_key', 'district']],
    ['case_contributions_month_unit', ['month_key', 'unit_id']],
    ['case_contributions_week', ['week_key']],
    ['case_contributions_day', ['day_key']],
  ] as const) {
    await db.schema
      .createIndex(name)
      .on('case_contributions')
      .columns([...cols])
      .execute()
  }

  // Cases left out of the figures: who, when and why; revoking keeps the record.
  await db.schema
    .createTable('metric_exclusions')
    .addColumn('case_id', 'text', (c) => c.primaryKey())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .addColumn('revoked_by', 'text')
    .addColumn('revoke_reason', 'text')
    .execute()

  // Named leases (e.g. 'sla-sweep'): one holder at a time until expires_at, so one node sweeps.
  await db.schema
    .createTable('leases')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['leases', 'metric_exclusions', 'case_contributions', 'metric_rollups']) {
    await db.schema.dropTable(t).ifExists().execute()
  }
}
