import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import SQLite from 'better-sqlite3'
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely'
import type { SqliteDatabase } from 'kysely'
import pg from 'pg'
import type { Database } from './database.ts'

export type Dialect = 'sqlite' | 'postgres'

/** An open database: the Kysely handle plus what the rest of the store needs to know about it. */
export interface Db {
  readonly kysely: Kysely<Database>
  readonly dialect: Dialect
  /** PostgreSQL schema in use, when not the default */
  readonly schema?: string
  /** the raw better-sqlite3 handle (SQLite only): the benchmarks' floor uses it */
  readonly sqlite?: SQLite.Database
  close(): Promise<void>
}

export interface OpenOptions {
  /** PostgreSQL: a schema to create and use (tests isolate each file in its own schema) */
  readonly schema?: string
  /** PostgreSQL pool size */
  readonly poolSize?: number
}

// BIGINT comes back from pg as a string; every BIGINT here is epoch ms or a counter well inside 2^53.
pg.types.setTypeParser(20, (v) => Number(v))

/**
 * Open `sqlite:PATH` (`sqlite::memory:` for tests) or `postgres://…`.
 * SQLite runs in WAL mode with synchronous=FULL: an acknowledged commit survives a process kill
 * and a power cut; group commit (see IntakeBatcher) keeps fsyncs few.
 */
export async function openDatabase(url: string, options: OpenOptions = {}): Promise<Db> {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length)
    if (path !== ':memory:') {
      mkdirSync(dirname(path), { recursive: true })
    }
    const sqlite = new SQLite(path)
    sqlite.pragma('journal_mode = WAL')
    sqlite.pragma('synchronous = FULL')
    sqlite.pragma('busy_timeout = 5000')
    sqlite.pragma('foreign_keys = ON')
    const kysely = new Kysely<Database>({
      dialect: new SqliteDialect({ database: reusingStatements(sqlite) }),
    })
    return { kysely, dialect: 'sqlite', sqlite, close: () => kysely.destroy() }
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    if (options.schema) {
      const admin = new pg.Client({ connectionString: url })
      await admin.connect()
      await admin.query(`create schema if not exists "${options.schema}"`)
      await admin.end()
    }
    const pool = new pg.Pool({
      connectionString: url,
      max: options.poolSize ?? 10,
      ...(options.schema ? { options: `-c search_path="${options.schema}"` } : {}),
    })
    const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
    return {
      kysely,
      dialect: 'postgres',
      ...(options.schema ? { schema: options.schema } : {}),
      close: () => kysely.destroy(),
    }
  }
  throw new Error(`DATABASE_URL must start with sqlite: or postgres:// (got "${url}")`)
}

/** Prepared statements kept per SQL text; past this many the least recently used is dropped. */
const STATEMENT_CACHE = 256

/**
 * Kysely's SQLite driver prepares every query afresh, and parsing the SQL costs more than running
 * it for the small lookups and multi-row INSERTs intake repeats. Keep the statements: SQLite
 * re-prepares one itself when the schema changes under it. Nothing here streams (`iterate`), the
 * one use that would make a shared statement busy.
 */
function reusingStatements(sqlite: SQLite.Database): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>()
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      let stmt = cache.get(sql)
      if (stmt) {
        cache.delete(sql)
      } else {
        stmt = sqlite.prepare(sql)
        if (cache.size >= STATEMENT_CACHE) {
          cache.delete(cache.keys().next().value!)
        }
      }
      cache.set(sql, stmt)
      return stmt
    },
  }
}
