import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { openDatabase } from '../../src/store/db.ts'
import { WalBarrier } from '../../src/store/wal-barrier.ts'

/** An fsync the test finishes by hand, recording when each one started. */
function manualSync() {
  const started: { finish: () => void; fail: (e: Error) => void }[] = []
  const sync = (_fd: number) =>
    new Promise<void>((resolve, reject) => {
      started.push({ finish: resolve, fail: reject })
    })
  return { started, sync }
}

const settle = () => new Promise<void>((r) => setImmediate(r))

/** Wait (real time, at most 2 s) until `cond` holds: the first sync also syncs the directory, on the thread pool. */
async function until(cond: () => boolean): Promise<void> {
  for (let waited = 0; !cond(); waited += 2) {
    if (waited > 2000) {
      throw new Error('condition not reached in 2 s')
    }
    await new Promise((r) => setTimeout(r, 2))
  }
}

function tmpPath(): string {
  return join(mkdtempSync(join(tmpdir(), 'onegrid-wal-')), 'test.db')
}

describe('WAL barrier: a commit is acknowledged only after an fsync that started after it', () => {
  async function barrierOnRealWal() {
    // the barrier opens the real -wal file: make one
    const path = tmpPath()
    const db = await openDatabase(`sqlite:${path}`)
    await db.close()
    const { sqlite } = await openDatabase(`sqlite:${path}`)
    sqlite!.exec('create table t (x integer)')
    const m = manualSync()
    return { barrier: new WalBarrier(path, m.sync), ...m }
  }

  it('one fsync covers every commit counted before it started', async () => {
    const { barrier, started } = await barrierOnRealWal()
    const done: number[] = []
    const [first, second] = [barrier.committed(), barrier.committed()]
    const a = barrier.through(first).then(() => done.push(1))
    const b = barrier.through(second).then(() => done.push(2))
    await until(() => started.length === 1)
    await settle()
    expect(started).toHaveLength(1)
    expect(done).toEqual([])
    started[0].finish()
    await Promise.all([a, b])
    expect(done.sort()).toEqual([1, 2])
  })

  it('a commit made while an fsync runs waits for the next one', async () => {
    const { barrier, started } = await barrierOnRealWal()
    const first = barrier.through(barrier.committed())
    await until(() => started.length === 1)
    let lateDone = false
    const late = barrier.through(barrier.committed()).then(() => (lateDone = true))
    started[0].finish()
    await first
    await until(() => started.length === 2)
    expect(lateDone).toBe(false)
    started[1].finish()
    await late
    expect(lateDone).toBe(true)
  })

  it('a failed fsync fails the commits waiting on it, and the next commit syncs again', async () => {
    const { barrier, started } = await barrierOnRealWal()
    const failing = barrier.through(barrier.committed())
    await until(() => started.length === 1)
    started[0].fail(new Error('EIO'))
    await expect(failing).rejects.toThrow('EIO')
    const next = barrier.through(barrier.committed())
    await until(() => started.length === 2)
    started[1].finish()
    await next
  })
})

describe('SQLite through Kysely: writes wait for the WAL fsync, reads do not', () => {
  it('a transaction resolves only after the fsync that covers its commit; the connection is free meanwhile', async () => {
    const m = manualSync()
    const db = await openDatabase(`sqlite:${tmpPath()}`, { syncFile: m.sync })
    // the DDL waits for an fsync too
    const ddl = sql`create table t (x integer)`.execute(db.kysely)
    await until(() => m.started.length === 1)
    m.started.forEach((s) => s.finish())
    await ddl
    const before = m.started.length

    let committed = false
    const tx = db.kysely
      .transaction()
      .execute(async (t) => {
        await sql`insert into t (x) values (1)`.execute(t)
      })
      .then(() => (committed = true))
    await until(() => m.started.length === before + 1)
    expect(committed).toBe(false)

    // the connection was released before the fsync wait: a read runs and sees the committed row
    const rows = await sql<{ n: number }>`select count(*) as n from t`.execute(db.kysely)
    expect(rows.rows[0].n).toBe(1)
    expect(m.started.length).toBe(before + 1)
    expect(committed).toBe(false)

    m.started[before].finish()
    await tx
    expect(committed).toBe(true)
    await db.close()
  })

  it('an autocommit write (no transaction) waits as well', async () => {
    const m = manualSync()
    const db = await openDatabase(`sqlite:${tmpPath()}`, { syncFile: async () => {} })
    await sql`create table t (x integer)`.execute(db.kysely)
    await db.close()
    const path = (db.sqlite as unknown as { name: string }).name
    const again = await openDatabase(`sqlite:${path}`, { syncFile: m.sync })
    let written = false
    const write = sql`insert into t (x) values (2)`.execute(again.kysely).then(() => (written = true))
    await until(() => m.started.length === 1)
    expect(written).toBe(false)
    m.started[0].finish()
    await write
    expect(written).toBe(true)
    await again.close()
  })

  it('runs with synchronous = NORMAL on files (the barrier syncs) and FULL in memory', async () => {
    const file = await openDatabase(`sqlite:${tmpPath()}`)
    const memory = await openDatabase('sqlite::memory:')
    expect(file.sqlite!.pragma('synchronous', { simple: true })).toBe(1)
    expect(memory.sqlite!.pragma('synchronous', { simple: true })).toBe(2)
    await file.close()
    await memory.close()
  })
})
