import { readdir } from 'node:fs/promises'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { join } from 'node:path'
import {
  Migrator,
  type Migration,
  type MigrationProvider,
  type MigrationResultSet,
  type Kysely,
} from 'kysely'

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

function migrator(db: Kysely<any>): Migrator {
  return new Migrator({ db, provider: new FolderProvider() })
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
export async function migrateToLatest(db: Kysely<any>): Promise<MigrationResultSet> {
  return check(await migrator(db).migrateToLatest())
}

/** Undo the latest migration. */
export async function migrateDown(db: Kysely<any>): Promise<MigrationResultSet> {
  return check(await migrator(db).migrateDown())
}

/** Undo every migration (for up/down/up checks). */
export async function migrateAllDown(db: Kysely<any>): Promise<void> {
  const m = migrator(db)
  for (;;) {
    const r = check(await m.migrateDown())
    if (!r.results || r.results.length === 0) return
  }
}
