import type KDBush from 'kdbush'

/** Mean Earth radius (IUGG), metres. */
export const EARTH_RADIUS_M = 6_371_008.8
const RAD = Math.PI / 180

/** Great-circle distance in metres between two WGS84 points (haversine). */
export function haversineM(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const dLat = (lat2 - lat1) * RAD
  const dLon = (lon2 - lon1) * RAD
  const s = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * RAD) * Math.cos(lat2 * RAD) * Math.sin(dLon / 2) ** 2
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(s)))
}

/**
 * Visit the points of a kdbush index (x = lon, y = lat) in increasing great-circle distance from (lon, lat),
 * until `visit` returns true or the next point is farther than `maxDistanceM`. Best-first search over the
 * implicit kd-tree: a node's key is a lower bound of the distance to its box, a point's key its distance, so
 * every point pops in exact order and callers can stop as soon as they have what they need.
 */
export function visitNearest(
  tree: KDBush,
  lon: number,
  lat: number,
  maxDistanceM: number,
  visit: (id: number, distanceM: number) => boolean,
): void {
  if (tree.numItems === 0) return
  const { ids, coords, nodeSize } = tree
  const heap = new MinHeap()
  heap.push({ key: 0, id: -1, left: 0, right: tree.numItems - 1, axis: 0, minX: -180, minY: -90, maxX: 180, maxY: 90 })
  for (let item = heap.pop(); item; item = heap.pop()) {
    if (item.key > maxDistanceM) return
    if (item.id >= 0) {
      if (visit(item.id, item.key)) return
      continue
    }
    const { left, right, axis, minX, minY, maxX, maxY } = item
    if (right - left <= nodeSize) {
      for (let i = left; i <= right; i++) {
        const d = haversineM(lon, lat, coords[2 * i], coords[2 * i + 1])
        if (d <= maxDistanceM) heap.push(pointItem(d, ids[i]))
      }
      continue
    }
    const m = (left + right) >> 1
    const mx = coords[2 * m]
    const my = coords[2 * m + 1]
    const d = haversineM(lon, lat, mx, my)
    if (d <= maxDistanceM) heap.push(pointItem(d, ids[m]))
    const next = 1 - axis
    const leftBox = axis === 0 ? [minX, minY, mx, maxY] : [minX, minY, maxX, my]
    const rightBox = axis === 0 ? [mx, minY, maxX, maxY] : [minX, my, maxX, maxY]
    pushNode(heap, lon, lat, left, m - 1, next, leftBox)
    pushNode(heap, lon, lat, m + 1, right, next, rightBox)
  }
}

interface Item {
  key: number
  /** point id, or -1 for a node */
  id: number
  left: number
  right: number
  axis: number
  minX: number
  minY: number
  maxX: number
  maxY: number
}

function pointItem(key: number, id: number): Item {
  return { key, id, left: 0, right: 0, axis: 0, minX: 0, minY: 0, maxX: 0, maxY: 0 }
}

function pushNode(heap: MinHeap, lon: number, lat: number, left: number, right: number, axis: number, box: number[]): void {
  if (left > right) return
  const [minX = 0, minY = 0, maxX = 0, maxY = 0] = box
  heap.push({ key: boxDistM(lon, lat, minX, minY, maxX, maxY), id: -1, left, right, axis, minX, minY, maxX, maxY })
}

/**
 * Lower bound of the great-circle distance from a point to a lon/lat box. Inside the box's longitudes the
 * nearest point is straight north or south. Otherwise it lies on the nearer edge meridian; along a meridian
 * the distance has one minimum, at latitude atan(tan φ / cos Δλ) (towards the pole when Δλ ≥ 90°), so
 * clamping that latitude to the box's edge gives the nearest point of the edge.
 */
export function boxDistM(lon: number, lat: number, minX: number, minY: number, maxX: number, maxY: number): number {
  if (lon >= minX && lon <= maxX) {
    if (lat < minY) return EARTH_RADIUS_M * (minY - lat) * RAD
    if (lat > maxY) return EARTH_RADIUS_M * (lat - maxY) * RAD
    return 0
  }
  const toWest = (minX - lon + 360) % 360
  const toEast = (lon - maxX + 360) % 360
  const edge = toWest <= toEast ? minX : maxX
  const dLon = Math.min(toWest, toEast) * RAD
  const extremum = dLon >= Math.PI / 2 ? (lat >= 0 ? 90 : -90) : Math.atan(Math.tan(lat * RAD) / Math.cos(dLon)) / RAD
  return haversineM(lon, lat, edge, Math.min(maxY, Math.max(minY, extremum)))
}

/** Binary min-heap on `key`. */
class MinHeap {
  private readonly items: Item[] = []

  push(item: Item): void {
    const a = this.items
    a.push(item)
    let i = a.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (a[parent].key <= item.key) break
      a[i] = a[parent]!
      i = parent
    }
    a[i] = item
  }

  pop(): Item | undefined {
    const a = this.items
    const top = a[0]
    const last = a.pop()
    if (a.length === 0 || !last) return top
    let i = 0
    const half = a.length >> 1
    while (i < half) {
      let child = 2 * i + 1
      if (child + 1 < a.length && a[child + 1].key < a[child].key) child++
      if (a[child].key >= last.key) break
      a[i] = a[child]!
      i = child
    }
    a[i] = last
    return top
  }
}
