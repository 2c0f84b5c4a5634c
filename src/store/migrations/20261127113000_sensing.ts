import type { Kysely } from 'kysely'

// Frozen in time: Kysely<any>, no application imports.
//
// `readings` is the one big table. On PostgreSQL in production it is range-partitioned by month on
// `ts` (docs/sensing.md shows the DDL); the primary key includes `ts`, as partitioning requires, and
// is what makes a redelivered reading a no-op (`on conflict do nothing`).

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('devices')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('lon', 'double precision', (c) => c.notNull())
    .addColumn('lat', 'double precision', (c) => c.notNull())
    .addColumn('grid_code', 'text')
    .addColumn('region_code', 'text')
    .addColumn('owner_unit_id', 'text', (c) => c.notNull())
    .addColumn('component_id', 'text')
    .addColumn('expected_interval_sec', 'integer', (c) => c.notNull())
    .addColumn('installed_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('devices_kind').on('devices').column('kind').execute()
  await db.schema.createIndex('devices_owner').on('devices').column('owner_unit_id').execute()
  await db.schema.createIndex('devices_region').on('devices').column('region_code').execute()

  await db.schema
    .createTable('alarm_rules')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('doc', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('readings')
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('quantity', 'text', (c) => c.notNull())
    .addColumn('ts', 'bigint', (c) => c.notNull())
    .addColumn('value', 'double precision', (c) => c.notNull())
    .addPrimaryKeyConstraint('readings_pk', ['device_id', 'quantity', 'ts'])
    .execute()
  await db.schema.createIndex('readings_ts').on('readings').column('ts').execute()

  await db.schema
    .createTable('reading_rollups')
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('quantity', 'text', (c) => c.notNull())
    .addColumn('resolution', 'text', (c) => c.notNull())
    .addColumn('bucket', 'bigint', (c) => c.notNull())
    .addColumn('min', 'double precision', (c) => c.notNull())
    .addColumn('max', 'double precision', (c) => c.notNull())
    .addColumn('sum', 'double precision', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('reading_rollups_pk', ['device_id', 'quantity', 'resolution', 'bucket'])
    .execute()
  await db.schema
    .createIndex('reading_rollups_bucket')
    .on('reading_rollups')
    .columns(['resolution', 'bucket'])
    .execute()

  await db.schema
    .createTable('alarms')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('rule_id', 'text', (c) => c.notNull())
    .addColumn('class_id', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('place', 'text')
    .addColumn('quantity', 'text')
    .addColumn('value', 'double precision')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('raised_at', 'bigint', (c) => c.notNull())
    .addColumn('last_raised_at', 'bigint', (c) => c.notNull())
    .addColumn('repeats', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('cleared_at', 'bigint')
    .addColumn('clear_value', 'double precision')
    .addColumn('case_id', 'text')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('alarms_key').on('alarms').columns(['key', 'raised_at']).execute()
  await db.schema.createIndex('alarms_state').on('alarms').columns(['state', 'raised_at']).execute()
  await db.schema.createIndex('alarms_case').on('alarms').column('case_id').execute()
  await db.schema.createIndex('alarms_place').on('alarms').columns(['rule_id', 'place']).execute()

  await db.schema
    .createTable('ingest_drops')
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('count', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('ingest_drops_pk', ['channel', 'reason'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['ingest_drops', 'alarms', 'reading_rollups', 'readings', 'alarm_rules', 'devices']) {
    await db.schema.dropTable(t).ifExists().execute()
  }
}
