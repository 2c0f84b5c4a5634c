/** A weekly shift: ISO weekdays (1 = Monday … 7 = Sunday) and local 'HH:MM' hours; from > to runs past midnight into the next day. */
export interface TeamShift {
  readonly days: readonly number[]
  readonly from: string
  readonly to: string
}

export type TeamStatus = 'available' | 'busy' | 'off' | 'en-route'

/** A field team (处置队伍 / 网格员小组) of one unit. */
export interface Team {
  readonly id: string
  readonly unitId: string
  readonly name: string
  /** minor class ids ('E0102') or major prefixes ('E01') it can handle */
  readonly skills: readonly string[]
  /** WGS84 */
  readonly position: { readonly lon: number; readonly lat: number }
  readonly shift: TeamShift | 'always'
  readonly status: TeamStatus
  /** open tasks now */
  readonly load: number
  /** open tasks it can carry */
  readonly capacity: number
}

/** What to dispatch, where and when (local time). */
export interface TeamQuery {
  /** only teams of this unit (the resolved responsible unit); all units when absent */
  readonly unitId?: string
  readonly classId: string
  readonly point: { readonly lon: number; readonly lat: number }
  readonly localMinuteOfDay: number
  /** 1 = Monday … 7 = Sunday */
  readonly isoWeekday: number
  /** how many recommendations (default 3) */
  readonly limit?: number
  /** ignore teams farther than this (default 50 km) */
  readonly maxDistanceM?: number
}

/** A recommended team; lower score is better. */
export interface TeamRecommendation {
  readonly team: Team
  /** great-circle distance, metres */
  readonly distanceM: number
  /** equivalent metres: distance + load and en-route penalties (see docs/duty.md) */
  readonly score: number
  /** '距离 350 米，空闲，具备 E0102 技能' */
  readonly reason: string
}

/** Why a team cannot take the case, in check order. */
export type TeamSkipReason = 'other-unit' | 'incapable' | 'off' | 'off-shift' | 'busy' | 'full'

/** A nearby team with its eligibility, for the dispatch board ("the nearest team is busy"). */
export interface TeamCandidate {
  readonly team: Team
  readonly distanceM: number
  readonly skip?: { readonly reason: TeamSkipReason; readonly message: string }
}
