import type { MultiPolygon, Polygon } from 'geojson'
import type { Actor, GeoPoint } from '../case/case.types.ts'
import type { Instant } from '../time.ts'

/**
 * Where an incident is. The cockpit picks a region (district / street / community / grid code)
 * or a circle; an API client may also draw a GeoJSON polygon (WGS84, rings closed).
 */
export type IncidentArea =
  | { readonly kind: 'region'; readonly code: string; readonly name?: string }
  | { readonly kind: 'circle'; readonly center: GeoPoint; readonly radiusM: number }
  | { readonly kind: 'polygon'; readonly polygon: Polygon | MultiPolygon; readonly name?: string }

/** The incident the city is in command mode for. */
export interface Incident {
  readonly id: string
  readonly title: string
  readonly area: IncidentArea
  readonly startedAt: Instant
  /** user id of the leader who started it */
  readonly startedBy: string
  readonly startedByName?: string
}

/** A unit's acknowledgement of one instruction (by its handler or dispatcher). */
export interface Acknowledgement {
  readonly unitId: string
  readonly at: Instant
  readonly by: string
  readonly byName?: string
  readonly note?: string
}

/** An order typed by the leader, addressed to units (directly or through their teams). */
export interface Instruction {
  readonly id: string
  readonly text: string
  readonly at: Instant
  readonly by: string
  readonly byName?: string
  /** the unit the instruction came from, when the leader has one */
  readonly byUnitId?: string
  /** units chosen directly */
  readonly unitIds: readonly string[]
  /** teams chosen; each team's unit is addressed too */
  readonly teamIds: readonly string[]
  /** every unit that owes an acknowledgement: unitIds ∪ the teams' units, in order, no repeats */
  readonly addressees: readonly string[]
  readonly acks: readonly Acknowledgement[]
}

/** The city's mode. `idle` is the ordinary cockpit. */
export type EmergencyState =
  | { readonly status: 'idle' }
  | { readonly status: 'active'; readonly incident: Incident; readonly instructions: readonly Instruction[] }

/** Steps of the mode; ids and team → unit resolution come from the caller (the core makes no ids). */
export type EmergencyCommand =
  | { readonly type: 'start'; readonly id: string; readonly title: string; readonly area: IncidentArea }
  | {
      readonly type: 'instruct'
      readonly id: string
      readonly text: string
      readonly unitIds: readonly string[]
      readonly teams: readonly { readonly id: string; readonly unitId: string }[]
    }
  | {
      readonly type: 'acknowledge'
      readonly instructionId: string
      readonly unitId: string
      readonly note?: string
    }
  | { readonly type: 'update'; readonly title?: string; readonly area?: IncidentArea; readonly note?: string }
  | { readonly type: 'stop'; readonly note?: string }

export type EmergencyCommandType = EmergencyCommand['type']

/** One line of the command log (append-only); the store adds a sequence number. */
export interface LogDraft {
  readonly incidentId: string
  readonly at: Instant
  readonly kind: EmergencyCommandType
  readonly actorId: string
  readonly actorName?: string
  readonly role: Actor['role']
  readonly unitId?: string
  /** a sentence a person reads in the log */
  readonly text: string
  readonly unitIds?: readonly string[]
  readonly instructionId?: string
}

/** What a command did: the next state, the log line, and what changed for the store. */
export interface Applied {
  readonly state: EmergencyState
  readonly log: LogDraft
  readonly change:
    | { readonly kind: 'started'; readonly incident: Incident }
    | { readonly kind: 'instructed'; readonly instruction: Instruction }
    | { readonly kind: 'acknowledged'; readonly instructionId: string; readonly ack: Acknowledgement }
    | { readonly kind: 'updated'; readonly incident: Incident }
    | { readonly kind: 'stopped'; readonly incident: Incident }
}
