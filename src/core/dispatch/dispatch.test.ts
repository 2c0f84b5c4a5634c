import { describe, expect, it } from 'vitest'
import KDBush from 'kdbush'
import type { Team, TeamQuery } from './dispatch.types.ts'
import { dispatchLevel, unitLevel } from './levels.ts'
import { buildTeamIndex, checkTeam, nearestTeams, onShift, patchTeam, recommendTeams } from './nearest.ts'
import { haversineM, visitNearest } from './sphere-knn.ts'

const TIANANMEN = { lon: 116.3975, lat: 39.9087 }
const XIDAN = { lon: 116.3736, lat: 39.9075 }

function team(id: string, over: Partial<Team> = {}): Team {
  return {
    id,
    unitId: '110102-hw',
    name: `${id}队`,
    skills: ['E0102'],
    position: TIANANMEN,
    shift: 'always',
    status: 'available',
    load: 0,
    capacity: 5,
    ...over,
  }
}

/** A point `m` metres east of Tiananmen (1° of longitude there ≈ 85.3 km). */
function east(m: number): { lon: number; lat: number } {
  return {
    lon: TIANANMEN.lon + m / (111_195 * Math.cos((TIANANMEN.lat * Math.PI) / 180)),
    lat: TIANANMEN.lat,
  }
}

const query: TeamQuery = {
  unitId: '110102-hw',
  classId: 'E0102',
  point: TIANANMEN,
  localMinuteOfDay: 10 * 60,
  isoWeekday: 3,
  limit: 3,
}

describe('great-circle distance', () => {
  it('天安门 to 西单 is about 2.04 km (within 1%)', () => {
    const d = haversineM(TIANANMEN.lon, TIANANMEN.lat, XIDAN.lon, XIDAN.lat)
    expect(Math.abs(d - 2040) / 2040).toBeLessThan(0.01)
  })

  it('visits points in exact distance order, the same as a brute-force sort', () => {
    let seed = 7
    const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647
    const pts = Array.from({ length: 3000 }, () => [115.4 + rand() * 2.1, 39.4 + rand() * 1.6] as const)
    const kd = new KDBush(pts.length, 16)
    for (const [x, y] of pts) {
      kd.add(x, y)
    }
    kd.finish()
    for (let k = 0; k < 20; k++) {
      const lon = 115.4 + rand() * 2.1
      const lat = 39.4 + rand() * 1.6
      const got: number[] = []
      visitNearest(kd, lon, lat, Infinity, (id) => got.push(id) >= 50)
      const want = pts
        .map(([x, y], id) => ({ id, d: haversineM(lon, lat, x, y) }))
        .sort((a, b) => a.d - b.d)
        .slice(0, 50)
        .map((p) => p.id)
      expect(got).toEqual(want)
    }
  })
})

describe('recommendTeams', () => {
  it('the nearest capable available team wins, with a reason a dispatcher can read', () => {
    const index = buildTeamIndex([team('far', { position: XIDAN }), team('near', { position: east(350) })])
    const recs = recommendTeams(index, query)
    expect(recs.map((r) => r.team.id)).toEqual(['near', 'far'])
    expect(recs[0].reason).toBe('距离 350 米，空闲，具备 E0102 技能')
    expect(recs[1].reason).toMatch(/^距离 2\.0\d 公里，空闲，具备 E0102 技能$/)
  })

  it('skips off-shift, busy, full, off and incapable teams, each for the right reason', () => {
    const teams = [
      team('offshift', { position: east(100), shift: { days: [1, 2, 3, 4, 5], from: '18:00', to: '02:00' } }),
      team('busy', { position: east(200), status: 'busy' }),
      team('full', { position: east(300), load: 5 }),
      team('incapable', { position: east(400), skills: ['E05'] }),
      team('off', { position: east(450), status: 'off' }),
      team('other', { position: east(50), unitId: '110101-hw' }),
      team('ok', { position: east(900), skills: ['E01'] }),
    ]
    const index = buildTeamIndex(teams)
    expect(recommendTeams(index, query).map((r) => r.team.id)).toEqual(['ok'])
    expect(recommendTeams(index, query)[0].reason).toContain('具备 E01 大类技能')
    const board = nearestTeams(index, { ...query, limit: 10 })
    expect(board.map((c) => [c.team.id, c.skip?.reason])).toEqual([
      ['offshift', 'off-shift'],
      ['busy', 'busy'],
      ['full', 'full'],
      ['incapable', 'incapable'],
      ['off', 'off'],
      ['ok', undefined],
    ])
    expect(checkTeam(teams[5], query)?.reason).toBe('other-unit')
    expect(board[2].skip?.message).toBe('full队任务已满（5/5）')
  })

  it('a lightly loaded team can beat a nearer, heavily loaded one', () => {
    const index = buildTeamIndex([
      team('loaded', { position: east(500), load: 4 }),
      team('idle', { position: east(1000) }),
    ])
    const recs = recommendTeams(index, query)
    expect(recs.map((r) => r.team.id)).toEqual(['idle', 'loaded'])
    expect(recs[1].reason).toContain('负载 4/5')
  })

  it('without a unit, any unit’s capable team counts; limit caps the list', () => {
    const index = buildTeamIndex([
      team('a', { position: east(100), unitId: 'x' }),
      team('b', { position: east(200), unitId: 'y' }),
      team('c', { position: east(300) }),
    ])
    expect(recommendTeams(index, { ...query, unitId: undefined, limit: 2 }).map((r) => r.team.id)).toEqual([
      'a',
      'b',
    ])
    expect(recommendTeams(index, { ...query, unitId: 'nobody' })).toEqual([])
  })

  it('patchTeam changes status without a rebuild, and reports unknown teams', () => {
    const index = buildTeamIndex([team('a', { position: east(100) }), team('b', { position: east(200) })])
    const patched = patchTeam(index, 'a', { status: 'busy' })
    if (!patched.ok) {
      throw new Error('expected a patch')
    }
    expect(patched.value.all.tree).toBe(index.all.tree)
    expect(recommendTeams(patched.value, query).map((r) => r.team.id)).toEqual(['b'])
    const moved = patchTeam(patched.value, 'b', { position: XIDAN })
    expect(moved.ok && recommendTeams(moved.value, query)[0].reason).toContain('公里')
    const unknown = patchTeam(index, 'zzz', { load: 1 })
    expect(!unknown.ok && unknown.error.code).toBe('TEAM_UNKNOWN')
  })
})

describe('shifts', () => {
  const night = { days: [5], from: '22:00', to: '06:00' } // Friday night
  it('a night shift runs past midnight into the next weekday', () => {
    expect(onShift(night, 23 * 60, 5)).toBe(true)
    expect(onShift(night, 3 * 60, 6)).toBe(true) // Saturday 03:00 is still Friday's shift
    expect(onShift(night, 3 * 60, 5)).toBe(false) // Friday 03:00 belongs to Thursday's shift
    expect(onShift(night, 6 * 60, 6)).toBe(false)
    expect(onShift({ days: [7], from: '22:00', to: '06:00' }, 60, 1)).toBe(true) // Sunday night into Monday
  })
})

describe('dispatchLevel', () => {
  it('maps unit ids to levels', () => {
    expect([
      unitLevel('city-rq'),
      unitLevel('110102-zf'),
      unitLevel('110102012-office'),
      unitLevel('110102012001-jwh'),
      unitLevel('x'),
    ]).toEqual(['city', 'district', 'street', 'community', undefined])
  })

  it('a small matter owned by the street goes down to the community; others stay at the owner’s level', () => {
    expect(dispatchLevel('E0101', '110102012-office').level).toBe('community')
    expect(dispatchLevel('E0501', '110102012-office').level).toBe('street')
    expect(dispatchLevel('E0101', '110102-hw').level).toBe('district')
    expect(dispatchLevel('E0403', 'city-rq').level).toBe('city')
  })

  it('rises only by rule or by hand', () => {
    const raiseRules = [{ classIds: ['E04'], level: 'district' as const, reason: '突发事件由区级统筹' }]
    expect(dispatchLevel('E0404', '110102012-office', { raiseRules })).toEqual({
      level: 'district',
      reason: '按规则上升至区级：突发事件由区级统筹',
    })
    expect(dispatchLevel('E0101', '110102012-office', { manualLevel: 'street' }).level).toBe('street')
    // a manual level below the owner's level does not lower it
    expect(dispatchLevel('E0403', 'city-rq', { manualLevel: 'street' }).level).toBe('city')
  })
})
