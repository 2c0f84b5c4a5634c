import type { Case } from '../case/case.types.ts'
import type { Instant } from '../time.ts'
import { blindSpots, findingsOf } from './analysis.ts'
import type {
  BlindSpots,
  CheckedCase,
  Findings,
  HealthCheckRules,
  HealthReport,
  Names,
  StreetReport,
  Visit,
} from './health-check.types.ts'

/** Everything the report is computed from; the service gathers it with bounded queries. */
export interface ReportInput {
  readonly region: HealthReport['region']
  /** the streets of the region, each with its grid cells */
  readonly streets: readonly {
    readonly code: string
    readonly name: string
    readonly cells: readonly string[]
  }[]
  /** cases reported in [from, to) in the region */
  readonly cases: readonly CheckedCase[]
  /** cases in the region with a summons issued in [from, to) */
  readonly whistled: readonly Case[]
  readonly visits: readonly Visit[]
  readonly from: Instant
  readonly to: Instant
  readonly now: Instant
  readonly utcOffsetMinutes: number
  readonly rules: HealthCheckRules
  readonly names: Names
}

/** Assemble the health-check report: the region's findings, then each street's, with a plain summary. */
export function buildReport(input: ReportInput): HealthReport {
  const { rules, names, from, to, now } = input
  const period = { from, to, now }
  const overall = findingsOf(input.cases, input.whistled, period, rules, names)
  const streets: StreetReport[] = input.streets.map((s) => {
    const inStreet = (c: Case) => c.region.streetCode === s.code
    const findings = findingsOf(
      input.cases.filter((c) => inStreet(c.case)),
      input.whistled.filter(inStreet),
      period,
      rules,
      names,
    )
    const spots = blindSpots(
      s,
      s.cells,
      input.visits.filter((v) => v.gridCode?.startsWith(s.code)),
    )
    return {
      code: s.code,
      name: s.name,
      ...findings,
      blindSpots: spots,
      summary: summarize(s.name, findings, spots),
    }
  })
  const blind = streets.map((s) => s.blindSpots)
  return {
    region: input.region,
    from,
    to,
    generatedAt: now,
    utcOffsetMinutes: input.utcOffsetMinutes,
    rules,
    ...overall,
    blindSpots: blind,
    streets,
    summary: [
      summarize(input.region.name, overall, input.region.level === 'district' ? mergeBlind(blind) : blind[0]),
      ...streets.filter((s) => s.cases > 0 || s.blindSpots.cells > 0).map((s) => s.summary),
    ],
  }
}

/** A few plain Chinese sentences: what recurs where, what is slow, who reworks, who did not come. */
export function summarize(name: string, f: Findings, spots: BlindSpots | undefined): string {
  const parts: string[] = [`本期共 ${f.cases} 件案件`]
  const byClass = new Map<string, { cells: number; places: number; cases: number }>()
  for (const h of f.hotspots) {
    const k = byClass.get(h.className) ?? { cells: 0, places: 0, cases: 0 }
    if (h.cellCode) {
      k.cells += 1
    } else {
      k.places += 1
    }
    k.cases += h.count
    byClass.set(h.className, k)
  }
  for (const [cls, k] of byClass) {
    const where = [k.cells ? `${k.cells} 个网格` : '', k.places ? `${k.places} 处地点` : '']
      .filter(Boolean)
      .join('和')
    parts.push(`${cls}在 ${where}反复出现（共 ${k.cases} 件）`)
  }
  const slow = f.slowClasses[0]
  if (slow) {
    const rate = slow.onTimeRate !== undefined ? `，按期结案率 ${pct(slow.onTimeRate)}` : ''
    parts.push(`处置最慢的类别是${slow.className}（中位处置 ${slow.medianHandlingHours} 小时${rate}）`)
  }
  const high = f.reworkUnits.filter((u) => u.high)
  if (high.length) {
    parts.push(
      `返工率偏高：${high.map((u) => `${u.unitName}（${u.reworked}/${u.closed}，${pct(u.rate)}）`).join('、')}`,
    )
  }
  const missed = f.whistle.filter((w) => w.absent > 0 || w.late > 0)
  if (missed.length) {
    parts.push(
      `吹哨报到未按时到场：${missed.map((w) => `${w.unitName}（缺席 ${w.absent}、迟到 ${w.late}）`).join('、')}`,
    )
  } else if (f.whistle.length) {
    parts.push(`吹哨报到的 ${f.whistle.length} 个单位均按时报到`)
  }
  if (spots && spots.cells > 0) {
    parts.push(`${spots.cells} 个网格中有 ${spots.unvisited.length} 个本期无巡查上报或监督员核查`)
  }
  return `${name}：${parts.join('；')}。`
}

function mergeBlind(all: readonly BlindSpots[]): BlindSpots | undefined {
  if (!all.length) {
    return undefined
  }
  return {
    streetCode: '',
    streetName: '',
    cells: all.reduce((n, b) => n + b.cells, 0),
    visited: all.reduce((n, b) => n + b.visited, 0),
    unvisited: all.flatMap((b) => b.unvisited),
  }
}

/** 0.667 → '66.7%' */
export function pct(rate: number): string {
  return `${Math.round(rate * 1000) / 10}%`
}
