import { execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cityUnits } from '../../src/sim/demo-units.ts'
import { upsertUnits } from '../../src/store/user.repository.ts'
import { DATABASES } from '../helpers/databases.ts'
import { startTestPlatform, type TestPlatform } from '../helpers/platform.ts'

describe.each(DATABASES)('regions, teams and the responsibility list over the API on $dialect', (d) => {
  let t: TestPlatform
  beforeAll(async () => {
    t = await startTestPlatform(d)
    await upsertUnits(t.platform.db.kysely, cityUnits(t.platform.city.regions))
    await t.platform.city.reloadUnits()
  })
  afterAll(() => t?.close())

  it('looks up a point: cell, community, street, district', async () => {
    const r = await t.app.inject({ url: '/api/v1/regions/lookup?lon=116.3849&lat=39.9405' })
    expect(r.statusCode).toBe(200)
    expect(r.json()).toMatchObject({
      level: 'grid',
      districtCode: '110102',
      districtName: '西城区',
      gridCode: expect.stringMatching(/^110102\d{9}$/),
    })
    const outside = await t.app.inject({ url: '/api/v1/regions/lookup?lon=121.47&lat=31.23' })
    expect(outside.json().error.code).toBe('GEO_OUTSIDE_CITY')
  })

  it('serves each level as GeoJSON, grid cells per street', async () => {
    const districts = (await t.app.inject({ url: '/api/v1/regions?level=district' })).json()
    expect(districts.features).toHaveLength(16)
    const streets = (await t.app.inject({ url: '/api/v1/regions?level=street&parent=110102' })).json()
    expect(
      streets.features.every((f: { properties: { code: string } }) => f.properties.code.startsWith('110102')),
    ).toBe(true)
    const grid = await t.app.inject({ url: '/api/v1/regions?level=grid' })
    expect(grid.json().error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'parent' })
  })

  it('records team positions and recommends the nearest capable one with its reason', async () => {
    const headers = await t.as('dispatcher')
    const team = (id: string, lon: number, lat: number, status = 'available') => ({
      unitId: '110102-hw',
      name: id,
      skills: ['E01'],
      position: { lon, lat },
      shift: 'always',
      status,
      load: 0,
      capacity: 5,
    })
    for (const [id, lon, lat, status] of [
      ['near', 116.386, 39.941, 'available'],
      ['far', 116.36, 39.9, 'available'],
      ['nearest-but-off', 116.385, 39.9406, 'off'],
    ] as const) {
      const r = await t.app.inject({
        method: 'PUT',
        url: `/api/v1/teams/${id}`,
        headers,
        payload: team(id, lon, lat, status),
      })
      expect(r.statusCode, r.body).toBe(200)
    }
    const moved = await t.app.inject({
      method: 'PATCH',
      url: '/api/v1/teams/far',
      headers,
      payload: { load: 4 },
    })
    expect(moved.json().load).toBe(4)
    const c = (
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/cases',
        headers: await t.as('operator'),
        payload: {
          channel: 'patrol',
          text: '前海西街路面不洁，落叶和泥土堆积',
          // data/duty/beijing-demo.json: d110102.sanitation gives E0103 in 西城 to 110102-hw, the teams' unit
          classId: 'E0103',
          location: { lon: 116.3849, lat: 39.9405 },
        },
      })
    ).json()
    const rec = (await t.app.inject({ url: `/api/v1/cases/${c.id}/recommendation`, headers })).json()
    expect(c.unitId).toBe('110102-hw')
    expect(rec.owner.responsibleUnitId).toBe('110102-hw')
    expect(rec.teams.map((x: { teamId: string }) => x.teamId)).toEqual(['near', 'far'])
    expect(rec.teams[0].reason).toContain('米')
  })

  it('stores a proposed rule set, lints its overlap and gap, replays it, and activates it', async () => {
    const admin = await t.as('admin')
    const proposed = {
      version: 'test-2',
      rules: [
        ...t.platform.city.duty().rules,
        // a second owner for the same class and place as the shipped 西城 greening rule: an overlap
        {
          id: 'zz.overlap',
          classIds: ['C04', 'E0105', 'E0407'],
          scope: '110102',
          responsibleUnitId: '110102-cgw',
        },
      ],
    }
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/v1/duty-rules/versions',
      headers: admin,
      payload: proposed,
    })
    expect(r.statusCode, r.body).toBe(201)
    expect(r.json().lint.overlaps.length).toBeGreaterThan(0)
    expect(r.json().lint.gaps.length).toBeGreaterThan(0)
    const lint = (
      await t.app.inject({ url: '/api/v1/duty-rules/lint?version=test-2', headers: admin })
    ).json()
    expect(
      lint.overlaps.some((o: { ruleIds?: string[]; rules?: string[] }) =>
        JSON.stringify(o).includes('zz.overlap'),
      ),
    ).toBe(true)
    const replay = await t.app.inject({
      method: 'POST',
      url: '/api/v1/duty-rules/versions/test-2/replay',
      headers: admin,
    })
    expect(replay.statusCode).toBe(200)
    const again = await t.app.inject({
      method: 'POST',
      url: '/api/v1/duty-rules/versions',
      headers: admin,
      payload: proposed,
    })
    expect(again.json().error.code).toBe('DUTY_RULES_INVALID')
    const bad = await t.app.inject({
      method: 'POST',
      url: '/api/v1/duty-rules/versions',
      headers: admin,
      payload: { version: 'x', rules: [{ id: 'r1', classIds: ['X9'], scope: 'abc' }] },
    })
    expect(bad.json().error.code).toBe('DUTY_RULES_INVALID')
    const act = await t.app.inject({
      method: 'POST',
      url: '/api/v1/duty-rules/versions/test-2/activate',
      headers: admin,
    })
    expect(act.json()).toEqual({ active: 'test-2' })
    expect((await t.app.inject({ url: '/api/v1/duty-rules', headers: admin })).json().version).toBe('test-2')
  })
})

describe('onegrid import regions', () => {
  it('refuses bad geodata naming the feature, and accepts a valid tree', () => {
    const dir = mkdtempSync(join(tmpdir(), 'onegrid-regions-'))
    const file = join(dir, 'bad.geojson')
    const square = [
      [116.38, 39.93],
      [116.39, 39.93],
      [116.39, 39.94],
      [116.38, 39.94],
    ]
    writeFileSync(
      file,
      JSON.stringify({
        type: 'FeatureCollection',
        features: [
          {
            type: 'Feature',
            properties: { code: '110000', name: '测试市', level: 'city' },
            geometry: { type: 'Polygon', coordinates: [[...square, square[0]]] },
          },
          // ring not closed
          {
            type: 'Feature',
            properties: { code: '110102', name: '测试区', level: 'district' },
            geometry: { type: 'Polygon', coordinates: [square] },
          },
        ],
      }),
    )
    let out = ''
    try {
      execFileSync('node', ['bin/onegrid.js', 'import', 'regions', file], {
        env: { ...process.env, DATA_DIR: dir },
        stdio: 'pipe',
      })
    } catch (e) {
      out = String((e as { stderr: Buffer }).stderr)
    }
    expect(out).toContain('110102')
    expect(out).toMatch(/not closed|unclosed/)
  }, 60_000)
})
