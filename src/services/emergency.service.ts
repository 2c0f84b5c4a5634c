import { createHash } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { WorkCalendar } from '../core/calendar/calendar.types.ts'
import { OPEN_STAGES } from '../core/case/case.types.ts'
import {
  applyEmergency,
  areaShape,
  nearbyTeams,
  pendingAcks,
  type Applied,
  type AreaShape,
  type EmergencyCommand,
  type EmergencyState,
  type IncidentArea,
  type Instruction,
} from '../core/emergency/index.ts'
import { AppError } from '../core/errors.ts'
import { canonicalJson } from '../core/ledger/canonical.ts'
import { PLATFORM_UNIT_ID, type EntryInput } from '../core/ledger/ledger.types.ts'
import type { LiveEvent } from '../live/live-hub.ts'
import type { Database } from '../store/database.ts'
import * as repo from '../store/emergency.repository.ts'
import { newId } from '../store/ids.ts'
import { localClock, type CityService } from './city.service.ts'
import type { Clock, Principal } from './ports.ts'

/**
 * The ledger's append inside the caller's transaction. Instructions and acknowledgements cross a
 * unit boundary, so each lands in the hand-off ledger in the same transaction as the command.
 */
export interface EmergencyLedger {
  append(tx: Kysely<Database>, inputs: readonly EntryInput[], stateDoc: string): Promise<unknown>
}

/** Where committed emergency steps go: the bus, which the SSE hub forwards to every cockpit. */
export interface LivePublisher {
  publish(events: readonly LiveEvent[]): void
}

export interface EmergencyServiceDeps {
  readonly db: Kysely<Database>
  readonly clock: Clock
  readonly calendar: WorkCalendar
  readonly city: Pick<CityService, 'index' | 'unit' | 'teams'>
  readonly events: LivePublisher
  /** absent = instructions are not yet on the ledger (see docs/emergency.md, "Ledger") */
  readonly ledger?: EmergencyLedger
}

/** What a cockpit shows: GET /api/v1/emergency. */
export interface EmergencyView {
  readonly active: boolean
  readonly id?: string
  readonly title?: string
  readonly area?: PresentedArea
  readonly startedAt?: number
  readonly startedBy?: string
  readonly startedByName?: string
  readonly log?: readonly repo.LogEntry[]
  readonly instructions?: readonly (Instruction & { readonly pending: readonly string[] })[]
}

/** The area as stored, plus the middle and covering radius (so a client can frame any kind). */
export type PresentedArea = IncidentArea & {
  readonly center?: { lon: number; lat: number }
  readonly radiusM?: number
}

/** A command as the API takes it (ids are made here). */
export type CommandInput =
  | { readonly action: 'start'; readonly title: string; readonly area: IncidentArea }
  | {
      readonly action: 'instruct'
      readonly text: string
      readonly unitIds?: readonly string[]
      readonly teamIds?: readonly string[]
    }
  | {
      readonly action: 'update'
      readonly title?: string
      readonly area?: IncidentArea
      readonly note?: string
    }
  | { readonly action: 'stop'; readonly note?: string }

export interface SituationOptions {
  /** most cases listed (default 500) */
  readonly limit?: number
  /** nearest teams listed (default 10) */
  readonly teams?: number
}

export interface EmergencyService {
  view(): Promise<EmergencyView>
  command(input: CommandInput, p: Principal): Promise<EmergencyView>
  acknowledge(
    instructionId: string,
    p: Principal,
    o?: { unitId?: string; note?: string },
  ): Promise<EmergencyView>
  situation(p: Principal, o?: SituationOptions): Promise<Situation>
}

/** GET /api/v1/emergency/situation: what is inside the incident area and who is near. */
export interface Situation {
  readonly active: boolean
  readonly at: number
  readonly incidentId?: string
  readonly area?: PresentedArea
  readonly cases?: {
    readonly total: number
    /** more open cases lay in the box than `limit`: the list is the newest */
    readonly truncated: boolean
    readonly urgent: number
    readonly overdue: number
    readonly byStage: Readonly<Record<string, number>>
    readonly items: readonly repo.AreaCaseRow[]
  }
  /** undefined when this deployment has no sensing tables */
  readonly sensing?: {
    readonly devices: number
    readonly byKind: Readonly<Record<string, number>>
    readonly alarms: readonly repo.AreaAlarmRow[]
  }
  readonly teams?: readonly {
    readonly id: string
    readonly name: string
    readonly unitId: string
    readonly unitName?: string
    readonly status: string
    readonly location: { lon: number; lat: number }
    readonly distance: number
    readonly available: boolean
    readonly inside: boolean
    readonly reason?: string
  }[]
}

const CASE_SCAN_LIMIT = 5000

/** Build the emergency command service. */
export function createEmergencyService(deps: EmergencyServiceDeps): EmergencyService {
  const { db, clock, city } = deps

  function shapeOf(area: IncidentArea): AreaShape {
    const region = area.kind === 'region' ? city.index.byCode.get(area.code) : undefined
    const r = areaShape(area, region)
    if (!r.ok) {
      throw AppError.from(r.error)
    }
    return r.value
  }

  function present(area: IncidentArea): PresentedArea {
    let shape: AreaShape | undefined
    try {
      shape = shapeOf(area)
    } catch {
      shape = undefined // a region since removed from the tree: show what was stored
    }
    const named =
      area.kind === 'region' && !area.name && city.index.byCode.get(area.code)
        ? { ...area, name: city.index.byCode.get(area.code)!.name }
        : area
    if (!shape || area.kind === 'circle') {
      return named
    }
    return {
      ...named,
      center: { lon: shape.centre[0], lat: shape.centre[1] },
      radiusM: Math.round(shape.radiusM),
    }
  }

  async function viewOf(tx: Kysely<Database>, state: EmergencyState): Promise<EmergencyView> {
    if (state.status === 'idle') {
      return { active: false }
    }
    const { incident } = state
    return {
      active: true,
      id: incident.id,
      title: incident.title,
      area: present(incident.area),
      startedAt: incident.startedAt,
      startedBy: incident.startedBy,
      ...(incident.startedByName ? { startedByName: incident.startedByName } : {}),
      log: await repo.logOf(tx, incident.id),
      instructions: state.instructions.map((i) => ({ ...i, pending: pendingAcks(i) })),
    }
  }

  function unknownUnits(ids: readonly string[]): string[] {
    return ids.filter((u) => !city.unit(u))
  }

  /** Turn API input into a core command: make ids, resolve teams to units, check names exist. */
  function toCommand(input: CommandInput, now: number): EmergencyCommand {
    switch (input.action) {
      case 'start':
      case 'update': {
        if (input.area?.kind === 'region' && !city.index.byCode.has(input.area.code)) {
          throw new AppError(
            'GEO_INVALID',
            `region ${input.area.code} is not in the city's region tree`,
            'area.code',
          )
        }
        return input.action === 'start'
          ? { type: 'start', id: newId('EM', now), title: input.title, area: input.area }
          : {
              type: 'update',
              ...(input.title !== undefined ? { title: input.title } : {}),
              ...(input.area ? { area: input.area } : {}),
              ...(input.note !== undefined ? { note: input.note } : {}),
            }
      }
      case 'instruct': {
        const unitIds = input.unitIds ?? []
        const missing = unknownUnits(unitIds)
        if (missing.length) {
          throw new AppError('UNIT_UNKNOWN', `no such unit: ${missing.join(', ')}`, 'unitIds')
        }
        const teams = (input.teamIds ?? []).map((id) => {
          const t = city.teams().find((x) => x.id === id)
          if (!t) {
            throw new AppError('TEAM_UNKNOWN', `no such team: ${id}`, 'teamIds')
          }
          return { id: t.id, unitId: t.unitId }
        })
        return { type: 'instruct', id: newId('EI', now), text: input.text, unitIds, teams }
      }
      case 'stop':
        return { type: 'stop', ...(input.note !== undefined ? { note: input.note } : {}) }
    }
  }

  /** One command in one transaction: lock the head row, apply, store, log, ledger; publish after commit. */
  async function run(build: (now: number) => EmergencyCommand, p: Principal): Promise<EmergencyView> {
    const now = clock()
    const cmd = build(now)
    const { view, applied } = await db.transaction().execute(async (tx) => {
      const state = await repo.loadState(tx, await repo.lockHead(tx))
      const r = applyEmergency(state, cmd, p.actor, now, { unitName: (u) => city.unit(u)?.name })
      if (!r.ok) {
        throw AppError.from(r.error)
      }
      await store(tx, r.value, p)
      return { view: await viewOf(tx, r.value.state), applied: r.value }
    })
    deps.events.publish(eventsOf(applied, now))
    return view
  }

  async function store(tx: Kysely<Database>, a: Applied, p: Principal): Promise<void> {
    const c = a.change
    switch (c.kind) {
      case 'started':
        await repo.insertIncident(tx, c.incident)
        await repo.setActive(tx, c.incident.id)
        break
      case 'updated':
        await repo.updateIncident(tx, c.incident)
        break
      case 'stopped':
        await repo.stopIncident(tx, c.incident.id, a.log.at, p.actor.id)
        await repo.setActive(tx, null)
        break
      case 'instructed':
        await repo.insertInstruction(tx, a.log.incidentId, c.instruction)
        await recordOnLedger(tx, a)
        break
      case 'acknowledged':
        await repo.insertAck(tx, c.instructionId, c.ack)
        await recordOnLedger(tx, a)
        break
    }
    await repo.appendLog(tx, [a.log])
  }

  /** THE single ledger call site for emergency mode. */
  async function recordOnLedger(tx: Kysely<Database>, a: Applied): Promise<void> {
    if (!deps.ledger) {
      return
    }
    const { inputs, doc } = ledgerEntriesOf(a)
    if (inputs.length) {
      await deps.ledger.append(tx, inputs, doc)
    }
  }

  return {
    async view() {
      return viewOf(db, await repo.loadState(db, await repo.activeIncidentId(db)))
    },

    command: (input, p) => run((now) => toCommand(input, now), p),

    async acknowledge(instructionId, p, o = {}) {
      const unitId = o.unitId ?? p.actor.unitId
      if (!unitId) {
        throw new AppError(
          'VALIDATION_FAILED',
          'you belong to no unit: say which unit acknowledges (unitId)',
          'unitId',
        )
      }
      return run(
        () => ({
          type: 'acknowledge',
          instructionId,
          unitId,
          ...(o.note !== undefined ? { note: o.note } : {}),
        }),
        p,
      )
    },

    async situation(p, o = {}) {
      const now = clock()
      const state = await repo.loadState(db, await repo.activeIncidentId(db))
      if (state.status === 'idle') {
        return { active: false, at: now }
      }
      const area = state.incident.area
      const shape = shapeOf(area)
      const limit = Math.min(o.limit ?? 500, 2000)
      const rows = await repo.casesInBox(db, {
        bbox: shape.bbox,
        ...(shape.regionCode ? { regionCode: shape.regionCode } : {}),
        stages: OPEN_STAGES,
        limit: CASE_SCAN_LIMIT,
      })
      const inside = rows.filter(
        (r) =>
          (r.lon != null && r.lat != null ? shape.contains(r.lon, r.lat) : false) ||
          (r.lon == null &&
            shape.regionCode !== undefined &&
            r.regionCode?.startsWith(shape.regionCode) === true),
      )
      const visible = inside.filter((r) => seesCase(p, r))
      const byStage: Record<string, number> = {}
      for (const r of visible) {
        byStage[r.stage] = (byStage[r.stage] ?? 0) + 1
      }
      const { minute, weekday } = localClock(deps.calendar, now)
      const teams = nearbyTeams(city.teams(), {
        centre: shape.centre,
        localMinuteOfDay: minute,
        isoWeekday: weekday,
        limit: Math.min(o.teams ?? 10, 100),
      })
      return {
        active: true,
        at: now,
        incidentId: state.incident.id,
        area: present(area),
        cases: {
          total: visible.length,
          truncated: rows.length >= CASE_SCAN_LIMIT || visible.length > limit,
          urgent: visible.filter((r) => r.priority === 'urgent').length,
          overdue: visible.filter((r) => r.dueNext != null && r.dueNext < now).length,
          byStage,
          items: visible.slice(0, limit),
        },
        ...(await sensingIn(shape)),
        teams: teams.map((t) => ({
          id: t.team.id,
          name: t.team.name,
          unitId: t.team.unitId,
          ...(city.unit(t.team.unitId) ? { unitName: city.unit(t.team.unitId)!.name } : {}),
          status: t.team.status,
          location: t.team.position,
          distance: Math.round(t.distanceM),
          available: t.available,
          inside: shape.contains(t.team.position.lon, t.team.position.lat),
          ...(t.reason ? { reason: t.reason } : {}),
        })),
      }
    },
  }

  /** Devices and open alarms in the area; nothing (not an error) where sensing is not installed. */
  async function sensingIn(shape: AreaShape): Promise<Pick<Situation, 'sensing'>> {
    try {
      const [devices, alarms] = await Promise.all([
        repo.devicesInBox(db, shape.bbox, 20_000),
        repo.openAlarmsInBox(db, shape.bbox, 2000),
      ])
      const byKind: Record<string, number> = {}
      let count = 0
      for (const d of devices) {
        if (!shape.contains(d.lon, d.lat)) {
          continue
        }
        count++
        byKind[d.kind] = (byKind[d.kind] ?? 0) + 1
      }
      return {
        sensing: { devices: count, byKind, alarms: alarms.filter((a) => shape.contains(a.lon, a.lat)) },
      }
    } catch (e) {
      if (/no such table|does not exist/i.test((e as Error).message)) {
        return {}
      }
      throw e
    }
  }
}

/** Handlers see their unit's cases; region-scoped users their region's; the rest see all. */
function seesCase(p: Principal, r: repo.AreaCaseRow): boolean {
  const { role, unitId } = p.actor
  if (role === 'admin' || role === 'leader' || role === 'system') {
    return true
  }
  if (role === 'handler') {
    return unitId !== undefined && r.unitId === unitId
  }
  return !p.regionCode || (r.regionCode?.startsWith(p.regionCode) ?? false)
}

function sha256Hex(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('hex')
}

/**
 * Ledger entries for an instruction (one per addressed unit) or an acknowledgement (one). The
 * "case" of these entries is the incident; they carry no case version, so the verifier checks
 * their hashes and chain but no case timeline row.
 */
export function ledgerEntriesOf(a: Applied): { inputs: EntryInput[]; doc: string } {
  const c = a.change
  const l = a.log
  const actingUnit = l.unitId ?? PLATFORM_UNIT_ID
  if (c.kind === 'instructed') {
    const doc = canonicalJson({ incidentId: l.incidentId, instruction: c.instruction })
    const stateHash = sha256Hex(doc)
    const payloadHash = sha256Hex(canonicalJson({ text: c.instruction.text }))
    return {
      doc,
      inputs: c.instruction.addressees.map((to) => ({
        caseId: l.incidentId,
        action: 'instruct',
        ...(l.unitId ? { fromUnitId: l.unitId } : {}),
        toUnitId: to,
        actorId: l.actorId,
        unitId: actingUnit,
        at: l.at,
        stateHash,
        payloadHash,
      })),
    }
  }
  if (c.kind === 'acknowledged') {
    const doc = canonicalJson({ incidentId: l.incidentId, instructionId: c.instructionId, ack: c.ack })
    return {
      doc,
      inputs: [
        {
          caseId: l.incidentId,
          action: 'acknowledge',
          fromUnitId: c.ack.unitId,
          actorId: l.actorId,
          unitId: l.role === 'admin' ? actingUnit : c.ack.unitId,
          at: l.at,
          stateHash: sha256Hex(doc),
          payloadHash: sha256Hex(canonicalJson({ note: c.ack.note ?? null })),
        },
      ],
    }
  }
  return { inputs: [], doc: '' }
}

/** Live events for cockpits (and, for instructions, one per addressed unit so its handlers see it). */
function eventsOf(a: Applied, at: number): LiveEvent[] {
  const c = a.change
  const incidentId = a.log.incidentId
  switch (c.kind) {
    case 'started':
      return [
        {
          type: 'emergency.started',
          at,
          payload: { incidentId, title: c.incident.title, area: c.incident.area, text: a.log.text },
        },
      ]
    case 'updated':
      return [
        {
          type: 'emergency.updated',
          at,
          payload: { incidentId, title: c.incident.title, area: c.incident.area, text: a.log.text },
        },
      ]
    case 'stopped':
      return [{ type: 'emergency.stopped', at, payload: { incidentId, text: a.log.text } }]
    case 'instructed':
      return c.instruction.addressees.map((unitId) => ({
        type: 'emergency.instructed',
        at,
        unitId,
        payload: {
          incidentId,
          instructionId: c.instruction.id,
          text: c.instruction.text,
          unitIds: c.instruction.addressees,
          by: c.instruction.byName ?? c.instruction.by,
        },
      }))
    case 'acknowledged':
      return [
        {
          type: 'emergency.acknowledged',
          at,
          unitId: c.ack.unitId,
          payload: { incidentId, instructionId: c.instructionId, unitId: c.ack.unitId, text: a.log.text },
        },
      ]
  }
}
