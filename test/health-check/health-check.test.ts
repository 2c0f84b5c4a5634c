import { parse } from 'csv-parse/sync'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DAY, HOUR, MINUTE } from '../../src/core/time.ts'
import { DATABASES } from '../helpers/databases.ts'
import { startTestPlatform, type TestPlatform } from '../helpers/platform.ts'

const SHICHAHAI = '110102012'
const A = 'E0101' // 暴露垃圾
const B = 'E0102' // 积存垃圾渣土
const BASE = Date.parse('2026-03-02T09:00:00+08:00')

interface Seeded {
  id: string
  handleDue: number
  handledAt?: number
}

/**
 * Ten cases in five cells of 什刹海, three days apart (outside the duplicate window), each taken
 * through the real intake API and lifecycle actions:
 *  1–3  A in cell 0, patrol, 西城城管委, handled in 1 h, closed      → hotspot A@cell0
 *  4–5  A in cell 1, patrol, 西城城管委, handled in 2 h, closed      → 2 cases: no hotspot
 *  6    B in cell 2, patrol, 西城环卫, handled in 30 h, closed
 *  7    B in cell 2, patrol, 西城环卫, 10 h → rework → handled at 40 h, closed
 *  8    B in cell 3, hotline, 西城环卫, 20 h → rework → handled at 50 h, closed
 *  9    A in cell 3, hotline, 东城城管委, whistles 西城环卫 (late, 3 h), then 3 h → rework → handled at 9 h, closed
 *  10   B in cell 4, hotline, 西城环卫, never handled; whistles 西城城管委 (on time) and 东城城管委 (absent)
 * Cells 0–2 have patrol reports and verifications, cell 3 only inspector verifications, cell 4 none.
 */
describe.each(DATABASES)('the health check (城市管理体检) on $dialect', (d) => {
  let t: TestPlatform
  let cells: string[]
  const seeded: Seeded[] = []

  beforeAll(async () => {
    t = await startTestPlatform(d, { start: '2026-03-02T09:00:00+08:00', autoDispatch: false })
    await t.platform.auth.addUser({
      username: 'handler-dc',
      role: 'handler',
      unitId: 'u-dc-cgw',
      password: 'test-pw',
    })
    await t.platform.auth.addUser({
      username: 'sch-leader',
      role: 'leader',
      regionCode: SHICHAHAI,
      password: 'test-pw',
    })
    const city = t.platform.city
    cells = city.regions.grids
      .filter((g) => g.code.startsWith(SHICHAHAI))
      .filter((g) => city.locate({ lon: g.centroid[0], lat: g.centroid[1] })?.gridCode === g.code)
      .slice(0, 5)
      .map((g) => g.code)
    expect(cells).toHaveLength(5)
    const at = (cell: number) => {
      const g = city.regions.grids.find((x) => x.code === cells[cell])!
      return { lon: g.centroid[0], lat: g.centroid[1] }
    }

    const act = async (user: string, id: string, action: string, body: object = {}) => {
      const r = await t.app.inject({
        method: 'POST',
        url: `/api/v1/cases/${id}/actions/${action}`,
        headers: await t.as(user),
        payload: body,
      })
      expect(r.statusCode, `${action}: ${r.body}`).toBe(200)
      return r.json()
    }
    const handlerOf: Record<string, string> = {
      'u-xc-cgw': 'handler',
      'u-xc-hw': 'handler2',
      'u-dc-cgw': 'handler-dc',
    }

    /** intake → accept → register → dispatch; then `then` moves it on. */
    const seed = async (
      i: number,
      o: { channel: 'patrol' | 'hotline'; cls: string; cell: number; unit: string },
      then: (id: string, handler: string, s: Seeded) => Promise<void>,
    ) => {
      t.clock.set(BASE + (i - 1) * 3 * DAY)
      const r = await t.app.inject({
        method: 'POST',
        url: '/api/v1/cases',
        headers: await t.as('operator'),
        payload: {
          channel: o.channel,
          text: `什刹海第${i}号问题：${o.cls === A ? '路面有暴露垃圾' : '积存渣土'}`,
          classId: o.cls,
          location: at(o.cell),
        },
      })
      expect(r.statusCode, r.body).toBe(201)
      const c = r.json()
      expect(c.region.gridCode).toBe(cells[o.cell])
      await act('operator', c.id, 'accept')
      await act('dispatcher', c.id, 'register', { classId: o.cls })
      t.clock.advance(10 * MINUTE)
      const dispatched = await act('dispatcher', c.id, 'dispatch', {
        unitId: o.unit,
        reason: '体检测试指定单位',
      })
      const s: Seeded = { id: c.id, handleDue: dispatched.due.handle }
      await then(c.id, handlerOf[o.unit], s)
      seeded[i] = s
    }
    const handle = async (id: string, handler: string, s: Seeded, hours: number, reworkAfter?: number) => {
      const start = t.clock()
      await act(handler, id, 'receive')
      if (reworkAfter !== undefined) {
        t.clock.set(start + reworkAfter * HOUR)
        await act(handler, id, 'report', { note: '已处理' })
        t.clock.advance(30 * MINUTE)
        await act('inspector', id, 'verify', { passed: false, note: '仍未清理干净' })
        await act(handler, id, 'receive')
      }
      t.clock.set(start + hours * HOUR)
      await act(handler, id, 'report', { note: '已处理完毕' })
      s.handledAt = t.clock()
      t.clock.advance(30 * MINUTE)
      await act('inspector', id, 'verify', { passed: true, note: '核查通过' })
    }

    for (const i of [1, 2, 3]) {
      await seed(i, { channel: 'patrol', cls: A, cell: 0, unit: 'u-xc-cgw' }, (id, h, s) =>
        handle(id, h, s, 1),
      )
    }
    for (const i of [4, 5]) {
      await seed(i, { channel: 'patrol', cls: A, cell: 1, unit: 'u-xc-cgw' }, (id, h, s) =>
        handle(id, h, s, 2),
      )
    }
    await seed(6, { channel: 'patrol', cls: B, cell: 2, unit: 'u-xc-hw' }, (id, h, s) => handle(id, h, s, 30))
    await seed(7, { channel: 'patrol', cls: B, cell: 2, unit: 'u-xc-hw' }, (id, h, s) =>
      handle(id, h, s, 40, 10),
    )
    await seed(8, { channel: 'hotline', cls: B, cell: 3, unit: 'u-xc-hw' }, (id, h, s) =>
      handle(id, h, s, 50, 20),
    )
    await seed(9, { channel: 'hotline', cls: A, cell: 3, unit: 'u-dc-cgw' }, async (id, h, s) => {
      await act('dispatcher', id, 'whistle', {
        unitIds: ['u-xc-hw'],
        reason: '需环卫协同清运',
        limit: { amount: 2, unit: 'clock-hours' },
      })
      t.clock.advance(3 * HOUR) // after the 2-hour limit: late
      await act('handler2', id, 'report-in', { note: '已到场' })
      await handle(id, h, s, 6, 3)
    })
    await seed(10, { channel: 'hotline', cls: B, cell: 4, unit: 'u-xc-hw' }, async (id) => {
      await act('dispatcher', id, 'whistle', {
        unitIds: ['u-xc-cgw', 'u-dc-cgw'],
        reason: '渣土来源需城管执法协同',
        limit: { amount: 2, unit: 'clock-hours' },
      })
      t.clock.advance(1 * HOUR)
      await act('handler', id, 'report-in', { note: '已到场' })
    })
    t.clock.set('2026-04-10T10:00:00+08:00')
  }, 120_000)
  afterAll(() => t?.close())

  const query = 'region=110102012&from=2026-03-01&to=2026-04-10'
  const get = async (url: string, user = 'leader') => t.app.inject({ url, headers: await t.as(user) })

  it('finds exactly the recurring problem, the slow class, the high-rework unit, the attendance and the uninspected cells', async () => {
    const r = await get(`/api/v1/health-check?${query}`)
    expect(r.statusCode, r.body).toBe(200)
    const rep = r.json()
    const ids = (xs: number[]) => xs.map((i) => seeded[i].id)
    expect(rep.region).toEqual({ code: SHICHAHAI, name: '什刹海街道', level: 'street' })
    expect(rep.cases).toBe(10)

    // 暴露垃圾 three times in cell 0; twice in cell 1 and B twice in cell 2 stay below the threshold of 3
    expect(rep.hotspots).toEqual([
      {
        classId: A,
        className: '暴露垃圾',
        cellCode: cells[0],
        streetCode: SHICHAHAI,
        streetName: '什刹海街道',
        count: 3,
        firstAt: BASE,
        lastAt: BASE + 6 * DAY,
        caseIds: ids([1, 2, 3]),
      },
    ])

    // B handled in 30, 40, 50 h (rework time counts) → median 40; A: 1,1,1,2,2 and case 9 at 9 h → median 1.5
    const onTime = (xs: number[]) => xs.filter((i) => seeded[i].handledAt! <= seeded[i].handleDue).length
    expect(rep.slowClasses).toEqual([
      {
        classId: B,
        className: '积存垃圾渣土',
        handled: 3,
        medianHandlingHours: 40,
        closed: 3,
        closedOnTime: onTime([6, 7, 8]),
        onTimeRate: Math.round((onTime([6, 7, 8]) / 3) * 1000) / 1000,
      },
      {
        classId: A,
        className: '暴露垃圾',
        handled: 6,
        medianHandlingHours: 1.5,
        closed: 6,
        closedOnTime: onTime([1, 2, 3, 4, 5, 9]),
        onTimeRate: Math.round((onTime([1, 2, 3, 4, 5, 9]) / 6) * 1000) / 1000,
      },
    ])

    // 西城环卫 reworked 2 of 3 → high; 城管委 0 of 5; 东城 has one closed case: under the volume rule
    expect(rep.reworkUnits).toEqual([
      {
        unitId: 'u-xc-hw',
        unitName: '西城区环境卫生服务中心',
        closed: 3,
        reworked: 2,
        rate: 0.667,
        high: true,
      },
      { unitId: 'u-xc-cgw', unitName: '西城区城市管理委员会', closed: 5, reworked: 0, rate: 0, high: false },
    ])

    expect(rep.whistle).toEqual([
      expect.objectContaining({
        unitId: 'u-dc-cgw',
        summoned: 1,
        onTime: 0,
        late: 0,
        absent: 1,
        caseIds: ids([10]),
      }),
      expect.objectContaining({
        unitId: 'u-xc-hw',
        summoned: 1,
        onTime: 0,
        late: 1,
        absent: 0,
        caseIds: ids([9]),
      }),
      expect.objectContaining({
        unitId: 'u-xc-cgw',
        summoned: 1,
        onTime: 1,
        late: 0,
        absent: 0,
        caseIds: ids([10]),
      }),
    ])

    // cells 0–2: patrol; cell 3: inspector verification only; cell 4 and every other cell: nobody
    const all = t.platform.city.regions.grids.filter((g) => g.code.startsWith(SHICHAHAI)).length
    expect(rep.blindSpots).toHaveLength(1)
    const blind = rep.blindSpots[0]
    expect(blind).toMatchObject({ streetCode: SHICHAHAI, cells: all, visited: 4 })
    expect(blind.unvisited).toHaveLength(all - 4)
    expect(blind.unvisited).toContain(cells[4])
    for (const c of cells.slice(0, 4)) {
      expect(blind.unvisited).not.toContain(c)
    }

    expect(rep.summary[0]).toContain('什刹海街道：本期共 10 件案件；暴露垃圾在 1 个网格反复出现（共 3 件）')
    expect(rep.summary[0]).toContain('处置最慢的类别是积存垃圾渣土（中位处置 40 小时')
    expect(rep.summary[0]).toContain('返工率偏高：西城区环境卫生服务中心（2/3，66.7%）')
    expect(rep.summary[0]).toContain('东城区城市管理委员会（缺席 1、迟到 0）')
  })

  it('reports the district with the street inside it, and keeps a period outside the cases empty', async () => {
    const district = (await get('/api/v1/health-check?region=110102&from=2026-03-01&to=2026-04-10')).json()
    expect(district.cases).toBe(10)
    expect(district.streets.length).toBeGreaterThan(10)
    const sch = district.streets.find((s: { code: string }) => s.code === SHICHAHAI)
    expect(sch.hotspots).toHaveLength(1)
    expect(sch.summary).toMatch(/^什刹海街道：/)
    const empty = (await get('/api/v1/health-check?region=110102012&from=2026-01-01&to=2026-02-01')).json()
    expect(empty).toMatchObject({ cases: 0, hotspots: [], slowClasses: [], reworkUnits: [], whistle: [] })
  })

  it('exports CSV with a BOM and one section per finding, and a printable Chinese HTML report', async () => {
    const csv = await get(`/api/v1/health-check?${query}&format=csv`)
    expect(csv.statusCode).toBe(200)
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8')
    expect(csv.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]))
    const rows: string[][] = parse(csv.body.slice(1), { relax_column_count: true, skip_empty_lines: true })
    const titles = rows.filter((row) => row.length === 1).map((row) => row[0])
    expect(titles).toEqual(
      expect.arrayContaining([
        '反复出现的问题（热点）',
        '处置慢的类别',
        '返工率',
        '吹哨报到',
        '无人巡查的网格（盲区）',
      ]),
    )
    const hot = rows.find((row) => row[0] === cells[0])!
    expect(hot.slice(0, 5)).toEqual([cells[0], '什刹海街道', A, '暴露垃圾', '3'])
    expect(hot[7].split(' ')).toEqual([1, 2, 3].map((i) => seeded[i].id))
    expect(rows.find((row) => row[0] === B)!.slice(0, 4)).toEqual([B, '积存垃圾渣土', '3', '40'])
    expect(rows.find((row) => row[0] === 'u-xc-hw' && row.length === 6)).toEqual([
      'u-xc-hw',
      '西城区环境卫生服务中心',
      '3',
      '2',
      '66.7%',
      '是',
    ])
    expect(rows.find((row) => row[0] === 'u-dc-cgw')!.slice(2, 6)).toEqual(['1', '0', '0', '1'])
    expect(rows.find((row) => row[0] === SHICHAHAI)![5].split(' ')).toContain(cells[4])

    const html = await get(`/api/v1/health-check?${query}&format=html`)
    expect(html.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(html.body).toContain('<html lang="zh-CN">')
    expect(html.body).toContain('城市管理体检报告：什刹海街道')
    expect(html.body).toContain('@media print')
    for (const text of [
      '暴露垃圾（E0101）',
      cells[0],
      '积存垃圾渣土（E0102）',
      '西城区环境卫生服务中心',
      '66.7%',
      '东城区城市管理委员会',
    ]) {
      expect(html.body).toContain(text)
    }
    expect(html.body).not.toMatch(/<script|<link/)
  })

  it('shows 吹哨报到 attendance per month and unit, and keeps region-scoped users to their region', async () => {
    const w = (await get('/api/v1/metrics/whistle?period=month&key=2026-03')).json()
    expect(w).toMatchObject({ period: 'month', key: '2026-03' })
    expect(
      w.items.map((i: { unitId: string; onTime: number; late: number; absent: number }) => [
        i.unitId,
        i.onTime,
        i.late,
        i.absent,
      ]),
    ).toEqual([
      ['u-dc-cgw', 0, 0, 1],
      ['u-xc-hw', 0, 1, 0],
      ['u-xc-cgw', 1, 0, 0],
    ])
    const one = (await get('/api/v1/metrics/whistle?period=month&key=2026-03&unit=u-xc-hw')).json()
    expect(one.items).toHaveLength(1)
    expect((await get('/api/v1/metrics/whistle?period=month&key=2026-02')).json().items).toEqual([])

    expect((await get(`/api/v1/health-check?${query}`, 'sch-leader')).statusCode).toBe(200)
    const outside = await get(
      '/api/v1/health-check?region=110102&from=2026-03-01&to=2026-04-10',
      'sch-leader',
    )
    expect(outside.statusCode).toBe(403)
    expect(outside.json().error.code).toBe('FORBIDDEN_SCOPE')
    expect((await get(`/api/v1/health-check?${query}`, 'operator')).statusCode).toBe(403)
    expect(
      (await get(`/api/v1/health-check?region=110102012&from=2026-04-10&to=2026-03-01`)).statusCode,
    ).toBe(400)
  })
})
