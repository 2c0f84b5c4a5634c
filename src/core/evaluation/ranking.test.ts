import { describe, expect, it } from 'vitest'
import type { Counters } from './evaluation.types.ts'
import { DEFAULT_EVALUATION_CONFIG } from './evaluation.types.ts'
import { emptyCounters } from './metrics.ts'
import { rank } from './ranking.ts'

/** Counters for a street: due, on-time responses, resolved (all due are closed), callbacks, weighted ×1000. */
function street(due: number, onTime: number, resolved: number, callbacks: number, milli: number): Counters {
  return {
    ...emptyCounters(),
    dueResponse: due,
    respondedOnTime: onTime,
    dueClose: due,
    closed: due,
    resolved,
    callbacks,
    satisfactionMilli: milli,
  }
}

const rows = [
  // 10×0.9 + 45×0.75 + 45×0.8 = 78.75
  { key: '110101002', counters: street(20, 18, 15, 10, 8000) },
  // perfect on exactly the minimum volume: 100
  { key: '110101003', counters: street(10, 10, 10, 5, 5000) },
  // same rates as …002 on twice the volume: 78.75, tied
  { key: '110101001', counters: street(40, 36, 30, 20, 16000) },
  // perfect but only 9 cases due: listed, not ranked
  { key: '110101004', counters: street(9, 9, 9, 9, 9000) },
  // no callbacks: (10×0.5 + 45×0.5) / 55 = 50
  { key: '110101005', counters: street(30, 15, 15, 0, 0) },
]

describe('ranking streets by composite score', () => {
  const r = rank(rows, DEFAULT_EVALUATION_CONFIG)

  it('orders by score, shares a rank on a tie and skips the next (1, 2, 2, 4)', () => {
    expect(r.entries.map((e) => [e.key, e.rank, e.metrics.score, e.tied])).toEqual([
      ['110101003', 1, 100, false],
      ['110101001', 2, 78.75, true],
      ['110101002', 2, 78.75, true],
      ['110101005', 4, 50, false],
      ['110101004', undefined, 100, false],
    ])
  })

  it('lists a street below the minimum volume with the reason instead of a rank', () => {
    const low = r.entries.find((e) => e.key === '110101004')!
    expect(low.unranked).toBe('below-minimum-volume')
    expect(low.note).toBe('not ranked: 9 case(s) due to close, fewer than 10')
    expect(r.rule).toContain('fewer than 10 cases due to close: listed, not ranked')
  })

  it('scores from the rates that exist when a street has no callbacks', () => {
    expect(r.entries.find((e) => e.key === '110101005')!.metrics.scoreBasis).toEqual([
      'response',
      'resolution',
    ])
  })

  it('ties scores that print the same at the published precision', () => {
    // 1/3 and 2/3-based scores that differ only beyond 2 decimals
    const a = { key: 'a', counters: street(30, 10, 30, 30, 30000) } // 10/3 + 45 + 45 = 93.333…
    const b = { key: 'b', counters: street(300, 100, 300, 300, 299990) } // 93.3318… → 93.33
    const out = rank([b, a], DEFAULT_EVALUATION_CONFIG).entries
    expect(out.map((e) => [e.key, e.rank, e.metrics.score])).toEqual([
      ['a', 1, 93.33],
      ['b', 1, 93.33],
    ])
  })

  it('honours configured weights', () => {
    const cfg = { ...DEFAULT_EVALUATION_CONFIG, weights: { response: 100, resolution: 0, satisfaction: 0 } }
    const out = rank(rows, cfg).entries.filter((e) => e.rank !== undefined)
    // response only: …003 1.0, …001 and …002 0.9, …005 0.5
    expect(out.map((e) => [e.key, e.rank, e.metrics.score])).toEqual([
      ['110101003', 1, 100],
      ['110101001', 2, 90],
      ['110101002', 2, 90],
      ['110101005', 4, 50],
    ])
  })
})
