import { describe, expect, it } from 'vitest'
import type { Polygon } from 'geojson'
import type { Region, RegionLevel, RegionSet } from './geo.types.ts'
import { buildRegionIndex, findRegionsInText, lookup } from './region-index.ts'

function rect(x0: number, y0: number, x1: number, y1: number): Polygon {
  return {
    type: 'Polygon',
    coordinates: [
      [
        [x0, y1],
        [x1, y1],
        [x1, y0],
        [x0, y0],
        [x0, y1],
      ],
    ],
  }
}

function region(
  code: string,
  name: string,
  level: RegionLevel,
  geometry: Polygon,
  parentCode?: string,
): Region {
  const xs = geometry.coordinates.flat().map((p) => p[0])
  const ys = geometry.coordinates.flat().map((p) => p[1])
  const bbox = [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)] as const
  return {
    code,
    name,
    level,
    ...(parentCode ? { parentCode } : {}),
    centroid: [(bbox[0] + bbox[2]) / 2, (bbox[1] + bbox[3]) / 2],
    bbox,
    geometry,
  }
}

// A toy city: district A (x 0..2) with one street, one community and cells on its north half only
// (two squares and one triangle); district B (x 2..4) has no cells.
const triangle: Polygon = {
  type: 'Polygon',
  coordinates: [
    [
      [0, 1],
      [1, 1],
      [0, 0.5],
      [0, 1],
    ],
  ],
}
const set: RegionSet = {
  city: region('110000', '北京市', 'city', rect(0, 0, 4, 2)),
  districts: [
    region('110102', '西城区', 'district', rect(0, 0, 2, 2), '110000'),
    region('110105', '朝阳区', 'district', rect(2, 0, 4, 2), '110000'),
  ],
  streets: [
    region('110102012', '什刹海街道', 'street', rect(0, 0, 2, 2), '110102'),
    region('110105001', '建外街道', 'street', rect(2, 0, 4, 2), '110105'),
    region('110101007', '朝阳门街道', 'street', rect(2, 0, 3, 0.5), '110105'),
  ],
  communities: [region('110102012001', '什刹海第一社区', 'community', rect(0, 0, 2, 2), '110102012')],
  grids: [
    region('110102012001001', '网格1', 'grid', rect(0, 1, 1, 2), '110102012001'),
    region('110102012001002', '网格2', 'grid', rect(1, 1, 2, 2), '110102012001'),
    region('110102012001003', '网格3', 'grid', triangle, '110102012001'),
  ],
}
const index = buildRegionIndex(set)

describe('lookup', () => {
  it('finds the grid cell and every ancestor of a point', () => {
    expect(lookup(index, 1.5, 1.5)).toEqual({
      level: 'grid',
      gridCode: '110102012001002',
      gridName: '网格2',
      communityCode: '110102012001',
      communityName: '什刹海第一社区',
      streetCode: '110102012',
      streetName: '什刹海街道',
      districtCode: '110102',
      districtName: '西城区',
    })
  })

  it('tests a non-rectangular cell exactly, not by its bbox', () => {
    expect(lookup(index, 0.1, 0.9)?.gridCode).toBe('110102012001003')
    // Inside the triangle's bbox but outside the triangle: no cell, so the community answers.
    const r = lookup(index, 0.9, 0.6)
    expect(r?.level).toBe('community')
    expect(r?.gridCode).toBeUndefined()
    expect(r?.communityCode).toBe('110102012001')
  })

  it('falls back to the finest level that has a region there', () => {
    const r = lookup(index, 3.5, 1.5)
    expect(r).toMatchObject({ level: 'street', streetCode: '110105001', districtCode: '110105' })
    expect(r?.communityCode).toBeUndefined()
  })

  it('returns undefined outside every district', () => {
    expect(lookup(index, 5, 5)).toBeUndefined()
    expect(lookup(index, -0.1, 1)).toBeUndefined()
  })
})

describe('findRegionsInText', () => {
  const codes = (text: string): string[] => findRegionsInText(index, text).map((m) => m.code)

  it('finds a district and a street written in full', () => {
    const found = findRegionsInText(index, '西城区什刹海街道前海北沿有井盖缺失')
    expect(found.map((m) => [m.code, m.level])).toEqual([
      ['110102', 'district'],
      ['110102012', 'street'],
    ])
    expect(found[1]).toMatchObject({ matched: '什刹海街道', start: 3, end: 8 })
  })

  it('accepts names without their suffix', () => {
    expect(codes('什刹海附近路灯不亮')).toEqual(['110102012'])
    expect(codes('朝阳这边垃圾没人收')).toEqual(['110105'])
  })

  it('prefers the longest name at a position', () => {
    expect(codes('朝阳门外大街')).toEqual(['110101007'])
    expect(codes('什刹海第一社区')).toEqual(['110102012001'])
  })

  it('finds nothing in text that names no region', () => {
    expect(codes('井盖丢了')).toEqual([])
  })
})
