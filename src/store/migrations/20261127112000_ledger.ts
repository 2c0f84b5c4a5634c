import type { Kysely } from 'kysely'

// Migrations are frozen in time: they use Kysely<any> and never import application code.

export async function up(db: Kysely<any>): Promise<void> {
  // One row per hand-off. Everything the leaf hash covers is a column of its own, so a verifier
  // reading SQL rebuilds the entry exactly; state_doc is the case after the action (not hashed into
  // the leaf, but into state_hash together with the timeline row).
  await db.schema
    .createTable('ledger_entries')
    .addColumn('seq', 'bigint', (c) => c.primaryKey())
    .addColumn('case_id', 'text', (c) => c.notNull())
    .addColumn('case_version', 'integer')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('from_unit_id', 'text')
    .addColumn('to_unit_id', 'text')
    .addColumn('actor_id', 'text', (c) => c.notNull())
    .addColumn('unit_id', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('state_hash', 'text', (c) => c.notNull())
    .addColumn('payload_hash', 'text')
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('leaf_hash', 'text', (c) => c.notNull())
    .addColumn('signature', 'text')
    .addColumn('state_doc', 'text')
    .execute()
  await db.schema
    .createIndex('ledger_entries_case')
    .on('ledger_entries')
    .columns(['case_id', 'case_version'])
    .execute()

  await db.schema
    .createTable('ledger_checkpoints')
    .addColumn('tree_size', 'bigint', (c) => c.primaryKey())
    .addColumn('root_hash', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('platform_key_id', 'text', (c) => c.notNull())
    .addColumn('platform_sig', 'text', (c) => c.notNull())
    /** JSON array of { unitId, keyId, sig } */
    .addColumn('witnesses', 'text', (c) => c.notNull())
    /** JSON array of hex hashes: the Merkle frontier at tree_size */
    .addColumn('frontier', 'text', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('ledger_keys')
    .addColumn('key_id', 'text', (c) => c.primaryKey())
    .addColumn('unit_id', 'text', (c) => c.notNull())
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('valid_from', 'bigint', (c) => c.notNull())
    .addColumn('valid_until', 'bigint')
    .execute()
  await db.schema.createIndex('ledger_keys_unit').on('ledger_keys').columns(['unit_id']).execute()

  // The head row every appending transaction updates: its row lock serializes seq allocation across
  // processes, and a rolled-back action gives its seq back with it.
  await db.schema
    .createTable('ledger_head')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('next_seq', 'bigint', (c) => c.notNull())
    .execute()
  await db
    .insertInto('ledger_head')
    .values([
      { name: 'entries', next_seq: 0 },
      { name: 'checkpoint', next_seq: 0 },
    ])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['ledger_head', 'ledger_keys', 'ledger_checkpoints', 'ledger_entries']) {
    await db.schema.dropTable(t).ifExists().execute()
  }
}
