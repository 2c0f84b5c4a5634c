import { PostgresAdapter, sql, type Kysely } from 'kysely'

// Migrations are frozen in time: they use Kysely<any> and never import application code.

/** Whether the connection is PostgreSQL (column types differ slightly from SQLite). */
function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter
}

export async function up(db: Kysely<any>): Promise<void> {
  const pg = isPostgres(db)
  const serial = pg ? 'bigserial' : 'integer'

  await db.schema
    .createTable('cases')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('stage', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('kind', 'text')
    .addColumn('class_id', 'text')
    .addColumn('priority', 'text', (c) => c.notNull())
    .addColumn('level', 'text', (c) => c.notNull())
    .addColumn('unit_id', 'text')
    .addColumn('team_id', 'text')
    .addColumn('region_code', 'text')
    .addColumn('district_code', 'text')
    .addColumn('street_code', 'text')
    .addColumn('grid_code', 'text')
    .addColumn('lon', 'double precision')
    .addColumn('lat', 'double precision')
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('due_next', 'bigint')
    .addColumn('supervised', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('merged_into', 'text')
    .addColumn('reported_at', 'bigint', (c) => c.notNull())
    .addColumn('closed_at', 'bigint')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('doc', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('cases_stage_due').on('cases').columns(['stage', 'due_next']).execute()
  await db.schema.createIndex('cases_reported').on('cases').columns(['reported_at', 'id']).execute()
  await db.schema.createIndex('cases_unit_stage').on('cases').columns(['unit_id', 'stage']).execute()
  await db.schema.createIndex('cases_region').on('cases').columns(['region_code']).execute()
  await db.schema.createIndex('cases_class').on('cases').columns(['class_id']).execute()

  await db.schema
    .createTable('appeals')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('case_id', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('reporter_name', 'text')
    .addColumn('reporter_phone', 'text')
    .addColumn('lon', 'double precision')
    .addColumn('lat', 'double precision')
    .addColumn('address', 'text')
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addColumn('external_id', 'text')
    .addColumn('idempotency_key', 'text', (c) => c.unique())
    .execute()
  await db.schema.createIndex('appeals_case').on('appeals').columns(['case_id']).execute()

  await db.schema
    .createTable('timeline')
    .addColumn('id', sql.raw(serial), (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('case_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('from_stage', 'text')
    .addColumn('to_stage', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('unit_id', 'text')
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addUniqueConstraint('timeline_case_seq', ['case_id', 'seq'])
    .execute()

  await db.schema
    .createTable('outbox')
    .addColumn('id', sql.raw(serial), (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('case_id', 'text')
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('units')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_en', 'text')
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('level', 'text', (c) => c.notNull())
    .addColumn('region_code', 'text')
    .addColumn('parent_id', 'text')
    .addColumn('phone', 'text')
    .execute()

  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('username', 'text', (c) => c.notNull().unique())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('unit_id', 'text')
    .addColumn('region_code', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('sessions')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['sessions', 'users', 'units', 'outbox', 'timeline', 'appeals', 'cases']) {
    await db.schema.dropTable(t).ifExists().execute()
  }
}
