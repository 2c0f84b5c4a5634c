import type { Kysely } from 'kysely'
import type { Appeal, Case, CaseEvent, Channel, Stage, TimelineDraft } from '../core/case/case.types.ts'
import { caseJson } from '../core/case/case-json.ts'
import { stageDue } from '../core/case/lifecycle.ts'
import type { Instant } from '../core/time.ts'
import { insertRecords } from './bulk.ts'
import type { AppealTable, CaseTable, Database } from './database.ts'

/** A timeline entry as stored. */
export interface TimelineEntry extends TimelineDraft {
  readonly seq: number
}

/** An appeal plus the key that makes its intake idempotent. */
export interface StoredAppeal extends Appeal {
  readonly idempotencyKey?: string
}

export interface CaseFilter {
  readonly stage?: readonly Stage[]
  readonly classId?: string
  readonly level?: string
  /** region code prefix: a district, street, community or grid code */
  readonly region?: string
  readonly unitId?: string
  readonly channel?: Channel
  /** only cases past the deadline of their current stage at `now` */
  readonly overdueAt?: Instant
  /** substring of the title */
  readonly text?: string
}

export interface CasePage {
  readonly items: readonly Case[]
  readonly nextCursor?: string
}

function caseToRow(c: Case, now: Instant): CaseTable {
  const r = c.region
  return {
    id: c.id,
    version: c.version,
    stage: c.stage,
    channel: c.channel,
    kind: c.kind ?? null,
    class_id: c.classId ?? null,
    priority: c.priority,
    level: c.level,
    unit_id: c.unitId ?? null,
    team_id: c.teamId ?? null,
    region_code: r.gridCode ?? r.communityCode ?? r.streetCode ?? r.districtCode ?? null,
    district_code: r.districtCode ?? null,
    street_code: r.streetCode ?? null,
    grid_code: r.gridCode ?? null,
    lon: c.location?.lon ?? null,
    lat: c.location?.lat ?? null,
    title: c.title,
    due_next: stageDue(c) ?? null,
    supervised: c.supervised ? 1 : 0,
    merged_into: c.mergedInto ?? null,
    reported_at: c.times.reportedAt,
    closed_at: c.times.closedAt ?? null,
    updated_at: now,
    doc: caseJson(c),
  }
}

function rowToCase(row: Pick<CaseTable, 'doc'>): Case {
  return JSON.parse(row.doc) as Case
}

/** Insert new cases (one multi-row INSERT per chunk). */
export async function insertCases(db: Kysely<Database>, cases: readonly Case[], now: Instant): Promise<void> {
  await insertRecords(
    db,
    'cases',
    cases.map((c) => caseToRow(c, now)),
  )
}

/** Write the next version of a case; false when someone else wrote it first (optimistic concurrency). */
export async function updateCase(
  db: Kysely<Database>,
  next: Case,
  expectedVersion: number,
  now: Instant,
): Promise<boolean> {
  const { id: _id, ...row } = caseToRow(next, now)
  const r = await db
    .updateTable('cases')
    .set(row)
    .where('id', '=', next.id)
    .where('version', '=', expectedVersion)
    .executeTakeFirst()
  return Number(r.numUpdatedRows) === 1
}

/** One case by id. */
export async function findCase(db: Kysely<Database>, id: string): Promise<Case | undefined> {
  const row = await db.selectFrom('cases').select('doc').where('id', '=', id).executeTakeFirst()
  return row ? rowToCase(row) : undefined
}

/** Cases by id, in no particular order. */
export async function findCases(db: Kysely<Database>, ids: readonly string[]): Promise<Case[]> {
  if (ids.length === 0) {
    return []
  }
  const rows = await db.selectFrom('cases').select('doc').where('id', 'in', ids).execute()
  return rows.map(rowToCase)
}

/** Insert appeals (one multi-row INSERT per chunk). */
export async function insertAppeals(db: Kysely<Database>, appeals: readonly StoredAppeal[]): Promise<void> {
  await insertRecords(db, 'appeals', appeals.map(appealToRow))
}

function appealToRow(a: StoredAppeal): AppealTable {
  return {
    id: a.id,
    case_id: a.caseId,
    channel: a.channel,
    text: a.text,
    reporter_name: a.reporterName ?? null,
    reporter_phone: a.reporterPhone ?? null,
    lon: a.location?.lon ?? null,
    lat: a.location?.lat ?? null,
    address: a.address ?? null,
    received_at: a.receivedAt,
    external_id: a.externalId ?? null,
    idempotency_key: a.idempotencyKey ?? null,
  }
}

/** Case ids already holding appeals with these idempotency keys. */
export async function casesByIdempotencyKeys(
  db: Kysely<Database>,
  keys: readonly string[],
): Promise<Map<string, string>> {
  if (keys.length === 0) {
    return new Map()
  }
  const rows = await db
    .selectFrom('appeals')
    .select(['idempotency_key', 'case_id'])
    .where('idempotency_key', 'in', keys)
    .execute()
  return new Map(rows.map((r) => [r.idempotency_key!, r.case_id]))
}

/** Every appeal of a case, oldest first. */
export async function appealsOf(db: Kysely<Database>, caseId: string): Promise<StoredAppeal[]> {
  const rows = await db
    .selectFrom('appeals')
    .selectAll()
    .where('case_id', '=', caseId)
    .orderBy('received_at')
    .execute()
  return rows.map((r) => ({
    id: r.id,
    caseId: r.case_id,
    channel: r.channel as Channel,
    text: r.text,
    receivedAt: r.received_at,
    ...(r.reporter_name != null ? { reporterName: r.reporter_name } : {}),
    ...(r.reporter_phone != null ? { reporterPhone: r.reporter_phone } : {}),
    ...(r.lon != null && r.lat != null ? { location: { lon: r.lon, lat: r.lat } } : {}),
    ...(r.address != null ? { address: r.address } : {}),
    ...(r.external_id != null ? { externalId: r.external_id } : {}),
    ...(r.idempotency_key != null ? { idempotencyKey: r.idempotency_key } : {}),
  }))
}

/** Move every appeal of one case to another (merge). */
export async function moveAppeals(
  db: Kysely<Database>,
  fromCaseId: string,
  toCaseId: string,
): Promise<number> {
  const r = await db
    .updateTable('appeals')
    .set({ case_id: toCaseId })
    .where('case_id', '=', fromCaseId)
    .executeTakeFirst()
  return Number(r.numUpdatedRows)
}

/** Append timeline entries (seq is the case version the entry produced). */
export async function insertTimeline(db: Kysely<Database>, entries: readonly TimelineEntry[]): Promise<void> {
  await insertRecords(
    db,
    'timeline',
    entries.map((e) => ({
      case_id: e.caseId,
      seq: e.seq,
      action: e.action,
      from_stage: e.from,
      to_stage: e.to,
      actor_id: e.actorId,
      role: e.role,
      unit_id: e.unitId ?? null,
      at: e.at,
      payload: JSON.stringify(e.payload),
    })),
  )
}

/** A case's timeline, in order. */
export async function timelineOf(db: Kysely<Database>, caseId: string): Promise<TimelineEntry[]> {
  const rows = await db
    .selectFrom('timeline')
    .selectAll()
    .where('case_id', '=', caseId)
    .orderBy('seq')
    .execute()
  return rows.map((r) => ({
    caseId: r.case_id,
    seq: r.seq,
    action: r.action as TimelineEntry['action'],
    from: r.from_stage as Stage | null,
    to: r.to_stage as Stage,
    actorId: r.actor_id,
    role: r.role as TimelineEntry['role'],
    ...(r.unit_id != null ? { unitId: r.unit_id } : {}),
    at: r.at,
    payload: JSON.parse(r.payload) as Record<string, unknown>,
  }))
}

/** Record events for publication after commit (transactional outbox). */
export async function insertOutbox(db: Kysely<Database>, events: readonly CaseEvent[]): Promise<void> {
  await insertRecords(
    db,
    'outbox',
    events.map((e) => ({ type: e.type, case_id: e.caseId, at: e.at, payload: JSON.stringify(e) })),
  )
}

/** Cases matching a filter, newest first, with an opaque cursor for the next page. */
export async function listCases(
  db: Kysely<Database>,
  f: CaseFilter,
  limit: number,
  cursor?: string,
): Promise<CasePage> {
  let q = db.selectFrom('cases').select(['doc', 'reported_at', 'id'])
  if (f.stage?.length) {
    q = q.where('stage', 'in', f.stage)
  }
  if (f.classId) {
    q = q.where('class_id', '=', f.classId)
  }
  if (f.level) {
    q = q.where('level', '=', f.level)
  }
  if (f.unitId) {
    q = q.where('unit_id', '=', f.unitId)
  }
  if (f.channel) {
    q = q.where('channel', '=', f.channel)
  }
  if (f.region) {
    q = q.where('region_code', 'like', `${escapeLike(f.region)}%`)
  }
  if (f.text) {
    q = q.where('title', 'like', `%${escapeLike(f.text)}%`)
  }
  if (f.overdueAt !== undefined) {
    q = q.where('due_next', '<', f.overdueAt)
  }
  const after = decodeCursor(cursor)
  if (after) {
    q = q.where((eb) =>
      eb.or([
        eb('reported_at', '<', after.at),
        eb.and([eb('reported_at', '=', after.at), eb('id', '<', after.id)]),
      ]),
    )
  }
  const rows = await q
    .orderBy('reported_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute()
  const page = rows.slice(0, limit)
  const last = page.at(-1)
  return {
    items: page.map(rowToCase),
    ...(rows.length > limit && last ? { nextCursor: encodeCursor(last.reported_at, last.id) } : {}),
  }
}

function escapeLike(s: string): string {
  return s.replace(/[%_\\]/g, '')
}

function encodeCursor(at: number, id: string): string {
  return Buffer.from(JSON.stringify([at, id])).toString('base64url')
}

function decodeCursor(cursor: string | undefined): { at: number; id: string } | undefined {
  if (!cursor) {
    return undefined
  }
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as [unknown, unknown]
    return typeof at === 'number' && typeof id === 'string' ? { at, id } : undefined
  } catch {
    return undefined
  }
}
