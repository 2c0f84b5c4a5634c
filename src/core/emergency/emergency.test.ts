import type { Polygon } from 'geojson'
import { describe, expect, it } from 'vitest'
import type { Actor } from '../case/case.types.ts'
import type { Region } from '../geo/geo.types.ts'
import { applyEmergency, areaShape, IDLE, nearbyTeams, pendingAcks } from './index.ts'
import type { Applied, EmergencyCommand, EmergencyState, IncidentArea } from './index.ts'

// 2026-07-20T02:00Z
const T0 = 1_784_512_800_000
const leader: Actor = { id: 'u-leader', role: 'leader', name: '王市长' }
const handler: Actor = { id: 'u-h', role: 'handler', unitId: 'u-xc-cgw', name: '张三' }
const otherHandler: Actor = { id: 'u-h2', role: 'handler', unitId: 'u-xc-hw' }
const dispatcher: Actor = { id: 'u-d', role: 'dispatcher' }
const AREA = { kind: 'circle', center: { lon: 116.38, lat: 39.94 }, radiusM: 2000 } as const

function step(s: EmergencyState, cmd: EmergencyCommand, actor: Actor = leader, at = T0): Applied {
  const r = applyEmergency(s, cmd, actor, at)
  if (!r.ok) {
    throw new Error(`${r.error.code}: ${r.error.message}`)
  }
  return r.value
}

function code(s: EmergencyState, cmd: EmergencyCommand, actor: Actor = leader): string | undefined {
  const r = applyEmergency(s, cmd, actor, T0)
  return r.ok ? undefined : r.error.code
}

const start: EmergencyCommand = { type: 'start', id: 'EM1', title: '暴雨内涝', area: AREA }
const order: EmergencyCommand = {
  type: 'instruct',
  id: 'EI1',
  text: '立即排查积水点',
  unitIds: ['u-xc-cgw'],
  teams: [{ id: 't-1', unitId: 'u-xc-hw' }],
}

describe('emergency command mode: idle → active → idle', () => {
  it('a leader starts it, instructs units and stops it; the log says each step', () => {
    const a = step(IDLE, start)
    expect(a.state).toMatchObject({
      status: 'active',
      incident: { id: 'EM1', title: '暴雨内涝', startedAt: T0 },
    })
    expect(a.log).toMatchObject({ kind: 'start', actorName: '王市长' })
    expect(a.log.text).toContain('暴雨内涝')

    const b = step(a.state, order)
    expect(b.change.kind).toBe('instructed')
    // the team's unit is addressed too
    expect(b.log.unitIds).toEqual(['u-xc-cgw', 'u-xc-hw'])

    const c = step(b.state, { type: 'stop', note: '险情解除' })
    expect(c.state).toEqual(IDLE)
    expect(c.log.text).toContain('险情解除')
  })

  it('refuses a second start, and instruct/stop/ack while idle', () => {
    const active = step(IDLE, start).state
    expect(code(active, { ...start, id: 'EM2' })).toBe('EMERGENCY_ALREADY_ACTIVE')
    expect(code(IDLE, order)).toBe('EMERGENCY_NOT_ACTIVE')
    expect(code(IDLE, { type: 'stop' })).toBe('EMERGENCY_NOT_ACTIVE')
    expect(code(IDLE, { type: 'acknowledge', instructionId: 'EI1', unitId: 'u-xc-cgw' }, handler)).toBe(
      'EMERGENCY_NOT_ACTIVE',
    )
  })

  it('only leaders and admins start, instruct and stop', () => {
    expect(code(IDLE, start, dispatcher)).toBe('FORBIDDEN_ROLE')
    const active = step(IDLE, start).state
    expect(code(active, order, handler)).toBe('FORBIDDEN_ROLE')
    expect(code(active, { type: 'stop' }, dispatcher)).toBe('FORBIDDEN_ROLE')
    expect(code(active, { type: 'stop' }, { id: 'a', role: 'admin' })).toBeUndefined()
  })

  it('an addressed unit acknowledges once; others cannot acknowledge for it', () => {
    const s = step(step(IDLE, start).state, order).state
    const ack: EmergencyCommand = {
      type: 'acknowledge',
      instructionId: 'EI1',
      unitId: 'u-xc-cgw',
      note: '已出动',
    }
    expect(code(s, ack, otherHandler)).toBe('EMERGENCY_NOT_ADDRESSED')
    expect(code(s, { ...ack, unitId: 'u-dc-cgw' }, { ...handler, unitId: 'u-dc-cgw' })).toBe(
      'EMERGENCY_NOT_ADDRESSED',
    )
    expect(code(s, { ...ack, instructionId: 'nope' }, handler)).toBe('NOT_FOUND')
    const done = step(s, ack, handler, T0 + 60_000)
    expect(done.change).toMatchObject({ kind: 'acknowledged', ack: { unitId: 'u-xc-cgw', at: T0 + 60_000 } })
    expect(code(done.state, ack, handler)).toBe('EMERGENCY_ALREADY_ACKNOWLEDGED')
    if (done.state.status !== 'active') {
      throw new Error('still active')
    }
    expect(pendingAcks(done.state.instructions[0])).toEqual(['u-xc-hw'])
    // a dispatcher of the team's unit acknowledges for it
    expect(
      code(done.state, { ...ack, unitId: 'u-xc-hw' }, { ...dispatcher, unitId: 'u-xc-hw' }),
    ).toBeUndefined()
  })

  it('checks what a person typed: title, text, recipients, area', () => {
    expect(code(IDLE, { ...start, title: '  ' })).toBe('VALIDATION_FAILED')
    expect(
      code(IDLE, { ...start, area: { kind: 'circle', center: { lon: 116, lat: 39 }, radiusM: 0 } }),
    ).toBe('GEO_INVALID')
    expect(code(IDLE, { ...start, area: { kind: 'region', code: '12' } })).toBe('GEO_INVALID')
    const open: IncidentArea = {
      kind: 'polygon',
      polygon: {
        type: 'Polygon',
        coordinates: [
          [
            [116.3, 39.9],
            [116.4, 39.9],
            [116.4, 40],
            [116.3, 40],
          ],
        ],
      },
    }
    expect(code(IDLE, { ...start, area: open })).toBe('GEO_INVALID')
    const s = step(IDLE, start).state
    expect(code(s, { ...order, text: '' })).toBe('VALIDATION_FAILED')
    expect(code(s, { ...order, unitIds: [], teams: [] })).toBe('VALIDATION_FAILED')
  })

  it('updates the title or area while active, and says what changed', () => {
    const s = step(IDLE, start).state
    const u = step(s, { type: 'update', title: '暴雨内涝（升级）' })
    expect(u.state).toMatchObject({ incident: { title: '暴雨内涝（升级）', id: 'EM1', startedAt: T0 } })
    expect(u.log.text).toContain('升级')
    expect(code(s, { type: 'update' })).toBe('VALIDATION_FAILED')
  })
})

describe('incident areas', () => {
  const polygon: Polygon = {
    type: 'Polygon',
    coordinates: [
      [
        [116.3, 39.9],
        [116.4, 39.9],
        [116.4, 40.0],
        [116.3, 40.0],
        [116.3, 39.9],
      ],
    ],
  }
  const square: IncidentArea = { kind: 'polygon', polygon }

  it('a drawn polygon contains points inside it only; its box is the prefilter', () => {
    const r = areaShape(square)
    if (!r.ok) {
      throw new Error(r.error.message)
    }
    expect(r.value.bbox).toEqual([116.3, 39.9, 116.4, 40.0])
    expect(r.value.contains(116.35, 39.95)).toBe(true)
    expect(r.value.contains(116.45, 39.95)).toBe(false)
  })

  it('a circle contains points by great-circle distance', () => {
    const r = areaShape(AREA)
    if (!r.ok) {
      throw new Error(r.error.message)
    }
    // 0.017° of latitude ≈ 1.9 km, 0.02° ≈ 2.2 km
    expect(r.value.contains(116.38, 39.957)).toBe(true)
    expect(r.value.contains(116.38, 39.96)).toBe(false)
    const [minLon, minLat, maxLon, maxLat] = r.value.bbox
    expect(minLat).toBeLessThan(39.925)
    expect(maxLat).toBeGreaterThan(39.955)
    expect(maxLon - minLon).toBeGreaterThan(maxLat - minLat)
  })

  it('a region area needs its region, and contains points in its geometry', () => {
    const region: Region = {
      code: '110102001',
      name: '西长安街街道',
      level: 'street',
      parentCode: '110102',
      centroid: [116.35, 39.95],
      bbox: [116.3, 39.9, 116.4, 40.0],
      geometry: polygon,
    }
    expect(areaShape({ kind: 'region', code: '110102001' }).ok).toBe(false)
    const r = areaShape({ kind: 'region', code: '110102001' }, region)
    if (!r.ok) {
      throw new Error(r.error.message)
    }
    expect(r.value.contains(116.35, 39.95)).toBe(true)
    expect(r.value.regionCode).toBe('110102001')
  })
})

describe('nearest teams to an incident', () => {
  const team = (id: string, lon: number, status: 'available' | 'busy' | 'off', load = 0) => ({
    id,
    unitId: 'u',
    name: id,
    skills: ['*'],
    position: { lon, lat: 39.94 },
    shift: 'always' as const,
    status,
    load,
    capacity: 5,
  })

  it('lists who can go first, nearest first, then the close but tied-up ones', () => {
    const teams = [
      team('far', 116.45, 'available'),
      team('near-busy', 116.381, 'busy'),
      team('mid', 116.4, 'available'),
    ]
    const r = nearbyTeams(teams, { centre: [116.38, 39.94], localMinuteOfDay: 600, isoWeekday: 1, limit: 3 })
    expect(r.map((t) => t.team.id)).toEqual(['mid', 'far', 'near-busy'])
    expect(r[2]).toMatchObject({ available: false, reason: '忙碌' })
    expect(r[0].distanceM).toBeGreaterThan(1500)
    expect(r[0].distanceM).toBeLessThan(1800)
  })
})
