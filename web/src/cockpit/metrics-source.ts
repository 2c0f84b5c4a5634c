/**
 * Where the cockpit's numbers come from. `GET /api/v1/metrics/overview` (maintained rollups) is
 * the real source; until it exists the tiles are estimated here from the newest case pages, and
 * the screen says so. When the endpoint ships, the estimate is simply never used: delete
 * `estimateOverview` and this module's fallback branch.
 */
import { OPEN_STAGES } from '../../../src/core/case/case.types.ts'
import { api } from '../api/endpoints.ts'
import type { ApiCase, Overview } from '../api/types.ts'
import { startOfBeijingDay } from '../ui/format.ts'

const PAGE = 200
const MAX_PAGES = 10
const MAX_OVERDUE_PAGES = 5
/** weight of 基本满意 in the estimated satisfaction rate (DESIGN.md §4: configurable) */
const BASICALLY_WEIGHT = 0.8

export interface OverviewResult {
  readonly overview: Overview
  /** 'server' = rollups; 'estimate' = computed here from `sampleSize` newest cases */
  readonly source: 'server' | 'estimate'
  readonly sampleSize?: number
  /** newest cases known (for the map's markers and the feed's first lines) */
  readonly recent: readonly ApiCase[]
}

/** The overview from the server, or an estimate from the newest cases when the endpoint is missing. */
export async function loadOverview(now: number): Promise<OverviewResult> {
  const [server, first] = await Promise.all([api.overview(), api.cases({ limit: 50 })])
  if (server) {
    return { overview: server, source: 'server', recent: first.items }
  }
  const sample = await pages({}, MAX_PAGES)
  // 超期 on the wall means open work past its deadline; a late callback on a closed case is not that.
  const overdue = (await pages({ overdue: true }, MAX_OVERDUE_PAGES)).filter((c) => open.has(c.stage))
  return {
    overview: estimateOverview(sample, overdue.length, now),
    source: 'estimate',
    sampleSize: sample.length,
    recent: sample.slice(0, 50),
  }
}

async function pages(q: { overdue?: boolean }, max: number): Promise<ApiCase[]> {
  const out: ApiCase[] = []
  let cursor: string | undefined
  for (let i = 0; i < max; i++) {
    const p = await api.cases({ ...q, limit: PAGE, ...(cursor ? { cursor } : {}) })
    out.push(...p.items)
    cursor = p.nextCursor
    if (!cursor) {
      break
    }
  }
  return out
}

const open = new Set<string>(OPEN_STAGES)

/** The overview computed from a sample of cases (newest first). Exported for tests. */
export function estimateOverview(sample: readonly ApiCase[], overdueCount: number, now: number): Overview {
  const dayStart = startOfBeijingDay(now)
  const byChannel: Record<string, number> = {}
  const byStage: Record<string, number> = {}
  const byClass: Record<string, number> = {}
  const byRegion: Record<string, number> = {}
  let today = 0
  let inProgress = 0
  let supervised = 0
  let dueResponse = 0
  let responded = 0
  let closed = 0
  let resolved = 0
  let callbacks = 0
  let satisfaction = 0
  const inc = (m: Record<string, number>, k: string | undefined) => {
    if (k) {
      m[k] = (m[k] ?? 0) + 1
    }
  }
  for (const c of sample) {
    if (c.times.reportedAt >= dayStart) {
      today++
    }
    const isOpen = open.has(c.stage)
    if (isOpen) {
      inProgress++
    }
    if (isOpen && c.supervised) {
      supervised++
    }
    inc(byChannel, c.channel)
    inc(byStage, c.stage)
    inc(byClass, c.classId)
    inc(byRegion, c.region.districtCode)
    inc(byRegion, c.region.streetCode)
    inc(byRegion, c.region.gridCode)
    if (
      c.times.dispatchedAt !== undefined &&
      (c.times.firstResponseAt !== undefined || (c.due.receive ?? Infinity) < now)
    ) {
      dueResponse++
      if (c.times.firstResponseAt !== undefined) {
        responded++
      }
    }
    if (c.stage === 'closed' || c.stage === 'evaluated') {
      closed++
      if (c.resolved === true || c.evaluation?.resolved === true) {
        resolved++
      }
    }
    if (c.evaluation) {
      callbacks++
      satisfaction +=
        c.evaluation.satisfaction === 'satisfied'
          ? 1
          : c.evaluation.satisfaction === 'basically'
            ? BASICALLY_WEIGHT
            : 0
    }
  }
  const rate = (n: number, d: number) => (d > 0 ? n / d : undefined)
  const rates = {
    responseRate: rate(responded, dueResponse),
    resolutionRate: rate(resolved, closed),
    satisfactionRate: rate(satisfaction, callbacks),
  }
  return {
    at: now,
    today,
    inProgress,
    overdue: overdueCount,
    supervised,
    byChannel,
    byStage,
    byClass,
    byRegion,
    ...Object.fromEntries(Object.entries(rates).filter(([, v]) => v !== undefined)),
  }
}

/** A `metrics` SSE payload, if it is a whole overview (the server may also send partial deltas). */
export function overviewFromEvent(data: Readonly<Record<string, unknown>>): Overview | undefined {
  const o = (data.overview ?? data) as Partial<Overview>
  return typeof o.today === 'number' && typeof o.inProgress === 'number' && o.byChannel && o.byStage
    ? (o as Overview)
    : undefined
}
