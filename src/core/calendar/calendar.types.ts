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
  /**
   * calendar years whose holidays and make-up days this calendar lists. Outside them only the weekly
   * pattern applies, which is wrong around holidays: callers can warn (see `calendarCovers`).
   */
  readonly years?: readonly number[]
  /** human names of listed dates, e.g. { '2025-01-29': '春节' } (display only) */
  readonly names?: Readonly<Record<string, string>>
  /** where the holiday data comes from (e.g. the State Council notice), for the people who maintain it */
  readonly source?: string
}

export type { Instant }
