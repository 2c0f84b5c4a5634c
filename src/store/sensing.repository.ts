import type SQLite from 'better-sqlite3'
import { sql, type Kysely } from 'kysely'
import type {
  AlarmTable,
  Database,
  DeviceTable,
  IngestDropTable,
  ReadingRollupTable,
  ReadingTable,
} from './database.ts'

/** Rows per INSERT: 4 columns × 500 stays far below SQLite's bound-variable limit. */
const CHUNK = 500

/** Stages after which a case no longer takes alarm repeats (a new raise opens a new case). */
const FINISHED_STAGES = ['closed', 'evaluated', 'rejected', 'merged']

export interface DeviceFilter {
  readonly kind?: string
  /** region code prefix (district 6, street 9, community 12, grid 15) */
  readonly region?: string
  readonly owner?: string
  readonly limit: number
  /** the last id of the previous page */
  readonly after?: string
}

/** Insert or replace a device. */
export async function upsertDevice(db: Kysely<Database>, row: DeviceTable): Promise<void> {
  const { id: _id, ...rest } = row
  await db
    .insertInto('devices')
    .values(row)
    .onConflict((oc) => oc.column('id').doUpdateSet(rest))
    .execute()
}

/** Insert many devices at once (the demo seed). */
export async function upsertDevices(db: Kysely<Database>, rows: readonly DeviceTable[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 100) {
    await db
      .insertInto('devices')
      .values(rows.slice(i, i + 100))
      .onConflict((oc) =>
        oc.column('id').doUpdateSet((eb) => ({
          kind: eb.ref('excluded.kind'),
          name: eb.ref('excluded.name'),
          lon: eb.ref('excluded.lon'),
          lat: eb.ref('excluded.lat'),
          grid_code: eb.ref('excluded.grid_code'),
          region_code: eb.ref('excluded.region_code'),
          owner_unit_id: eb.ref('excluded.owner_unit_id'),
          component_id: eb.ref('excluded.component_id'),
          expected_interval_sec: eb.ref('excluded.expected_interval_sec'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .execute()
  }
}

export async function findDevice(db: Kysely<Database>, id: string): Promise<DeviceTable | undefined> {
  return db.selectFrom('devices').selectAll().where('id', '=', id).executeTakeFirst()
}

/** Devices by id order, filtered; `after` pages. */
export async function listDevices(db: Kysely<Database>, f: DeviceFilter): Promise<DeviceTable[]> {
  let q = db.selectFrom('devices').selectAll().orderBy('id').limit(f.limit)
  if (f.kind) {
    q = q.where('kind', '=', f.kind)
  }
  if (f.owner) {
    q = q.where('owner_unit_id', '=', f.owner)
  }
  if (f.region) {
    q = q.where('region_code', 'like', `${f.region.replace(/[%_]/g, '')}%`)
  }
  if (f.after) {
    q = q.where('id', '>', f.after)
  }
  return q.execute()
}

export async function allDevices(db: Kysely<Database>): Promise<DeviceTable[]> {
  return db.selectFrom('devices').selectAll().orderBy('id').execute()
}

export async function upsertRule(db: Kysely<Database>, id: string, doc: string, now: number): Promise<void> {
  await db
    .insertInto('alarm_rules')
    .values({ id, doc, updated_at: now })
    .onConflict((oc) => oc.column('id').doUpdateSet({ doc, updated_at: now }))
    .execute()
}

export async function deleteRule(db: Kysely<Database>, id: string): Promise<boolean> {
  const r = await db.deleteFrom('alarm_rules').where('id', '=', id).executeTakeFirst()
  return Number(r.numDeletedRows) > 0
}

export async function listRules(db: Kysely<Database>): Promise<{ id: string; doc: string }[]> {
  return db.selectFrom('alarm_rules').select(['id', 'doc']).orderBy('id').execute()
}

/**
 * Insert readings; ones already stored (same device, quantity, ts) are skipped. Returns the rows
 * actually inserted, so rollups and rules see each reading once however often it is delivered.
 */
export async function insertReadings(
  db: Kysely<Database>,
  rows: readonly ReadingTable[],
): Promise<ReadingTable[]> {
  const inserted: ReadingTable[] = []
  for (let i = 0; i < rows.length; i += CHUNK) {
    const got = await db
      .insertInto('readings')
      .values(rows.slice(i, i + CHUNK))
      .onConflict((oc) => oc.columns(['device_id', 'quantity', 'ts']).doNothing())
      .returning(['device_id', 'quantity', 'ts', 'value'])
      .execute()
    inserted.push(...got)
  }
  return inserted
}

/** What a batch of new readings adds to the rollups and counters. */
export interface Derived {
  readonly rollups: readonly ReadingRollupTable[]
  readonly counters: readonly IngestDropTable[]
}

/** One reading as the writer stores it (the core `Reading` fits). */
export interface ReadingRow {
  readonly deviceId: string
  readonly quantity: string
  readonly ts: number
  readonly value: number
}

/** Stores a batch of readings and what they add to rollups and counters, in one transaction. */
export interface ReadingWriter {
  /**
   * Insert `rows`, skipping ones already stored; `derive` gets, per row, whether it was new, and
   * returns the rollups and counters to merge in the same transaction. Resolves with those flags.
   */
  commit(rows: readonly ReadingRow[], derive: (inserted: readonly boolean[]) => Derived): Promise<boolean[]>
}

/** The portable writer (PostgreSQL, and SQLite when no raw handle is at hand). */
export function kyselyReadingWriter(db: Kysely<Database>): ReadingWriter {
  return {
    commit: (rows, derive) =>
      db.transaction().execute(async (tx) => {
        const table = rows.map((r) => ({
          device_id: r.deviceId,
          quantity: r.quantity,
          ts: r.ts,
          value: r.value,
        }))
        const got = table.length > 0 ? await insertReadings(tx, table) : []
        const fresh = new Set(got.map((r) => `${r.device_id}|${r.quantity}|${Number(r.ts)}`))
        const inserted = rows.map((r) => fresh.delete(`${r.deviceId}|${r.quantity}|${r.ts}`))
        const d = derive(inserted)
        await upsertRollups(tx, d.rollups)
        await bumpCounters(tx, d.counters)
        return inserted
      }),
  }
}

/** Rows per multi-row INSERT in the SQLite writer: 4 × 128 bound values, one statement prepared once. */
const SQLITE_CHUNK = 128

/** Thrown inside a chunk's savepoint when some of its rows were stored already; never escapes. */
const SOME_STORED = new Error('readings chunk holds rows already stored')

/**
 * The SQLite writer: statements prepared once on the raw better-sqlite3 handle, inside one IMMEDIATE
 * transaction. Rows go in chunks of {@link SQLITE_CHUNK} through one multi-row INSERT; when a chunk
 * inserts fewer rows than it holds (a redelivery), its savepoint is rolled back and it is inserted
 * row by row, so each row's "new" flag is exact. Building a multi-row INSERT per batch through the
 * query builder cost more than storing the rows. The writer holds Kysely's connection while it runs,
 * so it never lands inside another open transaction.
 */
export function sqliteReadingWriter(
  db: Kysely<Database>,
  sqlite: SQLite.Database,
  /** resolves once the commit is on stable storage (Db.durable): the raw handle bypasses Kysely's wait */
  durable: () => Promise<void>,
): ReadingWriter {
  let prepared: ReturnType<typeof prepare> | undefined
  function prepare() {
    const columns = 'insert into readings (device_id, quantity, ts, value) values '
    const one = sqlite.prepare(`${columns}(?, ?, ?, ?) on conflict do nothing`)
    const many = sqlite.prepare(
      `${columns}${Array.from({ length: SQLITE_CHUNK }, () => '(?, ?, ?, ?)').join(', ')} on conflict do nothing`,
    )
    const params: unknown[] = new Array<unknown>(4 * SQLITE_CHUNK)
    const rollup = sqlite.prepare(
      `insert into reading_rollups (device_id, quantity, resolution, bucket, min, max, sum, count)
       values (?, ?, ?, ?, ?, ?, ?, ?)
       on conflict (device_id, quantity, resolution, bucket) do update set
         min = case when excluded.min < reading_rollups.min then excluded.min else reading_rollups.min end,
         max = case when excluded.max > reading_rollups.max then excluded.max else reading_rollups.max end,
         sum = reading_rollups.sum + excluded.sum,
         count = reading_rollups.count + excluded.count`,
    )
    const counter = sqlite.prepare(
      `insert into ingest_drops (channel, reason, count) values (?, ?, ?)
       on conflict (channel, reason) do update set count = ingest_drops.count + excluded.count`,
    )
    // called inside the batch transaction, so better-sqlite3 runs it as a savepoint
    const chunk = sqlite.transaction((rows: readonly ReadingRow[], from: number) => {
      for (let k = 0; k < SQLITE_CHUNK; k++) {
        const r = rows[from + k]
        params[4 * k] = r.deviceId
        params[4 * k + 1] = r.quantity
        params[4 * k + 2] = r.ts
        params[4 * k + 3] = r.value
      }
      if (many.run(params).changes !== SQLITE_CHUNK) {
        throw SOME_STORED
      }
    })
    const insertEach = (rows: readonly ReadingRow[], from: number, to: number, inserted: boolean[]) => {
      for (let i = from; i < to; i++) {
        const r = rows[i]
        inserted[i] = one.run(r.deviceId, r.quantity, r.ts, r.value).changes > 0
      }
    }
    const run = sqlite.transaction(
      (rows: readonly ReadingRow[], derive: (i: readonly boolean[]) => Derived) => {
        const inserted = new Array<boolean>(rows.length)
        let i = 0
        for (; i + SQLITE_CHUNK <= rows.length; i += SQLITE_CHUNK) {
          try {
            chunk(rows, i)
            inserted.fill(true, i, i + SQLITE_CHUNK)
          } catch (e) {
            if (e !== SOME_STORED) {
              throw e
            }
            insertEach(rows, i, i + SQLITE_CHUNK, inserted)
          }
        }
        insertEach(rows, i, rows.length, inserted)
        const d = derive(inserted)
        for (const u of d.rollups) {
          rollup.run(u.device_id, u.quantity, u.resolution, u.bucket, u.min, u.max, u.sum, u.count)
        }
        for (const c of d.counters) {
          counter.run(c.channel, c.reason, c.count)
        }
        return inserted
      },
    )
    return run
  }
  return {
    async commit(rows, derive) {
      const inserted = await db.connection().execute(async () => {
        prepared ??= prepare()
        return prepared.immediate(rows, derive)
      })
      // acknowledged (PUBACK, HTTP 2xx) only after this: the WAL fsync, off the event loop
      await durable()
      return inserted
    },
  }
}

/** Merge aggregates into the rollup rows (min/max kept, sum/count added). */
export async function upsertRollups(
  db: Kysely<Database>,
  rows: readonly ReadingRollupTable[],
): Promise<void> {
  for (let i = 0; i < rows.length; i += 200) {
    await db
      .insertInto('reading_rollups')
      .values(rows.slice(i, i + 200))
      .onConflict((oc) =>
        oc.columns(['device_id', 'quantity', 'resolution', 'bucket']).doUpdateSet({
          // CASE, not min()/least(): the one spelling SQLite and PostgreSQL share
          min: sql`case when excluded.min < reading_rollups.min then excluded.min else reading_rollups.min end`,
          max: sql`case when excluded.max > reading_rollups.max then excluded.max else reading_rollups.max end`,
          sum: sql`reading_rollups.sum + excluded.sum`,
          count: sql`reading_rollups.count + excluded.count`,
        }),
      )
      .execute()
  }
}

/** Add to the ingest counters. */
export async function bumpCounters(db: Kysely<Database>, rows: readonly IngestDropTable[]): Promise<void> {
  if (rows.length === 0) {
    return
  }
  await db
    .insertInto('ingest_drops')
    .values([...rows])
    .onConflict((oc) =>
      oc.columns(['channel', 'reason']).doUpdateSet({ count: sql`ingest_drops.count + excluded.count` }),
    )
    .execute()
}

export async function counters(db: Kysely<Database>): Promise<IngestDropTable[]> {
  return db.selectFrom('ingest_drops').selectAll().orderBy('channel').orderBy('reason').execute()
}

/** Raw readings of a device in [from, to), oldest first. */
export async function rawReadings(
  db: Kysely<Database>,
  deviceId: string,
  quantity: string | undefined,
  from: number,
  to: number,
  limit: number,
): Promise<ReadingTable[]> {
  let q = db
    .selectFrom('readings')
    .selectAll()
    .where('device_id', '=', deviceId)
    .where('ts', '>=', from)
    .where('ts', '<', to)
  if (quantity) {
    q = q.where('quantity', '=', quantity)
  }
  return q.orderBy('ts').orderBy('quantity').limit(limit).execute()
}

export async function rollups(
  db: Kysely<Database>,
  deviceId: string,
  quantity: string | undefined,
  resolution: '1m' | '1h',
  from: number,
  to: number,
  limit: number,
): Promise<ReadingRollupTable[]> {
  let q = db
    .selectFrom('reading_rollups')
    .selectAll()
    .where('device_id', '=', deviceId)
    .where('resolution', '=', resolution)
    .where('bucket', '>=', from)
    .where('bucket', '<', to)
  if (quantity) {
    q = q.where('quantity', '=', quantity)
  }
  return q.orderBy('bucket').orderBy('quantity').limit(limit).execute()
}

/** The newest reading of every quantity of these devices. */
export async function latestReadings(
  db: Kysely<Database>,
  deviceIds: readonly string[],
): Promise<ReadingTable[]> {
  if (deviceIds.length === 0) {
    return []
  }
  const out: ReadingTable[] = []
  for (let i = 0; i < deviceIds.length; i += CHUNK) {
    const ids = deviceIds.slice(i, i + CHUNK)
    const rows = await db
      .selectFrom('readings as r')
      .innerJoin(
        (eb) =>
          eb
            .selectFrom('readings')
            .select(['device_id', 'quantity', (e) => e.fn.max('ts').as('ts')])
            .where('device_id', 'in', ids)
            .groupBy(['device_id', 'quantity'])
            .as('m'),
        (j) =>
          j
            .onRef('m.device_id', '=', 'r.device_id')
            .onRef('m.quantity', '=', 'r.quantity')
            .onRef('m.ts', '=', 'r.ts'),
      )
      .select(['r.device_id', 'r.quantity', 'r.ts', 'r.value'])
      .execute()
    out.push(...rows)
  }
  return out
}

/** When the device's newest stored reading was taken (any quantity). */
export async function lastReadingTs(db: Kysely<Database>, deviceId: string): Promise<number | undefined> {
  const row = await db
    .selectFrom('readings')
    .select((e) => e.fn.max('ts').as('ts'))
    .where('device_id', '=', deviceId)
    .executeTakeFirst()
  return row?.ts === null || row?.ts === undefined ? undefined : Number(row.ts)
}

export async function insertAlarm(db: Kysely<Database>, row: AlarmTable): Promise<void> {
  await db.insertInto('alarms').values(row).execute()
}

export async function updateAlarm(
  db: Kysely<Database>,
  id: string,
  set: Partial<Omit<AlarmTable, 'id'>>,
): Promise<void> {
  await db.updateTable('alarms').set(set).where('id', '=', id).execute()
}

/** The newest alarm of this key whose case is still open (repeats attach to it). */
export async function openCaseAlarmByKey(db: Kysely<Database>, key: string): Promise<AlarmTable | undefined> {
  return db
    .selectFrom('alarms')
    .innerJoin('cases', 'cases.id', 'alarms.case_id')
    .selectAll('alarms')
    .where('alarms.key', '=', key)
    .where('cases.stage', 'not in', FINISHED_STAGES)
    .orderBy('alarms.raised_at', 'desc')
    .limit(1)
    .executeTakeFirst()
}

/** An alarm of the same rule at the same place whose case is still open (one case per place). */
export async function openCaseAlarmAtPlace(
  db: Kysely<Database>,
  ruleId: string,
  place: string,
): Promise<AlarmTable | undefined> {
  return db
    .selectFrom('alarms')
    .innerJoin('cases', 'cases.id', 'alarms.case_id')
    .selectAll('alarms')
    .where('alarms.rule_id', '=', ruleId)
    .where('alarms.place', '=', place)
    .where('cases.stage', 'not in', FINISHED_STAGES)
    .orderBy('alarms.raised_at', 'desc')
    .limit(1)
    .executeTakeFirst()
}

/** Keys of the alarms still raised, with their latest raise (what a restarted engine takes back). */
export async function openAlarmKeys(db: Kysely<Database>): Promise<{ key: string; raisedAt: number }[]> {
  const rows = await db
    .selectFrom('alarms')
    .select(['key', (e) => e.fn.max('last_raised_at').as('raised_at')])
    .where('state', '=', 'raised')
    .groupBy('key')
    .orderBy('key')
    .execute()
  return rows.map((r) => ({ key: r.key, raisedAt: Number(r.raised_at) }))
}

/** The raised alarm of a key, if any (the one a clear closes). */
export async function raisedAlarm(db: Kysely<Database>, key: string): Promise<AlarmTable | undefined> {
  return db
    .selectFrom('alarms')
    .selectAll()
    .where('key', '=', key)
    .where('state', '=', 'raised')
    .orderBy('raised_at', 'desc')
    .limit(1)
    .executeTakeFirst()
}

export async function alarmsOfCase(db: Kysely<Database>, caseId: string): Promise<AlarmTable[]> {
  return db.selectFrom('alarms').selectAll().where('case_id', '=', caseId).orderBy('raised_at').execute()
}

/** Alarms, newest first: open ones (`state` raised) or everything since an instant. */
export async function listAlarms(
  db: Kysely<Database>,
  f: { state?: string; since?: number; deviceId?: string; limit: number },
): Promise<AlarmTable[]> {
  let q = db.selectFrom('alarms').selectAll().orderBy('last_raised_at', 'desc').limit(f.limit)
  if (f.state) {
    q = q.where('state', '=', f.state)
  }
  if (f.since !== undefined) {
    q = q.where('last_raised_at', '>=', f.since)
  }
  if (f.deviceId) {
    q = q.where('device_id', '=', f.deviceId)
  }
  return q.execute()
}

/** Retention: delete raw readings and 1-minute rollups before `rawBefore`, 1-hour rollups before `rollupBefore`. */
export async function purgeReadings(
  db: Kysely<Database>,
  rawBefore: number,
  rollupBefore: number,
): Promise<{ readings: number; rollups: number }> {
  const r = await db.deleteFrom('readings').where('ts', '<', rawBefore).executeTakeFirst()
  const m = await db
    .deleteFrom('reading_rollups')
    .where('resolution', '=', '1m')
    .where('bucket', '<', rawBefore)
    .executeTakeFirst()
  const h = await db
    .deleteFrom('reading_rollups')
    .where('resolution', '=', '1h')
    .where('bucket', '<', rollupBefore)
    .executeTakeFirst()
  return { readings: Number(r.numDeletedRows), rollups: Number(m.numDeletedRows) + Number(h.numDeletedRows) }
}
