import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from '../../src/store/db.ts'
import { openDatabase } from '../../src/store/db.ts'
import { migrateToLatest } from '../../src/store/migrate.ts'
import {
  counters,
  kyselyReadingWriter,
  rollups,
  sqliteReadingWriter,
  type ReadingRow,
  type ReadingWriter,
} from '../../src/store/sensing.repository.ts'
import { DATABASES } from '../helpers/databases.ts'

const T0 = Date.parse('2026-07-20T08:00:00+08:00')

/** `n` readings of one device, one a second, alternating two quantities' timestamps. */
function series(deviceId: string, from: number, n: number): ReadingRow[] {
  return Array.from({ length: n }, (_, i) => ({
    deviceId,
    quantity: i % 2 === 0 ? 'laeq' : 'lamax',
    ts: T0 + (from + i) * 1000,
    value: 40 + ((from + i) % 30),
  }))
}

function writersOf(db: Db): [string, ReadingWriter][] {
  const portable: [string, ReadingWriter] = ['kysely writer', kyselyReadingWriter(db.kysely)]
  return db.sqlite
    ? [['sqlite writer', sqliteReadingWriter(db.kysely, db.sqlite, db.durable)], portable]
    : [portable]
}

describe.each(DATABASES)('reading writers on $dialect', (d) => {
  let db: Db
  beforeAll(async () => {
    const { url, schema } = d.fresh()
    db = await openDatabase(url, schema ? { schema } : {})
    await migrateToLatest(db)
  })
  afterAll(async () => {
    await db.close()
  })

  it('flags exactly the new rows of a redelivered batch and rolls up only those', async () => {
    for (const [name, writer] of writersOf(db)) {
      const device = `dev-${name.split(' ')[0]}`
      // 300 rows: two full multi-row chunks of the SQLite writer and a remainder
      const first = series(device, 0, 300)
      const fresh1 = await writer.commit(first, () => ({ rollups: [], counters: [] }))
      expect(fresh1.every(Boolean), name).toBe(true)

      // a redelivery: rows 150..299 again, interleaved with 150 new ones (300..449)
      const again = series(device, 150, 300)
      const seen: boolean[][] = []
      const fresh2 = await writer.commit(again, (inserted) => {
        seen.push([...inserted])
        const fresh = again.filter((_, i) => inserted[i])
        return {
          rollups: [
            {
              device_id: device,
              quantity: 'all',
              resolution: '1h',
              bucket: T0,
              min: Math.min(...fresh.map((r) => r.value)),
              max: Math.max(...fresh.map((r) => r.value)),
              sum: fresh.reduce((a, r) => a + r.value, 0),
              count: fresh.length,
            },
          ],
          counters: [{ channel: name, reason: 'accepted', count: fresh.length }],
        }
      })
      const expected = again.map((r) => r.ts >= T0 + 300_000)
      expect(fresh2, name).toEqual(expected)
      expect(seen, name).toEqual([expected])

      const r = await rollups(db.kysely, device, 'all', '1h', T0, T0 + 3_600_000, 10)
      expect(
        r.map((x) => Number(x.count)),
        name,
      ).toEqual([150])
      const c = await counters(db.kysely)
      expect(c.find((x) => x.channel === name)?.count, name).toBe(150)
    }
  })

  it('stores nothing of a batch whose derived rows fail', async () => {
    for (const [name, writer] of writersOf(db)) {
      const device = `dev-fail-${name.split(' ')[0]}`
      const rows = series(device, 0, 200)
      await expect(
        writer.commit(rows, () => {
          throw new Error('derive failed')
        }),
      ).rejects.toThrow('derive failed')
      const fresh = await writer.commit(rows, () => ({ rollups: [], counters: [] }))
      expect(fresh.every(Boolean), name).toBe(true)
    }
  })
})
