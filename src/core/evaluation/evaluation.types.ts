import type { Instant } from '../time.ts'

/**
 * The integer counters a case contributes to, summed by rollups. Every one but `satisfactionMilli`
 * is a 0/1 flag per case, so a rollup counter is a count of cases and every figure has a list of
 * case ids behind it. Definitions: docs/evaluation.md and `contributionOf` in metrics.ts.
 */
export const COUNTERS = [
  'excluded',
  'dueResponse',
  'respondedOnTime',
  'dueClose',
  'closed',
  'closedOnTime',
  'resolved',
  'reworked',
  'callbacks',
  'satisfied',
  'basically',
  'unsatisfied',
  'satisfactionMilli',
] as const
export type CounterName = (typeof COUNTERS)[number]
export type Counters = Readonly<Record<CounterName, number>>
/** The 0/1 counters: everything but the weighted satisfaction sum. */
export type FlagName = Exclude<CounterName, 'satisfactionMilli'>
export type Flags = Readonly<Record<FlagName, 0 | 1>>

/** Period granularities. Keys: day 'YYYY-MM-DD', ISO week 'YYYY-Www', month 'YYYY-MM', local time. */
export const PERIOD_KINDS = ['day', 'week', 'month'] as const
export type PeriodKind = (typeof PERIOD_KINDS)[number]
export type PeriodKeys = Readonly<Record<PeriodKind, string>>

/** What a rollup is broken down by. `city` has the single value '*'. */
export const DIMENSION_KINDS = [
  'city',
  'district',
  'street',
  'community',
  'unit',
  'handler',
  'inspector',
  'class',
] as const
export type DimensionKind = (typeof DIMENSION_KINDS)[number]

/** Who and where a case is counted for. Absent values are simply not rolled up for that dimension. */
export interface ContributionDims {
  readonly district?: string
  readonly street?: string
  readonly community?: string
  readonly unitId?: string
  readonly handlerId?: string
  readonly inspectorId?: string
  readonly classId?: string
}

/**
 * Facts fixed along a case's life that the case itself does not keep (its `due` only holds the
 * current stage's deadlines), carried from one contribution to the next.
 */
export interface EvaluationMemo {
  /** the receive (签收) deadline set at the first dispatch: the response limit */
  readonly responseDue: Instant
  /** the handle deadline set at the first dispatch: fixes the period the case counts in */
  readonly anchorDue: Instant
  /** the handle deadline as moved by granted extensions and suspensions: "on time" means by this */
  readonly handleDue: Instant
  /** who last received or reported the case */
  readonly handlerId?: string
  /** who verified the case closed */
  readonly inspectorId?: string
}

/** Why a case is left out of the figures; recorded and itself counted (`excluded`). */
export interface Exclusion {
  readonly caseId: string
  readonly reason: string
  readonly actorId: string
  readonly at: Instant
}

/**
 * What one case contributes to every rollup row it belongs to. Rollups stay exact without scans
 * by subtracting a case's previous contribution and adding its new one on every action.
 */
export interface CaseContribution {
  readonly caseId: string
  readonly periods: PeriodKeys
  readonly dims: ContributionDims
  readonly flags: Flags
  /** 0 without a callback; 1 satisfied, the configured weight for basically, 0 unsatisfied */
  readonly satisfactionWeight: number
  readonly memo: EvaluationMemo
}

/** Weights of the composite score, over the three headline rates. */
export interface ScoreWeights {
  readonly response: number
  readonly resolution: number
  readonly satisfaction: number
}

/** City policy for evaluation. */
export interface EvaluationConfig {
  /** local time offset for period keys (Beijing 480) */
  readonly utcOffsetMinutes: number
  /** weight of a "basically satisfied" callback, 0..1 */
  readonly basicallyWeight: number
  readonly weights: ScoreWeights
  /** a dimension value with fewer cases due to close in the period is listed but not ranked */
  readonly minDueCases: number
  /** scores are published, compared and tied at this many decimals */
  readonly scoreDecimals: number
}

/** Beijing defaults: 基本满意 counts 0.8, score weights 10/45/45, at least 10 cases to be ranked. */
export const DEFAULT_EVALUATION_CONFIG: EvaluationConfig = Object.freeze({
  utcOffsetMinutes: 480,
  basicallyWeight: 0.8,
  weights: Object.freeze({ response: 10, resolution: 45, satisfaction: 45 }),
  minDueCases: 10,
  scoreDecimals: 2,
})

/** numerator / denominator; `value` is absent when nothing was due (0/0 is no rate, not 0 or 100%). */
export interface Rate {
  readonly numerator: number
  readonly denominator: number
  readonly value?: number
}

/** The six figures of DESIGN.md §4 and the composite score, from one rollup row. */
export interface Metrics {
  readonly response: Rate
  readonly resolution: Rate
  readonly satisfaction: Rate
  readonly closure: Rate
  readonly onTimeClosure: Rate
  readonly rework: Rate
  /** 0..100 at `scoreDecimals`; absent when none of the three headline rates has a denominator */
  readonly score?: number
  /** which headline rates the score is made of (a rate with nothing due is left out, weights renormalised) */
  readonly scoreBasis: readonly (keyof ScoreWeights)[]
  readonly excluded: number
  readonly counters: Counters
}

export const FIGURES = [
  'response',
  'resolution',
  'satisfaction',
  'closure',
  'onTimeClosure',
  'rework',
] as const
export type Figure = (typeof FIGURES)[number]
