import type { Actor, GeoPoint } from '../core/case/case.types.ts'
import type { Rng } from '../geo/prng.ts'
import type { Platform } from '../platform.ts'
import type { Principal } from '../services/ports.ts'
import { DEMO_PLACES, jitter } from './places.ts'

export type DemoRole = 'operator' | 'dispatcher' | 'admin'

/** The seeded demo users who act in the demo city's history and simulation. */
export async function demoActors(p: Platform): Promise<Record<DemoRole, Principal>> {
  const byName = async (username: string): Promise<Principal> => {
    const row = await p.db.kysely
      .selectFrom('users')
      .selectAll()
      .where('username', '=', username)
      .executeTakeFirstOrThrow()
    const actor: Actor = { id: row.id, role: row.role as Actor['role'], name: row.display_name }
    return { actor, username, displayName: row.display_name }
  }
  return {
    operator: await byName('operator'),
    dispatcher: await byName('dispatcher'),
    admin: await byName('admin'),
  }
}

/** A handler of one unit (the demo has no per-unit user accounts for all 542 units). */
export function handlerOf(unitId: string): Principal {
  return {
    actor: { id: `handler@${unitId}`, role: 'handler', unitId, name: '处置人员' },
    username: `handler@${unitId}`,
    displayName: '处置人员',
  }
}

/** The city supervision centre's inspector, who verifies anywhere. */
export const CITY_INSPECTOR: Principal = {
  actor: { id: 'inspector@city-jdzx', role: 'inspector', unitId: 'city-jdzx', name: '监督员' },
  username: 'inspector@city-jdzx',
  displayName: '监督员',
}

/** Pick from weighted choices (weights summing to 1). */
export function pick<T>(weighted: readonly (readonly [T, number])[], rnd: Rng): T {
  let x = rnd()
  for (const [v, w] of weighted) {
    if ((x -= w) <= 0) {
      return v
    }
  }
  return weighted.at(-1)![0]
}

/**
 * Where a demo appeal happens: near the street or district its text names (so a complaint about
 * 房山 lands in 房山), else at one of the demo places in 东城/西城, whose grid cells are mapped.
 */
export function placeOf(p: Platform, text: string, rnd: Rng): { location: GeoPoint; address?: string } {
  const placed = p.city.place(undefined, text)
  const code = placed.region.streetCode ?? placed.region.districtCode
  const region = code ? p.city.index.byCode.get(code) : undefined
  if (region) {
    const radius = region.level === 'street' ? 500 : 2500
    for (let i = 0; i < 10; i++) {
      const point = jitter({ lon: region.centroid[0], lat: region.centroid[1] }, radius, rnd)
      const hit = p.city.locate(point)
      if (hit && (hit.streetCode ?? hit.districtCode)?.startsWith(code!)) {
        return { location: point }
      }
    }
  }
  const place = DEMO_PLACES[Math.floor(rnd() * DEMO_PLACES.length)]
  return { location: jitter(place.point, 400, rnd), address: place.address }
}
