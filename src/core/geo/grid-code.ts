import type { RegionLevel } from './geo.types.ts'

/** Beijing's province-level code; the city is the root of the region tree. */
export const CITY_CODE = '110000'

const LENGTH_BY_LEVEL: Readonly<Record<Exclude<RegionLevel, 'city'>, number>> = Object.freeze({
  district: 6,
  street: 9,
  community: 12,
  grid: 15,
})

/**
 * Level of a region code by its length (DB11/T 2157-2023 nesting 6 + 3 + 3 + 3), or undefined when
 * the code is not all digits or has no level's length.
 */
export function levelOfCode(code: string): RegionLevel | undefined {
  if (!/^\d+$/.test(code)) {
    return undefined
  }
  if (code === CITY_CODE) {
    return 'city'
  }
  switch (code.length) {
    case 6:
      return 'district'
    case 9:
      return 'street'
    case 12:
      return 'community'
    case 15:
      return 'grid'
    default:
      return undefined
  }
}

/** Code of the parent region, read off the code itself (a district's parent is the city). */
export function parentCodeOf(code: string): string | undefined {
  const level = levelOfCode(code)
  if (level === undefined || level === 'city') {
    return undefined
  }
  if (level === 'district') {
    return CITY_CODE
  }
  return code.slice(0, LENGTH_BY_LEVEL[level] - 3)
}

/** Number of digits a code of this level has. */
export function codeLength(level: Exclude<RegionLevel, 'city'>): number {
  return LENGTH_BY_LEVEL[level]
}

/**
 * Code of the `serial`-th child (1-based, at most 999) of `parentCode`, e.g. cell 7 of community
 * 110102012003 is 110102012003007.
 */
export function childCode(parentCode: string, serial: number): string {
  if (!Number.isInteger(serial) || serial < 1 || serial > 999) {
    throw new RangeError(`child serial ${serial} is outside 1..999`)
  }
  return parentCode + String(serial).padStart(3, '0')
}
