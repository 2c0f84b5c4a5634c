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
 * every point pops in exact order and callers can stop as soon as they have what they need. Keys are the
 * haversine term a = sin²(Δφ/2) + cos φ₁ cos φ₂ sin²(Δλ/2), which orders like the distance and skips the
 * asin and sqrt until a point is actually visited.
 */
export function visitNearest(
  tree: KDBush,
  lon: number,
  lat: number,
  maxDistanceM: number,
  visit: (id: number, distanceM: number) => boolean,
): void {
  if (tree.numItems === 0) {
    return
  }
  const { ids, coords, nodeSize } = tree
  const cosLats = cosLatsOf(tree)
  const cosLat = Math.cos(lat * RAD)
  const maxA = maxDistanceM >= Math.PI * EARTH_RADIUS_M ? 1 : Math.sin(maxDistanceM / EARTH_RADIUS_M / 2) ** 2
  // Nodes live in flat arrays (left, right, axis, minX, minY, maxX, maxY) and the heap holds
  // (key, ref) pairs: ref ≥ 0 is a point id, ref < 0 is node -(ref + 1). No object per entry.
  const nodes: number[] = []
  const heap = new KeyHeap()
  const pushNode = (
    left: number,
    right: number,
    axis: number,
    minX: number,
    minY: number,
    maxX: number,
    maxY: number,
  ): void => {
    if (left > right) {
      return
    }
    const key = boxA(lon, lat, cosLat, minX, minY, maxX, maxY)
    if (key > maxA) {
      return
    }
    const n = nodes.length / 7
    nodes.push(left, right, axis, minX, minY, maxX, maxY)
    heap.push(key, -(n + 1))
  }
  pushNode(0, tree.numItems - 1, 0, -180, -90, 180, 90)
  while (heap.size > 0) {
    const key = heap.topKey()
    const ref = heap.pop()
    if (ref >= 0) {
      if (visit(ref, toMetres(key))) {
        return
      }
      continue
    }
    const o = -(ref + 1) * 7
    const left = nodes[o]
    const right = nodes[o + 1]
    if (right - left <= nodeSize) {
      for (let i = left; i <= right; i++) {
        const a = hav(lon, lat, cosLat, coords[2 * i], coords[2 * i + 1], cosLats[i])
        if (a <= maxA) {
          heap.push(a, ids[i])
        }
      }
      continue
    }
    const axis = nodes[o + 2]
    const minX = nodes[o + 3]
    const minY = nodes[o + 4]
    const maxX = nodes[o + 5]
    const maxY = nodes[o + 6]
    const m = (left + right) >> 1
    const mx = coords[2 * m]
    const my = coords[2 * m + 1]
    const a = hav(lon, lat, cosLat, mx, my, cosLats[m])
    if (a <= maxA) {
      heap.push(a, ids[m])
    }
    if (axis === 0) {
      pushNode(left, m - 1, 1, minX, minY, mx, maxY)
      pushNode(m + 1, right, 1, mx, minY, maxX, maxY)
    } else {
      pushNode(left, m - 1, 0, minX, minY, maxX, my)
      pushNode(m + 1, right, 0, minX, my, maxX, maxY)
    }
  }
}

const cosLatCache = new WeakMap<KDBush, Float64Array>()

/** cos(latitude) of every indexed point, in tree order; computed once per tree. */
function cosLatsOf(tree: KDBush): Float64Array {
  let out = cosLatCache.get(tree)
  if (!out) {
    out = new Float64Array(tree.numItems)
    for (let i = 0; i < tree.numItems; i++) {
      out[i] = Math.cos(tree.coords[2 * i + 1] * RAD)
    }
    cosLatCache.set(tree, out)
  }
  return out
}

function hav(
  lon1: number,
  lat1: number,
  cosLat1: number,
  lon2: number,
  lat2: number,
  cosLat2: number,
): number {
  const sLat = Math.sin((lat2 - lat1) * RAD * 0.5)
  const sLon = Math.sin((lon2 - lon1) * RAD * 0.5)
  return Math.min(1, sLat * sLat + cosLat1 * cosLat2 * sLon * sLon)
}

function toMetres(a: number): number {
  return 2 * EARTH_RADIUS_M * Math.asin(Math.sqrt(a))
}

/**
 * Lower bound of the haversine term from a point to a lon/lat box. Inside the box's longitudes the nearest
 * point is straight north or south. Otherwise it lies on the nearer edge meridian; along a meridian the
 * distance has one minimum, at latitude atan(tan φ / cos Δλ) (towards the pole when Δλ ≥ 90°), so clamping
 * that latitude to the box gives the nearest point of the edge.
 */
function boxA(
  lon: number,
  lat: number,
  cosLat: number,
  minX: number,
  minY: number,
  maxX: number,
  maxY: number,
): number {
  if (lon >= minX && lon <= maxX) {
    if (lat >= minY && lat <= maxY) {
      return 0
    }
    const s = Math.sin((lat < minY ? minY - lat : lat - maxY) * RAD * 0.5)
    return s * s
  }
  const toWest = (minX - lon + 360) % 360
  const toEast = (lon - maxX + 360) % 360
  const edge = toWest <= toEast ? minX : maxX
  const dLon = Math.min(toWest, toEast) * RAD
  const extremum =
    dLon >= Math.PI / 2 ? (lat >= 0 ? 90 : -90) : Math.atan(Math.tan(lat * RAD) / Math.cos(dLon)) / RAD
  const nearLat = Math.min(maxY, Math.max(minY, extremum))
  return hav(lon, lat, cosLat, edge, nearLat, Math.cos(nearLat * RAD))
}

/** Lower bound, in metres, of the great-circle distance from a point to a lon/lat box. */
export function boxDistM(
  lon: number,
  lat: number,
  minX: number,
  minY: number,
  maxX: number,
  maxY: number,
): number {
  return toMetres(boxA(lon, lat, Math.cos(lat * RAD), minX, minY, maxX, maxY))
}

/** Binary min-heap of (key, ref) number pairs in parallel arrays. */
class KeyHeap {
  private readonly keys: number[] = []
  private readonly refs: number[] = []

  get size(): number {
    return this.keys.length
  }

  topKey(): number {
    return this.keys[0]
  }

  push(key: number, ref: number): void {
    const k = this.keys
    const r = this.refs
    let i = k.length
    k.push(key)
    r.push(ref)
    while (i > 0) {
      const parent = (i - 1) >> 1
      const pk = k[parent]
      if (pk <= key) {
        break
      }
      k[i] = pk
      r[i] = r[parent]!
      i = parent
    }
    k[i] = key
    r[i] = ref
  }

  /** Remove the smallest entry and return its ref (call only when size > 0). */
  pop(): number {
    const k = this.keys
    const r = this.refs
    const top = r[0]
    const lastKey = k.pop()!
    const lastRef = r.pop()!
    const n = k.length
    if (n === 0) {
      return top
    }
    let i = 0
    const half = n >> 1
    while (i < half) {
      let child = 2 * i + 1
      if (child + 1 < n && k[child + 1] < k[child]) {
        child++
      }
      if (k[child] >= lastKey) {
        break
      }
      k[i] = k[child]!
      r[i] = r[child]!
      i = child
    }
    k[i] = lastKey
    r[i] = lastRef
    return top
  }
}
