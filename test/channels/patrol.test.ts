import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HOUR, MINUTE } from '../../src/core/time.ts'
import { wgs84ToGcj02 } from '../../src/geo/datum.ts'
import { cityUnits } from '../../src/sim/demo-units.ts'
import { upsertUnits } from '../../src/store/user.repository.ts'
import { DATABASES } from '../helpers/databases.ts'
import { startTestPlatform, type TestPlatform } from '../helpers/platform.ts'
import { FAKE_JPEG_PDF, multipart, tinyPng } from './channel-helpers.ts'

const iso = (t: number) => new Date(t).toISOString()
// 什刹海 前海西街, WGS84
const SHICHAHAI = { lon: 116.3849, lat: 39.9405 }

describe.each(DATABASES)('grid patrol channel on $dialect', (d) => {
  let t: TestPlatform
  beforeAll(async () => {
    t = await startTestPlatform(d, { start: '2026-03-02T15:00:00+08:00' })
    await upsertUnits(t.platform.db.kysely, cityUnits(t.platform.city.regions))
    await t.platform.city.reloadUnits()
  })
  afterAll(() => t?.close())

  const fields = (over: Record<string, string | number> = {}) => ({
    clientId: randomUUID(),
    clientTime: iso(t.clock() - 3 * HOUR),
    text: '前海西街绿地里树木倒伏，压坏了绿篱',
    lon: SHICHAHAI.lon,
    lat: SHICHAHAI.lat,
    coordSystem: 'wgs84',
    ...over,
  })

  async function postForm(f: Record<string, string | number>, files: Parameters<typeof multipart>[1] = []) {
    const body = multipart(f, files)
    return t.app.inject({
      method: 'POST',
      url: '/api/v1/patrol/reports',
      headers: { ...(await t.as('inspector')), ...body.headers },
      payload: body.payload,
    })
  }

  it('takes a multipart report with a real PNG and GCJ-02 coordinates to a dispatched case; the photo is served back', async () => {
    const [gLon, gLat] = wgs84ToGcj02(SHICHAHAI.lon, SHICHAHAI.lat)
    const png = tinyPng()
    const f = fields({ lon: gLon, lat: gLat, coordSystem: 'gcj02' })
    const r = await postForm(f, [{ field: 'photos', filename: 'tree.png', type: 'image/png', bytes: png }])
    expect(r.statusCode, r.body).toBe(201)
    const c = r.json()
    // an offline report uploaded three hours late keeps the time the inspector saved it
    expect(c.times.reportedAt).toBe(Date.parse(f.clientTime))
    expect(Math.abs(c.location.lon - SHICHAHAI.lon)).toBeLessThan(1e-5)
    expect(Math.abs(c.location.lat - SHICHAHAI.lat)).toBeLessThan(1e-5)
    expect(c).toMatchObject({
      channel: 'patrol',
      stage: 'dispatched',
      classId: expect.stringMatching(/^E01/),
    })

    const tl = (
      await t.app.inject({ url: `/api/v1/cases/${c.id}/timeline`, headers: await t.as('dispatcher') })
    ).json()
    const photo: string = tl.items[0].payload.photos[0]
    expect(photo).toMatch(/^2026\/03\/[0-9a-f]{64}\.png$/)
    const got = await t.app.inject({ url: `/api/v1/photos/${photo}`, headers: await t.as('dispatcher') })
    expect(got.statusCode).toBe(200)
    expect(got.headers['content-type']).toBe('image/png')
    expect(Buffer.compare(got.rawPayload, png)).toBe(0)
    expect((await t.app.inject({ url: `/api/v1/photos/${photo}` })).statusCode).toBe(401)

    // the app retries after a dropped connection: same clientId, same case, 200
    const again = await postForm(f, [
      { field: 'photos', filename: 'tree.png', type: 'image/png', bytes: png },
    ])
    expect(again.statusCode).toBe(200)
    expect(again.json()).toMatchObject({ id: c.id, replayed: true })
  })

  it('takes a JSON report without photos', async () => {
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/v1/patrol/reports',
      headers: await t.as('inspector'),
      payload: fields({ text: '前海西街有非法小广告贴在电线杆上', classId: 'E0201' }),
    })
    expect(r.statusCode, r.body).toBe(201)
    expect(r.json()).toMatchObject({ channel: 'patrol', classId: 'E0201', stage: 'dispatched' })
  })

  it('refuses a PDF posing as a .jpg, naming the file field', async () => {
    const r = await postForm(fields(), [
      { field: 'photos', filename: 'scene.jpg', type: 'image/jpeg', bytes: FAKE_JPEG_PDF },
    ])
    expect(r.statusCode).toBe(415)
    expect(r.json().error).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', field: 'photos' })
    expect(r.json().error.message).toContain('scene.jpg')
  })

  it('refuses an oversize photo (over 5 MB)', async () => {
    const big = Buffer.concat([tinyPng(), Buffer.alloc(5 * 1024 * 1024)])
    const r = await postForm(fields(), [
      { field: 'photos', filename: 'big.png', type: 'image/png', bytes: big },
    ])
    expect(r.statusCode).toBe(413)
    expect(r.json().error).toMatchObject({ code: 'BODY_TOO_LARGE', field: 'photos' })
  })

  it('refuses a report without a location, a future clientTime, and XML sent as JSON', async () => {
    const { lon: _lon, lat: _lat, ...noPoint } = fields()
    const r1 = await postForm(noPoint)
    expect(r1.statusCode).toBe(400)
    expect(r1.json().error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'lon' })

    const r2 = await postForm(fields({ clientTime: iso(t.clock() + 10 * MINUTE) }))
    expect(r2.statusCode).toBe(400)
    expect(r2.json().error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'clientTime' })

    const r3 = await t.app.inject({
      method: 'POST',
      url: '/api/v1/patrol/reports',
      headers: { ...(await t.as('inspector')), 'content-type': 'application/json' },
      payload: '<report><text>x</text></report>',
    })
    expect(r3.statusCode).toBe(400)
    expect(r3.json().error.code).toBe('BAD_JSON')
  })

  it('lists verification tasks nearest first, and the inspector verifies one with an uploaded photo', async () => {
    const make = async (north: number) => {
      const c = (
        await t.app.inject({
          method: 'POST',
          url: '/api/v1/patrol/reports',
          headers: await t.as('inspector'),
          payload: fields({ text: '护栏损坏', classId: 'C0204', lat: SHICHAHAI.lat + north / 111_320 }),
        })
      ).json()
      // the owner's handler takes it and reports it done
      await t.app.inject({
        method: 'POST',
        url: `/api/v1/cases/${c.id}/actions/reassign`,
        headers: await t.as('dispatcher'),
        payload: { unitId: 'u-xc-cgw', reason: '测试' },
      })
      for (const [action, body] of [
        ['receive', {}],
        ['report', { note: '已修复' }],
      ] as const) {
        const r = await t.app.inject({
          method: 'POST',
          url: `/api/v1/cases/${c.id}/actions/${action}`,
          headers: await t.as('handler'),
          payload: body,
        })
        expect(r.statusCode, r.body).toBe(200)
      }
      return c.id as string
    }
    const far = await make(900)
    const near = await make(100)
    const tasks = (
      await t.app.inject({
        url: `/api/v1/patrol/tasks?lon=${SHICHAHAI.lon}&lat=${SHICHAHAI.lat}`,
        headers: await t.as('inspector'),
      })
    ).json().items
    const ids = tasks.map((c: { id: string }) => c.id)
    expect(ids.indexOf(near)).toBeLessThan(ids.indexOf(far))
    expect(tasks.find((c: { id: string }) => c.id === near).distanceM).toBeCloseTo(100, -1)

    const upload = multipart({}, [
      { field: 'photo', filename: 'after.png', type: 'image/png', bytes: tinyPng(3, 3, [0, 200, 0]) },
    ])
    const up = await t.app.inject({
      method: 'POST',
      url: '/api/v1/photos',
      headers: { ...(await t.as('inspector')), ...upload.headers },
      payload: upload.payload,
    })
    expect(up.statusCode, up.body).toBe(201)
    const v = await t.app.inject({
      method: 'POST',
      url: `/api/v1/cases/${near}/actions/verify`,
      headers: await t.as('inspector'),
      payload: { passed: true, photos: [up.json().path] },
    })
    expect(v.statusCode, v.body).toBe(200)
    expect(v.json().stage).toBe('closed')
  })
})
