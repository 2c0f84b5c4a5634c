import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cityUnits } from '../../src/sim/demo-units.ts'
import { upsertUnits } from '../../src/store/user.repository.ts'
import { DATABASES } from '../helpers/databases.ts'
import { startTestPlatform, type TestPlatform } from '../helpers/platform.ts'

describe.each(DATABASES)('cockpit figures and rankings over the API on $dialect', (d) => {
  let t: TestPlatform
  beforeAll(async () => {
    t = await startTestPlatform(d, { start: '2026-03-02T09:00:00+08:00' })
    await upsertUnits(t.platform.db.kysely, cityUnits(t.platform.city.regions))
    await t.platform.city.reloadUnits()
  })
  afterAll(() => t?.close())

  it('counts today’s cases, open ones by stage, and rolls up a case routed at intake', async () => {
    const operator = await t.as('operator')
    const routed = await t.app.inject({
      method: 'POST',
      url: '/api/v1/cases',
      headers: operator,
      payload: {
        channel: 'patrol',
        text: '前海西街路边暴露垃圾',
        classId: 'E0101',
        location: { lon: 116.3849, lat: 39.9405 },
      },
    })
    expect(routed.json().stage).toBe('dispatched')
    await t.app.inject({
      method: 'POST',
      url: '/api/v1/cases',
      headers: operator,
      payload: { channel: 'hotline', text: '路灯不亮' },
    })

    const o = (await t.app.inject({ url: '/api/v1/metrics/overview', headers: await t.as('leader') })).json()
    expect(o).toMatchObject({
      today: 2,
      inProgress: 2,
      byChannel: { patrol: 1, hotline: 1 },
      byStage: { dispatched: 1, reported: 1 },
    })
    expect(o.byRegion['110102']).toBe(1)

    // the case dispatched inside the intake transaction counts like one dispatched by hand
    const m = (
      await t.app.inject({ url: `/api/v1/metrics?dim=district&value=110102`, headers: await t.as('leader') })
    ).json()
    expect(m.metrics.counters.dueResponse ?? m.metrics.response.denominator).toBeGreaterThanOrEqual(1)
    // and it is on the ledger as a hand-off to its unit
    const entries = await t.platform.ledger.entries(0, 100)
    expect(entries.some((e) => e.caseId === routed.json().id && e.action === 'dispatch')).toBe(true)
    expect((await t.platform.ledger.verify()).ok).toBe(true)
  })

  it('ranks streets for the month with names, listing low-volume ones unranked', async () => {
    const r = await t.app.inject({
      url: '/api/v1/rankings?period=month&level=street',
      headers: await t.as('leader'),
    })
    expect(r.statusCode, r.body).toBe(200)
    const body = r.json()
    expect(body).toMatchObject({ period: '2026-03', level: 'street' })
    // the one dispatched case counts for its street, which is listed by name but too small to rank
    expect(body.items.length).toBeGreaterThan(0)
    for (const item of body.items) {
      expect(item.name).not.toBe(item.code)
      if (item.cases < 10) {
        expect(item.rank).toBeUndefined()
      }
    }
  })
})
