import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DATABASES, type TestDatabase } from '../helpers/databases.ts'
import { startTestPlatform, type TestPlatform } from '../helpers/platform.ts'

// 什刹海 前海西街 (西城): inside the incident circle; 东直门 (东城): outside it
const SHICHAHAI = { lon: 116.3849, lat: 39.9405 }
const DONGZHIMEN = { lon: 116.4345, lat: 39.9408 }
const CIRCLE = { kind: 'circle', center: SHICHAHAI, radiusM: 1500 }

describe.each(DATABASES)('emergency command mode over the API on $dialect', (d) => {
  let t: TestPlatform
  let nodeB: TestPlatform
  const seen: { type: string; unitId?: string; payload?: Record<string, unknown> }[] = []

  beforeAll(async () => {
    // two nodes on one database: the mode is server state, not a node's memory
    const shared = d.fresh()
    const db: TestDatabase = { dialect: d.dialect, fresh: () => shared }
    t = await startTestPlatform(db)
    nodeB = await startTestPlatform(db)
    t.platform.bus.subscribe((events) => seen.push(...(events as unknown as typeof seen)))
    await t.platform.city.saveTeam({
      id: 't-xc-1',
      unitId: 'u-xc-hw',
      name: '西城环卫一队',
      skills: ['*'],
      position: { lon: 116.39, lat: 39.942 },
      shift: 'always',
      status: 'available',
      load: 0,
      capacity: 5,
    })
  })
  afterAll(async () => {
    await nodeB?.close()
    await t?.close()
  })

  const post = async (user: string, payload: object, url = '/api/v1/emergency') =>
    t.app.inject({ method: 'POST', url, headers: await t.as(user), payload })
  const get = async (user: string, url = '/api/v1/emergency', app = t) =>
    app.app.inject({ url, headers: await app.as(user) })

  it('is off until a leader starts it; only leaders and admins may', async () => {
    expect((await get('dispatcher')).json()).toEqual({ active: false })
    const denied = await post('dispatcher', { action: 'start', title: '内涝', area: CIRCLE })
    expect(denied.statusCode).toBe(403)
    expect(denied.json().error.code).toBe('FORBIDDEN_ROLE')
    const bad = await post('leader', {
      action: 'start',
      title: '内涝',
      area: { kind: 'region', code: '119999' },
    })
    expect(bad.statusCode).toBe(422)
    expect(bad.json().error.field).toBe('area.code')
  })

  it('one click by a leader switches every cockpit, on every node, with an event', async () => {
    const r = await post('leader', { action: 'start', title: '什刹海暴雨内涝', area: CIRCLE })
    expect(r.statusCode, r.body).toBe(200)
    const state = r.json()
    expect(state).toMatchObject({ active: true, title: '什刹海暴雨内涝', area: CIRCLE, startedAt: t.clock() })
    expect(state.id).toMatch(/^EM/)
    expect(state.log).toHaveLength(1)
    expect(state.log[0]).toMatchObject({ kind: 'start', actorId: expect.any(String) })

    expect((await get('dispatcher', '/api/v1/emergency', nodeB)).json()).toMatchObject({
      active: true,
      id: state.id,
    })
    expect(seen.find((e) => e.type === 'emergency.started')?.payload).toMatchObject({ incidentId: state.id })

    const again = await post('admin', { action: 'start', title: '另一起', area: CIRCLE })
    expect(again.statusCode).toBe(409)
    expect(again.json().error.code).toBe('EMERGENCY_ALREADY_ACTIVE')
  })

  it('shows the cases inside the area, not those outside, and the nearest teams', async () => {
    for (const [text, location] of [
      ['前海西街路面大面积积水，车辆无法通行', SHICHAHAI],
      ['东直门桥下积水，行人绕行', DONGZHIMEN],
    ] as const) {
      const c = await t.app.inject({
        method: 'POST',
        url: '/api/v1/cases',
        headers: await t.as('operator'),
        payload: { channel: 'hotline', text, location },
      })
      expect(c.statusCode, c.body).toBe(201)
    }
    const r = await get('leader', '/api/v1/emergency/situation')
    expect(r.statusCode, r.body).toBe(200)
    const s = r.json()
    expect(s.cases.items.map((c: { title: string }) => c.title).join()).toContain('前海西街')
    expect(s.cases.items.map((c: { title: string }) => c.title).join()).not.toContain('东直门')
    expect(s.cases.total).toBe(1)
    expect(s.teams[0]).toMatchObject({ id: 't-xc-1', available: true, inside: true })
    expect(s.teams[0].distance).toBeGreaterThan(300)
    expect(s.teams[0].distance).toBeLessThan(800)
    expect(s.sensing).toMatchObject({ devices: 0, alarms: [] })
  })

  it('sends an instruction to chosen units at once and tracks who acknowledged it', async () => {
    const unknown = await post('leader', { action: 'instruct', unitIds: ['u-nope'], text: '待命' })
    expect(unknown.json().error.code).toBe('UNIT_UNKNOWN')

    const r = await post('leader', {
      action: 'instruct',
      unitIds: ['u-xc-cgw'],
      teamIds: ['t-xc-1'],
      text: '立即封闭前海西街积水路段，设置警示',
    })
    expect(r.statusCode, r.body).toBe(200)
    const [i] = r.json().instructions
    expect(i).toMatchObject({ addressees: ['u-xc-cgw', 'u-xc-hw'], pending: ['u-xc-cgw', 'u-xc-hw'] })
    const pushed = seen.filter((e) => e.type === 'emergency.instructed')
    expect(pushed.map((e) => e.unitId)).toEqual(['u-xc-cgw', 'u-xc-hw'])

    const url = `/api/v1/emergency/instructions/${i.id}/acknowledge`
    expect((await post('operator', {}, url)).statusCode).toBe(403)
    const ok = await post('handler', { note: '已出动两组人员' }, url)
    expect(ok.statusCode, ok.body).toBe(200)
    const after = ok.json().instructions[0]
    expect(after.pending).toEqual(['u-xc-hw'])
    expect(after.acks[0]).toMatchObject({ unitId: 'u-xc-cgw', note: '已出动两组人员', at: t.clock() })
    const twice = await post('handler', {}, url)
    expect(twice.statusCode).toBe(409)
    expect(twice.json().error.code).toBe('EMERGENCY_ALREADY_ACKNOWLEDGED')

    // the same step through the cockpit's single POST
    const viaPost = await post('handler2', { action: 'acknowledge', instructionId: i.id })
    expect(viaPost.json().instructions[0].pending).toEqual([])
    expect(seen.filter((e) => e.type === 'emergency.acknowledged')).toHaveLength(2)

    // every order and acknowledgement crossed a unit boundary: it is on the tamper-evident ledger
    const entries = await t.platform.ledger.entries(0, 1000)
    const mine = entries.filter((e) => e.action === 'instruct' || e.action === 'acknowledge')
    expect(mine.length).toBeGreaterThanOrEqual(4)
    expect((await t.platform.ledger.verify()).ok).toBe(true)
  })

  it('keeps an append-only log and switches back with one click', async () => {
    const stop = await post('leader', { action: 'stop', note: '积水已排除' })
    expect(stop.statusCode, stop.body).toBe(200)
    expect(stop.json()).toEqual({ active: false })
    expect((await get('handler', '/api/v1/emergency', nodeB)).json()).toEqual({ active: false })
    expect(seen.some((e) => e.type === 'emergency.stopped')).toBe(true)

    const db = t.platform.db.kysely
    const log = await db.selectFrom('emergency_log').select(['kind', 'text']).orderBy('seq').execute()
    expect(log.map((l) => l.kind)).toEqual(['start', 'instruct', 'acknowledge', 'acknowledge', 'stop'])
    expect(log[4].text).toContain('积水已排除')
    await expect(sql`update emergency_log set text = 'nothing happened'`.execute(db)).rejects.toThrow(
      /append-only/,
    )
    await expect(sql`delete from emergency_log`.execute(db)).rejects.toThrow(/append-only/)

    const idle = await post('leader', { action: 'instruct', unitIds: ['u-xc-cgw'], text: 'x' })
    expect(idle.json().error.code).toBe('EMERGENCY_NOT_ACTIVE')
  })
})
