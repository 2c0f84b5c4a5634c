import type { Instant } from '../time.ts'
import type { TimeLimit } from '../calendar/calendar.types.ts'

/** Lifecycle stages (DESIGN.md §3). `rejected` and `merged` are terminal side exits. */
export const STAGES = [
  'reported',
  'accepted',
  'registered',
  'dispatched',
  'handling',
  'suspended',
  'handled',
  'closed',
  'evaluated',
  'rejected',
  'merged',
] as const
export type Stage = (typeof STAGES)[number]

/** Stages in which the city still owes the reporter something. */
export const OPEN_STAGES: readonly Stage[] = [
  'reported',
  'accepted',
  'registered',
  'dispatched',
  'handling',
  'suspended',
  'handled',
]

/** `system` is the platform itself: the intake pipeline, the SLA sweeper, a sensor rule. */
export const ROLES = ['operator', 'dispatcher', 'handler', 'inspector', 'leader', 'admin', 'system'] as const
export type Role = (typeof ROLES)[number]

export const CHANNELS = ['hotline', 'patrol', 'sensor', 'opinion', 'open311', 'instruction', 'self'] as const
export type Channel = (typeof CHANNELS)[number]

export type CaseKind = 'component' | 'event'
export type HandlingLevel = 'street' | 'district' | 'city'
export type Priority = 'normal' | 'urgent'
export type Satisfaction = 'satisfied' | 'basically' | 'unsatisfied'

/** Who performs an action. Handlers, inspectors and street staff belong to a unit. */
export interface Actor {
  readonly id: string
  readonly role: Role
  readonly unitId?: string
  readonly name?: string
}

/** WGS84 / CGCS2000 longitude, latitude in degrees. GCJ-02 is converted at the boundary. */
export interface GeoPoint {
  readonly lon: number
  readonly lat: number
}

/** Where a case is, as finely as known. Codes per DB11/T 2157 (grid 15 digits). */
export interface RegionRef {
  readonly districtCode?: string
  readonly streetCode?: string
  readonly communityCode?: string
  readonly gridCode?: string
}

/** Per-stage time limits of a minor class, each in its own unit. */
export interface StageLimits {
  /** report → accept */
  readonly accept: TimeLimit
  /** register → dispatch */
  readonly dispatch: TimeLimit
  /** dispatch → receive (签收): the response limit */
  readonly receive: TimeLimit
  /** dispatch → report (处置): the handling limit */
  readonly handle: TimeLimit
  /** report → verify (核查) */
  readonly verify: TimeLimit
  /** close → evaluate (回访) */
  readonly callback: TimeLimit
}

/** Deadlines currently set on a case. Absent = not running. */
export interface Deadlines {
  readonly accept?: Instant
  readonly dispatch?: Instant
  readonly receive?: Instant
  readonly handle?: Instant
  readonly verify?: Instant
  readonly callback?: Instant
}

export interface ExtensionRequest {
  readonly limit: TimeLimit
  readonly reason: string
  readonly requestedBy: string
  readonly at: Instant
}

/** One unit summoned by 吹哨报到; it must report in by `due`. */
export interface Summons {
  readonly unitId: string
  readonly due: Instant
  readonly summonedAt: Instant
  readonly reportedAt?: Instant
}

export interface Evaluation {
  readonly satisfaction: Satisfaction
  readonly resolved: boolean
  readonly source: 'callback' | 'auto'
  readonly at: Instant
  readonly note?: string
}

export interface CaseCounters {
  readonly appeals: number
  readonly returns: number
  readonly reworks: number
  readonly extensions: number
  readonly urges: number
  readonly supervisions: number
  readonly instructions: number
  readonly escalations: number
  readonly reopens: number
}

export interface CaseTimes {
  readonly reportedAt: Instant
  readonly acceptedAt?: Instant
  readonly registeredAt?: Instant
  readonly dispatchedAt?: Instant
  /** first 签收 ever: the response time used by the response rate */
  readonly firstResponseAt?: Instant
  readonly receivedAt?: Instant
  readonly handledAt?: Instant
  readonly closedAt?: Instant
  readonly evaluatedAt?: Instant
  readonly terminatedAt?: Instant
}

/** One problem in the world. Immutable; `apply` returns the next version. */
export interface Case {
  readonly id: string
  /** 1 on intake; +1 per applied action. Actions carry the version they saw (optimistic concurrency). */
  readonly version: number
  readonly stage: Stage
  /** channel of the first appeal */
  readonly channel: Channel
  readonly title: string
  readonly description: string
  readonly kind?: CaseKind
  /** catalog class id: 'C' (component) or 'E' (event) + 2-digit major + 2-digit minor, e.g. 'E0101' */
  readonly classId?: string
  readonly priority: Priority
  readonly location?: GeoPoint
  readonly address?: string
  readonly region: RegionRef
  readonly level: HandlingLevel
  /** unit currently responsible (after dispatch) */
  readonly unitId?: string
  readonly teamId?: string
  readonly due: Deadlines
  readonly suspendedAt?: Instant
  readonly extensionRequest?: ExtensionRequest
  readonly supervised: boolean
  readonly summons: readonly Summons[]
  readonly counters: CaseCounters
  readonly times: CaseTimes
  readonly mergedInto?: string
  readonly rejectReason?: string
  readonly evaluation?: Evaluation
  /** true once verification confirmed the problem resolved */
  readonly resolved?: boolean
  /** what the SLA sweeper already did about the current stage deadline (absent until it first acts) */
  readonly sla?: SlaMemo
}

/**
 * The SLA sweeper's memory for one stage deadline, so repeated sweeps do nothing new. It is valid
 * only while `stage` and `deadline` match the case's current stage and `stageDue`: a new stage, an
 * extension or a rework sets a new deadline, and the sweeper starts afresh for it. Lifecycle
 * effects copy it along untouched; only the sweeper writes it.
 */
export interface SlaMemo {
  readonly stage: Stage
  readonly deadline: Instant
  readonly warnedAt?: Instant
  readonly urgedAt?: Instant
  readonly supervisedAt?: Instant
  /** escalations made for this deadline (each moves the level up one) */
  readonly escalations?: number
  readonly lastEscalatedAt?: Instant
}

/** An action and its payload. The names are the API's `:action` path segment. */
export type CaseAction =
  | { readonly type: 'accept'; readonly note?: string }
  | { readonly type: 'reject'; readonly reason: string }
  | { readonly type: 'merge'; readonly targetCaseId: string; readonly reason?: string }
  | {
      readonly type: 'register'
      readonly classId: string
      readonly priority?: Priority
      readonly note?: string
    }
  | {
      readonly type: 'dispatch'
      readonly unitId: string
      readonly teamId?: string
      readonly level?: HandlingLevel
      /** required by the service when the unit differs from the responsibility list's owner */
      readonly reason?: string
      /** why this unit: the responsibility-list explanation, recorded on the timeline */
      readonly explanation?: string
    }
  | { readonly type: 'reassign'; readonly unitId: string; readonly teamId?: string; readonly reason: string }
  | { readonly type: 'receive'; readonly note?: string }
  | { readonly type: 'return'; readonly reason: string }
  | {
      readonly type: 'extend'
      /** handler asks: limit + reason. dispatcher answers a pending request with decision, or extends directly with limit + reason */
      readonly limit?: TimeLimit
      readonly reason?: string
      readonly decision?: 'grant' | 'deny'
    }
  | { readonly type: 'suspend'; readonly reason: string }
  | { readonly type: 'resume'; readonly note?: string }
  | {
      readonly type: 'report'
      readonly note: string
      readonly photos?: readonly string[]
      readonly position?: GeoPoint
    }
  | {
      readonly type: 'verify'
      readonly passed: boolean
      readonly note?: string
      readonly photos?: readonly string[]
    }
  | {
      readonly type: 'evaluate'
      readonly satisfaction: Satisfaction
      readonly resolved: boolean
      readonly note?: string
      readonly source?: 'callback' | 'auto'
    }
  | { readonly type: 'reopen'; readonly reason: string }
  | { readonly type: 'urge'; readonly note?: string }
  | { readonly type: 'supervise'; readonly note: string }
  | { readonly type: 'instruct'; readonly note: string }
  | { readonly type: 'escalate'; readonly reason: string }
  | {
      readonly type: 'whistle'
      readonly unitIds: readonly string[]
      readonly reason: string
      readonly limit?: TimeLimit
    }
  | { readonly type: 'report-in'; readonly note?: string }

export type ActionType = CaseAction['type']
export type ActionOf<T extends ActionType> = Extract<CaseAction, { type: T }>

/** One line on a case's timeline, as the core produces it (the store adds seq and id). */
export interface TimelineDraft {
  readonly caseId: string
  /** `warn`: the SLA sweeper's due-soon notice (event `case.warned`), not a lifecycle action */
  readonly action: ActionType | 'intake' | 'appeal' | 'warn'
  readonly from: Stage | null
  readonly to: Stage
  readonly actorId: string
  readonly role: Role
  readonly unitId?: string
  readonly at: Instant
  readonly payload: Readonly<Record<string, unknown>>
}

/** Typed domain events, published after commit (outbox). */
export interface CaseEvent {
  readonly type: `case.${ActionType}` | 'case.reported' | 'case.appeal-added' | 'case.warned'
  readonly caseId: string
  readonly at: Instant
  readonly stage: Stage
  readonly unitId?: string
  readonly payload: Readonly<Record<string, unknown>>
}

/** A transition's outcome. */
export interface Applied {
  readonly case: Case
  readonly entry: TimelineDraft
  readonly events: readonly CaseEvent[]
}

/** Platform policy for the lifecycle, part of city configuration. */
export interface LifecyclePolicy {
  /** a handler may return a dispatched case only within this window after dispatch */
  readonly returnWindow: TimeLimit
  /** a closed case may be reopened only within this window after close */
  readonly reopenWindow: TimeLimit
  /** default report-in limit for 吹哨报到 */
  readonly whistleLimit: TimeLimit
}

/**
 * What `apply` needs from the rest of the core, passed in so it stays pure:
 * the catalog's limits for a class and the city's working-time calendar.
 */
export interface LifecycleEnv {
  readonly policy: LifecyclePolicy
  /** limits for a class (the catalog's, with platform defaults filled in); undefined class → defaults */
  readonly limitsFor: (classId: string | undefined) => StageLimits
  readonly classExists: (classId: string) => boolean
  readonly addLimit: (from: Instant, limit: TimeLimit) => Instant
  /** working milliseconds between two instants (for pausing working-time clocks) */
  readonly workingMsBetween: (from: Instant, to: Instant) => number
  readonly addWorkingMs: (from: Instant, ms: number) => Instant
}

/** One report of a case by one reporter. */
export interface Appeal {
  readonly id: string
  readonly caseId: string
  readonly channel: Channel
  readonly text: string
  readonly reporterName?: string
  readonly reporterPhone?: string
  readonly location?: GeoPoint
  readonly address?: string
  readonly receivedAt: Instant
  /** id in the source system (hotline ticket, Open311 request, patrol client id) */
  readonly externalId?: string
}
