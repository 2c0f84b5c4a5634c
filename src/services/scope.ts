import type { Case } from '../core/case/case.types.ts'
import type { CaseFilter } from '../store/case.repository.ts'
import type { Principal } from './ports.ts'

/** The finest region code a case has. */
export function caseRegionCode(c: Case): string | undefined {
  const r = c.region
  return r.gridCode ?? r.communityCode ?? r.streetCode ?? r.districtCode
}

/**
 * Whether a user may see and act on a case. Admins and system see everything; a unit-bound
 * handler sees its unit's cases and those it is summoned to; a region-scoped user sees cases whose
 * region lies inside its own (cases not yet placed belong to city-level users).
 */
export function inScope(p: Principal, c: Case): boolean {
  const { role, unitId } = p.actor
  if (role === 'admin' || role === 'system') {
    return true
  }
  if (role === 'handler') {
    if (!unitId) {
      return false
    }
    return c.unitId === unitId || c.summons.some((s) => s.unitId === unitId)
  }
  if (!p.regionCode) {
    return true
  }
  const code = caseRegionCode(c)
  return code !== undefined && code.startsWith(p.regionCode)
}

/** Narrow a list filter to what the user may see. */
export function scopeFilter(p: Principal, f: CaseFilter): CaseFilter {
  const { role, unitId } = p.actor
  if (role === 'admin' || role === 'system') {
    return f
  }
  if (role === 'handler') {
    return { ...f, unitId: unitId ?? '\u0000none' }
  }
  if (!p.regionCode) {
    return f
  }
  if (f.region && f.region.startsWith(p.regionCode)) {
    return f
  }
  return { ...f, region: p.regionCode }
}
