import type { MultiPolygon, Polygon } from 'geojson'

/** The five levels of Beijing's region tree: 市 / 区 / 街道(乡镇) / 社区(村) / 单元网格. */
export type RegionLevel = 'city' | 'district' | 'street' | 'community' | 'grid'

/** Levels from coarsest to finest; a region's parent is one step to the left. */
export const REGION_LEVELS: readonly RegionLevel[] = Object.freeze([
  'city',
  'district',
  'street',
  'community',
  'grid',
])

/** Longitude, latitude in WGS84 degrees. */
export type LonLat = readonly [lon: number, lat: number]

/** [minLon, minLat, maxLon, maxLat] in WGS84 degrees. */
export type BBox = readonly [minLon: number, minLat: number, maxLon: number, maxLat: number]

/** Area geometry of a region: GeoJSON, WGS84, rings closed. */
export type RegionGeometry = Polygon | MultiPolygon

/**
 * One node of the region tree. Codes follow DB11/T 2157-2023: city 110000, district 6 digits,
 * street 9 (district + 3), community 12 (street + 3), grid cell 15 (community + 3).
 */
export interface Region {
  readonly code: string
  readonly name: string
  readonly level: RegionLevel
  /** Absent only for the city. */
  readonly parentCode?: string
  readonly centroid: LonLat
  readonly bbox: BBox
  readonly geometry: RegionGeometry
}

/** The whole tree, one array per level; every non-city region's parentCode names a region of the level above. */
export interface RegionSet {
  readonly city: Region
  readonly districts: readonly Region[]
  readonly streets: readonly Region[]
  readonly communities: readonly Region[]
  readonly grids: readonly Region[]
}

/**
 * Where a point lies: the finest region containing it and all its ancestors. `level` is the finest
 * level found; a point outside any grid cell still gets its community/street/district.
 */
export interface LookupResult {
  readonly level: Exclude<RegionLevel, 'city'>
  readonly gridCode?: string
  readonly gridName?: string
  readonly communityCode?: string
  readonly communityName?: string
  readonly streetCode?: string
  readonly streetName?: string
  readonly districtCode?: string
  readonly districtName?: string
}

/** A region name found in free text, with the span of text that matched it. */
export interface RegionMatch {
  readonly code: string
  readonly name: string
  readonly level: RegionLevel
  /** The text actually matched, e.g. '什刹海' for 什刹海街道. */
  readonly matched: string
  /** UTF-16 offsets into the searched text, end exclusive. */
  readonly start: number
  readonly end: number
}
