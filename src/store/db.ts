import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import SQLite from 'better-sqlite3'
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely'
import type {
  DatabaseConnection,
  Dialect,
  Driver,
  QueryCompiler,
  SqliteDatabase,
  TransactionSettings,
} from 'kysely'
import pg from 'pg'
import type { Database } from './database.ts'
import { WalBarrier } from './wal-barrier.ts'
import type { SyncFile } from './wal-barrier.ts'

export type DialectName = 'sqlite' | 'postgres'

/** An open database: the Kysely handle plus what the rest of the store needs to know about it. */
export interface Db {
  readonly kysely: Kysely<Database>
  readonly dialect: DialectName
  /** PostgreSQL schema in use, when not the default */
  readonly schema?: string
  /** the raw better-sqlite3 handle (SQLite only): the benchmarks' floor uses it */
  readonly sqlite?: SQLite.Database
  /**
   * Resolve once everything committed so far is on stable storage. Queries through `kysely` wait
   * for this themselves; a writer that commits on the raw `sqlite` handle calls it before it
   * acknowledges anything.
   */
  readonly durable: () => Promise<void>
  close(): Promise<void>
}

export interface OpenOptions {
  /** PostgreSQL: a schema to create and use (tests isolate each file in its own schema) */
  readonly schema?: string
  /** PostgreSQL pool size */
  readonly poolSize?: number
  /** SQLite: how the WAL is flushed to stable storage (tests observe it); default fdatasync */
  readonly syncFile?: SyncFile
}

// BIGINT comes back from pg as a string; every BIGINT here is epoch ms or a counter well inside 2^53.
pg.types.setTypeParser(20, (v) => Number(v))

/**
 * Open `sqlite:PATH` (`sqlite::memory:` for tests) or `postgres://…`.
 * SQLite runs in WAL mode; a write through `kysely` resolves only once the WAL holding its commit
 * has been fsynced (see WalBarrier: the fsync runs off the event loop), so an acknowledged commit
 * survives a process kill and a power cut; group commit (see IntakeBatcher) keeps commits few.
 */
export async function openDatabase(url: string, options: OpenOptions = {}): Promise<Db> {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length)
    const inMemory = path === ':memory:'
    if (!inMemory) {
      mkdirSync(dirname(path), { recursive: true })
    }
    const sqlite = new SQLite(path)
    sqlite.pragma('journal_mode = WAL')
    // NORMAL: no fsync inside COMMIT (on the event loop); the barrier syncs the WAL before any
    // write is acknowledged, and SQLite still syncs around every checkpoint
    sqlite.pragma(inMemory ? 'synchronous = FULL' : 'synchronous = NORMAL')
    sqlite.pragma('busy_timeout = 5000')
    sqlite.pragma('foreign_keys = ON')
    const barrier = inMemory ? undefined : new WalBarrier(path, options.syncFile)
    const writes = { pending: false }
    const dialect = new SqliteDialect({ database: reusingStatements(sqlite, writes) })
    const kysely = new Kysely<Database>({
      dialect: barrier ? durableDialect(dialect, sqlite, writes, barrier) : dialect,
    })
    return {
      kysely,
      dialect: 'sqlite',
      sqlite,
      durable: () => barrier?.durable() ?? Promise.resolve(),
      close: async () => {
        await kysely.destroy()
        barrier?.close()
      },
    }
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
      // PostgreSQL answers a COMMIT only once it is durable
      durable: () => Promise.resolve(),
      close: () => kysely.destroy(),
    }
  }
  throw new Error(`DATABASE_URL must start with sqlite: or postgres:// (got "${url}")`)
}

/** Prepared statements kept per SQL text; past this many the least recently used is dropped. */
const STATEMENT_CACHE = 512

/**
 * Kysely's SQLite driver prepares every query afresh, and parsing the SQL costs more than running
 * it for the small lookups and multi-row INSERTs intake repeats. Keep the statements: SQLite
 * re-prepares one itself when the schema changes under it. Nothing here streams (`iterate`), the
 * one use that would make a shared statement busy.
 */
function reusingStatements(sqlite: SQLite.Database, writes: { pending: boolean }): SqliteDatabase {
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
      // Kysely prepares right before it runs: a statement that writes marks the connection dirty
      if (!stmt.readonly) {
        writes.pending = true
      }
      return stmt
    },
  }
}

/**
 * SQLite's driver with the durability barrier: when the connection is handed back with writes
 * made and no transaction open (an autocommit write, or a COMMIT), the commit is counted before the
 * connection is released and the caller waits for the WAL fsync covering it after, so the next
 * query runs while this one's fsync is in flight.
 */
function durableDialect(
  dialect: SqliteDialect,
  sqlite: SQLite.Database,
  writes: { pending: boolean },
  barrier: WalBarrier,
): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createDriver(): Driver {
      const inner = dialect.createDriver()
      return {
        init: () => inner.init(),
        acquireConnection: () => inner.acquireConnection(),
        beginTransaction: (c: DatabaseConnection, s: TransactionSettings) => inner.beginTransaction(c, s),
        commitTransaction: (c: DatabaseConnection) => inner.commitTransaction(c),
        rollbackTransaction: (c: DatabaseConnection) => inner.rollbackTransaction(c),
        savepoint: (c: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']) =>
          inner.savepoint!(c, name, compile),
        rollbackToSavepoint: (c: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']) =>
          inner.rollbackToSavepoint!(c, name, compile),
        releaseSavepoint: (c: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']) =>
          inner.releaseSavepoint!(c, name, compile),
        async releaseConnection(c: DatabaseConnection) {
          const commit = writes.pending && !sqlite.inTransaction ? barrier.committed() : undefined
          if (commit !== undefined) {
            writes.pending = false
          }
          await inner.releaseConnection(c)
          if (commit !== undefined) {
            await barrier.through(commit)
          }
        },
        destroy: () => inner.destroy(),
      }
    },
  }
}
