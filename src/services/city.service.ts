import { simplify } from '@turf/turf'
import type { Feature, FeatureCollection, Geometry } from 'geojson'
import type { Kysely } from 'kysely'
import { isoWeekday } from '../core/calendar/civil-date.ts'
import type { WorkCalendar } from '../core/calendar/calendar.types.ts'
import type { Case, GeoPoint, RegionRef } from '../core/case/case.types.ts'
import type { Catalog } from '../core/catalog/catalog.types.ts'
import { buildTeamIndex, recommendTeams, type TeamIndex } from '../core/dispatch/index.ts'
import type { Team, TeamRecommendation } from '../core/dispatch/dispatch.types.ts'
import { lintDuty, parseDutyRules, replayDuty, resolveDuty } from '../core/duty/index.ts'
import type { DutyLintResult, DutyResolution, DutyRuleSet, ReplayResult } from '../core/duty/duty.types.ts'
import { AppError } from '../core/errors.ts'
import type { LookupResult, Region, RegionLevel, RegionSet } from '../core/geo/geo.types.ts'
import { buildRegionIndex, findRegionsInText, lookup, type RegionIndex } from '../core/geo/region-index.ts'
import { DAY, MINUTE, type Instant } from '../core/time.ts'
import * as city from '../store/city.repository.ts'
import type { Database, UnitTable } from '../store/database.ts'
import { listUnits } from '../store/user.repository.ts'
import type { Clock } from './ports.ts'

export interface CityServiceDeps {
  readonly db: Kysely<Database>
  readonly clock: Clock
  readonly calendar: WorkCalendar
  readonly catalog: Catalog
  readonly regions: RegionSet
  /** the rule set installed when the database has none yet */
  readonly defaultDuty: DutyRuleSet
}

/** Where a case is, as the pipeline found it, and how. */
export interface Placement {
  readonly region: RegionRef
  readonly how: 'point' | 'text' | 'none'
  readonly names: readonly string[]
}

/** The city model: regions, units, teams and the responsibility list, held in memory, kept in the database. */
export interface CityService {
  readonly regions: RegionSet
  readonly index: RegionIndex
  locate(p: GeoPoint): LookupResult | undefined
  /** point first (grid cell), else region names in the text (the finest found) */
  place(point: GeoPoint | undefined, text: string): Placement
  regionFeatures(level: Exclude<RegionLevel, 'city'>, parent?: string): FeatureCollection
  units(): readonly UnitTable[]
  unit(id: string): UnitTable | undefined
  reloadUnits(): Promise<void>
  teams(): readonly Team[]
  saveTeam(team: Team): Promise<Team>
  duty(): DutyRuleSet
  dutyVersions(): ReturnType<typeof city.listDutyRuleSets>
  dutyVersion(version: string): Promise<DutyRuleSet>
  proposeDuty(json: unknown, by: string): Promise<DutyRuleSet>
  activateDuty(version: string): Promise<void>
  lint(set?: DutyRuleSet): DutyLintResult
  replay(proposed: DutyRuleSet, limit?: number): Promise<ReplayResult>
  /** who owns this class here, now */
  resolve(classId: string, region: RegionRef, at: Instant): DutyResolution
  /**
   * For one case: the owner the responsibility list names, and the nearest capable teams of the
   * unit that has the case (or, before dispatch, of that owner)
   */
  recommend(c: Case, at: Instant, limit?: number): Recommendation
}

export interface Recommendation {
  readonly owner?: DutyResolution
  readonly teams: readonly TeamRecommendation[]
}

const SIMPLIFY: Record<Exclude<RegionLevel, 'city'>, number> = {
  district: 0.001,
  street: 0.0004,
  community: 0.0001,
  grid: 0,
}

/** Local minute of day and ISO weekday of an instant in the city's calendar. */
export function localClock(cal: WorkCalendar, at: Instant): { minute: number; weekday: number } {
  const local = at + cal.utcOffsetMinutes * MINUTE
  const days = Math.floor(local / DAY)
  return { minute: Math.floor((local - days * DAY) / MINUTE), weekday: isoWeekday(days) }
}

function regionRefOf(codes: {
  district?: string
  street?: string
  community?: string
  grid?: string
}): RegionRef {
  return {
    ...(codes.district ? { districtCode: codes.district } : {}),
    ...(codes.street ? { streetCode: codes.street } : {}),
    ...(codes.community ? { communityCode: codes.community } : {}),
    ...(codes.grid ? { gridCode: codes.grid } : {}),
  }
}

/** A region code and every coarser code it contains (codes nest by prefix). */
function codesOf(code: string): { district?: string; street?: string; community?: string; grid?: string } {
  return {
    ...(code.length >= 6 ? { district: code.slice(0, 6) } : {}),
    ...(code.length >= 9 ? { street: code.slice(0, 9) } : {}),
    ...(code.length >= 12 ? { community: code.slice(0, 12) } : {}),
    ...(code.length >= 15 ? { grid: code.slice(0, 15) } : {}),
  }
}

/** Load the city model (installing the default responsibility list on a fresh database). */
export async function createCityService(deps: CityServiceDeps): Promise<CityService> {
  const { db, clock, calendar, regions } = deps
  const index = buildRegionIndex(regions)
  let units = await listUnits(db)
  let unitById = new Map(units.map((u) => [u.id, u]))
  let teams = await city.listTeams(db)
  let teamIndex: TeamIndex = buildTeamIndex(teams)
  let duty = await city.activeDutyRuleSet(db)
  if (!duty) {
    await city.insertDutyRuleSet(db, deps.defaultDuty, 'system', clock())
    await city.activateDutyRuleSet(db, deps.defaultDuty.version)
    duty = deps.defaultDuty
  }
  let active = duty
  const features = new Map<string, FeatureCollection>()
  const regionName = (code: string) => index.byCode.get(code)?.name
  const fallback = (streetCode: string) =>
    unitById.has(`${streetCode}-office`) ? `${streetCode}-office` : undefined

  function parseOrThrow(json: unknown): DutyRuleSet {
    const r = parseDutyRules(json)
    if (!r.ok) {
      throw AppError.from(r.error)
    }
    return r.value
  }

  function resolveWith(set: DutyRuleSet, classId: string, region: RegionRef, at: Instant): DutyResolution {
    const r = resolveDuty(
      set,
      {
        classId,
        regionCodes: {
          ...(region.districtCode ? { district: region.districtCode } : {}),
          ...(region.streetCode ? { street: region.streetCode } : {}),
          ...(region.communityCode ? { community: region.communityCode } : {}),
          ...(region.gridCode ? { grid: region.gridCode } : {}),
        },
        localMinuteOfDay: localClock(calendar, at).minute,
      },
      fallback,
      { regionName },
    )
    if (!r.ok) {
      throw AppError.from(r.error)
    }
    return r.value
  }

  return {
    regions,
    index,
    locate: (p) => lookup(index, p.lon, p.lat),

    place(point, text) {
      const hit = point ? lookup(index, point.lon, point.lat) : undefined
      if (hit) {
        const names = [hit.districtName, hit.streetName, hit.communityName, hit.gridCode].filter(
          (n): n is string => !!n,
        )
        return {
          region: regionRefOf({
            ...(hit.districtCode ? { district: hit.districtCode } : {}),
            ...(hit.streetCode ? { street: hit.streetCode } : {}),
            ...(hit.communityCode ? { community: hit.communityCode } : {}),
            ...(hit.gridCode ? { grid: hit.gridCode } : {}),
          }),
          how: 'point',
          names,
        }
      }
      // no usable point: the finest region named in the text, if its coarser names agree
      const found = findRegionsInText(index, text)
      if (found.length === 0) {
        return { region: {}, how: 'none', names: [] }
      }
      const finest = [...found].sort((a, b) => b.code.length - a.code.length)[0]
      return { region: regionRefOf(codesOf(finest.code)), how: 'text', names: found.map((m) => m.name) }
    },

    regionFeatures(level, parent) {
      const key = `${level}:${parent ?? ''}`
      const cached = features.get(key)
      if (cached) {
        return cached
      }
      const list: readonly Region[] = {
        district: regions.districts,
        street: regions.streets,
        community: regions.communities,
        grid: regions.grids,
      }[level]
      const chosen = parent ? list.filter((r) => r.code.startsWith(parent)) : list
      if (level === 'grid' && !parent) {
        throw new AppError(
          'VALIDATION_FAILED',
          'grid cells are served per street or community: add parent=<street or community code>',
          'parent',
        )
      }
      const fc: FeatureCollection = {
        type: 'FeatureCollection',
        features: chosen.map((r): Feature => {
          const geometry: Geometry =
            SIMPLIFY[level] > 0
              ? simplify(r.geometry, { tolerance: SIMPLIFY[level], highQuality: false })
              : r.geometry
          return {
            type: 'Feature',
            id: r.code,
            properties: {
              code: r.code,
              name: r.name,
              level: r.level,
              parentCode: r.parentCode ?? null,
              centroid: r.centroid,
            },
            geometry,
          }
        }),
      }
      features.set(key, fc)
      return fc
    },

    units: () => units,
    unit: (id) => unitById.get(id),
    async reloadUnits() {
      units = await listUnits(db)
      unitById = new Map(units.map((u) => [u.id, u]))
    },

    teams: () => teams,
    async saveTeam(team) {
      if (!unitById.has(team.unitId)) {
        throw new AppError('UNIT_UNKNOWN', `unit ${team.unitId} does not exist`, 'unitId')
      }
      await city.upsertTeams(db, [team], clock())
      teams = [...teams.filter((t) => t.id !== team.id), team]
      // kdbush is static; a rebuild over a few thousand teams costs well under a millisecond
      teamIndex = buildTeamIndex(teams)
      return team
    },

    duty: () => active,
    dutyVersions: () => city.listDutyRuleSets(db),
    async dutyVersion(version) {
      const set = await city.findDutyRuleSet(db, version)
      if (!set) {
        throw new AppError('NOT_FOUND', `no responsibility list version ${version}`, 'version')
      }
      return set
    },
    async proposeDuty(json, by) {
      const set = parseOrThrow(json)
      if (await city.findDutyRuleSet(db, set.version)) {
        throw new AppError(
          'DUTY_RULES_INVALID',
          `version ${set.version} exists already: rule sets are immutable, give a new version`,
          'version',
        )
      }
      await city.insertDutyRuleSet(db, set, by, clock())
      return set
    },
    async activateDuty(version) {
      const set = await city.findDutyRuleSet(db, version)
      if (!set || !(await city.activateDutyRuleSet(db, version))) {
        throw new AppError('NOT_FOUND', `no responsibility list version ${version}`, 'version')
      }
      active = set
    },
    lint(set = active) {
      const streets = regions.streets.map((s) => ({
        code: s.code,
        name: s.name,
        districtCode: s.parentCode ?? s.code.slice(0, 6),
      }))
      return lintDuty(set, deps.catalog.classes, streets)
    },
    async replay(proposed, limit = 10_000) {
      const rows = await db
        .selectFrom('cases')
        .select(['id', 'doc'])
        .where('class_id', 'is not', null)
        .where('unit_id', 'is not', null)
        .orderBy('reported_at', 'desc')
        .limit(limit)
        .execute()
      const past = rows.map((r) => {
        const c = JSON.parse(r.doc) as Case
        return {
          caseId: c.id,
          actualUnitId: c.unitId!,
          query: {
            classId: c.classId!,
            regionCodes: {
              ...(c.region.districtCode ? { district: c.region.districtCode } : {}),
              ...(c.region.streetCode ? { street: c.region.streetCode } : {}),
              ...(c.region.communityCode ? { community: c.region.communityCode } : {}),
              ...(c.region.gridCode ? { grid: c.region.gridCode } : {}),
            },
            localMinuteOfDay: localClock(calendar, c.times.reportedAt).minute,
          },
        }
      })
      return replayDuty(active, proposed, past, fallback)
    },
    resolve: (classId, region, at) => resolveWith(active, classId, region, at),
    recommend(c, at, limit = 3) {
      if (!c.classId) {
        return { teams: [] }
      }
      const owner = resolveWith(active, c.classId, c.region, at)
      if (!c.location) {
        return { owner, teams: [] }
      }
      const { minute, weekday } = localClock(calendar, at)
      const teams = recommendTeams(teamIndex, {
        unitId: c.unitId ?? owner.responsibleUnitId,
        classId: c.classId,
        point: c.location,
        localMinuteOfDay: minute,
        isoWeekday: weekday,
        limit,
      })
      return { owner, teams }
    },
  }
}
