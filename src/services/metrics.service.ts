import type { Kysely } from 'kysely'
import type { WorkCalendar } from '../core/calendar/calendar.types.ts'
import type { DimensionKind, Figure, PeriodKind } from '../core/evaluation/evaluation.types.ts'
import { periodKeys } from '../core/evaluation/periods.ts'
import { atLocalTime, localDate } from '../core/calendar/calendar.ts'
import type { Database } from '../store/database.ts'
import { overviewCounts } from '../store/overview.repository.ts'
import type { CityService } from './city.service.ts'
import type { EvaluationService, FigureQuery } from './evaluation.service.ts'
import type { Clock, Principal } from './ports.ts'

/** A row of the figures, with defaults: this month, the whole city. */
export interface RowQuery {
  readonly period?: PeriodKind
  readonly key?: string
  readonly dim?: DimensionKind
  readonly value?: string
}

export interface RankingItem {
  readonly rank?: number
  readonly code: string
  readonly name: string
  readonly score?: number
  readonly cases: number
  readonly responseRate?: number
  readonly resolutionRate?: number
  readonly satisfactionRate?: number
  readonly note?: string
}

/** What the cockpit and the rankings page read: live counts, the six rates, rankings with names. */
export interface MetricsService {
  overview(p: Principal): Promise<Record<string, unknown>>
  row(q: RowQuery): FigureQuery
  ranking(
    p: Principal,
    q: { period: 'week' | 'month'; level: 'district' | 'street' | 'unit'; key?: string },
  ): Promise<{
    period: string
    level: string
    rule: string
    items: RankingItem[]
  }>
  readonly evaluation: EvaluationService
}

export interface MetricsServiceDeps {
  readonly db: Kysely<Database>
  readonly clock: Clock
  readonly calendar: WorkCalendar
  readonly city: CityService
  readonly evaluation: EvaluationService
}

/** Build the metrics service over the rollups (rates) and bounded live queries (counts). */
export function createMetricsService(deps: MetricsServiceDeps): MetricsService {
  const offset = deps.calendar.utcOffsetMinutes
  const row = (q: RowQuery): FigureQuery => {
    const period = q.period ?? 'month'
    return {
      periodKind: period,
      periodKey: q.key ?? periodKeys(deps.clock(), offset)[period],
      dimKind: q.dim ?? 'city',
      dimValue: q.value ?? '*',
    }
  }
  const nameOf = (dim: DimensionKind, key: string) =>
    dim === 'unit' ? (deps.city.unit(key)?.name ?? key) : (deps.city.index.byCode.get(key)?.name ?? key)

  return {
    evaluation: deps.evaluation,
    row,
    async overview(p) {
      const now = deps.clock()
      const dayStart = atLocalTime(deps.calendar, localDate(deps.calendar, now), 0) ?? now
      const [counts, m] = await Promise.all([
        overviewCounts(deps.db, dayStart, now),
        deps.evaluation.metrics(p, row({})),
      ])
      return {
        at: now,
        ...counts,
        ...(m.response.value !== undefined ? { responseRate: m.response.value } : {}),
        ...(m.resolution.value !== undefined ? { resolutionRate: m.resolution.value } : {}),
        ...(m.satisfaction.value !== undefined ? { satisfactionRate: m.satisfaction.value } : {}),
      }
    },
    async ranking(p, q) {
      const key = q.key ?? periodKeys(deps.clock(), offset)[q.period]
      const ranking = await deps.evaluation.ranking(p, {
        periodKind: q.period,
        periodKey: key,
        dimKind: q.level,
      })
      return {
        period: key,
        level: q.level,
        rule: ranking.rule,
        items: ranking.entries.map((e) => ({
          ...(e.rank !== undefined ? { rank: e.rank } : {}),
          code: e.key,
          name: nameOf(q.level, e.key),
          ...(e.metrics.score !== undefined ? { score: e.metrics.score } : {}),
          cases: e.metrics.counters.dueClose,
          ...(e.metrics.response.value !== undefined ? { responseRate: e.metrics.response.value } : {}),
          ...(e.metrics.resolution.value !== undefined ? { resolutionRate: e.metrics.resolution.value } : {}),
          ...(e.metrics.satisfaction.value !== undefined
            ? { satisfactionRate: e.metrics.satisfaction.value }
            : {}),
          ...(e.note ? { note: e.note } : {}),
        })),
      }
    },
  }
}

export type { Figure }
