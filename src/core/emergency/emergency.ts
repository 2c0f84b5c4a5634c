import type { Actor, Role } from '../case/case.types.ts'
import { fail, ok, type Result } from '../errors.ts'
import type { Instant } from '../time.ts'
import { checkArea } from './area.ts'
import type {
  Acknowledgement,
  Applied,
  EmergencyCommand,
  EmergencyCommandType,
  EmergencyState,
  Incident,
  IncidentArea,
  Instruction,
  LogDraft,
} from './emergency.types.ts'

/** Roles that may switch the city into and out of command mode and give its orders. */
export const COMMAND_ROLES: readonly Role[] = ['leader', 'admin']
/** Roles that may acknowledge an instruction for their own unit (admins for any addressed unit). */
export const ACK_ROLES: readonly Role[] = ['handler', 'dispatcher', 'admin']

export const MAX_TITLE = 200
export const MAX_TEXT = 2000
export const MAX_ADDRESSEES = 200

/** The ordinary cockpit. */
export const IDLE: EmergencyState = Object.freeze({ status: 'idle' })

/** Optional presentation help: unit names for the log's sentences. */
export interface ApplyOptions {
  readonly unitName?: (unitId: string) => string | undefined
}

/** Which commands each state accepts: idle → start → active → (instruct | acknowledge | update)* → stop → idle. */
const ALLOWED: Record<EmergencyState['status'], readonly EmergencyCommandType[]> = {
  idle: ['start'],
  active: ['instruct', 'acknowledge', 'update', 'stop'],
}

/**
 * Apply one step of emergency command mode. Pure: the caller supplies ids, resolves teams to
 * their units and checks that regions and units exist; this decides whether the step is allowed
 * now, by this actor, and what it changes.
 */
export function applyEmergency(
  state: EmergencyState,
  cmd: EmergencyCommand,
  actor: Actor,
  now: Instant,
  options: ApplyOptions = {},
): Result<Applied> {
  if (!ALLOWED[state.status].includes(cmd.type)) {
    return state.status === 'idle'
      ? fail('EMERGENCY_NOT_ACTIVE', `no emergency is active: ${cmd.type} needs one (start it first)`)
      : fail(
          'EMERGENCY_ALREADY_ACTIVE',
          `emergency "${state.incident.title}" is already active: stop it before starting another`,
        )
  }
  const roles = cmd.type === 'acknowledge' ? ACK_ROLES : COMMAND_ROLES
  if (!roles.includes(actor.role)) {
    return fail(
      'FORBIDDEN_ROLE',
      `role ${actor.role} may not ${cmd.type} (needs ${roles.join(' or ')})`,
      'role',
    )
  }
  const name = (u: string) => options.unitName?.(u) ?? u
  const line = (incidentId: string, text: string, extra: Partial<LogDraft> = {}): LogDraft => ({
    incidentId,
    at: now,
    kind: cmd.type,
    actorId: actor.id,
    ...(actor.name ? { actorName: actor.name } : {}),
    role: actor.role,
    ...(actor.unitId ? { unitId: actor.unitId } : {}),
    text,
    ...extra,
  })

  if (state.status === 'idle') {
    if (cmd.type !== 'start') {
      return fail('EMERGENCY_NOT_ACTIVE', 'no emergency is active')
    }
    const title = cmd.title.trim()
    const bad = checkTitle(title) ?? checkArea(cmd.area)
    if (bad) {
      return bad
    }
    const incident: Incident = {
      id: cmd.id,
      title,
      area: cmd.area,
      startedAt: now,
      startedBy: actor.id,
      ...(actor.name ? { startedByName: actor.name } : {}),
    }
    return ok({
      state: { status: 'active', incident, instructions: [] },
      log: line(incident.id, `启动应急指挥：${title}（${areaLabel(cmd.area)}）`),
      change: { kind: 'started', incident },
    })
  }

  const { incident, instructions } = state
  switch (cmd.type) {
    case 'start':
      return fail('EMERGENCY_ALREADY_ACTIVE', `emergency "${incident.title}" is already active`)
    case 'instruct': {
      const text = cmd.text.trim()
      if (!text) {
        return fail('VALIDATION_FAILED', 'the instruction has no text', 'text')
      }
      if (text.length > MAX_TEXT) {
        return fail('VALIDATION_FAILED', `the instruction is longer than ${MAX_TEXT} characters`, 'text')
      }
      const addressees = [...new Set([...cmd.unitIds, ...cmd.teams.map((t) => t.unitId)])]
      if (addressees.length === 0) {
        return fail('VALIDATION_FAILED', 'choose at least one unit or team to instruct', 'unitIds')
      }
      if (addressees.length > MAX_ADDRESSEES) {
        return fail('VALIDATION_FAILED', `at most ${MAX_ADDRESSEES} units per instruction`, 'unitIds')
      }
      if (instructions.some((i) => i.id === cmd.id)) {
        return fail('VALIDATION_FAILED', `instruction ${cmd.id} was already given`, 'id')
      }
      const instruction: Instruction = {
        id: cmd.id,
        text,
        at: now,
        by: actor.id,
        ...(actor.name ? { byName: actor.name } : {}),
        ...(actor.unitId ? { byUnitId: actor.unitId } : {}),
        unitIds: [...new Set(cmd.unitIds)],
        teamIds: [...new Set(cmd.teams.map((t) => t.id))],
        addressees,
        acks: [],
      }
      return ok({
        state: { ...state, instructions: [...instructions, instruction] },
        log: line(incident.id, text, { unitIds: addressees, instructionId: instruction.id }),
        change: { kind: 'instructed', instruction },
      })
    }
    case 'acknowledge': {
      const target = instructions.find((i) => i.id === cmd.instructionId)
      if (!target) {
        return fail(
          'NOT_FOUND',
          `instruction ${cmd.instructionId} is not part of this incident`,
          'instructionId',
        )
      }
      if (actor.role !== 'admin' && actor.unitId !== cmd.unitId) {
        return fail(
          'EMERGENCY_NOT_ADDRESSED',
          `you acknowledge for your own unit (${actor.unitId ?? 'none'}), not ${cmd.unitId}`,
          'unitId',
        )
      }
      if (!target.addressees.includes(cmd.unitId)) {
        return fail(
          'EMERGENCY_NOT_ADDRESSED',
          `instruction ${target.id} was not addressed to ${name(cmd.unitId)}`,
          'unitId',
        )
      }
      const done = target.acks.find((a) => a.unitId === cmd.unitId)
      if (done) {
        return fail(
          'EMERGENCY_ALREADY_ACKNOWLEDGED',
          `${name(cmd.unitId)} already acknowledged instruction ${target.id}`,
          'instructionId',
        )
      }
      const note = cmd.note?.trim()
      if (note && note.length > MAX_TEXT) {
        return fail('VALIDATION_FAILED', `the note is longer than ${MAX_TEXT} characters`, 'note')
      }
      const ack: Acknowledgement = {
        unitId: cmd.unitId,
        at: now,
        by: actor.id,
        ...(actor.name ? { byName: actor.name } : {}),
        ...(note ? { note } : {}),
      }
      const next = instructions.map((i) => (i.id === target.id ? { ...i, acks: [...i.acks, ack] } : i))
      return ok({
        state: { ...state, instructions: next },
        log: line(incident.id, `${name(cmd.unitId)} 已签收指令${note ? `：${note}` : ''}`, {
          unitIds: [cmd.unitId],
          instructionId: target.id,
        }),
        change: { kind: 'acknowledged', instructionId: target.id, ack },
      })
    }
    case 'update': {
      const title = cmd.title?.trim() ?? incident.title
      const area = cmd.area ?? incident.area
      const bad = checkTitle(title) ?? checkArea(area)
      if (bad) {
        return bad
      }
      if (title === incident.title && cmd.area === undefined && !cmd.note?.trim()) {
        return fail('VALIDATION_FAILED', 'nothing to update: give a title, an area or a note', 'body')
      }
      const next: Incident = { ...incident, title, area }
      const parts = [
        title !== incident.title ? `标题改为「${title}」` : undefined,
        cmd.area ? `范围改为 ${areaLabel(area)}` : undefined,
        cmd.note?.trim() || undefined,
      ].filter((p): p is string => p !== undefined)
      return ok({
        state: { ...state, incident: next },
        log: line(incident.id, `更新：${parts.join('；')}`),
        change: { kind: 'updated', incident: next },
      })
    }
    case 'stop': {
      const note = cmd.note?.trim()
      return ok({
        state: IDLE,
        log: line(incident.id, `结束应急指挥${note ? `：${note}` : ''}`),
        change: { kind: 'stopped', incident },
      })
    }
  }
}

/** Units that have not yet acknowledged an instruction. */
export function pendingAcks(i: Instruction): string[] {
  const done = new Set(i.acks.map((a) => a.unitId))
  return i.addressees.filter((u) => !done.has(u))
}

/** A short human label for an area (the log's sentences). */
export function areaLabel(a: IncidentArea): string {
  switch (a.kind) {
    case 'region':
      return a.name ?? a.code
    case 'circle':
      return `${a.center.lon.toFixed(4)}, ${a.center.lat.toFixed(4)} 半径 ${Math.round(a.radiusM)} 米`
    case 'polygon':
      return a.name ?? '自绘区域'
  }
}

function checkTitle(title: string): Result<never> | undefined {
  if (!title) {
    return fail('VALIDATION_FAILED', 'the incident needs a title', 'title')
  }
  if (title.length > MAX_TITLE) {
    return fail('VALIDATION_FAILED', `the title is longer than ${MAX_TITLE} characters`, 'title')
  }
  return undefined
}
