import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HOUR, MINUTE } from '../../src/core/time.ts'
import { cityUnits } from '../../src/sim/demo-units.ts'
import { upsertUnits } from '../../src/store/user.repository.ts'
import { DATABASES } from '../helpers/databases.ts'
import { startTestPlatform, type TestPlatform } from '../helpers/platform.ts'

const iso = (t: number) => new Date(t).toISOString()

describe.each(DATABASES)('12345 hotline channel on $dialect', (d) => {
  let t: TestPlatform
  beforeAll(async () => {
    t = await startTestPlatform(d, { start: '2026-03-02T10:00:00+08:00' })
    await upsertUnits(t.platform.db.kysely, cityUnits(t.platform.city.regions))
    await t.platform.city.reloadUnits()
  })
  afterAll(() => t?.close())

  const order = (over: object = {}) => ({
    ticketNo: `T${Math.random().toString(36).slice(2, 10)}`,
    callTime: iso(t.clock() - 20 * MINUTE),
    text: '市民来电反映：西城区德胜门内大街路灯不亮，晚上很黑，存在安全隐患。',
    callerName: '王女士',
    callbackNumber: '13911112222',
    address: '西城区德胜门内大街',
    ...over,
  })

  async function send(
    url: string,
    payload: unknown,
    user = 'operator',
    headers: Record<string, string> = {},
  ) {
    return t.app.inject({
      method: 'POST',
      url,
      headers: { ...(await t.as(user)), ...headers },
      payload: payload as object,
    })
  }

  async function act(user: string, id: string, action: string, body: object = {}) {
    const r = await send(`/api/v1/cases/${id}/actions/${action}`, body, user)
    expect(r.statusCode, `${action}: ${r.body}`).toBe(200)
    return r.json()
  }

  it('takes a work order to a registered, dispatched case: the operator accepts, the dispatcher routes by the list', async () => {
    const o = order()
    const r = await send('/api/v1/hotline/orders', o)
    expect(r.statusCode, r.body).toBe(201)
    const c = r.json()
    expect(c).toMatchObject({ channel: 'hotline', stage: 'reported', replayed: false, attached: false })
    expect(c.times.reportedAt).toBe(Date.parse(o.callTime))
    expect(c.region.streetCode).toMatch(/^110102/)

    const again = await send('/api/v1/hotline/orders', o)
    expect(again.statusCode).toBe(200)
    expect(again.json()).toMatchObject({ id: c.id, replayed: true })

    const intake = (
      await t.app.inject({ url: `/api/v1/cases/${c.id}/timeline`, headers: await t.as('operator') })
    ).json().items[0]
    const classId: string = intake.payload.classId
    expect(classId).toBe('C0111')
    await act('operator', c.id, 'accept')
    await act('dispatcher', c.id, 'register', { classId })
    const owner = t.platform.city.resolve(classId, c.region, t.clock())
    const done = await act('dispatcher', c.id, 'dispatch', { unitId: owner.responsibleUnitId })
    expect(done).toMatchObject({ stage: 'dispatched', unitId: owner.responsibleUnitId, classId: 'C0111' })
    const appeal = (
      await t.app.inject({ url: `/api/v1/cases/${c.id}`, headers: await t.as('operator') })
    ).json().appeals[0]
    expect(appeal).toMatchObject({ channel: 'hotline', externalId: o.ticketNo, reporterPhone: '13911112222' })
  })

  it('takes an order without a location (placed from the address text)', async () => {
    const r = await send(
      '/api/v1/hotline/orders',
      order({ address: undefined, text: '什刹海街道有小区门口垃圾满溢' }),
    )
    expect(r.statusCode, r.body).toBe(201)
    expect(r.json().region.streetCode).toBe('110102012')
  })

  it('refuses a call time in the future, XML sent as JSON, and a non-operator, each with a clear error', async () => {
    const future = await send('/api/v1/hotline/orders', order({ callTime: iso(t.clock() + 10 * MINUTE) }))
    expect(future.statusCode).toBe(400)
    expect(future.json().error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'callTime' })

    const xml = await send('/api/v1/hotline/orders', '<order><ticketNo>1</ticketNo></order>', 'operator', {
      'content-type': 'application/json',
    })
    expect(xml.statusCode).toBe(400)
    expect(xml.json().error.code).toBe('BAD_JSON')

    const inspector = await send('/api/v1/hotline/orders', order(), 'inspector')
    expect(inspector.statusCode).toBe(403)
  })

  it('imports a CSV export row by row: created, duplicate and rejected rows each reported with the column', async () => {
    const now = t.clock()
    const csv = [
      'ticket_no,call_time,caller_name,callback_number,text,address,urgency,lon,lat',
      `C-1,${iso(now - HOUR)},李先生,13800001111,"什刹海前海西街井盖丢失，很危险",西城区什刹海,urgent,116.3851,39.9401`,
      `C-2,${iso(now - HOUR)},赵女士,13800002222,望京街道小区门口共享单车乱停放,朝阳区望京,normal,,`,
      `C-1,${iso(now - HOUR)},李先生,13800001111,"什刹海前海西街井盖丢失，很危险",西城区什刹海,urgent,116.3851,39.9401`,
      `C-3,yesterday,孙先生,13800003333,路灯不亮,西城区,normal,,`,
      `C-4,${iso(now + HOUR)},周女士,13800004444,路灯不亮,西城区,normal,,`,
      `C-5,${iso(now - HOUR)},吴先生,13800005555,,西城区,normal,,`,
      `C-6,${iso(now - HOUR)},郑女士,13800006666,路面塌陷,西城区,very,,`,
    ].join('\n')
    const r = await send('/api/v1/hotline/orders:import', csv, 'operator', { 'content-type': 'text/csv' })
    expect(r.statusCode, r.body).toBe(200)
    const { rows, summary } = r.json()
    expect(summary).toEqual({ created: 2, attached: 0, duplicate: 1, rejected: 4 })
    expect(rows.map((x: { status: string }) => x.status)).toEqual([
      'created',
      'created',
      'duplicate',
      'rejected',
      'rejected',
      'rejected',
      'rejected',
    ])
    expect(rows[2].caseId).toBe(rows[0].caseId)
    expect(rows[3]).toMatchObject({ row: 4, column: 'call_time' })
    expect(rows[4]).toMatchObject({ column: 'call_time' })
    expect(rows[4].reason).toMatch(/future/)
    expect(rows[5]).toMatchObject({ column: 'text' })
    expect(rows[6]).toMatchObject({ column: 'urgency' })
    const urgent = (
      await t.app.inject({ url: `/api/v1/cases/${rows[0].caseId}`, headers: await t.as('operator') })
    ).json()
    expect(urgent.priority).toBe('urgent')
  })

  it('refuses a CSV that is not UTF-8, naming the line, and stores nothing of it', async () => {
    const gbk = Buffer.concat([
      Buffer.from('ticket_no,call_time,text\n'),
      Buffer.from(`G-1,${iso(t.clock() - HOUR)},ok\n`),
      Buffer.from('G-2,2026-03-02T01:00:00Z,'),
      Buffer.from([0xc2, 0xb7, 0xb5, 0xc6, 0xb2, 0xbb, 0xc1, 0xc1]), // 路灯不亮 in GBK
      Buffer.from('\n'),
    ])
    const r = await send('/api/v1/hotline/orders:import', gbk, 'operator', { 'content-type': 'text/csv' })
    expect(r.statusCode).toBe(400)
    expect(r.json().error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'line 3' })
    expect(r.json().error.message).toMatch(/line 3 is not valid UTF-8/)
    const stored = await t.platform.db.kysely
      .selectFrom('appeals')
      .select('id')
      .where('external_id', '=', 'G-1')
      .execute()
    expect(stored).toHaveLength(0)
  })

  it('records callbacks: a reached reporter evaluates the case; three unreachable calls evaluate it by rule', async () => {
    const closeOne = async () => {
      const c = (await send('/api/v1/hotline/orders', order({ classId: 'C0111' }))).json()
      await act('operator', c.id, 'accept')
      await act('dispatcher', c.id, 'register', { classId: 'C0111' })
      await act('dispatcher', c.id, 'dispatch', { unitId: 'u-xc-cgw', reason: '测试' })
      await act('handler', c.id, 'receive')
      await act('handler', c.id, 'report', { note: '已修复' })
      return act('inspector', c.id, 'verify', { passed: true })
    }
    const a = await closeOne()
    const early = await send('/api/v1/hotline/callbacks', { caseId: a.id, reached: true })
    expect(early.json().error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'satisfaction' })
    const reached = await send('/api/v1/hotline/callbacks', {
      caseId: a.id,
      reached: true,
      resolved: true,
      satisfaction: 'satisfied',
    })
    expect(reached.statusCode, reached.body).toBe(200)
    expect(reached.json()).toMatchObject({ evaluated: 'callback', case: { stage: 'evaluated' } })
    expect(reached.json().case.evaluation).toMatchObject({ satisfaction: 'satisfied', source: 'callback' })

    const b = await closeOne()
    for (const n of [1, 2]) {
      const r = await send('/api/v1/hotline/callbacks', { caseId: b.id, reached: false, note: '无人接听' })
      expect(r.json()).toMatchObject({ unreachable: n, case: { stage: 'closed' } })
    }
    const third = (await send('/api/v1/hotline/callbacks', { caseId: b.id, reached: false })).json()
    expect(third).toMatchObject({ unreachable: 3, evaluated: 'auto', case: { stage: 'evaluated' } })
    expect(third.case.evaluation).toMatchObject({ satisfaction: 'basically', source: 'auto', resolved: true })
  })
})
