import type {
  CaseContribution,
  ContributionDims,
  Counters,
  DimensionKind,
  PeriodKind,
} from './evaluation.types.ts'
import { COUNTERS, PERIOD_KINDS } from './evaluation.types.ts'
import { addCounters, countersOf, emptyCounters } from './metrics.ts'

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

/**
 * The row changes that replace `before` by `after`: before's counters out of its rows, after's into
 * its rows, netted per row, rows with no net change dropped. Most actions (urge, instruct, a warn)
 * change no counter and so write nothing.
 */
export function contributionDeltas(
  before: CaseContribution | undefined,
  after: CaseContribution | undefined,
): RollupDelta[] {
  const byKey = new Map<string, RollupDelta>()
  const add = (k: CaseContribution, sign: 1 | -1) => {
    const counters = countersOf(k)
    for (const key of rollupKeys(k)) {
      const id = `${key.periodKind}\u0000${key.periodKey}\u0000${key.dimKind}\u0000${key.dimValue}`
      const prev = byKey.get(id)
      byKey.set(id, {
        ...key,
        delta: prev ? addCounters(prev.delta, counters, sign) : addCounters(emptyCounters(), counters, sign),
      })
    }
  }
  if (before) {
    add(before, -1)
  }
  if (after) {
    add(after, 1)
  }
  return [...byKey.values()].filter((d) => COUNTERS.some((c) => d.delta[c] !== 0))
}
