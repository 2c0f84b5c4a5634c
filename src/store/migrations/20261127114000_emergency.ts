import { PostgresAdapter, sql, type Kysely } from 'kysely'

// Migrations are frozen in time: they use Kysely<any> and never import application code.

function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter
}

export async function up(db: Kysely<any>): Promise<void> {
  const pg = isPostgres(db)
  const serial = pg ? 'bigserial' : 'integer'

  // One row for the whole city: which incident is active (null = ordinary mode). Every command
  // updates it first, so its row lock serialises commands across nodes (SQLite has one writer).
  await db.schema
    .createTable('emergency_head')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('incident_id', 'text')
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute()
  await db.insertInto('emergency_head').values({ name: 'city', incident_id: null, version: 0 }).execute()

  await db.schema
    .createTable('emergency_incidents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('title', 'text', (c) => c.notNull())
    /** JSON IncidentArea */
    .addColumn('area', 'text', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('started_by', 'text', (c) => c.notNull())
    .addColumn('started_by_name', 'text')
    .addColumn('stopped_at', 'bigint')
    .addColumn('stopped_by', 'text')
    .execute()
  await db.schema
    .createIndex('emergency_incidents_started')
    .on('emergency_incidents')
    .columns(['started_at'])
    .execute()

  await db.schema
    .createTable('emergency_instructions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('incident_id', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('actor_id', 'text', (c) => c.notNull())
    .addColumn('actor_name', 'text')
    .addColumn('actor_unit_id', 'text')
    /** JSON string arrays */
    .addColumn('unit_ids', 'text', (c) => c.notNull())
    .addColumn('team_ids', 'text', (c) => c.notNull())
    .addColumn('addressees', 'text', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('emergency_instructions_incident')
    .on('emergency_instructions')
    .columns(['incident_id', 'at'])
    .execute()

  // The primary key is the "once" rule: a unit acknowledges an instruction at most one time.
  await db.schema
    .createTable('emergency_acks')
    .addColumn('instruction_id', 'text', (c) => c.notNull())
    .addColumn('unit_id', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('actor_id', 'text', (c) => c.notNull())
    .addColumn('actor_name', 'text')
    .addColumn('note', 'text')
    .addPrimaryKeyConstraint('emergency_acks_pk', ['instruction_id', 'unit_id'])
    .execute()

  await db.schema
    .createTable('emergency_log')
    .addColumn('seq', sql.raw(serial), (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('incident_id', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text', (c) => c.notNull())
    .addColumn('actor_name', 'text')
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('unit_id', 'text')
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('unit_ids', 'text')
    .addColumn('instruction_id', 'text')
    .execute()
  await db.schema
    .createIndex('emergency_log_incident')
    .on('emergency_log')
    .columns(['incident_id', 'seq'])
    .execute()

  // Append-only in the database itself, not only by convention in the repository.
  if (pg) {
    await sql`create function emergency_log_append_only() returns trigger language plpgsql as $$
      begin raise exception 'emergency_log is append-only'; end $$`.execute(db)
    await sql`create trigger emergency_log_no_change before update or delete on emergency_log
      for each row execute function emergency_log_append_only()`.execute(db)
  } else {
    await sql`create trigger emergency_log_no_update before update on emergency_log
      begin select raise(abort, 'emergency_log is append-only'); end`.execute(db)
    await sql`create trigger emergency_log_no_delete before delete on emergency_log
      begin select raise(abort, 'emergency_log is append-only'); end`.execute(db)
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('emergency_log').execute()
  if (isPostgres(db)) {
    await sql`drop function if exists emergency_log_append_only()`.execute(db)
  }
  await db.schema.dropTable('emergency_acks').execute()
  await db.schema.dropTable('emergency_instructions').execute()
  await db.schema.dropTable('emergency_incidents').execute()
  await db.schema.dropTable('emergency_head').execute()
}
