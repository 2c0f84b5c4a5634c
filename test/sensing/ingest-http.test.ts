import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Principal } from '../../src/services/ports.ts'
import { cityUnits } from '../../src/sim/demo-units.ts'
import { upsertUnits } from '../../src/store/user.repository.ts'
import { DATABASES } from '../helpers/databases.ts'
import { startTestPlatform, type TestPlatform } from '../helpers/platform.ts'

// 西单 北大街, WGS84, inside 西城区 (110102): the demo list gives 道路积水 E0404 there to 110102-sw
const XIDAN = { lon: 116.3736, lat: 39.9075 }
const HOUR = 3_600_000

describe.each(DATABASES)('HTTP batch readings → alarm → case → sensor verification on $dialect', (d) => {
  let t: TestPlatform
  beforeAll(async () => {
    t = await startTestPlatform(d, { start: '2026-07-20T08:00:00+08:00' })
    await upsertUnits(t.platform.db.kysely, cityUnits(t.platform.city.regions))
    await t.platform.city.reloadUnits()
    const admin = await t.as('admin')
    const put = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/devices/wl-xidan-1',
      headers: admin,
      payload: {
        kind: 'water-level',
        name: '西单北大街下凹桥水位计',
        location: XIDAN,
        ownerUnitId: '110102-sw',
        expectedIntervalSec: 300,
      },
    })
    expect(put.statusCode, put.body).toBe(200)
    expect(put.json().gridCode).toMatch(/^110102\d{9}$/)
    const rule = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/alarm-rules/ponding',
      headers: admin,
      payload: {
        type: 'threshold',
        classId: 'E0404',
        severity: 'major',
        scope: { kind: 'water-level' },
        quantity: 'level',
        op: '>',
        value: 15,
        clearValue: 5,
      },
    })
    expect(rule.statusCode, rule.body).toBe(200)
  })
  afterAll(() => t?.close())

  const at = (offsetMs: number) => new Date(t.clock() + offsetMs).toISOString()

  it('answers each item, counts the bad ones by reason, and refuses devices it does not know', async () => {
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/v1/readings',
      headers: await t.as('admin'),
      payload: {
        readings: [
          { deviceId: 'wl-xidan-1', ts: at(-10 * 60_000), value: 3 },
          { deviceId: 'nobody', ts: at(0), value: 3 },
          { deviceId: 'wl-xidan-1', ts: at(-9 * 60_000), value: 3, unit: 'mm' },
          { deviceId: 'wl-xidan-1', ts: at(-8 * 60_000), value: 9000 },
          { deviceId: 'wl-xidan-1', ts: at(HOUR), value: 3 },
          { deviceId: 'wl-xidan-1', ts: at(-10 * 60_000), value: 3 },
        ],
      },
    })
    expect(r.statusCode, r.body).toBe(200)
    const body = r.json()
    expect(body.results.map((x: { ok: boolean; reason?: string }) => x.reason ?? 'ok')).toEqual([
      'ok',
      'unknown-device',
      'wrong-unit',
      'out-of-range',
      'clock-skew-future',
      'ok',
    ])
    // the same reading twice is stored once
    expect(body.results[5]).toMatchObject({ ok: true, readings: 0, duplicates: 1 })
    const stats = (await t.app.inject({ url: '/api/v1/ingest/stats', headers: await t.as('leader') })).json()
    expect(stats.channels.http).toEqual({
      accepted: 1,
      duplicate: 1,
      dropped: { 'unknown-device': 1, 'wrong-unit': 1, 'out-of-range': 1, 'clock-skew-future': 1 },
    })
  })

  it('refuses batches from roles that are not gateways', async () => {
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/v1/readings',
      headers: await t.as('operator'),
      payload: [{ deviceId: 'wl-xidan-1', ts: at(0), value: 3 }],
    })
    expect(r.statusCode).toBe(403)
  })

  it('raises a dispatched case when the water rises, and verifies it when the handler reports and the water is gone', async () => {
    const admin = await t.as('admin')
    const send = (offset: number, value: number) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/readings',
        headers: admin,
        payload: [{ deviceId: 'wl-xidan-1', ts: at(offset), value }],
      })
    await send(-60_000, 22)
    await t.platform.sensors.drain()
    const alarms = (await t.app.inject({ url: '/api/v1/alarms?state=open', headers: admin })).json().items
    expect(alarms).toHaveLength(1)
    expect(alarms[0]).toMatchObject({ ruleId: 'ponding', deviceId: 'wl-xidan-1', value: 22, state: 'raised' })
    const caseId = alarms[0].caseId as string
    const c = (await t.app.inject({ url: `/api/v1/cases/${caseId}`, headers: admin })).json()
    expect(c).toMatchObject({ channel: 'sensor', classId: 'E0404', stage: 'dispatched', unitId: '110102-sw' })

    // still high: one alarm, one case
    await send(-30_000, 25)
    await t.platform.sensors.drain()
    expect(
      (await t.app.inject({ url: '/api/v1/alarms?state=recent', headers: admin })).json().items,
    ).toHaveLength(1)

    // the water drains away before the crew reports: the evidence waits on the alarm
    t.clock.advance(20 * 60_000)
    await send(-60_000, 2)
    await t.platform.sensors.drain()
    const cleared = (await t.app.inject({ url: '/api/v1/alarms?state=recent', headers: admin })).json()
      .items[0]
    expect(cleared).toMatchObject({ state: 'cleared', clearValue: 2, caseId })

    const crew: Principal = {
      actor: { id: 'h-sw', role: 'handler', unitId: '110102-sw', name: '排水班组' },
      username: 'h-sw',
      displayName: '排水班组',
    }
    await t.platform.cases.act(crew, caseId, { type: 'receive' })
    await t.platform.cases.act(crew, caseId, { type: 'report', note: '已抽排积水，雨水箅子已清掏' })
    // the sensor evidence verifies the report without an inspector's trip
    await expect
      .poll(async () => (await t.platform.cases.get(crew, caseId)).stage, { timeout: 5000, interval: 50 })
      .toBe('closed')
    const tl = (await t.app.inject({ url: `/api/v1/cases/${caseId}/timeline`, headers: admin })).json().items
    const verify = tl.find((e: { action: string }) => e.action === 'verify')
    expect(verify).toMatchObject({ actorId: 'system' })
    expect(verify.payload.note).toContain('wl-xidan-1')

    const chart = (
      await t.app.inject({
        url: `/api/v1/devices/wl-xidan-1/readings?resolution=1h&from=${at(-2 * HOUR)}`,
        headers: admin,
      })
    ).json()
    expect(chart.items.reduce((n: number, p: { count: number }) => n + p.count, 0)).toBe(4)
    expect(Math.max(...chart.items.map((p: { max: number }) => p.max))).toBe(25)
  })
})
