import type { Case, GeoPoint, Summons } from '../case/case.types.ts'
import type { Instant } from '../time.ts'
import { HOUR } from '../time.ts'
import type {
  BlindSpots,
  CheckedCase,
  Findings,
  HealthCheckRules,
  Hotspot,
  Names,
  ReworkUnit,
  SlowClass,
  Visit,
  WhistleAttendance,
} from './health-check.types.ts'

/** The findings of a set of cases: hotspots, slow classes, high-rework units, 吹哨报到 attendance. */
export function findingsOf(
  cases: readonly CheckedCase[],
  whistled: readonly Case[],
  period: { readonly from: Instant; readonly to: Instant; readonly now: Instant },
  rules: HealthCheckRules,
  names: Names,
): Findings {
  return {
    cases: cases.length,
    hotspots: hotspots(
      cases.map((c) => c.case),
      rules,
      names,
    ),
    slowClasses: slowClasses(cases, rules, names),
    reworkUnits: reworkUnits(
      cases.map((c) => c.case),
      rules,
      names,
    ),
    whistle: whistleAttendance(whistled, period, names),
  }
}

/**
 * Recurring problems: cases of one class grouped by grid cell; cases without a cell but with a
 * position are clustered greedily (in time order) around the first case of each cluster within
 * `clusterRadiusM`. A group with at least `hotspotMinCases` cases is a hotspot. Rejected and
 * merged cases are left out (a merged case's appeals already count in its target).
 */
export function hotspots(cases: readonly Case[], rules: HealthCheckRules, names: Names): Hotspot[] {
  const groups = new Map<string, Case[]>()
  const clusters = new Map<string, { center: GeoPoint; cases: Case[] }[]>()
  const sorted = [...cases].sort((a, b) => a.times.reportedAt - b.times.reportedAt || cmp(a.id, b.id))
  for (const c of sorted) {
    if (!c.classId || c.stage === 'rejected' || c.stage === 'merged') {
      continue
    }
    if (c.region.gridCode) {
      const key = `${c.classId}|${c.region.gridCode}`
      groups.set(key, [...(groups.get(key) ?? []), c])
    } else if (c.location) {
      const list = clusters.get(c.classId) ?? []
      const near = list.find((k) => metres(k.center, c.location as GeoPoint) <= rules.clusterRadiusM)
      if (near) {
        near.cases.push(c)
      } else {
        list.push({ center: c.location, cases: [c] })
      }
      clusters.set(c.classId, list)
    }
  }
  const out: Hotspot[] = []
  const emit = (group: readonly Case[], cellCode?: string, center?: GeoPoint) => {
    if (group.length < rules.hotspotMinCases) {
      return
    }
    const first = group[0]
    const classId = first.classId as string
    const streetCode = cellCode ? cellCode.slice(0, 9) : first.region.streetCode
    const streetName = streetCode ? names.regionName(streetCode) : undefined
    out.push({
      classId,
      className: names.className(classId) ?? classId,
      ...(cellCode ? { cellCode } : {}),
      ...(center ? { center } : {}),
      ...(streetCode ? { streetCode } : {}),
      ...(streetName ? { streetName } : {}),
      count: group.length,
      firstAt: first.times.reportedAt,
      lastAt: group[group.length - 1].times.reportedAt,
      caseIds: group.map((c) => c.id),
    })
  }
  for (const [key, group] of groups) {
    emit(group, key.split('|')[1])
  }
  for (const list of clusters.values()) {
    for (const k of list) {
      emit(k.cases, undefined, k.center)
    }
  }
  return out.sort(
    (a, b) => b.count - a.count || cmp(a.classId, b.classId) || cmp(a.cellCode ?? '', b.cellCode ?? ''),
  )
}

/**
 * Slow classes: per class, the median clock time from the (last) dispatch to the handled report
 * that passed verification — rework time counts, it is the unit's — over the cases that have
 * both; and the on-time closure rate (the evaluation's "closed on time" / closed). Classes with at
 * least `slowMinCases` handled cases are ranked by median, slowest first; the top `slowTop` listed.
 */
export function slowClasses(
  cases: readonly CheckedCase[],
  rules: HealthCheckRules,
  names: Names,
): SlowClass[] {
  const by = new Map<string, { hours: number[]; closed: number; onTime: number }>()
  for (const { case: c, closedOnTime } of cases) {
    if (!c.classId) {
      continue
    }
    const k = by.get(c.classId) ?? { hours: [], closed: 0, onTime: 0 }
    const { dispatchedAt, handledAt } = c.times
    if (dispatchedAt !== undefined && handledAt !== undefined && handledAt >= dispatchedAt) {
      k.hours.push((handledAt - dispatchedAt) / HOUR)
    }
    if (isClosed(c)) {
      k.closed += 1
      if (closedOnTime) {
        k.onTime += 1
      }
    }
    by.set(c.classId, k)
  }
  const out: SlowClass[] = []
  for (const [classId, k] of by) {
    if (k.hours.length < rules.slowMinCases) {
      continue
    }
    out.push({
      classId,
      className: names.className(classId) ?? classId,
      handled: k.hours.length,
      medianHandlingHours: round(median(k.hours), 1),
      closed: k.closed,
      closedOnTime: k.onTime,
      ...(k.closed > 0 ? { onTimeRate: round(k.onTime / k.closed, 3) } : {}),
    })
  }
  return out
    .sort(
      (a, b) =>
        b.medianHandlingHours - a.medianHandlingHours ||
        (a.onTimeRate ?? 1) - (b.onTimeRate ?? 1) ||
        cmp(a.classId, b.classId),
    )
    .slice(0, rules.slowTop)
}

/**
 * Rework per unit (the unit holding the case when it closed): closed cases with at least one failed
 * verification / closed. Units with fewer than `reworkMinClosed` closed cases are left out (too few
 * to judge); the rest are listed worst first, `high` at or above `reworkHighRate`.
 */
export function reworkUnits(cases: readonly Case[], rules: HealthCheckRules, names: Names): ReworkUnit[] {
  const by = new Map<string, { closed: number; reworked: number }>()
  for (const c of cases) {
    if (!c.unitId || !isClosed(c)) {
      continue
    }
    const k = by.get(c.unitId) ?? { closed: 0, reworked: 0 }
    k.closed += 1
    if (c.counters.reworks > 0) {
      k.reworked += 1
    }
    by.set(c.unitId, k)
  }
  const out: ReworkUnit[] = []
  for (const [unitId, k] of by) {
    if (k.closed < rules.reworkMinClosed) {
      continue
    }
    const rate = round(k.reworked / k.closed, 3)
    out.push({
      unitId,
      unitName: names.unitName(unitId) ?? unitId,
      closed: k.closed,
      reworked: k.reworked,
      rate,
      high: rate >= rules.reworkHighRate,
    })
  }
  return out.sort((a, b) => b.rate - a.rate || b.closed - a.closed || cmp(a.unitId, b.unitId))
}

/** A street's cells with no patrol report and no inspector verification in the period. */
export function blindSpots(
  street: { readonly code: string; readonly name: string },
  cellCodes: readonly string[],
  visits: readonly Visit[],
): BlindSpots {
  const seen = new Set(visits.map((v) => v.gridCode).filter((g): g is string => g !== undefined))
  const unvisited = cellCodes.filter((g) => !seen.has(g)).sort()
  return {
    streetCode: street.code,
    streetName: street.name,
    cells: cellCodes.length,
    visited: cellCodes.length - unvisited.length,
    unvisited,
  }
}

/** How one summons ended, as of `now`. */
export function summonsOutcome(s: Summons, now: Instant): 'onTime' | 'late' | 'absent' | 'pending' {
  if (s.reportedAt !== undefined) {
    return s.reportedAt <= s.due ? 'onTime' : 'late'
  }
  return now > s.due ? 'absent' : 'pending'
}

/**
 * 吹哨报到 attendance per summoned unit, over the summons issued in [from, to): on time (reported
 * in by `due`), late, absent (past due, never reported in), pending (not yet due). Worst first.
 */
export function whistleAttendance(
  cases: readonly Case[],
  period: { readonly from: Instant; readonly to: Instant; readonly now: Instant },
  names: Names,
): WhistleAttendance[] {
  const by = new Map<
    string,
    { onTime: number; late: number; absent: number; pending: number; ids: Set<string> }
  >()
  for (const c of cases) {
    for (const s of c.summons) {
      if (s.summonedAt < period.from || s.summonedAt >= period.to) {
        continue
      }
      const k = by.get(s.unitId) ?? { onTime: 0, late: 0, absent: 0, pending: 0, ids: new Set<string>() }
      k[summonsOutcome(s, period.now)] += 1
      k.ids.add(c.id)
      by.set(s.unitId, k)
    }
  }
  return [...by]
    .map(([unitId, k]) => ({
      unitId,
      unitName: names.unitName(unitId) ?? unitId,
      summoned: k.onTime + k.late + k.absent + k.pending,
      onTime: k.onTime,
      late: k.late,
      absent: k.absent,
      pending: k.pending,
      caseIds: [...k.ids].sort(),
    }))
    .sort((a, b) => b.absent - a.absent || b.late - a.late || cmp(a.unitId, b.unitId))
}

function isClosed(c: Case): boolean {
  return c.stage === 'closed' || c.stage === 'evaluated'
}

/** Median of a non-empty list. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2
}

/** Distance in metres (equirectangular: exact enough within a city at 100 m). */
export function metres(a: GeoPoint, b: GeoPoint): number {
  const rad = Math.PI / 180
  const x = (b.lon - a.lon) * rad * Math.cos(((a.lat + b.lat) / 2) * rad)
  const y = (b.lat - a.lat) * rad
  return Math.sqrt(x * x + y * y) * 6_371_000
}

function round(x: number, decimals: number): number {
  const f = 10 ** decimals
  return Math.round(x * f) / f
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
