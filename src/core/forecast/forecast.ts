import { fitHoltWinters, holtWintersMean, holtWintersVarianceFactor } from './holt-winters.ts'
import type {
  ErrorMetrics,
  Evaluation,
  Forecast,
  ForecastOptions,
  ForecastStep,
  ModelInfo,
} from './forecast.types.ts'

const Z: Record<number, number> = { 0.8: 1.2816, 0.9: 1.6449, 0.95: 1.96 }

/**
 * Forecast a daily series `horizon` steps ahead with a band. Two full seasons or more: additive
 * Holt-Winters fitted on the history. One season: seasonal naive (the value a season ago). Less:
 * naive (the last value). Each says which it used and why in `model.note`.
 */
export function forecastSeries(y: readonly number[], o: ForecastOptions): Forecast {
  const m = o.season ?? 7
  const level = o.level ?? 0.8
  const z = Z[level]
  const floor = o.floor === undefined ? 0 : o.floor
  const clamp = (v: number) => (floor === null ? v : Math.max(floor, v))
  const step = (h: number, mean: number, sd: number): ForecastStep => ({
    h,
    mean: clamp(mean),
    lower: clamp(mean - z * sd),
    upper: clamp(mean + z * sd),
  })
  const hs = Array.from({ length: Math.max(0, o.horizon) }, (_, i) => i + 1)

  if (y.length >= 2 * m) {
    const fit = fitHoltWinters(y, m)
    const sigma = Math.sqrt(fit.sse / Math.max(1, fit.residuals.length - 3))
    const model: ModelInfo = {
      name: 'holt-winters-additive',
      alpha: round(fit.alpha),
      beta: round(fit.beta),
      gamma: round(fit.gamma),
      season: m,
      sigma,
      n: y.length,
    }
    return {
      model,
      level,
      steps: hs.map((h) =>
        step(h, holtWintersMean(fit, h), sigma * Math.sqrt(holtWintersVarianceFactor(fit, h))),
      ),
    }
  }
  if (y.length >= m) {
    const diffs = y.slice(m).map((v, i) => v - y[i])
    const sigma = rms(diffs)
    return {
      level,
      model: {
        name: 'seasonal-naive',
        season: m,
        sigma,
        n: y.length,
        note: `${y.length} days of history is less than two weekly seasons (${2 * m}): seasonal naive (the value a week before) instead of Holt-Winters`,
      },
      steps: hs.map((h) => {
        const k = Math.floor((h - 1) / m)
        return step(h, seasonalNaive(y, m, h), sigma * Math.sqrt(k + 1))
      }),
    }
  }
  if (y.length > 0) {
    const diffs = y.slice(1).map((v, i) => v - y[i])
    const sigma = rms(diffs)
    const last = y[y.length - 1]
    return {
      level,
      model: {
        name: 'naive',
        season: m,
        sigma,
        n: y.length,
        note: `${y.length} days of history is less than one season (${m}): the last value carried forward`,
      },
      steps: hs.map((h) => step(h, last, sigma * Math.sqrt(h))),
    }
  }
  return {
    level,
    model: { name: 'none', season: m, sigma: 0, n: 0, note: 'no history: nothing to forecast' },
    steps: [],
  }
}

/** The seasonal-naive point forecast h steps ahead: the same weekday of the last full season. */
export function seasonalNaive(y: readonly number[], m: number, h: number): number {
  return y[y.length - m + ((h - 1) % m)]
}

/**
 * Rolling-origin evaluation over the last `origins` days: from each origin o the method is refitted
 * on y[0..o) and forecasts up to `horizon` days, scored against y[o..o+horizon) where known. The
 * seasonal-naive baseline is scored on exactly the same targets. MASE scales MAE by the in-sample
 * one-step seasonal-naive MAE of the whole history (Hyndman & Koehler 2006).
 */
export function evaluateForecast(
  y: readonly number[],
  o: { readonly season?: number; readonly horizon: number; readonly origins: number },
): Evaluation | undefined {
  const m = o.season ?? 7
  const n = y.length
  const first = Math.max(m, n - o.origins)
  const model: number[] = []
  const base: number[] = []
  let origins = 0
  for (let origin = first; origin < n; origin++) {
    const train = y.slice(0, origin)
    const f = forecastSeries(train, { season: m, horizon: o.horizon, floor: null })
    origins++
    for (const s of f.steps) {
      const t = origin + s.h - 1
      if (t >= n) {
        break
      }
      model.push(y[t] - s.mean)
      base.push(y[t] - seasonalNaive(train, m, s.h))
    }
  }
  if (model.length === 0) {
    return undefined
  }
  const scale = mean(y.slice(m).map((v, i) => Math.abs(v - y[i])))
  const metrics = (e: readonly number[]): ErrorMetrics => {
    const mae = mean(e.map(Math.abs))
    return { mae, rmse: rms(e), ...(scale > 0 ? { mase: mae / scale } : {}) }
  }
  return { ...metrics(model), baseline: metrics(base), origins, pairs: model.length, horizon: o.horizon }
}

function mean(xs: readonly number[]): number {
  return xs.length ? xs.reduce((s, v) => s + v, 0) / xs.length : 0
}

function rms(xs: readonly number[]): number {
  return xs.length ? Math.sqrt(xs.reduce((s, v) => s + v * v, 0) / xs.length) : 0
}

function round(v: number): number {
  return Math.round(v * 10_000) / 10_000
}
