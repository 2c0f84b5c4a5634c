import type { Kysely } from 'kysely'
import type { Case, Stage } from '../core/case/case.types.ts'
import type { Instant } from '../core/time.ts'
import type { Database, Open311KeyTable, Open311RequestTable } from './database.ts'

/** One Open311 request as stored: its own row, the appeal it became, and the case that appeal is in now. */
export interface Open311Record {
  readonly request: Open311RequestTable
  readonly appeal: {
    readonly text: string
    readonly lon: number | null
    readonly lat: number | null
    readonly address: string | null
    readonly receivedAt: Instant
  }
  readonly case: Case
  /** when the case row was last written */
  readonly caseUpdatedAt: Instant
}

/** A filter over requests; `requestedFrom`/`requestedTo` are inclusive. */
export interface Open311Filter {
  readonly requestedFrom: Instant
  readonly requestedTo: Instant
  readonly stages?: readonly Stage[]
  readonly classIds?: readonly string[]
  readonly limit: number
}

/** A stage change on the case of an Open311 request. */
export interface Open311UpdateRow {
  readonly appealId: string
  readonly caseId: string
  readonly seq: number
  readonly action: string
  readonly from: Stage | null
  readonly to: Stage
  readonly unitId: string | null
  readonly at: Instant
  readonly payload: Readonly<Record<string, unknown>>
}

/** Store a new API key (hash only). */
export async function insertKey(db: Kysely<Database>, row: Open311KeyTable): Promise<void> {
  await db.insertInto('open311_keys').values(row).execute()
}

/** Every key ever issued, newest first. */
export async function listKeys(db: Kysely<Database>): Promise<Open311KeyTable[]> {
  return db.selectFrom('open311_keys').selectAll().orderBy('created_at', 'desc').orderBy('id').execute()
}

/** The key with this hash, revoked or not. */
export async function keyByHash(db: Kysely<Database>, hash: string): Promise<Open311KeyTable | undefined> {
  return db.selectFrom('open311_keys').selectAll().where('key_hash', '=', hash).executeTakeFirst()
}

/** Revoke a key; false when no key has this id. Revoking twice keeps the first time. */
export async function revokeKey(db: Kysely<Database>, id: string, at: Instant): Promise<boolean> {
  const found = await db
    .selectFrom('open311_keys')
    .select('revoked_at')
    .where('id', '=', id)
    .executeTakeFirst()
  if (!found) {
    return false
  }
  if (found.revoked_at == null) {
    await db.updateTable('open311_keys').set({ revoked_at: at }).where('id', '=', id).execute()
  }
  return true
}

/** Rows per multi-row INSERT: 18 columns × 400 stays inside SQLite's and PostgreSQL's parameter limits. */
const CHUNK = 400

/**
 * Record requests in one transaction; a second record for the same appeal (an idempotent replay)
 * is ignored.
 */
export async function insertRequests(
  db: Kysely<Database>,
  rows: readonly Open311RequestTable[],
): Promise<void> {
  await db.transaction().execute(async (tx) => {
    for (let i = 0; i < rows.length; i += CHUNK) {
      await tx
        .insertInto('open311_requests')
        .values(rows.slice(i, i + CHUNK))
        .onConflict((oc) => oc.column('appeal_id').doNothing())
        .execute()
    }
  })
}

/** The appeal an idempotency key produced, if any. */
export async function appealByIdempotencyKey(db: Kysely<Database>, key: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('appeals')
    .select('id')
    .where('idempotency_key', '=', key)
    .executeTakeFirst()
  return row?.id
}

function joined(db: Kysely<Database>) {
  return db
    .selectFrom('open311_requests as r')
    .innerJoin('appeals as a', 'a.id', 'r.appeal_id')
    .innerJoin('cases as c', 'c.id', 'a.case_id')
    .selectAll('r')
    .select([
      'a.text as a_text',
      'a.lon as a_lon',
      'a.lat as a_lat',
      'a.address as a_address',
      'a.received_at as a_received_at',
      'c.doc as c_doc',
      'c.updated_at as c_updated_at',
    ])
}

type JoinedRow = Open311RequestTable & {
  a_text: string
  a_lon: number | null
  a_lat: number | null
  a_address: string | null
  a_received_at: number
  c_doc: string
  c_updated_at: number
}

function toRecord(row: JoinedRow): Open311Record {
  const { a_text, a_lon, a_lat, a_address, a_received_at, c_doc, c_updated_at, ...request } = row
  return {
    request,
    appeal: { text: a_text, lon: a_lon, lat: a_lat, address: a_address, receivedAt: a_received_at },
    case: JSON.parse(c_doc) as Case,
    caseUpdatedAt: c_updated_at,
  }
}

/** Requests by service_request_id (appeal id), in the order asked; unknown ids are left out. */
export async function findRequests(db: Kysely<Database>, ids: readonly string[]): Promise<Open311Record[]> {
  if (ids.length === 0) {
    return []
  }
  const rows = (await joined(db).where('r.appeal_id', 'in', ids).execute()) as JoinedRow[]
  const byId = new Map(rows.map((r) => [r.appeal_id, toRecord(r)]))
  return ids.flatMap((id) => byId.get(id) ?? [])
}

/** Requests matching a filter, newest first. */
export async function searchRequests(db: Kysely<Database>, f: Open311Filter): Promise<Open311Record[]> {
  let q = joined(db)
    .where('r.requested_at', '>=', f.requestedFrom)
    .where('r.requested_at', '<=', f.requestedTo)
  if (f.stages?.length) {
    q = q.where('c.stage', 'in', f.stages)
  }
  if (f.classIds?.length) {
    q = q.where('c.class_id', 'in', f.classIds)
  }
  const rows = (await q
    .orderBy('r.requested_at', 'desc')
    .orderBy('r.appeal_id', 'desc')
    .limit(f.limit)
    .execute()) as JoinedRow[]
  return rows.map(toRecord)
}

/** The appeal a token stands for. */
export async function appealByToken(db: Kysely<Database>, token: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('open311_requests')
    .select('appeal_id')
    .where('token', '=', token)
    .executeTakeFirst()
  return row?.appeal_id
}

/**
 * Stage changes (and intakes, reassignments) in [from, to] on the cases of Open311 requests, oldest first, each
 * once per request it concerns; changes before the request reached us (`created_at`, taken before
 * its intake) are not its updates: they belong to a case it later joined.
 */
export async function stageChanges(
  db: Kysely<Database>,
  from: Instant,
  to: Instant,
  limit: number,
): Promise<Open311UpdateRow[]> {
  const rows = await db
    .selectFrom('timeline as t')
    .innerJoin('appeals as a', 'a.case_id', 't.case_id')
    .innerJoin('open311_requests as r', 'r.appeal_id', 'a.id')
    .select([
      'r.appeal_id',
      't.case_id',
      't.seq',
      't.action',
      't.from_stage',
      't.to_stage',
      't.unit_id',
      't.at',
      't.payload',
    ])
    .where('t.at', '>=', from)
    .where('t.at', '<=', to)
    .whereRef('t.at', '>=', 'r.created_at')
    .where((eb) =>
      eb.or([
        eb('t.from_stage', 'is', null),
        eb('t.from_stage', '<>', eb.ref('t.to_stage')),
        // a new unit in charge is news to the reporter even when the stage stays
        eb('t.action', '=', 'reassign'),
      ]),
    )
    .orderBy('t.at')
    .orderBy('t.id')
    .orderBy('r.appeal_id')
    .limit(limit)
    .execute()
  return rows.map((r) => ({
    appealId: r.appeal_id,
    caseId: r.case_id,
    seq: r.seq,
    action: r.action,
    from: r.from_stage as Stage | null,
    to: r.to_stage as Stage,
    unitId: r.unit_id,
    at: r.at,
    payload: JSON.parse(r.payload) as Record<string, unknown>,
  }))
}
