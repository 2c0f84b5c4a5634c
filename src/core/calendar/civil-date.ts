/**
 * Proleptic Gregorian civil dates as integer day numbers (days since 1970-01-01), without `Date`:
 * the core never touches the host clock or time zone, and integer days make calendar arithmetic exact.
 * The conversion is the well-known "days from civil" algorithm (eras of 400 years = 146097 days).
 */

/** Days since 1970-01-01 of a civil date; month 1–12, day 1–31 (not range-checked: see isRealDate). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yoe = y - era * 400
  const mp = (month + 9) % 12 // March = 0, so the leap day is the last day of the "year"
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
}

/** Civil date of a day number (inverse of daysFromCivil). */
export function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719468
  const era = Math.floor(z / 146097)
  const doe = z - era * 146097
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  )
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1
  const month = mp < 10 ? mp + 3 : mp - 9
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day }
}

/** ISO weekday of a day number: 1 = Monday … 7 = Sunday (1970-01-01 was a Thursday). */
export function isoWeekday(days: number): number {
  return ((((days + 3) % 7) + 7) % 7) + 1
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/

/** Day number of a real 'YYYY-MM-DD' date, or undefined if the text is not one (e.g. '2025-02-30'). */
export function parseIsoDate(text: string): number | undefined {
  const m = ISO_DATE.exec(text)
  if (!m) {
    return undefined
  }
  const year = Number(m[1])
  const month = Number(m[2])
  const day = Number(m[3])
  if (month < 1 || month > 12 || day < 1 || day > 31) {
    return undefined
  }
  const days = daysFromCivil(year, month, day)
  const back = civilFromDays(days)
  // a day past the month's end rolls into the next month, which the round trip exposes
  return back.month === month && back.day === day ? days : undefined
}

/** 'YYYY-MM-DD' of a day number. */
export function formatIsoDate(days: number): string {
  const { year, month, day } = civilFromDays(days)
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`
}
