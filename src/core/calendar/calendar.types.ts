import type { Instant } from '../time.ts'

/** Units of a handling time limit (DESIGN.md §1): 紧急工作时 / 工作时 / 工作日. */
export type TimeUnit = 'clock-hours' | 'work-hours' | 'work-days'

export interface TimeLimit {
  readonly amount: number
  readonly unit: TimeUnit
}

/** A working period inside a day, minutes after local midnight, e.g. 9:00–12:00 = { start: 540, end: 720 }. */
export interface WorkPeriod {
  readonly start: number
  readonly end: number
}

/**
 * A city's working calendar for one or more years. Data, not code: loaded from data/calendars/*.json.
 * Dates are local calendar dates 'YYYY-MM-DD' in the city's fixed UTC offset.
 */
export interface WorkCalendar {
  readonly id: string
  readonly name: string
  /** fixed offset of local time from UTC in minutes (Beijing: 480); China has no DST */
  readonly utcOffsetMinutes: number
  /** working periods of a working day, in order, non-overlapping (a lunch break is the gap) */
  readonly periods: readonly WorkPeriod[]
  /** ISO weekdays that are normally rest days (6 = Saturday, 7 = Sunday) */
  readonly weekend: readonly number[]
  /** public holidays: rest days even on weekdays */
  readonly holidays: readonly string[]
  /** make-up working days (调休上班): working days even on weekends */
  readonly workdays: readonly string[]
}

export type { Instant }
