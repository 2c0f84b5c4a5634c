import { fail, ok } from '../errors.ts'
import type { Result } from '../errors.ts'
import type { Region, RegionLevel, RegionSet } from './geo.types.ts'
import { CITY_CODE } from './grid-code.ts'

const PARENT_LEVEL: Readonly<Record<RegionLevel, RegionLevel | undefined>> = Object.freeze({
  city: undefined,
  district: 'city',
  street: 'district',
  community: 'street',
  grid: 'community',
})

/**
 * Arrange regions of all levels into a RegionSet, refusing a tree that does not hang together:
 * no city or more than one, duplicate codes, a region whose parent is missing or of the wrong level.
 */
export function assembleRegionSet(regions: readonly Region[]): Result<RegionSet> {
  const byCode = new Map<string, Region>()
  for (const r of regions) {
    if (byCode.has(r.code)) {
      return fail('GEO_INVALID', `region code ${r.code} (${r.name}) appears twice`)
    }
    byCode.set(r.code, r)
  }
  const cities = regions.filter((r) => r.level === 'city')
  if (cities.length !== 1) {
    return fail('GEO_INVALID', `expected exactly one city region (code ${CITY_CODE}), found ${cities.length}`)
  }
  for (const r of regions) {
    const want = PARENT_LEVEL[r.level]
    if (want === undefined) {
      continue
    }
    const parent = r.parentCode === undefined ? undefined : byCode.get(r.parentCode)
    if (!parent) {
      return fail(
        'GEO_INVALID',
        `${r.level} ${r.code} ${r.name}: parent ${r.parentCode ?? '(none)'} is not in the set`,
      )
    }
    if (parent.level !== want) {
      return fail(
        'GEO_INVALID',
        `${r.level} ${r.code} ${r.name}: parent ${parent.code} is a ${parent.level}, not a ${want}`,
      )
    }
  }
  const of = (level: RegionLevel): readonly Region[] =>
    Object.freeze(regions.filter((r) => r.level === level))
  return ok(
    Object.freeze({
      city: cities[0],
      districts: of('district'),
      streets: of('street'),
      communities: of('community'),
      grids: of('grid'),
    }),
  )
}
