import { daysFromCivil, isoWeekday, parseIsoDate } from '../calendar/civil-date.ts'
import type { PeriodKind } from '../evaluation/evaluation.types.ts'
import type { Instant } from '../time.ts'
import { DAY, MINUTE } from '../time.ts'

/** The instant local midnight starts a day number. */
export function localMidnight(day: number, utcOffsetMinutes: number): Instant {
  return day * DAY - utcOffsetMinutes * MINUTE
}

/**
 * The local-time interval [from, to) of a period key ('2026-03-09', '2026-W11', '2026-03'), the
 * keys `periodKeys` makes; undefined when the key does not name a period of that kind.
 */
export function periodRange(
  kind: PeriodKind,
  key: string,
  utcOffsetMinutes: number,
): { from: Instant; to: Instant } | undefined {
  const at = (day: number) => localMidnight(day, utcOffsetMinutes)
  if (kind === 'day') {
    const d = parseIsoDate(key)
    return d === undefined ? undefined : { from: at(d), to: at(d + 1) }
  }
  if (kind === 'week') {
    const m = /^(\d{4})-W(\d{2})$/.exec(key)
    const week = Number(m?.[2])
    if (!m || week < 1 || week > 53) {
      return undefined
    }
    const jan4 = daysFromCivil(Number(m[1]), 1, 4)
    const monday = jan4 - (isoWeekday(jan4) - 1) + (week - 1) * 7
    return { from: at(monday), to: at(monday + 7) }
  }
  const m = /^(\d{4})-(\d{2})$/.exec(key)
  const month = Number(m?.[2])
  if (!m || month < 1 || month > 12) {
    return undefined
  }
  const year = Number(m[1])
  const next = month === 12 ? daysFromCivil(year + 1, 1, 1) : daysFromCivil(year, month + 1, 1)
  return { from: at(daysFromCivil(year, month, 1)), to: at(next) }
}
