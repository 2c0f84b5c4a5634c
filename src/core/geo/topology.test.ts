import { describe, expect, it } from 'vitest'
import type { Feature, Position } from 'geojson'
import type { GeoProblem } from './topology.ts'
import { validateRegions } from './topology.ts'

const square = (x: number, y: number, s = 0.01): Position[] => [
  [x, y + s],
  [x + s, y + s],
  [x + s, y],
  [x, y],
  [x, y + s],
]

function feature(code: string, name: string, ring: Position[]): Feature {
  return { type: 'Feature', properties: { code, name }, geometry: { type: 'Polygon', coordinates: [ring] } }
}

const fc = (...features: Feature[]) => ({ type: 'FeatureCollection', features })

function problems(result: ReturnType<typeof validateRegions>): GeoProblem[] {
  expect(result.ok).toBe(false)
  return result.ok ? [] : (result.error.details as { problems: GeoProblem[] }).problems
}

describe('validateRegions', () => {
  it('accepts clean adjacent streets and returns them as regions', () => {
    const r = validateRegions(
      fc(
        feature('110102012', '什刹海街道', square(116.38, 39.93)),
        feature('110102003', '新街口街道', square(116.37, 39.93)),
      ),
    )
    expect(r.ok).toBe(true)
    if (!r.ok) {
      return
    }
    expect(r.value.map((x) => [x.code, x.level, x.parentCode])).toEqual([
      ['110102012', 'street', '110102'],
      ['110102003', 'street', '110102'],
    ])
    expect(r.value[0].bbox).toEqual([116.38, 39.93, 116.39, 39.94])
  })

  it('refuses an unclosed ring, naming the feature', () => {
    const ring = square(116.38, 39.93).slice(0, 4)
    ring.push([116.381, 39.931])
    const r = validateRegions(
      fc(feature('110102012', '什刹海街道', square(116.37, 39.93)), feature('110102003', '新街口街道', ring)),
    )
    expect(problems(r)[0]).toMatchObject({ kind: 'unclosed-ring', featureIndex: 1, code: '110102003' })
    expect(r.ok ? '' : r.error.message).toMatch(/feature #1 110102003 新街口街道: ring 0 is not closed/)
    expect(r.ok ? '' : r.error.code).toBe('GEO_INVALID')
  })

  it('refuses a self-intersecting (bow-tie) ring, naming the feature', () => {
    const bowtie = [
      [116.38, 39.93],
      [116.39, 39.94],
      [116.39, 39.93],
      [116.38, 39.94],
      [116.38, 39.93],
    ]
    const r = validateRegions(fc(feature('110102012', '什刹海街道', bowtie)))
    expect(problems(r)[0]).toMatchObject({ kind: 'self-intersection', code: '110102012' })
    expect(r.ok ? '' : r.error.message).toMatch(
      /什刹海街道: ring 0 crosses itself near \[116\.385000, 39\.935000\]/,
    )
  })

  it('refuses swapped [lat, lon] coordinates, naming the feature', () => {
    const swapped = square(116.38, 39.93).map(([x, y]) => [y, x])
    const r = validateRegions(fc(feature('110105001', '建外街道', swapped)))
    expect(problems(r)[0]).toMatchObject({ kind: 'swapped-coordinates', code: '110105001' })
    expect(r.ok ? '' : r.error.message).toMatch(
      /建外街道: coordinates look like \[lat, lon\] \(e\.g\. \[39\.94, 116\.38\]\)/,
    )
  })

  it('refuses points outside the city with GEO_OUTSIDE_CITY', () => {
    const tianjin = square(117.2, 39.1)
    const r = validateRegions(fc(feature('110105001', '建外街道', tianjin)))
    expect(problems(r)[0]).toMatchObject({ kind: 'outside-city', code: '110105001' })
    expect(r.ok ? '' : r.error.code).toBe('GEO_OUTSIDE_CITY')
  })

  it('refuses a feature poking out of the city outline when one is given', () => {
    const outline = { type: 'Polygon' as const, coordinates: [square(116.3, 39.9, 0.1)] }
    const r = validateRegions(fc(feature('110105001', '建外街道', square(116.395, 39.95, 0.02))), {
      cityOutline: outline,
    })
    expect(problems(r)[0]).toMatchObject({ kind: 'outside-city', code: '110105001' })
  })

  it('refuses siblings that overlap beyond the tolerance, naming both', () => {
    const r = validateRegions(
      fc(
        feature('110102012', '什刹海街道', square(116.38, 39.93)),
        feature('110102003', '新街口街道', square(116.385, 39.93)),
      ),
    )
    expect(problems(r)[0]).toMatchObject({ kind: 'overlap', code: '110102012' })
    expect(r.ok ? '' : r.error.message).toMatch(
      /什刹海街道: overlaps its sibling feature #1 110102003 新街口街道 by \d+ m²/,
    )
    // Regions of different parents are not siblings and may overlap (e.g. a district and its street).
    const mixed = validateRegions(
      fc(
        feature('110102012', '什刹海街道', square(116.38, 39.93)),
        feature('110105001', '建外街道', square(116.385, 39.93)),
      ),
    )
    expect(mixed.ok).toBe(true)
  })

  it('reports gaps when children do not cover their parent', () => {
    const parent = validateRegions(fc(feature('110102', '西城区', square(116.37, 39.93, 0.02))))
    expect(parent.ok).toBe(true)
    if (!parent.ok) {
      return
    }
    const one = fc(feature('110102012', '什刹海街道', square(116.37, 39.93)))
    const r = validateRegions(one, { parents: parent.value })
    expect(problems(r)[0]).toMatchObject({ kind: 'gap', code: '110102' })
    expect(r.ok ? '' : r.error.message).toMatch(/西城区: its 1 children leave \d+ m² \(75\.00%\) uncovered/)
  })

  it('refuses something that is not a FeatureCollection', () => {
    expect(validateRegions({ type: 'Feature' }).ok).toBe(false)
  })
})
