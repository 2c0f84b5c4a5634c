import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { openDatabase } from '../../src/store/db.ts'
import { migrateAllDown, migrateToLatest } from '../../src/store/migrate.ts'
import { DATABASES } from '../helpers/databases.ts'

describe.each(DATABASES)('migrations on $dialect', (d) => {
  it('go up, all the way down, and up again, leaving the same tables', async () => {
    const { url, schema } = d.fresh()
    const db = await openDatabase(url, schema ? { schema } : {})
    try {
      const tables = async () => {
        const { rows } =
          d.dialect === 'postgres'
            ? await sql<{
                name: string
              }>`select table_name as name from information_schema.tables where table_schema = current_schema()`.execute(
                db.kysely,
              )
            : await sql<{
                name: string
              }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`.execute(
                db.kysely,
              )
        return rows
          .map((r) => r.name)
          .filter((n) => !n.startsWith('kysely_'))
          .sort()
      }
      await migrateToLatest(db)
      const first = await tables()
      expect(first).toEqual(
        expect.arrayContaining(['appeals', 'cases', 'outbox', 'sessions', 'timeline', 'units', 'users']),
      )
      await migrateAllDown(db)
      expect(await tables()).toEqual([])
      await migrateToLatest(db)
      expect(await tables()).toEqual(first)
      await sql`select count(*) from cases`.execute(db.kysely)
    } finally {
      await db.close()
    }
  })
})
