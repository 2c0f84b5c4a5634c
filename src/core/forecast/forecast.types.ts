/** Which method produced a forecast. */
export type ModelName = 'holt-winters-additive' | 'seasonal-naive' | 'naive' | 'none'

/** The fitted model: its name, smoothing parameters (Holt-Winters only) and one-step residual σ. */
export interface ModelInfo {
  readonly name: ModelName
  readonly alpha?: number
  readonly beta?: number
  readonly gamma?: number
  /** season length in steps (days): 7 */
  readonly season: number
  /** standard deviation of the one-step-ahead residuals on the history */
  readonly sigma: number
  /** how many observations the fit used */
  readonly n: number
  /** why a simpler model was used, in words */
  readonly note?: string
}

/** One step ahead: h = 1 is the first period after the history. */
export interface ForecastStep {
  readonly h: number
  readonly mean: number
  readonly lower: number
  readonly upper: number
}

export interface Forecast {
  readonly model: ModelInfo
  readonly steps: readonly ForecastStep[]
  /** the central probability of [lower, upper] (e.g. 0.8) */
  readonly level: number
}

export interface ForecastOptions {
  /** season length (default 7: a week of days) */
  readonly season?: number
  readonly horizon: number
  /** prediction interval coverage: 0.8 (default) or 0.95 */
  readonly level?: 0.8 | 0.9 | 0.95
  /** counts cannot go below zero: clamp lower bounds and means at this (default 0; null = no clamp) */
  readonly floor?: number | null
}

/** Point-forecast errors of one method. MASE is undefined when the history never changes. */
export interface ErrorMetrics {
  readonly mae: number
  readonly rmse: number
  readonly mase?: number
}

/** Rolling-origin evaluation of the model against the seasonal-naive baseline on the same targets. */
export interface Evaluation extends ErrorMetrics {
  readonly baseline: ErrorMetrics
  /** forecast origins used (each refits on the history before it) */
  readonly origins: number
  /** (origin, step) pairs scored */
  readonly pairs: number
  /** steps ahead scored from each origin */
  readonly horizon: number
}
