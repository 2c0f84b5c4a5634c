import type { Kysely } from 'kysely'
import type { WorkCalendar } from '../core/calendar/calendar.types.ts'
import { formatIsoDate } from '../core/calendar/civil-date.ts'
import { AppError } from '../core/errors.ts'
import { evaluateForecast, forecastSeries, type Evaluation, type ModelInfo } from '../core/forecast/index.ts'
import { DAY, MINUTE } from '../core/time.ts'
import type { Database } from '../store/database.ts'
import { dailyCounts } from '../store/trend.repository.ts'
import type { Clock, Principal } from './ports.ts'

export interface TrendServiceDeps {
  readonly db: Kysely<Database>
  readonly clock: Clock
  readonly calendar: Pick<WorkCalendar, 'utcOffsetMinutes'>
}

export interface TrendQuery {
  /** days of history shown, today included (default 60) */
  readonly days?: number
  /** days forecast, today first (default 7) */
  readonly horizon?: number
  readonly region?: string
  readonly classId?: string
  /** prediction interval coverage (default 0.8) */
  readonly level?: 0.8 | 0.9 | 0.95
}

/** GET /api/v1/metrics/trend, in the shape the cockpit draws (web/src/api/types.ts `Trend`). */
export interface Trend {
  /** reported cases per local day, oldest first; the last is today so far */
  readonly days: readonly { readonly date: string; readonly count: number }[]
  /** today (still partial above) and the days after it */
  readonly forecast: readonly {
    readonly date: string
    readonly mean: number
    readonly lower: number
    readonly upper: number
  }[]
  readonly model: ModelInfo & { readonly level: number }
  /** rolling-origin errors over the last days of history; absent when the history is too short */
  readonly error?: Evaluation
  readonly region?: string
  readonly classId?: string
}

export interface TrendService {
  trend(q: TrendQuery, p: Principal): Promise<Trend>
}

/** Days scored by the rolling-origin evaluation (each one refits the model). */
const EVAL_ORIGINS = 14

/** Build the trend service: daily counts from the cases table, forecast by src/core/forecast. */
export function createTrendService(deps: TrendServiceDeps): TrendService {
  const offsetMs = deps.calendar.utcOffsetMinutes * MINUTE
  return {
    async trend(q, p) {
      const days = q.days ?? 60
      const horizon = q.horizon ?? 7
      const scope = scoped(q.region, p)
      const today = Math.floor((deps.clock() + offsetMs) / DAY)
      const first = today - days + 1
      const rows = await dailyCounts(deps.db, {
        fromUtc: first * DAY - offsetMs,
        toUtc: (today + 1) * DAY - offsetMs,
        offsetMs,
        ...(scope.region ? { region: scope.region } : {}),
        ...(scope.unitId ? { unitId: scope.unitId } : {}),
        ...(q.classId ? { classId: q.classId } : {}),
      })
      const byDay = new Map(rows.map((r) => [r.day, r.count]))
      const history = Array.from({ length: days }, (_, i) => ({
        date: formatIsoDate(first + i),
        count: byDay.get(first + i) ?? 0,
      }))
      // Today is not over: the model learns from complete days and forecasts today first.
      // Days before the first case are "no data yet" (a new install, a short seed), not zeros.
      const counts = history.slice(0, -1).map((d) => d.count)
      const firstSeen = counts.findIndex((c) => c > 0)
      const complete = firstSeen < 0 ? counts : counts.slice(firstSeen)
      const f = forecastSeries(complete, { horizon, ...(q.level ? { level: q.level } : {}) })
      const error = evaluateForecast(complete, { horizon, origins: EVAL_ORIGINS })
      return {
        days: history,
        forecast: f.steps.map((s) => ({
          date: formatIsoDate(today + s.h - 1),
          mean: round1(s.mean),
          lower: round1(s.lower),
          upper: round1(s.upper),
        })),
        model: { ...f.model, sigma: round1(f.model.sigma), level: f.level },
        ...(error ? { error: roundErrors(error) } : {}),
        ...(scope.region ? { region: scope.region } : {}),
        ...(q.classId ? { classId: q.classId } : {}),
      }
    },
  }
}

/**
 * What the user may count: handlers their unit's cases, region-scoped users inside their region
 * (asking about a region outside it is refused, not silently widened).
 */
function scoped(region: string | undefined, p: Principal): { region?: string; unitId?: string } {
  const { role, unitId } = p.actor
  if (role === 'admin' || role === 'system') {
    return region ? { region } : {}
  }
  if (role === 'handler') {
    return { ...(region ? { region } : {}), unitId: unitId ?? '\u0000none' }
  }
  if (!p.regionCode) {
    return region ? { region } : {}
  }
  if (!region) {
    return { region: p.regionCode }
  }
  if (region.startsWith(p.regionCode)) {
    return { region }
  }
  throw new AppError('FORBIDDEN_SCOPE', `you see region ${p.regionCode}, not ${region}`, 'region')
}

function round1(v: number): number {
  return Math.round(v * 10) / 10
}

function roundErrors(e: Evaluation): Evaluation {
  const r = (v: number) => Math.round(v * 1000) / 1000
  const m = (x: { mae: number; rmse: number; mase?: number }) => ({
    mae: r(x.mae),
    rmse: r(x.rmse),
    ...(x.mase !== undefined ? { mase: r(x.mase) } : {}),
  })
  return { ...e, ...m(e), baseline: m(e.baseline) }
}
