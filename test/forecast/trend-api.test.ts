import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DATABASES } from '../helpers/databases.ts'
import { startTestPlatform, type TestPlatform } from '../helpers/platform.ts'

const XICHENG = { lon: 116.3849, lat: 39.9405 }
const DONGCHENG = { lon: 116.4345, lat: 39.9408 }
const DAY = 86_400_000
// "today" in Beijing is 2026-03-22; history starts 21 days earlier
const NOW = '2026-03-22T10:00:00+08:00'
const FIRST = Date.parse('2026-03-01T09:00:00+08:00')

describe.each(DATABASES)('GET /api/v1/metrics/trend on $dialect', (d) => {
  let t: TestPlatform
  const expected = new Map<string, number>()

  beforeAll(async () => {
    t = await startTestPlatform(d, { start: '2026-03-01T09:00:00+08:00' })
    const report = async (at: number, location: { lon: number; lat: number }) => {
      t.clock.set(at)
      const r = await t.app.inject({
        method: 'POST',
        url: '/api/v1/cases',
        headers: await t.as('operator'),
        payload: { channel: 'hotline', text: '路边垃圾桶满溢，无人清运', location },
      })
      expect(r.statusCode, r.body).toBe(201)
    }
    for (let i = 0; i < 21; i++) {
      const n = 1 + (i % 3)
      // ≥ 110 m apart (duplicate detection merges reports within 50 m and 24 h into one case)
      const at = (k: number) => ({ lon: XICHENG.lon - 0.002 * k, lat: XICHENG.lat - 0.001 * (i % 3) })
      for (let k = 0; k < n; k++) {
        await report(FIRST + i * DAY + k * 60_000, at(k))
      }
      expected.set(`2026-03-${String(1 + i).padStart(2, '0')}`, n)
    }
    // 23:30 Beijing on 03-05 is 15:30 UTC: it belongs to the local day 03-05
    await report(Date.parse('2026-03-05T23:30:00+08:00'), DONGCHENG)
    expected.set('2026-03-05', (expected.get('2026-03-05') ?? 0) + 1)
    // two cases today so far
    await report(Date.parse('2026-03-22T08:00:00+08:00'), {
      lon: XICHENG.lon - 0.001,
      lat: XICHENG.lat - 0.005,
    })
    await report(Date.parse('2026-03-22T08:30:00+08:00'), {
      lon: XICHENG.lon - 0.004,
      lat: XICHENG.lat - 0.005,
    })
    expected.set('2026-03-22', 2)
    t.clock.set(NOW)
  })
  afterAll(() => t?.close())

  const trend = async (query: string, user = 'leader') =>
    t.app.inject({ url: `/api/v1/metrics/trend?${query}`, headers: await t.as(user) })

  it('counts reported cases per Beijing day, today last, and forecasts from today with a band', async () => {
    const r = await trend('days=30&horizon=7')
    expect(r.statusCode, r.body).toBe(200)
    const body = r.json()
    expect(body.days).toHaveLength(30)
    expect(body.days.at(-1)).toEqual({ date: '2026-03-22', count: 2 })
    for (const day of body.days) {
      expect(day.count).toBe(expected.get(day.date) ?? 0)
    }
    expect(body.forecast.map((f: { date: string }) => f.date)).toEqual([
      '2026-03-22',
      '2026-03-23',
      '2026-03-24',
      '2026-03-25',
      '2026-03-26',
      '2026-03-27',
      '2026-03-28',
    ])
    for (const f of body.forecast) {
      expect(f.lower).toBeLessThanOrEqual(f.mean)
      expect(f.mean).toBeLessThanOrEqual(f.upper)
      expect(f.lower).toBeGreaterThanOrEqual(0)
    }
    expect(body.model).toMatchObject({ name: 'holt-winters-additive', season: 7, level: 0.8 })
    expect(body.model.alpha).toBeGreaterThan(0)
    expect(body.error).toMatchObject({ horizon: 7, baseline: { mae: expect.any(Number) } })
    expect(body.error.mae).toBeGreaterThanOrEqual(0)
  })

  it('filters by region and class', async () => {
    const dc = (await trend('days=30&region=110101')).json()
    expect(dc.days.filter((x: { count: number }) => x.count > 0)).toEqual([{ date: '2026-03-05', count: 1 }])
    const none = (await trend('days=30&class=C0101')).json()
    expect(none.days.every((x: { count: number }) => x.count === 0)).toBe(true)
  })

  it('falls back to seasonal naive on a short window, and says so', async () => {
    const body = (await trend('days=10&horizon=3')).json()
    expect(body.model.name).toBe('seasonal-naive')
    expect(body.model.note).toMatch(/less than two weekly seasons/)
    expect(body.forecast).toHaveLength(3)
  })

  it('keeps region-scoped users inside their region', async () => {
    expect((await trend('days=7&region=110101', 'inspector')).statusCode).toBe(403)
    const own = (await trend('days=30', 'inspector')).json()
    expect(own.region).toBe('110102')
    expect(own.days.find((x: { date: string }) => x.date === '2026-03-05').count).toBe(
      expected.get('2026-03-05')! - 1,
    )
    expect((await t.app.inject({ url: '/api/v1/metrics/trend' })).statusCode).toBe(401)
  })
})
