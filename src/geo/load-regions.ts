import { readFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Result } from '../core/errors.ts'
import { fail } from '../core/errors.ts'
import type { BBox, LonLat, Region, RegionGeometry, RegionLevel, RegionSet } from '../core/geo/geo.types.ts'
import { assembleRegionSet } from '../core/geo/region-set.ts'
import { validateRegions } from '../core/geo/topology.ts'
import type { ValidateRegionsOptions } from '../core/geo/topology.ts'

/** Where the generated Beijing data lives in the repository. */
export const DEFAULT_REGIONS_FILE = join(
  resolve(dirname(fileURLToPath(import.meta.url)), '../..'),
  'data/regions/beijing.json',
)

interface StoredFeature {
  bbox: BBox
  properties: { code: string; name: string; level: RegionLevel; parentCode?: string; centroid: LonLat }
  geometry: RegionGeometry
}

/**
 * Load the shipped region tree (data/regions/beijing.json) without re-validating it: the file is
 * generated and checked by test/geo/beijing-regions.test.ts. Use importRegionsFile for files from
 * outside. Throws when the file is missing or its tree does not hang together.
 */
export async function loadRegions(path: string = DEFAULT_REGIONS_FILE): Promise<RegionSet> {
  const fc = JSON.parse(await readFile(path, 'utf8')) as { features: StoredFeature[] }
  const regions: Region[] = fc.features.map((f) => ({
    code: f.properties.code,
    name: f.properties.name,
    level: f.properties.level,
    ...(f.properties.parentCode !== undefined ? { parentCode: f.properties.parentCode } : {}),
    centroid: f.properties.centroid,
    bbox: f.bbox,
    geometry: f.geometry,
  }))
  const set = assembleRegionSet(regions)
  if (!set.ok) {
    throw new Error(`${path}: ${set.error.message}`)
  }
  return set.value
}

/**
 * Validate a GeoJSON FeatureCollection of regions (see validateRegions: rings, self-crossings,
 * swapped lat/lon, outside the city, sibling overlaps, optional gaps) and return its regions.
 * Pass `level` when every feature is of one level and the file does not say so.
 */
export function importRegionsGeoJson(
  featureCollection: unknown,
  opts: ValidateRegionsOptions = {},
): Result<Region[]> {
  return validateRegions(featureCollection, opts)
}

/**
 * `onegrid import regions FILE`: read a GeoJSON file holding a whole region tree (one city feature,
 * districts, streets, communities, grid cells; `properties.code`, `name`, and `level` or a code
 * whose length gives it), validate it and assemble the RegionSet. A file that cannot be read or
 * parsed fails with VALIDATION_FAILED / BAD_JSON; bad geodata fails with GEO_INVALID or
 * GEO_OUTSIDE_CITY, naming the features.
 */
export async function importRegionsFile(
  path: string,
  opts: ValidateRegionsOptions = {},
): Promise<Result<RegionSet>> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (e) {
    return fail('VALIDATION_FAILED', `cannot read ${path}: ${(e as Error).message}`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (e) {
    return fail('BAD_JSON', `${path} is not JSON: ${(e as Error).message}`)
  }
  const regions = importRegionsGeoJson(json, opts)
  if (!regions.ok) {
    return regions
  }
  return assembleRegionSet(regions.value)
}
