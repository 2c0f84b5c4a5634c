import { api } from '../api/endpoints.ts'
import type { RegionCollection, RegionLevel } from '../api/types.ts'
import { echarts } from './echarts.ts'

/** Maps register once per (level, parent); later views reuse the registration. */
const registered = new Set<string>()

export function mapName(level: RegionLevel, parent: string | undefined): string {
  return `og-${level}-${parent ?? 'city'}`
}

/**
 * Region polygons for one level under one parent, registered with ECharts under `mapName`.
 * Our GeoJSON is WGS84 and drawn as-is: there is no base tile layer to line up with.
 * Undefined when the regions endpoint is not there yet.
 */
export async function loadRegionMap(
  level: RegionLevel,
  parent: string | undefined,
): Promise<RegionMap | undefined> {
  const fc = await api.regions(level, parent)
  if (!fc) {
    return undefined
  }
  const name = mapName(level, parent)
  if (!registered.has(name)) {
    echarts.registerMap(name, fc as unknown as Parameters<typeof echarts.registerMap>[1])
    registered.add(name)
  }
  return { name, level, fc }
}

/** Loaded polygons and the name they are registered under: an option must use this name, not the one being loaded next. */
export interface RegionMap {
  readonly name: string
  readonly level: RegionLevel
  readonly fc: RegionCollection
}
