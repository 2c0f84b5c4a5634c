import { randomBytes } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A database a test file may use: SQLite always, PostgreSQL when TEST_DATABASE_URL is set. */
export interface TestDatabase {
  readonly dialect: 'sqlite' | 'postgres'
  /** a fresh, empty database URL (SQLite: a new file; PostgreSQL: the server URL, with `schema`) */
  fresh(): { url: string; schema?: string }
}

const sqlite: TestDatabase = {
  dialect: 'sqlite',
  fresh: () => ({ url: `sqlite:${join(mkdtempSync(join(tmpdir(), 'onegrid-')), 'test.db')}` }),
}

const pgUrl = process.env.TEST_DATABASE_URL

const postgres: TestDatabase | undefined = pgUrl
  ? { dialect: 'postgres', fresh: () => ({ url: pgUrl, schema: `t_${randomBytes(6).toString('hex')}` }) }
  : undefined

/** Every dialect this run covers; storage and API suites loop over it (`describe.each`). */
export const DATABASES: readonly TestDatabase[] = postgres ? [sqlite, postgres] : [sqlite]
