import type { LifecycleEnv, LifecyclePolicy } from '../core/case/case.types.ts'
import { addLimit, addWorkingMs, workingMsBetween } from '../core/calendar/calendar.ts'
import type { WorkCalendar } from '../core/calendar/calendar.types.ts'
import { DEFAULT_STAGE_LIMITS, findClass, limitsFor } from '../core/catalog/catalog.ts'
import type { Catalog } from '../core/catalog/catalog.types.ts'

/** Platform defaults: a handler may return within 2 working hours; a case may be reopened within 30 days. */
export const DEFAULT_POLICY: LifecyclePolicy = {
  returnWindow: { amount: 2, unit: 'work-hours' },
  reopenWindow: { amount: 30 * 24, unit: 'clock-hours' },
  whistleLimit: { amount: 2, unit: 'work-hours' },
}

/** Bind the pure lifecycle to one city's catalog, calendar and policy. */
export function buildLifecycleEnv(
  catalog: Catalog,
  calendar: WorkCalendar,
  policy: LifecyclePolicy = DEFAULT_POLICY,
): LifecycleEnv {
  return {
    policy,
    limitsFor: (classId) => limitsFor(catalog, classId, DEFAULT_STAGE_LIMITS),
    classExists: (classId) => findClass(catalog, classId) !== undefined,
    addLimit: (from, limit) => addLimit(calendar, from, limit),
    workingMsBetween: (from, to) => workingMsBetween(calendar, from, to),
    addWorkingMs: (from, ms) => addWorkingMs(calendar, from, ms),
  }
}
