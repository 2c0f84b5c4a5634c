import type { Counters, EvaluationConfig, Metrics } from './evaluation.types.ts'
import { metricsOf } from './metrics.ts'

/** One street's (unit's …) counters for the period being ranked. */
export interface RankingRow {
  /** the dimension value: street code, unit id … */
  readonly key: string
  readonly counters: Counters
}

/** A place in the ranking. Unranked entries are listed, with the reason, after the ranked ones. */
export interface RankingEntry {
  readonly key: string
  /** competition rank ("1224"): tied entries share a rank and the next rank skips; absent = not ranked */
  readonly rank?: number
  /** true when another entry has the same rank */
  readonly tied: boolean
  readonly metrics: Metrics
  /** why the entry is not ranked */
  readonly unranked?: 'below-minimum-volume' | 'no-score'
  readonly note?: string
}

export interface Ranking {
  readonly entries: readonly RankingEntry[]
  /** the rule, in words, for the page that shows the ranking */
  readonly rule: string
}

/**
 * Ranks by composite score, highest first. Scores are compared at the published precision
 * (`scoreDecimals`), so two entries that show the same score share a rank; tied entries are listed by
 * key (street code, unit id) for a stable page. An entry with fewer than `minDueCases` cases due to
 * close is listed but not ranked — a street with 3 cases is one complaint away from first or last
 * place — and one with no headline rate at all has no score to rank by.
 */
export function rank(rows: readonly RankingRow[], config: EvaluationConfig): Ranking {
  const scored = rows.map((r) => ({ key: r.key, metrics: metricsOf(r.counters, config) }))
  const eligible = scored
    .filter((s) => s.metrics.counters.dueClose >= config.minDueCases && s.metrics.score !== undefined)
    .sort((a, b) => b.metrics.score! - a.metrics.score! || compareKeys(a.key, b.key))
  const count = new Map<number, number>()
  for (const s of eligible) {
    count.set(s.metrics.score!, (count.get(s.metrics.score!) ?? 0) + 1)
  }
  const entries: RankingEntry[] = []
  let rankOf = 0
  eligible.forEach((s, i) => {
    if (i === 0 || s.metrics.score !== eligible[i - 1].metrics.score) {
      rankOf = i + 1
    }
    entries.push({ key: s.key, rank: rankOf, tied: count.get(s.metrics.score!)! > 1, metrics: s.metrics })
  })
  const ranked = new Set(eligible)
  const rest = scored
    .filter((s) => !ranked.has(s))
    .sort((a, b) => compareKeys(a.key, b.key))
    .map((s): RankingEntry => {
      const due = s.metrics.counters.dueClose
      return due < config.minDueCases
        ? {
            key: s.key,
            tied: false,
            metrics: s.metrics,
            unranked: 'below-minimum-volume',
            note: `not ranked: ${due} case(s) due to close, fewer than ${config.minDueCases}`,
          }
        : {
            key: s.key,
            tied: false,
            metrics: s.metrics,
            unranked: 'no-score',
            note: 'not ranked: no response, resolution or satisfaction figure',
          }
    })
  return {
    entries: [...entries, ...rest],
    rule:
      `ranked by composite score (response ${config.weights.response}, resolution ${config.weights.resolution}, ` +
      `satisfaction ${config.weights.satisfaction}), compared at ${config.scoreDecimals} decimals; equal scores share a rank; ` +
      `fewer than ${config.minDueCases} cases due to close: listed, not ranked`,
  }
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
