import type { Case, GeoPoint } from '../case/case.types.ts'
import type { Instant } from '../time.ts'

/** Thresholds of the health check (城市管理体检); every figure in the report names the rule it used. */
export interface HealthCheckRules {
  /** a hotspot: at least this many cases of one class in one cell or cluster in the period */
  readonly hotspotMinCases: number
  /** cases without a grid cell are clustered when within this many metres of a cluster's first case */
  readonly clusterRadiusM: number
  /** a class enters the slow-class ranking with at least this many handled cases */
  readonly slowMinCases: number
  /** how many of the slowest classes are listed */
  readonly slowTop: number
  /** a unit enters the rework ranking with at least this many closed cases */
  readonly reworkMinClosed: number
  /** a unit's rework rate at or above this is "high" */
  readonly reworkHighRate: number
}

export const DEFAULT_HEALTH_CHECK_RULES: HealthCheckRules = Object.freeze({
  hotspotMinCases: 3,
  clusterRadiusM: 100,
  slowMinCases: 3,
  slowTop: 5,
  reworkMinClosed: 3,
  reworkHighRate: 0.2,
})

/** One case of the period, as the analysis sees it. */
export interface CheckedCase {
  readonly case: Case
  /** the evaluation's "closed on time" flag for the case; undefined when it has no contribution */
  readonly closedOnTime?: boolean
}

/** Where an inspector was in the period: a patrol report or a verification. */
export interface Visit {
  readonly kind: 'patrol' | 'verify'
  readonly gridCode?: string
}

/** Names the report prints; missing names fall back to codes. */
export interface Names {
  readonly className: (classId: string) => string | undefined
  readonly unitName: (unitId: string) => string | undefined
  readonly regionName: (code: string) => string | undefined
}

/** 反复出现: one class again and again in one grid cell (or one ~100 m cluster when there is no cell). */
export interface Hotspot {
  readonly classId: string
  readonly className: string
  /** the grid cell; absent for a cluster of cases without a cell */
  readonly cellCode?: string
  /** the cluster's first case position (clusters without a cell only) */
  readonly center?: GeoPoint
  readonly streetCode?: string
  readonly streetName?: string
  readonly count: number
  readonly firstAt: Instant
  readonly lastAt: Instant
  readonly caseIds: readonly string[]
}

/** A class whose handling is slowest: median dispatch → handled, and on-time closure. */
export interface SlowClass {
  readonly classId: string
  readonly className: string
  /** cases with both a dispatch and a handled report */
  readonly handled: number
  readonly medianHandlingHours: number
  readonly closed: number
  readonly closedOnTime: number
  /** closedOnTime / closed; absent with no closed case */
  readonly onTimeRate?: number
}

/** Rework per unit: closed cases with ≥ 1 failed verification / closed. */
export interface ReworkUnit {
  readonly unitId: string
  readonly unitName: string
  readonly closed: number
  readonly reworked: number
  readonly rate: number
  readonly high: boolean
}

/** A street's grid cells nobody inspected in the period (盲区). */
export interface BlindSpots {
  readonly streetCode: string
  readonly streetName: string
  readonly cells: number
  readonly visited: number
  readonly unvisited: readonly string[]
}

/** 吹哨报到 attendance of one unit: who came and who did not. */
export interface WhistleAttendance {
  readonly unitId: string
  readonly unitName: string
  readonly summoned: number
  readonly onTime: number
  readonly late: number
  /** past due without a report-in */
  readonly absent: number
  /** not reported in yet, still within the limit */
  readonly pending: number
  readonly caseIds: readonly string[]
}

/** The findings of one street (or of the whole region). */
export interface Findings {
  readonly cases: number
  readonly hotspots: readonly Hotspot[]
  readonly slowClasses: readonly SlowClass[]
  readonly reworkUnits: readonly ReworkUnit[]
  readonly whistle: readonly WhistleAttendance[]
}

export interface StreetReport extends Findings {
  readonly code: string
  readonly name: string
  readonly blindSpots: BlindSpots
  readonly summary: string
}

/** The health-check report of one district or street for one period. */
export interface HealthReport extends Findings {
  readonly region: { readonly code: string; readonly name: string; readonly level: 'district' | 'street' }
  readonly from: Instant
  /** exclusive */
  readonly to: Instant
  readonly generatedAt: Instant
  readonly utcOffsetMinutes: number
  readonly rules: HealthCheckRules
  readonly blindSpots: readonly BlindSpots[]
  readonly streets: readonly StreetReport[]
  readonly summary: readonly string[]
}
