import gcoordModule from 'gcoord'
import type { Geometry } from 'geojson'

// gcoord is CommonJS with ESM-style typings: under NodeNext the default import is module.exports
// itself, which the typings call `.default`.
const gcoord = gcoordModule as unknown as (typeof gcoordModule)['default']

/**
 * GCJ-02 (the "Mars" datum of Chinese web maps and many phones) → WGS84 for one point. This is the
 * boundary conversion DESIGN.md §4 asks for; the core only ever sees WGS84.
 */
export function gcj02ToWgs84(lon: number, lat: number): [number, number] {
  const [x, y] = gcoord.transform([lon, lat], gcoord.GCJ02, gcoord.WGS84)
  return [x, y]
}

/** WGS84 → GCJ-02 for one point, e.g. to draw stored positions on an AMap/ECharts base map. */
export function wgs84ToGcj02(lon: number, lat: number): [number, number] {
  const [x, y] = gcoord.transform([lon, lat], gcoord.WGS84, gcoord.GCJ02)
  return [x, y]
}

/** A GCJ-02 geometry converted to WGS84 (a new object; the input is left alone). */
export function geometryGcj02ToWgs84<G extends Geometry>(geometry: G): G {
  // gcoord's own GeoJSON typings differ from @types/geojson; the shape is the same.
  const copy = structuredClone(geometry) as unknown as Parameters<typeof gcoord.transform>[0]
  return gcoord.transform(copy, gcoord.GCJ02, gcoord.WGS84) as unknown as G
}
