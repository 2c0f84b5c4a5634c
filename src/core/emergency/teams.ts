import { EN_ROUTE_PENALTY_M, haversineM, LOAD_PENALTY_M, onShift } from '../dispatch/index.ts'
import type { Team } from '../dispatch/dispatch.types.ts'
import type { LonLat } from '../geo/geo.types.ts'

/** A team near an incident, ranked for command: who can go now, and how far they are. */
export interface NearbyTeam {
  readonly team: Team
  /** great-circle distance from the incident's middle, metres */
  readonly distanceM: number
  /** on shift, not off, not busy, not full */
  readonly available: boolean
  /** distance plus load and en-route penalties (as dispatch scores them); lower is better */
  readonly score: number
  /** why it cannot go now (Chinese, for the panel) */
  readonly reason?: string
}

export interface NearbyQuery {
  readonly centre: LonLat
  /** local minute of day and ISO weekday, for shifts */
  readonly localMinuteOfDay: number
  readonly isoWeekday: number
  readonly limit: number
  /** ignore teams farther than this (default 50 km) */
  readonly maxDistanceM?: number
}

/**
 * The nearest teams to an incident, whatever their skills (an emergency needs every hand):
 * available teams first by dispatch score, then the unavailable ones by distance, so the leader
 * sees both who can go and who is close but tied up.
 */
export function nearbyTeams(teams: readonly Team[], q: NearbyQuery): NearbyTeam[] {
  const [lon, lat] = q.centre
  const max = q.maxDistanceM ?? 50_000
  const out: NearbyTeam[] = []
  for (const team of teams) {
    const distanceM = haversineM(lon, lat, team.position.lon, team.position.lat)
    if (distanceM > max) {
      continue
    }
    const reason = unavailable(team, q)
    const score =
      distanceM +
      (LOAD_PENALTY_M * team.load) / Math.max(1, team.capacity) +
      (team.status === 'en-route' ? EN_ROUTE_PENALTY_M : 0)
    out.push({ team, distanceM, available: reason === undefined, score, ...(reason ? { reason } : {}) })
  }
  out.sort((a, b) =>
    a.available !== b.available
      ? a.available
        ? -1
        : 1
      : a.available
        ? a.score - b.score
        : a.distanceM - b.distanceM,
  )
  return out.slice(0, Math.max(0, q.limit))
}

function unavailable(t: Team, q: NearbyQuery): string | undefined {
  if (t.status === 'off') {
    return '已下线'
  }
  if (!onShift(t.shift, q.localMinuteOfDay, q.isoWeekday)) {
    return '不在班'
  }
  if (t.status === 'busy') {
    return '忙碌'
  }
  if (t.load >= t.capacity) {
    return `任务已满（${t.load}/${t.capacity}）`
  }
  return undefined
}
