import { describe, expect, it } from 'vitest'
import { evaluateForecast, fitHoltWinters, forecastSeries, seasonalNaive } from './index.ts'

/** Deterministic noise: mulberry32 + Box-Muller. */
function gaussian(seed: number): () => number {
  let a = seed
  const uniform = () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform())
}

// A city's week: busy Monday, quiet weekend; weights sum to 0.
const WEEK = [12, 6, 2, -1, -4, -13, -2]
const truth = (t: number) => 120 + 0.8 * t + WEEK[t % 7]

function series(n: number, sigma: number, seed = 7): number[] {
  const noise = gaussian(seed)
  return Array.from({ length: n }, (_, t) => truth(t) + sigma * noise())
}

describe('Holt-Winters forecast of daily case counts', () => {
  const y = series(56, 3)
  const f = forecastSeries(y, { horizon: 7 })

  it('recovers trend and weekly season: each of the next 7 days within 6 cases of the truth', () => {
    expect(f.model.name).toBe('holt-winters-additive')
    for (const s of f.steps) {
      expect(Math.abs(s.mean - truth(55 + s.h))).toBeLessThan(6)
    }
  })

  it('beats the seasonal-naive forecast on the same week', () => {
    const err = (g: (h: number) => number) =>
      f.steps.reduce((sum, s) => sum + Math.abs(g(s.h) - truth(55 + s.h)), 0) / f.steps.length
    const hw = err((h) => f.steps[h - 1].mean)
    const naive = err((h) => seasonalNaive(y, 7, h))
    expect(hw).toBeLessThan(naive)
  })

  it('has a band that holds the truth and widens with the horizon', () => {
    for (const s of f.steps) {
      expect(s.lower).toBeLessThanOrEqual(truth(55 + s.h))
      expect(s.upper).toBeGreaterThanOrEqual(truth(55 + s.h))
    }
    const widths = f.steps.map((s) => s.upper - s.lower)
    for (let i = 1; i < widths.length; i++) {
      expect(widths[i]).toBeGreaterThanOrEqual(widths[i - 1] - 1e-9)
    }
  })

  it('scores lower MAE, RMSE and MASE than seasonal naive in rolling-origin evaluation', () => {
    const e = evaluateForecast(y, { horizon: 7, origins: 14 })!
    expect(e.origins).toBe(14)
    expect(e.pairs).toBe(14 * 7 - (7 * 6) / 2)
    expect(e.mae).toBeLessThan(e.baseline.mae)
    expect(e.rmse).toBeLessThan(e.baseline.rmse)
    expect(e.mase!).toBeLessThan(e.baseline.mase!)
    expect(e.mase!).toBeLessThan(1)
  })

  it('fits parameters inside the admissible region', () => {
    const fit = fitHoltWinters(y, 7)
    for (const p of [fit.alpha, fit.beta, fit.gamma]) {
      expect(p).toBeGreaterThan(0)
    }
    expect(fit.gamma).toBeLessThanOrEqual(1 - fit.alpha + 1e-9)
  })
})

describe('forecast edge cases', () => {
  it('a constant series forecasts the constant with a narrow band', () => {
    const f = forecastSeries(Array(28).fill(50), { horizon: 7 })
    for (const s of f.steps) {
      expect(s.mean).toBeCloseTo(50, 6)
      expect(s.upper - s.lower).toBeLessThan(1e-6)
    }
  })

  it('under two seasons of history falls back to seasonal naive and says so', () => {
    const y = series(10, 1)
    const f = forecastSeries(y, { horizon: 7 })
    expect(f.model.name).toBe('seasonal-naive')
    expect(f.model.note).toMatch(/less than two weekly seasons/)
    expect(f.steps.map((s) => s.mean)).toEqual([3, 4, 5, 6, 7, 8, 9].map((i) => Math.max(0, y[i])))
  })

  it('under one season carries the last value; no history forecasts nothing', () => {
    expect(forecastSeries([4, 5, 6], { horizon: 2 }).model.name).toBe('naive')
    expect(forecastSeries([4, 5, 6], { horizon: 2 }).steps.map((s) => s.mean)).toEqual([6, 6])
    expect(forecastSeries([], { horizon: 7 })).toMatchObject({ model: { name: 'none' }, steps: [] })
  })

  it('never forecasts a negative count', () => {
    const y = Array.from({ length: 28 }, (_, t) => Math.max(0, 30 - 2 * t))
    for (const s of forecastSeries(y, { horizon: 7 }).steps) {
      expect(s.lower).toBeGreaterThanOrEqual(0)
    }
  })
})
