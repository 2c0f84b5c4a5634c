import type { Kysely } from 'kysely'
import type {
  Acknowledgement,
  EmergencyState,
  Incident,
  IncidentArea,
  Instruction,
  LogDraft,
} from '../core/emergency/emergency.types.ts'
import type { BBox } from '../core/geo/geo.types.ts'
import type { Database, EmergencyIncidentTable } from './database.ts'

/** A stored command-log line. */
export interface LogEntry extends LogDraft {
  readonly seq: number
}

const HEAD = 'city'

/**
 * Take the city's emergency row for the rest of the transaction and say which incident is active.
 * The UPDATE is what serialises commands: on PostgreSQL its row lock queues a second node's start
 * behind the first, so two leaders cannot both start an incident.
 */
export async function lockHead(db: Kysely<Database>): Promise<string | undefined> {
  const row = await db
    .updateTable('emergency_head')
    .set((eb) => ({ version: eb('version', '+', 1) }))
    .where('name', '=', HEAD)
    .returning('incident_id')
    .executeTakeFirstOrThrow()
  return row.incident_id ?? undefined
}

/** Which incident is active now (no lock). */
export async function activeIncidentId(db: Kysely<Database>): Promise<string | undefined> {
  const row = await db
    .selectFrom('emergency_head')
    .select('incident_id')
    .where('name', '=', HEAD)
    .executeTakeFirst()
  return row?.incident_id ?? undefined
}

export async function setActive(db: Kysely<Database>, incidentId: string | null): Promise<void> {
  await db.updateTable('emergency_head').set({ incident_id: incidentId }).where('name', '=', HEAD).execute()
}

export async function insertIncident(db: Kysely<Database>, i: Incident): Promise<void> {
  await db
    .insertInto('emergency_incidents')
    .values({
      id: i.id,
      title: i.title,
      area: JSON.stringify(i.area),
      started_at: i.startedAt,
      started_by: i.startedBy,
      started_by_name: i.startedByName ?? null,
      stopped_at: null,
      stopped_by: null,
    })
    .execute()
}

export async function updateIncident(db: Kysely<Database>, i: Incident): Promise<void> {
  await db
    .updateTable('emergency_incidents')
    .set({ title: i.title, area: JSON.stringify(i.area) })
    .where('id', '=', i.id)
    .execute()
}

export async function stopIncident(db: Kysely<Database>, id: string, at: number, by: string): Promise<void> {
  await db
    .updateTable('emergency_incidents')
    .set({ stopped_at: at, stopped_by: by })
    .where('id', '=', id)
    .execute()
}

export async function insertInstruction(
  db: Kysely<Database>,
  incidentId: string,
  i: Instruction,
): Promise<void> {
  await db
    .insertInto('emergency_instructions')
    .values({
      id: i.id,
      incident_id: incidentId,
      text: i.text,
      at: i.at,
      actor_id: i.by,
      actor_name: i.byName ?? null,
      actor_unit_id: i.byUnitId ?? null,
      unit_ids: JSON.stringify(i.unitIds),
      team_ids: JSON.stringify(i.teamIds),
      addressees: JSON.stringify(i.addressees),
    })
    .execute()
}

/** Insert an acknowledgement; the primary key refuses a second one for the same unit. */
export async function insertAck(
  db: Kysely<Database>,
  instructionId: string,
  a: Acknowledgement,
): Promise<void> {
  await db
    .insertInto('emergency_acks')
    .values({
      instruction_id: instructionId,
      unit_id: a.unitId,
      at: a.at,
      actor_id: a.by,
      actor_name: a.byName ?? null,
      note: a.note ?? null,
    })
    .execute()
}

/** Append command-log lines. There is no update or delete here, and triggers refuse them anyway. */
export async function appendLog(db: Kysely<Database>, lines: readonly LogDraft[]): Promise<void> {
  if (lines.length === 0) {
    return
  }
  await db
    .insertInto('emergency_log')
    .values(
      lines.map((l) => ({
        incident_id: l.incidentId,
        at: l.at,
        kind: l.kind,
        actor_id: l.actorId,
        actor_name: l.actorName ?? null,
        role: l.role,
        unit_id: l.unitId ?? null,
        text: l.text,
        unit_ids: l.unitIds ? JSON.stringify(l.unitIds) : null,
        instruction_id: l.instructionId ?? null,
      })),
    )
    .execute()
}

/** An incident's command log, oldest first. */
export async function logOf(db: Kysely<Database>, incidentId: string): Promise<LogEntry[]> {
  const rows = await db
    .selectFrom('emergency_log')
    .selectAll()
    .where('incident_id', '=', incidentId)
    .orderBy('seq')
    .execute()
  return rows.map((r) => ({
    seq: Number(r.seq),
    incidentId: r.incident_id,
    at: Number(r.at),
    kind: r.kind as LogDraft['kind'],
    actorId: r.actor_id,
    ...(r.actor_name != null ? { actorName: r.actor_name } : {}),
    role: r.role as LogDraft['role'],
    ...(r.unit_id != null ? { unitId: r.unit_id } : {}),
    text: r.text,
    ...(r.unit_ids != null ? { unitIds: JSON.parse(r.unit_ids) as string[] } : {}),
    ...(r.instruction_id != null ? { instructionId: r.instruction_id } : {}),
  }))
}

function toIncident(r: EmergencyIncidentTable): Incident {
  return {
    id: r.id,
    title: r.title,
    area: JSON.parse(r.area) as IncidentArea,
    startedAt: Number(r.started_at),
    startedBy: r.started_by,
    ...(r.started_by_name != null ? { startedByName: r.started_by_name } : {}),
  }
}

/** The mode as the state machine sees it: the active incident with its instructions and acks. */
export async function loadState(
  db: Kysely<Database>,
  incidentId: string | undefined,
): Promise<EmergencyState> {
  if (!incidentId) {
    return { status: 'idle' }
  }
  const row = await db
    .selectFrom('emergency_incidents')
    .selectAll()
    .where('id', '=', incidentId)
    .executeTakeFirst()
  if (!row) {
    return { status: 'idle' }
  }
  const [instructions, acks] = await Promise.all([
    db
      .selectFrom('emergency_instructions')
      .selectAll()
      .where('incident_id', '=', incidentId)
      .orderBy('at')
      .orderBy('id')
      .execute(),
    db
      .selectFrom('emergency_acks as a')
      .innerJoin('emergency_instructions as i', 'i.id', 'a.instruction_id')
      .selectAll('a')
      .where('i.incident_id', '=', incidentId)
      .orderBy('a.at')
      .execute(),
  ])
  const byInstruction = new Map<string, Acknowledgement[]>()
  for (const a of acks) {
    const list = byInstruction.get(a.instruction_id) ?? []
    list.push({
      unitId: a.unit_id,
      at: Number(a.at),
      by: a.actor_id,
      ...(a.actor_name != null ? { byName: a.actor_name } : {}),
      ...(a.note != null ? { note: a.note } : {}),
    })
    byInstruction.set(a.instruction_id, list)
  }
  return {
    status: 'active',
    incident: toIncident(row),
    instructions: instructions.map((r) => ({
      id: r.id,
      text: r.text,
      at: Number(r.at),
      by: r.actor_id,
      ...(r.actor_name != null ? { byName: r.actor_name } : {}),
      ...(r.actor_unit_id != null ? { byUnitId: r.actor_unit_id } : {}),
      unitIds: JSON.parse(r.unit_ids) as string[],
      teamIds: JSON.parse(r.team_ids) as string[],
      addressees: JSON.parse(r.addressees) as string[],
      acks: byInstruction.get(r.id) ?? [],
    })),
  }
}

/** A case inside an incident's box (the exact area test is the caller's). */
export interface AreaCaseRow {
  readonly id: string
  readonly title: string
  readonly stage: string
  readonly priority: string
  readonly classId: string | null
  readonly unitId: string | null
  readonly regionCode: string | null
  readonly lon: number | null
  readonly lat: number | null
  readonly dueNext: number | null
  readonly reportedAt: number
}

/**
 * Open cases whose position lies in the box, plus (for a region area) cases placed in the region
 * by code alone. `limit` guards the cockpit against a box that covers the whole city.
 */
export async function casesInBox(
  db: Kysely<Database>,
  f: { bbox: BBox; regionCode?: string; stages: readonly string[]; limit: number },
): Promise<AreaCaseRow[]> {
  const [minLon, minLat, maxLon, maxLat] = f.bbox
  const rows = await db
    .selectFrom('cases')
    .select([
      'id',
      'title',
      'stage',
      'priority',
      'class_id',
      'unit_id',
      'region_code',
      'lon',
      'lat',
      'due_next',
      'reported_at',
    ])
    .where('stage', 'in', f.stages)
    .where((eb) => {
      const inBox = eb.and([
        eb('lon', '>=', minLon),
        eb('lon', '<=', maxLon),
        eb('lat', '>=', minLat),
        eb('lat', '<=', maxLat),
      ])
      return f.regionCode
        ? eb.or([inBox, eb.and([eb('lon', 'is', null), eb('region_code', 'like', `${f.regionCode}%`)])])
        : inBox
    })
    .orderBy('reported_at', 'desc')
    .limit(f.limit)
    .execute()
  return rows.map((r) => ({
    id: r.id,
    title: r.title,
    stage: r.stage,
    priority: r.priority,
    classId: r.class_id,
    unitId: r.unit_id,
    regionCode: r.region_code,
    lon: r.lon,
    lat: r.lat,
    dueNext: r.due_next == null ? null : Number(r.due_next),
    reportedAt: Number(r.reported_at),
  }))
}

/** A sensing device in the box with its open alarms (sensing tables from 20261127113000_sensing). */
export interface AreaDeviceRow {
  readonly id: string
  readonly kind: string
  readonly name: string
  readonly lon: number
  readonly lat: number
  readonly ownerUnitId: string
}

export interface AreaAlarmRow {
  readonly id: string
  readonly deviceId: string
  readonly classId: string
  readonly severity: string
  readonly quantity: string | null
  readonly value: number | null
  readonly raisedAt: number
  readonly caseId: string | null
  readonly lon: number
  readonly lat: number
}

export async function devicesInBox(
  db: Kysely<Database>,
  bbox: BBox,
  limit: number,
): Promise<AreaDeviceRow[]> {
  const [minLon, minLat, maxLon, maxLat] = bbox
  const rows = await db
    .selectFrom('devices')
    .select(['id', 'kind', 'name', 'lon', 'lat', 'owner_unit_id'])
    .where('lon', '>=', minLon)
    .where('lon', '<=', maxLon)
    .where('lat', '>=', minLat)
    .where('lat', '<=', maxLat)
    .limit(limit)
    .execute()
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    name: r.name,
    lon: r.lon,
    lat: r.lat,
    ownerUnitId: r.owner_unit_id,
  }))
}

/** Raised (not yet cleared) alarms of devices in the box. */
export async function openAlarmsInBox(
  db: Kysely<Database>,
  bbox: BBox,
  limit: number,
): Promise<AreaAlarmRow[]> {
  const [minLon, minLat, maxLon, maxLat] = bbox
  const rows = await db
    .selectFrom('alarms as a')
    .innerJoin('devices as d', 'd.id', 'a.device_id')
    .select([
      'a.id',
      'a.device_id',
      'a.class_id',
      'a.severity',
      'a.quantity',
      'a.value',
      'a.raised_at',
      'a.case_id',
      'd.lon',
      'd.lat',
    ])
    .where('a.state', '=', 'raised')
    .where('d.lon', '>=', minLon)
    .where('d.lon', '<=', maxLon)
    .where('d.lat', '>=', minLat)
    .where('d.lat', '<=', maxLat)
    .orderBy('a.raised_at', 'desc')
    .limit(limit)
    .execute()
  return rows.map((r) => ({
    id: r.id,
    deviceId: r.device_id,
    classId: r.class_id,
    severity: r.severity,
    quantity: r.quantity,
    value: r.value,
    raisedAt: Number(r.raised_at),
    caseId: r.case_id,
    lon: r.lon,
    lat: r.lat,
  }))
}
