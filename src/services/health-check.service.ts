import type { Kysely } from 'kysely'
import { parseIsoDate } from '../core/calendar/civil-date.ts'
import type { Case } from '../core/case/case.types.ts'
import type { Catalog } from '../core/catalog/catalog.types.ts'
import { AppError } from '../core/errors.ts'
import {
  buildReport,
  DEFAULT_HEALTH_CHECK_RULES,
  type HealthCheckRules,
  type HealthReport,
  type Names,
  type Visit,
} from '../core/health-check/index.ts'
import { localMidnight } from '../core/health-check/period.ts'
import { DAY, type Instant } from '../core/time.ts'
import type { Database } from '../store/database.ts'
import {
  casesReportedIn,
  inspectorVerificationsIn,
  patrolReportsIn,
} from '../store/health-check.repository.ts'
import type { CityService } from './city.service.ts'
import type { Clock, Principal } from './ports.ts'
import { whistledCases } from './whistle.service.ts'

export interface HealthCheckQuery {
  /** district (6 digits) or street (9); default the user's own region */
  readonly region?: string
  /** 'YYYY-MM-DD' (local day, inclusive) or an RFC 3339 instant; default the last 90 days */
  readonly from?: string
  readonly to?: string
}

export interface HealthCheckService {
  report(p: Principal, q: HealthCheckQuery): Promise<HealthReport>
  readonly names: Names
}

export interface HealthCheckDeps {
  readonly db: Kysely<Database>
  readonly clock: Clock
  readonly utcOffsetMinutes: number
  readonly city: CityService
  readonly catalog: Catalog
  readonly rules?: HealthCheckRules
}

/** The longest period one report reads: it is a bounded scan, not a history export. */
export const MAX_PERIOD_DAYS = 366

/** Build the health-check (城市管理体检) service. */
export function createHealthCheckService(deps: HealthCheckDeps): HealthCheckService {
  const { db, city } = deps
  const rules = deps.rules ?? DEFAULT_HEALTH_CHECK_RULES
  const classNames = new Map(deps.catalog.classes.map((c) => [c.id, c.name]))
  const names: Names = {
    className: (id) => classNames.get(id),
    unitName: (id) => city.unit(id)?.name,
    regionName: (code) => city.index.byCode.get(code)?.name,
  }
  const cellsOf = new Map<string, string[]>()
  for (const g of city.regions.grids) {
    const street = g.code.slice(0, 9)
    cellsOf.set(street, [...(cellsOf.get(street) ?? []), g.code])
  }

  return {
    names,
    async report(p, q) {
      const now = deps.clock()
      const code = q.region ?? p.regionCode
      if (!code) {
        throw new AppError(
          'VALIDATION_FAILED',
          'give region: a district (6 digits) or street (9 digits) code',
          'region',
        )
      }
      const region = city.index.byCode.get(code)
      if (!region || (region.level !== 'district' && region.level !== 'street')) {
        throw new AppError(
          'VALIDATION_FAILED',
          `region ${code} is not a district or street of the city`,
          'region',
        )
      }
      if (p.regionCode && !code.startsWith(p.regionCode)) {
        throw new AppError(
          'FORBIDDEN_SCOPE',
          `your scope is region ${p.regionCode}; ${code} lies outside it`,
          'region',
        )
      }
      const { from, to } = periodOf(q, now, deps.utcOffsetMinutes)

      const [rows, patrols, verifications, whistled] = await Promise.all([
        casesReportedIn(db, code, from, to),
        patrolReportsIn(db, code, from, to),
        inspectorVerificationsIn(db, code, from, to),
        whistledCases(db, from, to, code),
      ])
      const visits: Visit[] = [
        ...patrols.map((a): Visit => {
          // where the inspector stood, when the report says; else the cell of its case
          const at =
            a.lon !== null && a.lat !== null ? city.locate({ lon: a.lon, lat: a.lat })?.gridCode : undefined
          const gridCode = at ?? a.gridCode ?? undefined
          return gridCode ? { kind: 'patrol', gridCode } : { kind: 'patrol' }
        }),
        ...verifications.map((v): Visit =>
          v.gridCode ? { kind: 'verify', gridCode: v.gridCode } : { kind: 'verify' },
        ),
      ]
      const streets = (
        region.level === 'street' ? [region] : city.regions.streets.filter((s) => s.parentCode === code)
      )
        .map((s) => ({ code: s.code, name: s.name, cells: cellsOf.get(s.code) ?? [] }))
        .sort((a, b) => (a.code < b.code ? -1 : 1))
      return buildReport({
        region: { code, name: region.name, level: region.level },
        streets,
        cases: rows.map((r) => ({
          case: JSON.parse(r.doc) as Case,
          ...(r.closedOnTime !== null ? { closedOnTime: Number(r.closedOnTime) === 1 } : {}),
        })),
        whistled,
        visits,
        from,
        to,
        now,
        utcOffsetMinutes: deps.utcOffsetMinutes,
        rules,
        names,
      })
    },
  }
}

/** [from, to) of a query: dates are local days (`to` inclusive), instants as given; default the last 90 days. */
function periodOf(q: HealthCheckQuery, now: Instant, offset: number): { from: Instant; to: Instant } {
  const parse = (text: string, field: 'from' | 'to'): Instant => {
    const day = parseIsoDate(text)
    if (day !== undefined) {
      return localMidnight(field === 'to' ? day + 1 : day, offset)
    }
    const t = /^\d{4}-\d{2}-\d{2}T/.test(text) ? Date.parse(text) : NaN
    if (Number.isNaN(t)) {
      throw new AppError(
        'VALIDATION_FAILED',
        `${field} must be a date (2026-03-01) or an RFC 3339 instant`,
        field,
      )
    }
    return t
  }
  const to = q.to ? parse(q.to, 'to') : now
  const from = q.from ? parse(q.from, 'from') : to - 90 * DAY
  if (from >= to) {
    throw new AppError('VALIDATION_FAILED', 'from must be before to', 'from')
  }
  if (to - from > MAX_PERIOD_DAYS * DAY) {
    throw new AppError('VALIDATION_FAILED', `a report covers at most ${MAX_PERIOD_DAYS} days`, 'from')
  }
  return { from, to }
}
