import type { Kysely } from 'kysely'

// Frozen in time: Kysely<any>, no application imports.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('open311_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('key_hint', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .execute()

  await db.schema
    .createTable('open311_requests')
    .addColumn('appeal_id', 'text', (c) => c.primaryKey())
    .addColumn('token', 'text', (c) => c.notNull().unique())
    .addColumn('key_id', 'text')
    .addColumn('via', 'text', (c) => c.notNull())
    .addColumn('service_code', 'text', (c) => c.notNull())
    .addColumn('attributes', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('email', 'text')
    .addColumn('device_id', 'text')
    .addColumn('account_id', 'text')
    .addColumn('first_name', 'text')
    .addColumn('last_name', 'text')
    .addColumn('media_url', 'text')
    .addColumn('address_id', 'text')
    .addColumn('zipcode', 'text')
    .addColumn('requested_at', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('open311_requests_requested')
    .on('open311_requests')
    .columns(['requested_at', 'appeal_id'])
    .execute()
  // servicerequestupdates reads the timeline by time window
  await db.schema.createIndex('open311_timeline_at').on('timeline').columns(['at']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('open311_timeline_at').ifExists().execute()
  await db.schema.dropTable('open311_requests').ifExists().execute()
  await db.schema.dropTable('open311_keys').ifExists().execute()
}
