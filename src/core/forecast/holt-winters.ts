/**
 * Additive Holt-Winters (ETS(A,A,A)) in error-correction form, with parameters chosen by least
 * one-step-ahead squared error: a coarse grid, then a pattern search around the best point.
 *
 *   ŷ(t) = ℓ + b + s[t mod m]            e(t) = y(t) − ŷ(t)
 *   ℓ ← ℓ + b + α·e     b ← b + α·β·e     s[t mod m] ← s[t mod m] + γ·e
 *
 * β here is Holt's β* (the trend's own smoothing), so the state-space coefficient is α·β.
 */

/** The state after filtering a series, and how well it did one step ahead. */
export interface HoltWintersFit {
  readonly alpha: number
  readonly beta: number
  readonly gamma: number
  readonly level: number
  readonly trend: number
  /** seasonal states by phase (t mod m) */
  readonly seasonal: readonly number[]
  /** one-step-ahead errors from t = m to n − 1 */
  readonly residuals: readonly number[]
  readonly sse: number
  readonly n: number
  readonly season: number
}

interface Init {
  readonly level: number
  readonly trend: number
  readonly seasonal: number[]
}

/**
 * Initial states from the first two seasons: level at the end of season one, trend from the
 * difference of the two seasons' means, seasonal indices as the mean deviation (summing to 0).
 */
function initialStates(y: readonly number[], m: number): Init {
  const mean = (from: number) => y.slice(from, from + m).reduce((s, v) => s + v, 0) / m
  const m1 = mean(0)
  const m2 = mean(m)
  const trend = (m2 - m1) / m
  const seasonal: number[] = []
  for (let i = 0; i < m; i++) {
    // deviation from each season's own trend line, averaged over the two seasons
    const d1 = y[i] - (m1 + trend * (i - (m - 1) / 2))
    const d2 = y[i + m] - (m2 + trend * (i - (m - 1) / 2))
    seasonal.push((d1 + d2) / 2)
  }
  const shift = seasonal.reduce((s, v) => s + v, 0) / m
  return { level: m1 + (trend * (m - 1)) / 2, trend, seasonal: seasonal.map((v) => v - shift) }
}

/** Filter the series with fixed parameters (needs at least two seasons). */
export function filterHoltWinters(
  y: readonly number[],
  m: number,
  alpha: number,
  beta: number,
  gamma: number,
): HoltWintersFit {
  const init = initialStates(y, m)
  let level = init.level
  let trend = init.trend
  const seasonal = init.seasonal.slice()
  const residuals: number[] = []
  let sse = 0
  for (let t = m; t < y.length; t++) {
    const phase = t % m
    const e = y[t] - (level + trend + seasonal[phase])
    residuals.push(e)
    sse += e * e
    level = level + trend + alpha * e
    trend = trend + alpha * beta * e
    seasonal[phase] += gamma * e
  }
  return { alpha, beta, gamma, level, trend, seasonal, residuals, sse, n: y.length, season: m }
}

const ALPHAS = [0.05, 0.2, 0.4, 0.6, 0.8, 0.95]
const BETAS = [0.01, 0.05, 0.15, 0.4]
const GAMMAS = [0.01, 0.1, 0.3, 0.5]
const LO = 0.001
const HI = 0.999

/** Usable parameters: each in (0, 1), and γ ≤ 1 − α (Hyndman et al. 2008's usual region). */
function admissible(a: number, b: number, g: number): boolean {
  return a >= LO && a <= HI && b >= LO && b <= HI && g >= LO && g <= 1 - a
}

/**
 * Fit α, β, γ by minimising the one-step-ahead SSE: every point of a coarse grid, then a pattern
 * search (±step on each parameter, step halved when nothing improves, down to 0.0025).
 */
export function fitHoltWinters(y: readonly number[], m: number): HoltWintersFit {
  let best: HoltWintersFit | undefined
  for (const a of ALPHAS) {
    for (const b of BETAS) {
      for (const g of GAMMAS) {
        if (!admissible(a, b, g)) {
          continue
        }
        const f = filterHoltWinters(y, m, a, b, g)
        if (!best || f.sse < best.sse) {
          best = f
        }
      }
    }
  }
  let cur = best!
  for (let step = 0.05; step >= 0.0025;) {
    let improved = false
    for (const [da, db, dg] of [
      [step, 0, 0],
      [-step, 0, 0],
      [0, step, 0],
      [0, -step, 0],
      [0, 0, step],
      [0, 0, -step],
    ]) {
      const a = cur.alpha + da
      const b = cur.beta + db
      const g = cur.gamma + dg
      if (!admissible(a, b, g)) {
        continue
      }
      const f = filterHoltWinters(y, m, a, b, g)
      if (f.sse < cur.sse - 1e-12) {
        cur = f
        improved = true
      }
    }
    if (!improved) {
      step /= 2
    }
  }
  return cur
}

/** Point forecast h steps after the end of the fitted history. */
export function holtWintersMean(fit: HoltWintersFit, h: number): number {
  const phase = (fit.n - 1 + h) % fit.season
  return fit.level + h * fit.trend + fit.seasonal[phase]
}

/**
 * Forecast variance multiplier for h steps ahead (Hyndman et al. 2008, class 1, ETS(A,A,A)):
 * v(h) = σ²·(1 + Σ_{j=1}^{h−1} c_j²), c_j = α(1 + jβ) + γ·[j mod m = 0].
 */
export function holtWintersVarianceFactor(fit: HoltWintersFit, h: number): number {
  let sum = 1
  for (let j = 1; j < h; j++) {
    const c = fit.alpha * (1 + j * fit.beta) + (j % fit.season === 0 ? fit.gamma : 0)
    sum += c * c
  }
  return sum
}
