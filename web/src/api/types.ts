/**
 * Shapes the web app exchanges with the server. Case types come straight from the core so the
 * desk and the lifecycle never drift; the shapes of endpoints still being built are our best
 * reading of the brief, kept here so adjusting them is a one-file change.
 */
import type { Appeal, Case, Channel, GeoPoint, Role, Stage } from '../../../src/core/case/case.types.ts'

export type { Appeal, Case, Channel, GeoPoint, Role, Stage }
export type { ActionType, Satisfaction, Priority } from '../../../src/core/case/case.types.ts'

export interface User {
  readonly id: string
  readonly username: string
  readonly displayName: string
  readonly role: Role
  readonly unitId?: string
  readonly regionCode?: string
}

export interface Session {
  readonly token: string
  readonly expiresAt: number
  readonly user: User
}

/** A case as the API presents it: the domain object plus the current stage's deadline. */
export type ApiCase = Case & { readonly dueNext?: number }
export type CaseDetail = ApiCase & { readonly appeals: readonly Appeal[] }

export interface Page<T> {
  readonly items: readonly T[]
  readonly nextCursor?: string
}

export interface TimelineEntry {
  readonly seq: number
  readonly action: string
  readonly from: Stage | null
  readonly to: Stage
  readonly actorId: string
  readonly role: Role
  readonly unitId?: string
  readonly at: number
  readonly payload: Readonly<Record<string, unknown>>
}

export interface CaseQuery {
  readonly stage?: readonly Stage[]
  readonly class?: string
  readonly region?: string
  readonly unit?: string
  readonly channel?: Channel
  readonly overdue?: boolean
  readonly q?: string
  readonly limit?: number
  readonly cursor?: string
}

export interface CatalogMajor {
  readonly kind: 'component' | 'event'
  readonly code: string
  readonly name: string
  readonly nameEn: string
}

export interface CatalogClass {
  readonly id: string
  readonly kind: 'component' | 'event'
  readonly majorCode: string
  readonly name: string
  readonly nameEn: string
  readonly urgent?: boolean
}

export interface Catalog {
  readonly version: string
  readonly majors: readonly CatalogMajor[]
  readonly classes: readonly CatalogClass[]
}

export type RegionLevel = 'city' | 'district' | 'street' | 'community' | 'grid'

export interface RegionProps {
  readonly code: string
  readonly name: string
  readonly level: RegionLevel
  readonly parentCode?: string
  readonly centroid?: readonly [number, number]
}

export interface RegionFeature {
  readonly type: 'Feature'
  readonly properties: RegionProps
  readonly geometry: { readonly type: 'Polygon' | 'MultiPolygon'; readonly coordinates: unknown }
}

export interface RegionCollection {
  readonly type: 'FeatureCollection'
  readonly features: readonly RegionFeature[]
}

/** Counts keyed by channel, stage or class id. */
export type Counts = Readonly<Record<string, number>>

/** GET /api/v1/metrics/overview. Rates are 0..1; absent when nothing was due. */
export interface Overview {
  readonly at?: number
  readonly today: number
  readonly inProgress: number
  readonly overdue: number
  readonly supervised: number
  readonly byChannel: Counts
  readonly byStage: Counts
  readonly byClass: Counts
  /** cases per region code (district, street or grid), for the map's heat */
  readonly byRegion?: Counts
  readonly responseRate?: number
  readonly resolutionRate?: number
  readonly satisfactionRate?: number
}

export interface TrendPoint {
  readonly date: string
  readonly count: number
}

export interface ForecastPoint {
  readonly date: string
  readonly mean: number
  readonly lower: number
  readonly upper: number
}

/** GET /api/v1/metrics/trend?days=N */
export interface Trend {
  readonly days: readonly TrendPoint[]
  readonly forecast?: readonly ForecastPoint[]
  /** which model made the forecast (docs/forecast.md); `note` says why a simpler one was used */
  readonly model?: {
    readonly name: string
    readonly alpha?: number
    readonly beta?: number
    readonly gamma?: number
    readonly level: number
    readonly note?: string
  }
  /** rolling-origin errors of the forecast and of the seasonal-naive baseline */
  readonly error?: {
    readonly mae: number
    readonly rmse: number
    readonly mase?: number
    readonly baseline: { readonly mae: number; readonly rmse: number; readonly mase?: number }
  }
}

export interface RankingRow {
  readonly rank: number
  readonly code: string
  readonly name: string
  readonly score: number
  readonly cases?: number
  readonly responseRate?: number
  readonly resolutionRate?: number
  readonly satisfactionRate?: number
}

/** GET /api/v1/rankings?period=month&level=street */
export interface Rankings {
  readonly period: string
  readonly level: string
  readonly items: readonly RankingRow[]
}

export interface Unit {
  readonly id: string
  readonly name: string
  readonly nameEn?: string
  readonly type?: string
  readonly level?: string
  readonly regionCode?: string
}

export interface Team {
  readonly id: string
  readonly name: string
  readonly unitId?: string
  readonly location?: GeoPoint
  readonly status?: string
  readonly members?: number
  /** metres from the point asked about, when the query had `near` */
  readonly distance?: number
}

export interface Device {
  readonly id: string
  readonly kind: string
  readonly name?: string
  readonly location?: GeoPoint
  readonly status?: string
}

/** Where an incident is: a region by code, or a circle. */
export type IncidentArea =
  | { readonly kind: 'region'; readonly code: string; readonly name?: string }
  | { readonly kind: 'circle'; readonly center: GeoPoint; readonly radiusM: number }

export interface CommandLogEntry {
  readonly at: number
  readonly actorId?: string
  readonly actorName?: string
  readonly kind: string
  readonly text: string
  readonly unitIds?: readonly string[]
}

/** GET /api/v1/emergency: the city's mode, which every cockpit shares. */
export interface EmergencyState {
  readonly active: boolean
  readonly id?: string
  readonly title?: string
  readonly area?: IncidentArea
  readonly startedAt?: number
  readonly startedBy?: string
  readonly log?: readonly CommandLogEntry[]
  /** instructions of this incident with the units that acknowledged and those still pending */
  readonly instructions?: readonly EmergencyInstruction[]
}

export interface EmergencyInstruction {
  readonly id: string
  readonly text: string
  readonly at: number
  readonly byName?: string
  readonly addressees: readonly string[]
  readonly acks: readonly {
    readonly unitId: string
    readonly at: number
    readonly byName?: string
    readonly note?: string
  }[]
  readonly pending: readonly string[]
}

export type EmergencyCommand =
  | { readonly action: 'start'; readonly title: string; readonly area: IncidentArea }
  | { readonly action: 'instruct'; readonly unitIds: readonly string[]; readonly text: string }
  | { readonly action: 'stop'; readonly note?: string }

/** One server-sent event as the app sees it after parsing. */
export interface LiveEvent {
  readonly type: string
  readonly data: Readonly<Record<string, unknown>>
  readonly receivedAt: number
}
