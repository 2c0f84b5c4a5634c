import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addLimit } from '../../src/core/calendar/calendar.ts'
import { DEFAULT_STAGE_LIMITS, limitsFor } from '../../src/core/catalog/catalog.ts'
import type { StageLimits } from '../../src/core/case/case.types.ts'
import { MINUTE } from '../../src/core/time.ts'
import { DATABASES } from '../helpers/databases.ts'
import { startTestPlatform, type TestPlatform } from '../helpers/platform.ts'

describe.each(DATABASES)('a case through the whole loop over the API on $dialect', (d) => {
  let t: TestPlatform
  let classId: string
  let limits: StageLimits
  beforeAll(async () => {
    t = await startTestPlatform(d, { start: '2026-03-06T16:00:00+08:00' }) // a Friday afternoon
    const cls = t.platform.catalog.classes.find((c) => !c.urgent && c.limits.handle.unit === 'work-days')!
    classId = cls.id
    limits = limitsFor(t.platform.catalog, classId, DEFAULT_STAGE_LIMITS)
  })
  afterAll(() => t?.close())

  const due = (from: number, limit: StageLimits[keyof StageLimits]) =>
    addLimit(t.platform.calendar, from, limit)

  async function act(user: string, id: string, action: string, body: object = {}) {
    const r = await t.app.inject({
      method: 'POST',
      url: `/api/v1/cases/${id}/actions/${action}`,
      headers: await t.as(user),
      payload: body,
    })
    expect(r.statusCode, `${action}: ${r.body}`).toBe(200)
    return r.json()
  }

  it('report → accept → register → dispatch → return → dispatch → receive → extend → report → verify(fail) → receive → report → verify(pass) → evaluate', async () => {
    const reportedAt = t.clock()
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/cases',
      headers: await t.as('operator'),
      payload: {
        channel: 'hotline',
        text: '市民反映：西城区什刹海前海西街路边垃圾堆了好几天没人清理，味道很大。',
        location: { lon: 116.3849, lat: 39.9405 },
        address: '西城区什刹海前海西街',
        reporter: { name: '赵先生', phone: '13812345678' },
      },
    })
    expect(created.statusCode, created.body).toBe(201)
    let c = created.json()
    const id: string = c.id
    expect(c).toMatchObject({ stage: 'reported', version: 1, channel: 'hotline' })
    expect(c.due.accept).toBe(due(reportedAt, limits.accept))

    t.clock.advance(10 * MINUTE)
    c = await act('operator', id, 'accept', { version: 1 })
    expect(c.stage).toBe('accepted')

    t.clock.advance(10 * MINUTE)
    const registeredAt = t.clock()
    c = await act('dispatcher', id, 'register', { classId })
    expect(c).toMatchObject({ stage: 'registered', classId })
    expect(c.due.dispatch).toBe(due(registeredAt, limits.dispatch))

    t.clock.advance(5 * MINUTE)
    let dispatchedAt = t.clock()
    c = await act('dispatcher', id, 'dispatch', { unitId: 'u-xc-cgw' })
    expect(c).toMatchObject({ stage: 'dispatched', unitId: 'u-xc-cgw' })
    expect(c.due.receive).toBe(due(dispatchedAt, limits.receive))
    expect(c.due.handle).toBe(due(dispatchedAt, limits.handle))

    t.clock.advance(15 * MINUTE)
    c = await act('handler', id, 'return', { reason: '不属于本单位职责，应由环卫中心处理' })
    expect(c.stage).toBe('registered')
    expect(c.counters.returns).toBe(1)
    expect(c.unitId).toBeUndefined()

    t.clock.advance(5 * MINUTE)
    dispatchedAt = t.clock()
    c = await act('dispatcher', id, 'dispatch', { unitId: 'u-xc-cgw', reason: '经核实仍属城管委职责' })
    expect(c.stage).toBe('dispatched')
    expect(c.due.handle).toBe(due(dispatchedAt, limits.handle))

    t.clock.set('2026-03-09T09:30:00+08:00') // Monday
    c = await act('handler', id, 'receive')
    expect(c.stage).toBe('handling')
    expect(c.times.firstResponseAt).toBe(Date.parse('2026-03-09T09:30:00+08:00'))

    const handleDue: number = c.due.handle
    c = await act('handler', id, 'extend', {
      limit: { amount: 1, unit: 'work-days' },
      reason: '需协调物业共同清理',
    })
    expect(c.extensionRequest).toMatchObject({ reason: '需协调物业共同清理' })
    expect(c.due.handle).toBe(handleDue)
    c = await act('dispatcher', id, 'extend', { decision: 'grant' })
    expect(c.extensionRequest).toBeUndefined()
    expect(c.counters.extensions).toBe(1)
    expect(c.due.handle).toBe(due(handleDue, { amount: 1, unit: 'work-days' }))

    t.clock.advance(60 * MINUTE)
    const handledAt = t.clock()
    c = await act('handler', id, 'report', { note: '已清运完毕', photos: ['uploads/a.jpg'] })
    expect(c.stage).toBe('handled')
    expect(c.due.verify).toBe(due(handledAt, limits.verify))

    t.clock.advance(60 * MINUTE)
    const reworkAt = t.clock()
    c = await act('inspector', id, 'verify', { passed: false, note: '路边仍有残余垃圾' })
    expect(c).toMatchObject({ stage: 'dispatched', counters: expect.objectContaining({ reworks: 1 }) })
    expect(c.due.handle).toBe(due(reworkAt, limits.handle))

    t.clock.advance(30 * MINUTE)
    c = await act('handler', id, 'receive')
    t.clock.advance(60 * MINUTE)
    c = await act('handler', id, 'report', { note: '已返工清理干净' })
    t.clock.advance(30 * MINUTE)
    const closedAt = t.clock()
    c = await act('inspector', id, 'verify', { passed: true, note: '核查通过' })
    expect(c).toMatchObject({ stage: 'closed', resolved: true })
    expect(c.due.callback).toBe(due(closedAt, limits.callback))

    t.clock.advance(24 * 60 * MINUTE)
    c = await act('operator', id, 'evaluate', { satisfaction: 'satisfied', resolved: true })
    expect(c).toMatchObject({
      stage: 'evaluated',
      evaluation: expect.objectContaining({ satisfaction: 'satisfied', resolved: true }),
    })

    const tl = await t.app.inject({ url: `/api/v1/cases/${id}/timeline`, headers: await t.as('dispatcher') })
    const items = tl.json().items as {
      seq: number
      action: string
      to: string
      role: string
      unitId?: string
    }[]
    expect(items.map((e) => e.action)).toEqual([
      'intake',
      'accept',
      'register',
      'dispatch',
      'return',
      'dispatch',
      'receive',
      'extend',
      'extend',
      'report',
      'verify',
      'receive',
      'report',
      'verify',
      'evaluate',
    ])
    expect(items.map((e) => e.seq)).toEqual(items.map((_, i) => i + 1))
    expect(items.map((e) => e.to)).toEqual([
      'reported',
      'accepted',
      'registered',
      'dispatched',
      'registered',
      'dispatched',
      'handling',
      'handling',
      'handling',
      'handled',
      'dispatched',
      'handling',
      'handled',
      'closed',
      'evaluated',
    ])
    expect(items[4]).toMatchObject({ role: 'handler', unitId: 'u-xc-cgw' })
  })
})
