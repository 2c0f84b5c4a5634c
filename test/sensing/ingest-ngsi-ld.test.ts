import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cityUnits } from '../../src/sim/demo-units.ts'
import { upsertUnits } from '../../src/store/user.repository.ts'
import { DATABASES } from '../helpers/databases.ts'
import { startTestPlatform, type TestPlatform } from '../helpers/platform.ts'

const LD = 'application/ld+json'
const CONTEXT = 'https://raw.githubusercontent.com/smart-data-models/data-models/master/context.jsonld'
// 东四 (东城) and 西单 (西城): 2.1 km apart east–west … and 天坛, 4 km south
const DONGSI = [116.417, 39.929]
const NEARBY = [116.4105, 39.9235]
const TIANTAN = [116.4107, 39.8822]

describe.each(DATABASES)('NGSI-LD entities on $dialect', (d) => {
  let t: TestPlatform
  beforeAll(async () => {
    t = await startTestPlatform(d, { start: '2026-11-27T08:00:00+08:00' })
    await upsertUnits(t.platform.db.kysely, cityUnits(t.platform.city.regions))
    await t.platform.city.reloadUnits()
  })
  afterAll(() => t?.close())

  const observed = (minutesAgo: number) => new Date(t.clock() - minutesAgo * 60_000).toISOString()
  const station = (id: string, coordinates: number[], pm25: number) => ({
    id: `urn:ngsi-ld:AirQualityObserved:${id}`,
    type: 'AirQualityObserved',
    name: { type: 'Property', value: `${id} 微站` },
    location: { type: 'GeoProperty', value: { type: 'Point', coordinates } },
    owner: { type: 'Property', value: ['110101-hb'] },
    pm25: { type: 'Property', value: pm25, unitCode: 'GQ', observedAt: observed(30) },
    temperature: { type: 'Property', value: 3.5, unitCode: 'CEL', observedAt: observed(30) },
    '@context': CONTEXT,
  })

  it('creates entities as devices with readings, in application/ld+json', async () => {
    const admin = await t.as('admin')
    for (const [id, at, pm] of [
      ['aq-dongsi', DONGSI, 180],
      ['aq-nearby', NEARBY, 60],
      ['aq-tiantan', TIANTAN, 210],
    ] as const) {
      const r = await t.app.inject({
        method: 'POST',
        url: '/ngsi-ld/v1/entities',
        headers: { ...admin, 'content-type': LD },
        payload: JSON.stringify(station(id, [...at], pm)),
      })
      expect(r.statusCode, r.body).toBe(201)
      expect(r.headers.location).toBe(
        `/ngsi-ld/v1/entities/${encodeURIComponent(`urn:ngsi-ld:AirQualityObserved:${id}`)}`,
      )
    }
    const device = (await t.app.inject({ url: '/api/v1/devices/aq-dongsi', headers: admin })).json()
    expect(device).toMatchObject({ kind: 'air-quality', ownerUnitId: '110101-hb' })
    expect(device.gridCode).toMatch(/^110101/)

    const again = await t.app.inject({
      method: 'POST',
      url: '/ngsi-ld/v1/entities',
      headers: { ...admin, 'content-type': LD },
      payload: JSON.stringify(station('aq-dongsi', DONGSI, 1)),
    })
    expect(again.statusCode).toBe(409)
    expect(again.json()).toMatchObject({ type: 'https://uri.etsi.org/ngsi-ld/errors/AlreadyExists' })
  })

  it('takes new values by PATCH …/attrs and refuses impossible ones as BadRequestData', async () => {
    const admin = await t.as('admin')
    const ok = await t.app.inject({
      method: 'PATCH',
      url: '/ngsi-ld/v1/entities/urn:ngsi-ld:AirQualityObserved:aq-nearby/attrs',
      headers: admin,
      payload: { pm25: { type: 'Property', value: 175, observedAt: observed(10) } },
    })
    expect(ok.statusCode, ok.body).toBe(204)
    const bad = await t.app.inject({
      method: 'PATCH',
      url: '/ngsi-ld/v1/entities/urn:ngsi-ld:AirQualityObserved:aq-nearby/attrs',
      headers: admin,
      payload: { pm25: { type: 'Property', value: 175, unitCode: 'mg/m3', observedAt: observed(5) } },
    })
    expect(bad.statusCode).toBe(400)
    expect(bad.json()).toMatchObject({ type: 'https://uri.etsi.org/ngsi-ld/errors/BadRequestData' })
    expect(bad.json().title).toContain('wrong-unit')
    const missing = await t.app.inject({
      method: 'PATCH',
      url: '/ngsi-ld/v1/entities/urn:ngsi-ld:AirQualityObserved:nowhere/attrs',
      headers: admin,
      payload: { pm25: { type: 'Property', value: 1 } },
    })
    expect(missing.statusCode).toBe(404)
    expect(missing.json().type).toBe('https://uri.etsi.org/ngsi-ld/errors/ResourceNotFound')
  })

  it('answers type + q + georel near with the latest values, nearest first', async () => {
    const r = await t.app.inject({
      url: `/ngsi-ld/v1/entities?type=AirQualityObserved&q=pm25>150&georel=near;maxDistance==2000&geometry=Point&coordinates=[${DONGSI.join(',')}]`,
      headers: { ...(await t.as('leader')), accept: LD },
    })
    expect(r.statusCode, r.body).toBe(200)
    expect(r.headers['content-type']).toContain(LD)
    const found = r.json<{ id: string; pm25: { value: number; unitCode: string }; '@context': unknown }[]>()
    // 天坛 is above 150 but 4 km away; the nearby station is now 175 (patched)
    expect(found.map((e) => e.id)).toEqual([
      'urn:ngsi-ld:AirQualityObserved:aq-dongsi',
      'urn:ngsi-ld:AirQualityObserved:aq-nearby',
    ])
    expect(found[1].pm25).toMatchObject({ type: 'Property', value: 175, unitCode: 'GQ' })
    expect(found[0]['@context']).toBeDefined()

    const plain = await t.app.inject({
      url: '/ngsi-ld/v1/entities?type=AirQualityObserved&q=pm25>200',
      headers: await t.as('leader'),
    })
    expect(plain.headers['content-type']).toContain('application/json')
    expect(plain.headers.link).toContain('ngsi-ld-core-context')
    expect(plain.json().map((e: { id: string }) => e.id)).toEqual([
      'urn:ngsi-ld:AirQualityObserved:aq-tiantan',
    ])

    const unsupported = await t.app.inject({
      url: `/ngsi-ld/v1/entities?type=AirQualityObserved&georel=within&geometry=Polygon&coordinates=[]`,
      headers: await t.as('leader'),
    })
    expect(unsupported.statusCode).toBe(422)
    expect(unsupported.json().type).toBe('https://uri.etsi.org/ngsi-ld/errors/OperationNotSupported')
  })

  it('maps a plain Device by what it measures', async () => {
    const r = await t.app.inject({
      method: 'POST',
      url: '/ngsi-ld/v1/entities',
      headers: await t.as('admin'),
      payload: {
        id: 'urn:ngsi-ld:Device:mh-dongsi-7',
        type: 'Device',
        controlledProperty: { type: 'Property', value: ['tilt'] },
        location: { type: 'GeoProperty', value: { type: 'Point', coordinates: DONGSI } },
        owner: { type: 'Property', value: '110101-sw' },
        tilt: { type: 'Property', value: 2.5, observedAt: observed(1) },
      },
    })
    expect(r.statusCode, r.body).toBe(201)
    const e = (
      await t.app.inject({
        url: '/ngsi-ld/v1/entities/urn:ngsi-ld:Device:mh-dongsi-7',
        headers: await t.as('leader'),
      })
    ).json()
    expect(e).toMatchObject({ type: 'Device', tilt: { value: 2.5, unitCode: 'DD' } })
  })
})
