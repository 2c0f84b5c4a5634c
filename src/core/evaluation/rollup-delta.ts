import type {
  CaseContribution,
  CounterName,
  ContributionDims,
  Counters,
  DimensionKind,
  PeriodKind,
} from './evaluation.types.ts'
import { COUNTERS, PERIOD_KINDS } from './evaluation.types.ts'
import { countersOf, emptyCounters } from './metrics.ts'

/** One rollup row's identity. */
export interface RollupKey {
  readonly periodKind: PeriodKind
  readonly periodKey: string
  readonly dimKind: DimensionKind
  readonly dimValue: string
}

/** A change to apply to one rollup row. */
export interface RollupDelta extends RollupKey {
  readonly delta: Counters
}

const DIM_FIELDS: readonly [DimensionKind, keyof ContributionDims][] = [
  ['district', 'district'],
  ['street', 'street'],
  ['community', 'community'],
  ['unit', 'unitId'],
  ['handler', 'handlerId'],
  ['inspector', 'inspectorId'],
  ['class', 'classId'],
]

/** Every rollup row a contribution belongs to: each period kind × the city and each known dimension. */
export function rollupKeys(k: CaseContribution): RollupKey[] {
  const dims: [DimensionKind, string][] = [['city', '*']]
  for (const [kind, field] of DIM_FIELDS) {
    const v = k.dims[field]
    if (v !== undefined) {
      dims.push([kind, v])
    }
  }
  const out: RollupKey[] = []
  for (const periodKind of PERIOD_KINDS) {
    for (const [dimKind, dimValue] of dims) {
      out.push({ periodKind, periodKey: k.periods[periodKind], dimKind, dimValue })
    }
  }
  return out
}

/** One contribution replaced by another (none: not counted) — what a rollup must net. */
export interface ContributionSwap {
  readonly before: CaseContribution | undefined
  readonly after: CaseContribution | undefined
}

/**
 * The row changes that replace `before` by `after`: before's counters out of its rows, after's into
 * its rows, netted per row, rows with no net change dropped. Most actions (urge, instruct, a warn)
 * change no counter and so write nothing.
 */
export function contributionDeltas(
  before: CaseContribution | undefined,
  after: CaseContribution | undefined,
): RollupDelta[] {
  return netDeltas([{ before, after }])
}

/**
 * `contributionDeltas` of many swaps summed per row: what one transaction writes. Counters are
 * accumulated in place (a group commit touches thousands of row keys).
 */
export function netDeltas(swaps: readonly ContributionSwap[]): RollupDelta[] {
  const byKey = new Map<string, { key: RollupKey; delta: Record<CounterName, number> }>()
  const add = (k: CaseContribution, sign: 1 | -1) => {
    const counters = countersOf(k)
    for (const key of rollupKeys(k)) {
      const id = `${key.periodKind}\u0000${key.periodKey}\u0000${key.dimKind}\u0000${key.dimValue}`
      let row = byKey.get(id)
      if (!row) {
        row = { key, delta: { ...emptyCounters() } }
        byKey.set(id, row)
      }
      for (const c of COUNTERS) {
        row.delta[c] += sign * counters[c]
      }
    }
  }
  for (const { before, after } of swaps) {
    if (before) {
      add(before, -1)
    }
    if (after) {
      add(after, 1)
    }
  }
  const out: RollupDelta[] = []
  for (const { key, delta } of byKey.values()) {
    if (COUNTERS.some((c) => delta[c] !== 0)) {
      out.push({ ...key, delta })
    }
  }
  return out
}
