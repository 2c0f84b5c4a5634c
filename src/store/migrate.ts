import { readdir } from 'node:fs/promises'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { join } from 'node:path'
import { Migrator, type Migration, type MigrationProvider, type MigrationResultSet } from 'kysely'
import type { Db } from './db.ts'

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url))

/** Every file in src/store/migrations, in name order (names start with a UTC timestamp). */
class FolderProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    const files = (await readdir(MIGRATIONS_DIR))
      .filter((f) => /^\d{14}_.+\.ts$/.test(f) && !f.endsWith('.test.ts'))
      .sort()
    const out: Record<string, Migration> = {}
    for (const f of files) {
      out[f.replace(/\.ts$/, '')] = (await import(pathToFileURL(join(MIGRATIONS_DIR, f)).href)) as Migration
    }
    return out
  }
}

function migrator(db: Db): Migrator {
  return new Migrator({
    db: db.kysely,
    provider: new FolderProvider(),
    // keep the bookkeeping tables beside the schema's own tables
    ...(db.schema ? { migrationTableSchema: db.schema } : {}),
  })
}

function check(result: MigrationResultSet): MigrationResultSet {
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')
    throw new Error(
      `migration ${failed?.migrationName ?? '?'} failed: ${result.error instanceof Error ? result.error.message : JSON.stringify(result.error)}`,
      { cause: result.error },
    )
  }
  return result
}

/** Bring the schema to the latest migration. */
export async function migrateToLatest(db: Db): Promise<MigrationResultSet> {
  return check(await migrator(db).migrateToLatest())
}

/** Undo the latest migration. */
export async function migrateDown(db: Db): Promise<MigrationResultSet> {
  return check(await migrator(db).migrateDown())
}

/** Undo every migration (for up/down/up checks). */
export async function migrateAllDown(db: Db): Promise<void> {
  const m = migrator(db)
  for (;;) {
    const r = check(await m.migrateDown())
    if (!r.results || r.results.length === 0) {
      return
    }
  }
}
