import { civilFromDays, daysFromCivil, formatIsoDate, isoWeekday } from '../calendar/civil-date.ts'
import { DAY, MINUTE } from '../time.ts'
import type { Instant } from '../time.ts'
import type { PeriodKeys } from './evaluation.types.ts'

/**
 * The day, ISO week and month keys of an instant in local time (`utcOffsetMinutes`, Beijing 480):
 * '2026-02-13', '2026-W07', '2026-02'. A Beijing deadline at 23:30 on the last day of a month
 * belongs to that month, not to the next one in UTC.
 */
export function periodKeys(at: Instant, utcOffsetMinutes: number): PeriodKeys {
  const day = Math.floor((at + utcOffsetMinutes * MINUTE) / DAY)
  const { year, month } = civilFromDays(day)
  return { day: formatIsoDate(day), week: isoWeekKey(day), month: `${year}-${pad(month)}` }
}

/** ISO 8601 week key of a day number: the week belongs to the year holding its Thursday. */
export function isoWeekKey(day: number): string {
  const thursday = day - isoWeekday(day) + 4
  const { year } = civilFromDays(thursday)
  const week = Math.floor((thursday - daysFromCivil(year, 1, 1)) / 7) + 1
  return `${year}-W${pad(week)}`
}

function pad(n: number): string {
  return String(n).padStart(2, '0')
}
