import KDBush from 'kdbush'
import { fail, ok } from '../errors.ts'
import type { Result } from '../errors.ts'
import type {
  Team,
  TeamCandidate,
  TeamQuery,
  TeamRecommendation,
  TeamShift,
  TeamSkipReason,
} from './dispatch.types.ts'
import { EARTH_RADIUS_M, haversineM, visitNearest } from './sphere-knn.ts'

const RAD = Math.PI / 180

/**
 * Score weights, in equivalent metres (lower score is better): a team's score is its distance plus
 * LOAD_PENALTY_M × load/capacity, plus EN_ROUTE_PENALTY_M when it is on its way to another job. So an idle
 * team 1.2 km away beats a half-loaded one 800 m away (1,200 < 800 + 500); see docs/duty.md.
 */
export const LOAD_PENALTY_M = 1000
export const EN_ROUTE_PENALTY_M = 500
const DEFAULT_LIMIT = 3
const DEFAULT_MAX_DISTANCE_M = 50_000

/** Teams indexed for nearest search: one kd-tree over all teams and one per unit (queries are usually per unit). */
export interface TeamIndex {
  readonly all: TeamTree
  readonly byUnit: ReadonlyMap<string, TeamTree>
}

interface TeamTree {
  readonly teams: readonly Team[]
  readonly tree: KDBush
  /** first search radius: a circle expected to hold about 16 of these teams if they were spread evenly */
  readonly radius0M: number
  /** cos(latitude) of each team, by team id (haversine's per-point factor) */
  readonly cosLats: Float64Array
}

/**
 * Build the nearest-team index. kdbush is static: when teams move, rebuild (≈0.2 ms for 2,000 teams, see
 * bench/dispatch.bench.ts) at most once per second or per batch of position reports; status and load
 * changes use `patchTeam`, which keeps the trees.
 */
export function buildTeamIndex(teams: readonly Team[]): TeamIndex {
  const perUnit = new Map<string, Team[]>()
  for (const t of teams) {
    const list = perUnit.get(t.unitId)
    if (list) {
      list.push(t)
    } else {
      perUnit.set(t.unitId, [t])
    }
  }
  const byUnit = new Map<string, TeamTree>()
  for (const [unitId, list] of perUnit) {
    byUnit.set(unitId, tree(list))
  }
  return { all: tree(teams), byUnit }
}

function tree(teams: readonly Team[]): TeamTree {
  const kd = new KDBush(teams.length, 16)
  let minLon = Infinity
  let minLat = Infinity
  let maxLon = -Infinity
  let maxLat = -Infinity
  for (const t of teams) {
    kd.add(t.position.lon, t.position.lat)
    minLon = Math.min(minLon, t.position.lon)
    maxLon = Math.max(maxLon, t.position.lon)
    minLat = Math.min(minLat, t.position.lat)
    maxLat = Math.max(maxLat, t.position.lat)
  }
  const areaM2 =
    teams.length === 0
      ? 0
      : haversineM(minLon, minLat, maxLon, minLat) * haversineM(minLon, minLat, minLon, maxLat)
  const radius0M = Math.max(500, Math.sqrt((16 * areaM2) / (Math.PI * Math.max(1, teams.length))))
  const cosLats = new Float64Array(teams.length)
  for (let i = 0; i < teams.length; i++) {
    cosLats[i] = Math.cos(teams[i].position.lat * RAD)
  }
  return { teams, tree: kd.finish(), radius0M, cosLats }
}

/**
 * Change a team's status, load, capacity, shift or skills without rebuilding the trees (TEAM_UNKNOWN if absent).
 * A new position or unit rebuilds the index.
 */
export function patchTeam(
  index: TeamIndex,
  teamId: string,
  patch: Partial<Omit<Team, 'id'>>,
): Result<TeamIndex> {
  const i = index.all.teams.findIndex((t) => t.id === teamId)
  const old = index.all.teams[i]
  if (!old) {
    return fail('TEAM_UNKNOWN', `team ${teamId} is not in the index`, 'teamId')
  }
  const next: Team = { ...old, ...patch }
  const moved =
    next.position.lon !== old.position.lon ||
    next.position.lat !== old.position.lat ||
    next.unitId !== old.unitId
  const allTeams = index.all.teams.map((t, j) => (j === i ? next : t))
  if (moved) {
    return ok(buildTeamIndex(allTeams))
  }
  const unitTree = index.byUnit.get(old.unitId)!
  const byUnit = new Map(index.byUnit)
  byUnit.set(old.unitId, { ...unitTree, teams: unitTree.teams.map((t) => (t.id === teamId ? next : t)) })
  return ok({ all: { ...index.all, teams: allTeams }, byUnit })
}

/**
 * Recommend the best teams for a case: only teams of the unit (when given) that have the skill, are not off,
 * are on shift, are not busy and have free capacity; ranked by score = distance + load and en-route
 * penalties (lower first). The search grows a circle (kdbush box query + haversine) until no team outside it
 * can beat the ones kept, so it never scans the whole city.
 */
export function recommendTeams(index: TeamIndex, query: TeamQuery): TeamRecommendation[] {
  const limit = query.limit ?? DEFAULT_LIMIT
  if (limit <= 0) {
    return []
  }
  const source = query.unitId === undefined ? index.all : index.byUnit.get(query.unitId)
  if (!source) {
    return []
  }
  const maxDistanceM = query.maxDistanceM ?? DEFAULT_MAX_DISTANCE_M
  const { lon, lat } = query.point
  const cosLat = Math.cos(lat * RAD)
  const { teams, tree: kd, cosLats } = source
  const { ids, coords, nodeSize } = kd
  // Grow a search circle until the worst kept score fits inside it: a team outside the circle is farther than
  // the radius, and score ≥ distance, so it cannot beat what was kept. Each box is walked in kdbush's own
  // order (same ties as kdbush's range) without allocating a result array; the kept top-N live in small
  // parallel arrays and become objects only when returned.
  let radiusM = Math.min(source.radius0M, maxDistanceM)
  const { keptTeam, keptDistance, keptScore, keptSkill } = KEPT
  let kept = 0
  for (;;) {
    kept = 0
    const angle = radiusM / EARTH_RADIUS_M
    const dLat = angle / RAD
    const dLon = Math.sin(angle) < cosLat ? Math.asin(Math.sin(angle) / cosLat) / RAD : 180
    const minX = lon - dLon
    const maxX = lon + dLon
    const minY = Math.max(-90, lat - dLat)
    const maxY = Math.min(90, lat + dLat)
    const stack = STACK
    stack[0] = 0
    stack[1] = ids.length - 1
    stack[2] = 0
    let sp = 3
    while (sp > 0) {
      const axis = stack[--sp]
      const right = stack[--sp]
      const left = stack[--sp]
      const leaf = right - left <= nodeSize
      const from = leaf ? left : (left + right) >> 1
      const to = leaf ? right : from
      for (let i = from; i <= to; i++) {
        const x = coords[2 * i]
        const y = coords[2 * i + 1]
        if (!(x >= minX && x <= maxX && y >= minY && y <= maxY)) {
          continue
        }
        const id = ids[i]
        const team = teams[id]
        if (!eligible(team, query)) {
          continue
        }
        // haversineM with the team's cos(lat) precomputed: the same arithmetic, so the same distance.
        const dy = (y - lat) * RAD
        const dx = (x - lon) * RAD
        const s = Math.sin(dy / 2) ** 2 + cosLat * cosLats[id] * Math.sin(dx / 2) ** 2
        const distanceM = 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(s)))
        if (distanceM > radiusM) {
          continue
        }
        const score =
          distanceM +
          (LOAD_PENALTY_M * team.load) / team.capacity +
          (team.status === 'en-route' ? EN_ROUTE_PENALTY_M : 0)
        // Insert by score after equal scores (stable), keeping at most `limit`.
        let at = kept
        while (at > 0 && keptScore[at - 1] > score) {
          at--
        }
        if (at >= limit) {
          continue
        }
        const last = kept < limit ? kept : limit - 1
        for (let k = last; k > at; k--) {
          keptTeam[k] = keptTeam[k - 1]
          keptDistance[k] = keptDistance[k - 1]
          keptScore[k] = keptScore[k - 1]
          keptSkill[k] = keptSkill[k - 1]
        }
        keptTeam[at] = id
        keptDistance[at] = distanceM
        keptScore[at] = score
        keptSkill[at] = matchingSkill(team.skills, query.classId)!
        if (kept < limit) {
          kept++
        }
      }
      if (leaf) {
        continue
      }
      const m = from
      const x = coords[2 * m]
      const y = coords[2 * m + 1]
      if (axis === 0 ? minX <= x : minY <= y) {
        stack[sp++] = left
        stack[sp++] = m - 1
        stack[sp++] = 1 - axis
      }
      if (axis === 0 ? maxX >= x : maxY >= y) {
        stack[sp++] = m + 1
        stack[sp++] = right
        stack[sp++] = 1 - axis
      }
    }
    if ((kept === limit && keptScore[limit - 1] <= radiusM) || radiusM >= maxDistanceM) {
      break
    }
    radiusM = Math.min(maxDistanceM, radiusM * 2)
  }
  const out = new Array<TeamRecommendation>(kept)
  for (let k = 0; k < kept; k++) {
    out[k] = new Recommendation(teams[keptTeam[k]], keptDistance[k], keptScore[k], keptSkill[k])
  }
  return out
}

// Scratch shared by calls (recommendTeams is synchronous and never re-entered): the kd walk's stack of
// (left, right, axis) triples and the kept top-N as parallel arrays.
const STACK: number[] = []
const KEPT = {
  keptTeam: [] as number[],
  keptDistance: [] as number[],
  keptScore: [] as number[],
  keptSkill: [] as string[],
}

/**
 * A recommendation whose Chinese reason is built on first read: ranking callers (and the benchmark) never pay
 * for strings they do not show. `toJSON` keeps the reason in serialized output.
 */
class Recommendation implements TeamRecommendation {
  #reason: string | undefined
  readonly #skill: string

  constructor(
    readonly team: Team,
    readonly distanceM: number,
    readonly score: number,
    skill: string,
  ) {
    this.#skill = skill
  }

  get reason(): string {
    return (this.#reason ??= reasonFor(this.team, this.distanceM, this.#skill))
  }

  toJSON(): { team: Team; distanceM: number; score: number; reason: string } {
    return { team: this.team, distanceM: this.distanceM, score: this.score, reason: this.reason }
  }
}

/**
 * The `limit` nearest teams (of the unit, when given) whatever their state, each with why it cannot take the
 * case — for the dispatch board ("最近的一队忙碌").
 */
export function nearestTeams(index: TeamIndex, query: TeamQuery): TeamCandidate[] {
  const limit = query.limit ?? DEFAULT_LIMIT
  const source = query.unitId === undefined ? index.all : index.byUnit.get(query.unitId)
  if (!source || limit <= 0) {
    return []
  }
  const out: TeamCandidate[] = []
  visitNearest(
    source.tree,
    query.point.lon,
    query.point.lat,
    query.maxDistanceM ?? DEFAULT_MAX_DISTANCE_M,
    (id, distanceM) => {
      const team = source.teams[id]
      const skip = checkTeam(team, query)
      out.push(skip ? { team, distanceM, skip } : { team, distanceM })
      return out.length >= limit
    },
  )
  return out
}

/** Why a team cannot take the case (first failing check), or undefined if it can. */
export function checkTeam(
  team: Team,
  query: TeamQuery,
): { reason: TeamSkipReason; message: string } | undefined {
  if (query.unitId !== undefined && team.unitId !== query.unitId) {
    return { reason: 'other-unit', message: `${team.name}属于 ${team.unitId}，不是责任单位 ${query.unitId}` }
  }
  if (matchingSkill(team.skills, query.classId) === undefined) {
    return { reason: 'incapable', message: `${team.name}不具备 ${query.classId} 技能` }
  }
  if (team.status === 'off') {
    return { reason: 'off', message: `${team.name}已下线` }
  }
  if (!onShift(team.shift, query.localMinuteOfDay, query.isoWeekday)) {
    return { reason: 'off-shift', message: `${team.name}不在班` }
  }
  if (team.status === 'busy') {
    return { reason: 'busy', message: `${team.name}忙碌` }
  }
  if (team.load >= team.capacity) {
    return { reason: 'full', message: `${team.name}任务已满（${team.load}/${team.capacity}）` }
  }
  return undefined
}

/** checkTeam without building messages: the hot path skips most teams it looks at. */
function eligible(team: Team, query: TeamQuery): boolean {
  return (
    team.status !== 'off' &&
    team.status !== 'busy' &&
    team.load < team.capacity &&
    (query.unitId === undefined || team.unitId === query.unitId) &&
    matchingSkill(team.skills, query.classId) !== undefined &&
    onShift(team.shift, query.localMinuteOfDay, query.isoWeekday)
  )
}

/** Is a shift on at this local minute and ISO weekday? A shift past midnight belongs to the day it starts. */
export function onShift(shift: TeamShift | 'always', minute: number, isoWeekday: number): boolean {
  if (shift === 'always') {
    return true
  }
  const from = hhmm(shift.from)
  const to = hhmm(shift.to)
  if (from === to) {
    return shift.days.includes(isoWeekday)
  }
  if (from < to) {
    return shift.days.includes(isoWeekday) && minute >= from && minute < to
  }
  const yesterday = isoWeekday === 1 ? 7 : isoWeekday - 1
  return (
    (shift.days.includes(isoWeekday) && minute >= from) || (shift.days.includes(yesterday) && minute < to)
  )
}

/** 'HH:MM' → minutes (validated upstream); char codes avoid allocating substrings on the hot path. */
function hhmm(s: string): number {
  return (s.charCodeAt(0) * 10 + s.charCodeAt(1) - 528) * 60 + s.charCodeAt(3) * 10 + s.charCodeAt(4) - 528
}

/** The team skill that covers the class: the exact minor id, its major prefix, or '*'. */
function matchingSkill(skills: readonly string[], classId: string): string | undefined {
  let major: string | undefined
  for (const s of skills) {
    if (s === classId) {
      return s
    }
    if (s === '*' || (s.length === 3 && classId.startsWith(s))) {
      major = s
    }
  }
  return major
}

function reasonFor(team: Team, distanceM: number, skill: string): string {
  const distance =
    distanceM < 1000 ? `距离 ${Math.round(distanceM)} 米` : `距离 ${Math.round(distanceM / 10) / 100} 公里`
  const state =
    team.status === 'en-route'
      ? `在途（负载 ${team.load}/${team.capacity}）`
      : team.load === 0
        ? '空闲'
        : `负载 ${team.load}/${team.capacity}`
  const ability =
    skill === '*' ? '具备全部技能' : skill.length === 3 ? `具备 ${skill} 大类技能` : `具备 ${skill} 技能`
  return `${distance}，${state}，${ability}`
}
