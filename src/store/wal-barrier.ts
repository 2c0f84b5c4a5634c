import { closeSync, fdatasync, fsync, openSync } from 'node:fs'
import { dirname } from 'node:path'
import { promisify } from 'node:util'

/** Flush one file descriptor to stable storage. */
export type SyncFile = (fd: number) => Promise<void>

const datasync: SyncFile = promisify(fdatasync)
const fullsync: SyncFile = promisify(fsync)

/**
 * Durability for SQLite commits without blocking the event loop.
 *
 * With `synchronous = FULL` SQLite fsyncs the WAL inside COMMIT, and better-sqlite3 runs COMMIT on
 * the main thread: every group commit stalls the whole process for the length of an fsync (1–2 ms
 * here), during which no request is parsed and no reply is written. Instead the connection runs
 * with `synchronous = NORMAL` — SQLite then syncs the WAL before each checkpoint and the database
 * after it, so the file is never corrupt, but it does not sync at COMMIT — and every write that
 * commits waits here for an `fdatasync` of the WAL that *started after its commit*, run on libuv's
 * thread pool. A commit is acknowledged only after that, so an acknowledged commit survives a power
 * cut exactly as under FULL; meanwhile the event loop serves requests, and one fsync covers every
 * commit made before it started (group commit for free).
 *
 * The WAL file lives as long as any connection has the database open (SQLite deletes it when the
 * last one closes), and this process holds its connection open, so the descriptor stays valid.
 */
export class WalBarrier {
  readonly #walPath: string
  readonly #sync: SyncFile
  #fd: number | undefined
  /** commits counted so far */
  #committed = 0
  /** commits covered by a finished fsync */
  #durable = 0
  #running: Promise<void> | undefined

  constructor(databasePath: string, sync: SyncFile = datasync) {
    this.#walPath = `${databasePath}-wal`
    this.#sync = sync
  }

  /** Count a commit that has completed; `through(n)` with the number returned waits for it. */
  committed(): number {
    return ++this.#committed
  }

  /** Resolve once commits 1..n are on stable storage. */
  async through(n: number): Promise<void> {
    while (this.#durable < n) {
      this.#running ??= this.#flush()
      await this.#running
    }
  }

  /** `committed()` then `through()`: for writers that commit on the raw handle. */
  durable(): Promise<void> {
    return this.through(this.committed())
  }

  close(): void {
    if (this.#fd !== undefined) {
      closeSync(this.#fd)
      this.#fd = undefined
    }
  }

  async #flush(): Promise<void> {
    const covers = this.#committed
    try {
      if (this.#fd === undefined) {
        const fd = openSync(this.#walPath, 'r')
        // the WAL's directory entry too, once: a file created since its directory was last synced
        // may be missing after a power cut even when its own data was synced
        const dir = openSync(dirname(this.#walPath), 'r')
        try {
          await fullsync(dir)
        } catch (e) {
          closeSync(fd)
          throw e
        } finally {
          closeSync(dir)
        }
        this.#fd = fd
      }
      await this.#sync(this.#fd)
      this.#durable = Math.max(this.#durable, covers)
    } finally {
      this.#running = undefined
    }
  }
}
