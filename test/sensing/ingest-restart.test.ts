import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPlatform, type Platform } from '../../src/platform.ts'
import type { Principal } from '../../src/services/ports.ts'
import { cityUnits } from '../../src/sim/demo-units.ts'
import { upsertUnits } from '../../src/store/user.repository.ts'
import { DATABASES } from '../helpers/databases.ts'
import { fakeClock } from '../helpers/platform.ts'

// 西单 北大街, WGS84, inside 西城区 (110102): the demo list gives 道路积水 E0404 there to 110102-sw
const XIDAN = { lon: 116.3736, lat: 39.9075 }
const MINUTE = 60_000

const crew: Principal = {
  actor: { id: 'h-sw', role: 'handler', unitId: '110102-sw', name: '排水班组' },
  username: 'h-sw',
  displayName: '排水班组',
}

describe.each(DATABASES)('an ingest restarted with alarms open on $dialect', (d) => {
  const { url, schema } = d.fresh()
  const clock = fakeClock('2026-07-20T08:00:00+08:00')
  let p: Platform | undefined

  /** One ingest process: a platform on the shared database (what `serve --roles ingest` builds). */
  const start = () =>
    createPlatform({
      databaseUrl: url,
      ...(schema ? { databaseSchema: schema } : {}),
      catalogFile: 'data/catalog/default.json',
      calendarFile: 'data/calendars/cn-beijing.json',
      regionsFile: 'data/regions/beijing.json',
      dutyFile: 'data/duty/beijing-demo.json',
      clock,
    })
  const send = async (platform: Platform, value: number) => {
    const r = await platform.sensors.submit('wl-xidan-1', { ts: clock() - MINUTE, value }, 'mqtt')
    expect(r.ok).toBe(true)
    await platform.sensors.drain()
  }
  const alarms = (platform: Platform) => platform.sensing.alarms({ since: 0, limit: 10 })

  beforeAll(async () => {
    p = await start()
    await upsertUnits(p.db.kysely, cityUnits(p.city.regions))
    await p.city.reloadUnits()
    await p.sensing.saveDevice({
      id: 'wl-xidan-1',
      kind: 'water-level',
      name: '西单北大街下凹桥水位计',
      location: XIDAN,
      ownerUnitId: '110102-sw',
      expectedIntervalSec: 300,
    })
    await p.sensing.saveRule({
      id: 'ponding',
      type: 'threshold',
      classId: 'E0404',
      severity: 'major',
      scope: { kind: 'water-level' },
      quantity: 'level',
      op: '>',
      value: 15,
      clearValue: 5,
    })
  })
  afterAll(() => p?.close())

  it('neither raises the open alarm again nor loses its return to normal: the case is verified by the sensor', async () => {
    let platform = p!
    await send(platform, 22)
    const [raised] = await alarms(platform)
    expect(raised).toMatchObject({ key: 'ponding|wl-xidan-1', state: 'raised', repeats: 0 })
    const caseId = raised.case_id!
    await platform.cases.act(crew, caseId, { type: 'receive' })

    // the process stops; a new one starts on the same database
    await platform.close()
    clock.advance(5 * MINUTE)
    platform = p = await start()

    // still flooded: the restarted engine knows the alarm is open — no second raise, no repeat
    await send(platform, 25)
    expect(await alarms(platform)).toEqual([
      expect.objectContaining({ state: 'raised', repeats: 0, case_id: caseId }),
    ])

    // the crew reports while the water is still there: nothing to verify yet
    await platform.cases.act(crew, caseId, { type: 'report', note: '已抽排积水' })
    expect((await platform.cases.get(crew, caseId)).stage).toBe('handled')

    // restarted once more, then the water is gone: the clear reaches the alarm and verifies the case
    await platform.close()
    clock.advance(5 * MINUTE)
    platform = p = await start()
    await send(platform, 2)
    expect(await alarms(platform)).toEqual([
      expect.objectContaining({ state: 'cleared', clear_value: 2, repeats: 0, case_id: caseId }),
    ])
    await expect
      .poll(async () => (await platform.cases.get(crew, caseId)).stage, { timeout: 5000, interval: 50 })
      .toBe('closed')
    const timeline = await platform.cases.timeline(crew, caseId)
    const verify = timeline.find((e) => e.action === 'verify')
    expect(verify).toMatchObject({ actorId: 'system' })
    expect(JSON.stringify(verify)).toContain('wl-xidan-1')
  })
})
