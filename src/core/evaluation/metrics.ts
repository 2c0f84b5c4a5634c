import type { Case, TimelineDraft } from '../case/case.types.ts'
import type {
  CaseContribution,
  ContributionDims,
  CounterName,
  Counters,
  EvaluationConfig,
  EvaluationMemo,
  Figure,
  FlagName,
  Flags,
  Metrics,
  Rate,
  ScoreWeights,
} from './evaluation.types.ts'
import { COUNTERS } from './evaluation.types.ts'
import { periodKeys } from './periods.ts'

/** What produced the version of the case being scored, beyond the case itself. */
export interface ContributionInput {
  /** the contribution recorded for the previous version (carries the memo); absent before first dispatch */
  readonly prior?: CaseContribution
  /** the case before the action */
  readonly before?: Case
  /** the action that produced this version, and who took it */
  readonly action?: TimelineDraft['action']
  readonly actorId?: string
  /** the case is excluded from the figures (the exclusion itself is stored by the caller) */
  readonly excluded?: boolean
}

/**
 * Which counters make each figure: numerator / denominator. Satisfaction's numerator is the
 * weighted sum (`satisfactionMilli` / 1000); its cases are those with a non-zero weight.
 */
export const FIGURE_PARTS: Readonly<Record<Figure, { numerator: CounterName; denominator: FlagName }>> = {
  response: { numerator: 'respondedOnTime', denominator: 'dueResponse' },
  resolution: { numerator: 'resolved', denominator: 'closed' },
  satisfaction: { numerator: 'satisfactionMilli', denominator: 'callbacks' },
  closure: { numerator: 'closed', denominator: 'dueClose' },
  onTimeClosure: { numerator: 'closedOnTime', denominator: 'dueClose' },
  rework: { numerator: 'reworked', denominator: 'closed' },
}

/**
 * What a case contributes to every numerator and denominator (docs/evaluation.md):
 * - A case counts from its first dispatch, in the day / week / month of the handle deadline that
 *   first dispatch set (`memo.anchorDue`), local time. Nothing the unit does later (extension,
 *   suspension, rework, return, late report) moves it to another period. Before its first dispatch
 *   a case contributes nothing (undefined).
 * - Merged and rejected cases leave every figure (their appeals live on in the target case).
 * - Excluded cases leave every figure and count in `excluded` only.
 * - due a response = every counted case; responded on time = first 签收 ever (`firstResponseAt`) at or
 *   before the receive deadline of the first dispatch (`memo.responseDue`).
 * - due to close = every counted case; closed = stage closed or evaluated; closed on time = closed, and
 *   the report that passed verification (`handledAt`) was at or before the handle deadline as moved
 *   by granted extensions and suspensions (`memo.handleDue`): the inspector's delay is not the unit's.
 * - resolved = closed, and confirmed: the reporter's callback answer when there is one, else the
 *   passed verification. rework = closed with at least one failed verification.
 * - callbacks = evaluations by the reporter (`source: 'callback'`); automatic evaluations are no one's
 *   opinion and count in no satisfaction figure. Weight: satisfied 1, basically configured, unsatisfied 0.
 */
export function contributionOf(
  c: Case,
  input: ContributionInput,
  config: EvaluationConfig,
): CaseContribution | undefined {
  const memo = nextMemo(c, input)
  if (!memo) {
    return undefined
  }
  const dims: ContributionDims = {
    ...(c.region.districtCode ? { district: c.region.districtCode } : {}),
    ...(c.region.streetCode ? { street: c.region.streetCode } : {}),
    ...(c.region.communityCode ? { community: c.region.communityCode } : {}),
    ...(c.unitId ? { unitId: c.unitId } : {}),
    ...(memo.handlerId ? { handlerId: memo.handlerId } : {}),
    ...(memo.inspectorId ? { inspectorId: memo.inspectorId } : {}),
    ...(c.classId ? { classId: c.classId } : {}),
  }
  const base = { caseId: c.id, periods: periodKeys(memo.anchorDue, config.utcOffsetMinutes), dims, memo }
  if (input.excluded) {
    return { ...base, flags: { ...NO_FLAGS, excluded: 1 }, satisfactionWeight: 0 }
  }
  if (c.stage === 'merged' || c.stage === 'rejected') {
    return { ...base, flags: NO_FLAGS, satisfactionWeight: 0 }
  }
  const closed = c.stage === 'closed' || c.stage === 'evaluated'
  const ev = c.evaluation
  const callback = ev?.source === 'callback' ? ev : undefined
  const resolved = callback ? callback.resolved : c.resolved === true
  const weight = callback ? satisfactionWeight(callback.satisfaction, config) : 0
  const first = c.times.firstResponseAt
  const handled = c.times.handledAt
  const flags: Flags = {
    excluded: 0,
    dueResponse: 1,
    respondedOnTime: bit(first !== undefined && first <= memo.responseDue),
    dueClose: 1,
    closed: bit(closed),
    closedOnTime: bit(closed && handled !== undefined && handled <= memo.handleDue),
    resolved: bit(closed && resolved),
    reworked: bit(closed && c.counters.reworks > 0),
    callbacks: bit(callback !== undefined),
    satisfied: bit(callback?.satisfaction === 'satisfied'),
    basically: bit(callback?.satisfaction === 'basically'),
    unsatisfied: bit(callback?.satisfaction === 'unsatisfied'),
  }
  return { ...base, flags, satisfactionWeight: weight }
}

/**
 * The memo for this version: taken at the first dispatch (both deadlines are then in `c.due`),
 * then carried. Only a granted extension or a resumption moves the handle deadline that "on time"
 * is judged by; reassignment, return, rework and reopening do not, so none of them resets the clock.
 */
export function nextMemo(c: Case, input: ContributionInput): EvaluationMemo | undefined {
  const { prior, before, action, actorId } = input
  let memo: EvaluationMemo | undefined = prior?.memo
  if (!memo) {
    const { receive, handle } = c.due
    if (receive === undefined || handle === undefined) {
      return undefined
    }
    memo = { responseDue: receive, anchorDue: handle, handleDue: handle }
  }
  const moved = c.due.handle
  if (
    (action === 'extend' || action === 'resume') &&
    moved !== undefined &&
    before?.due.handle !== undefined &&
    moved !== before.due.handle
  ) {
    memo = { ...memo, handleDue: moved }
  }
  if (actorId !== undefined && (action === 'receive' || action === 'report')) {
    memo = { ...memo, handlerId: actorId }
  }
  if (actorId !== undefined && action === 'verify' && c.stage === 'closed') {
    memo = { ...memo, inspectorId: actorId }
  }
  return memo
}

/** The weight of one callback answer. */
export function satisfactionWeight(
  s: 'satisfied' | 'basically' | 'unsatisfied',
  config: EvaluationConfig,
): number {
  return s === 'satisfied' ? 1 : s === 'basically' ? config.basicallyWeight : 0
}

/** A contribution as counters (satisfaction weight ×1000, rounded to an integer so sums are exact). */
export function countersOf(k: CaseContribution): Counters {
  return { ...k.flags, satisfactionMilli: Math.round(k.satisfactionWeight * 1000) }
}

/** All counters 0. */
export function emptyCounters(): Counters {
  return ZERO
}

/** a + sign × b, counter by counter. */
export function addCounters(a: Counters, b: Counters, sign: 1 | -1 = 1): Counters {
  const out = {} as Record<CounterName, number>
  for (const k of COUNTERS) {
    out[k] = a[k] + sign * b[k]
  }
  return out
}

/** The counters of a set of contributions (what a rollup row holds). */
export function sumContributions(ks: readonly CaseContribution[]): Counters {
  return ks.reduce((acc, k) => addCounters(acc, countersOf(k)), ZERO)
}

/**
 * The six rates and the composite score of one rollup row. Score = Σ weightᵢ × rateᵢ / Σ weightᵢ × 100
 * over the headline rates (response, resolution, satisfaction) that have a denominator, rounded to
 * `scoreDecimals`; a rate with nothing due is left out rather than counted as 0 or 100 %.
 */
export function metricsOf(counters: Counters, config: EvaluationConfig): Metrics {
  const r = (figure: Figure): Rate => {
    const { numerator, denominator } = FIGURE_PARTS[figure]
    const num = numerator === 'satisfactionMilli' ? counters[numerator] / 1000 : counters[numerator]
    const den = counters[denominator]
    return den > 0
      ? { numerator: num, denominator: den, value: num / den }
      : { numerator: num, denominator: den }
  }
  const rates = {
    response: r('response'),
    resolution: r('resolution'),
    satisfaction: r('satisfaction'),
    closure: r('closure'),
    onTimeClosure: r('onTimeClosure'),
    rework: r('rework'),
  }
  const basis = (['response', 'resolution', 'satisfaction'] as const).filter(
    (k) => rates[k].value !== undefined && config.weights[k] > 0,
  )
  const score = compositeScore(rates, basis, config.weights, config.scoreDecimals)
  return {
    ...rates,
    ...(score === undefined ? {} : { score }),
    scoreBasis: basis,
    excluded: counters.excluded,
    counters,
  }
}

/** Ids behind a figure among contributions: the denominator's cases and the numerator's, with weights. */
export function figureMembers(
  ks: readonly CaseContribution[],
  figure: Figure,
): { numerator: { caseId: string; weight: number }[]; denominator: string[]; excluded: string[] } {
  const { numerator, denominator } = FIGURE_PARTS[figure]
  const inDen = ks.filter((k) => k.flags[denominator] === 1)
  const num = inDen
    .map((k) => ({
      caseId: k.caseId,
      weight: numerator === 'satisfactionMilli' ? k.satisfactionWeight : k.flags[numerator],
    }))
    .filter((m) => m.weight > 0)
  return {
    numerator: num,
    denominator: inDen.map((k) => k.caseId),
    excluded: ks.filter((k) => k.flags.excluded === 1).map((k) => k.caseId),
  }
}

function compositeScore(
  rates: Record<keyof ScoreWeights, Rate>,
  basis: readonly (keyof ScoreWeights)[],
  weights: ScoreWeights,
  decimals: number,
): number | undefined {
  if (basis.length === 0) {
    return undefined
  }
  let sum = 0
  let w = 0
  for (const k of basis) {
    sum += weights[k] * rates[k].value!
    w += weights[k]
  }
  return roundTo((sum / w) * 100, decimals)
}

/** Rounds half away from zero at `decimals`, after removing binary noise (0.1 + 0.2 style). */
export function roundTo(x: number, decimals: number): number {
  const f = 10 ** decimals
  return Math.round(Number((x * f).toPrecision(12))) / f
}

function bit(b: boolean): 0 | 1 {
  return b ? 1 : 0
}

const NO_FLAGS: Flags = Object.freeze({
  excluded: 0,
  dueResponse: 0,
  respondedOnTime: 0,
  dueClose: 0,
  closed: 0,
  closedOnTime: 0,
  resolved: 0,
  reworked: 0,
  callbacks: 0,
  satisfied: 0,
  basically: 0,
  unsatisfied: 0,
})
const ZERO: Counters = Object.freeze({ ...NO_FLAGS, satisfactionMilli: 0 })
