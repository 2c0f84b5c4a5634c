import { PostgresAdapter, sql, type Kysely } from 'kysely'

// Frozen in time: Kysely<any>, no application imports.

export async function up(db: Kysely<any>): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter
  const serial = pg ? 'bigserial' : 'integer'

  // duplicate candidates: open cases reported recently inside a lon/lat box
  await db.schema.createIndex('cases_stage_reported').on('cases').columns(['stage', 'reported_at']).execute()
  await db.schema.createIndex('cases_lat_lon').on('cases').columns(['lat', 'lon']).execute()

  await db.schema
    .createTable('hotline_callbacks')
    .addColumn('id', sql.raw(serial), (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('case_id', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('reached', 'integer', (c) => c.notNull())
    .addColumn('resolved', 'integer')
    .addColumn('satisfaction', 'text')
    .addColumn('actor_id', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .execute()
  await db.schema.createIndex('hotline_callbacks_case').on('hotline_callbacks').column('case_id').execute()

  await db.schema
    .createTable('opinion_clusters')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('topic', 'text', (c) => c.notNull())
    .addColumn('place_code', 'text', (c) => c.notNull())
    .addColumn('first_at', 'bigint', (c) => c.notNull())
    .addColumn('last_at', 'bigint', (c) => c.notNull())
    .addColumn('posts', 'integer', (c) => c.notNull())
    .addColumn('case_id', 'text')
    .execute()
  await db.schema
    .createIndex('opinion_clusters_key')
    .on('opinion_clusters')
    .columns(['topic', 'place_code', 'last_at'])
    .execute()

  await db.schema
    .createTable('opinion_posts')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('post_id', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('lon', 'double precision')
    .addColumn('lat', 'double precision')
    .addColumn('place', 'text')
    .addColumn('topic', 'text')
    .addColumn('confidence', 'double precision')
    .addColumn('place_code', 'text')
    .addColumn('cluster_id', 'text')
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('opinion_posts_pk', ['source', 'post_id'])
    .execute()
  await db.schema
    .createIndex('opinion_posts_cluster')
    .on('opinion_posts')
    .columns(['cluster_id', 'at'])
    .execute()

  await db.schema
    .createTable('photos')
    .addColumn('path', 'text', (c) => c.primaryKey())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('mime', 'text', (c) => c.notNull())
    .addColumn('bytes', 'integer', (c) => c.notNull())
    .addColumn('uploaded_by', 'text', (c) => c.notNull())
    .addColumn('uploaded_at', 'bigint', (c) => c.notNull())
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['photos', 'opinion_posts', 'opinion_clusters', 'hotline_callbacks']) {
    await db.schema.dropTable(t).ifExists().execute()
  }
  await db.schema.dropIndex('cases_lat_lon').ifExists().execute()
  await db.schema.dropIndex('cases_stage_reported').ifExists().execute()
}
