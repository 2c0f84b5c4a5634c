import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cityUnits } from '../../src/sim/demo-units.ts'
import { upsertUnits } from '../../src/store/user.repository.ts'
import { DATABASES } from '../helpers/databases.ts'
import { startTestPlatform, type TestPlatform } from '../helpers/platform.ts'

// 什刹海 前海西街, WGS84: inside 西城区 (110102), in the gridded part of the city
const SHICHAHAI = { lon: 116.3849, lat: 39.9405 }

describe.each(DATABASES)('placement and routing by the responsibility list on $dialect', (d) => {
  let t: TestPlatform
  beforeAll(async () => {
    t = await startTestPlatform(d)
    await upsertUnits(t.platform.db.kysely, cityUnits(t.platform.city.regions))
    await t.platform.city.reloadUnits()
  })
  afterAll(() => t?.close())

  async function report(body: object) {
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/v1/cases',
      headers: await t.as('operator'),
      payload: body,
    })
    expect(r.statusCode, r.body).toBe(201)
    return r.json()
  }

  it('places a 西城 point in its 15-digit cell and real street, and dispatches to the listed owner with the reason', async () => {
    const c = await report({
      channel: 'patrol',
      text: '什刹海前海西街绿地内树木倒伏，压坏了绿篱',
      classId: 'E0105',
      location: SHICHAHAI,
    })
    const streets = new Map(t.platform.city.regions.streets.map((s) => [s.code, s.name]))
    expect(c.region.districtCode).toBe('110102')
    expect(c.region.gridCode).toMatch(/^110102\d{9}$/)
    expect(c.region.gridCode.startsWith(c.region.streetCode)).toBe(true)
    expect(streets.has(c.region.streetCode)).toBe(true)
    // data/duty/beijing-demo.json: rule d110102.greening gives E0105 in 110102 to 110102-yl (西城区园林绿化局)
    expect(c).toMatchObject({ stage: 'dispatched', unitId: '110102-yl', classId: 'E0105' })

    const tl = (
      await t.app.inject({ url: `/api/v1/cases/${c.id}/timeline`, headers: await t.as('dispatcher') })
    ).json().items
    expect(tl.map((e: { action: string }) => e.action)).toEqual(['intake', 'accept', 'register', 'dispatch'])
    expect(tl[0].payload.placement).toMatchObject({ how: 'point' })
    expect(tl[0].payload.duty).toMatchObject({ ruleId: 'd110102.greening', unitId: '110102-yl' })
    expect(tl[3].payload.explanation).toContain('d110102.greening')
  })

  it('sends a class nobody claims to the street office of the place (属地兜底)', async () => {
    // C0109 无主井盖 has no rule in the demo list
    const c = await report({
      channel: 'patrol',
      text: '前海西街有个井盖没有标识，不知道归谁管',
      classId: 'C0109',
      location: SHICHAHAI,
    })
    expect(c.stage).toBe('dispatched')
    expect(c.unitId).toBe(`${c.region.streetCode}-office`)
    const tl = (
      await t.app.inject({ url: `/api/v1/cases/${c.id}/timeline`, headers: await t.as('dispatcher') })
    ).json().items
    expect(tl[0].payload.duty.ruleId).toBe('fallback')
  })

  it('places an appeal without coordinates by the region names in its text, keeping the finest level it has', async () => {
    const c = await report({
      channel: 'hotline',
      text: '朝阳区呼家楼街道有人在小区门口占道经营，摆摊卖水果',
      classId: 'E0502',
    })
    expect(c.region.districtCode).toBe('110105')
    expect(c.region.gridCode).toBeUndefined()
  })

  it('classifies an appeal without a class with the trained model, and records why', async () => {
    const c = await report({
      channel: 'hotline',
      text: '市民反映：西城区德胜门内大街路边的垃圾桶满了好几天没人清运，垃圾都溢出来了，味道很大。',
      location: { lon: 116.3796, lat: 39.9478 },
    })
    const tl = (
      await t.app.inject({ url: `/api/v1/cases/${c.id}/timeline`, headers: await t.as('dispatcher') })
    ).json().items
    expect(tl[0].payload.classification).toMatchObject({ classId: expect.stringMatching(/^[CE]\d{4}$/) })
    expect(tl[0].payload.classification.top).toHaveLength(3)
  })
})
