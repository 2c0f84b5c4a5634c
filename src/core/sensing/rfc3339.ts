import type { Instant } from '../time.ts'

// Strict RFC 3339 date-time (§5.6): full date, 'T' (or space, as §5.6 NOTE allows), time, optional fraction, offset.
const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/

/**
 * Parse an RFC 3339 timestamp into epoch ms by pure arithmetic (the core may not use `Date`).
 * Returns undefined for anything malformed or impossible (Feb 30, hour 24, offset ±24:00).
 * A leap second (:60) is folded onto :59.999 so ordering is kept.
 */
export function parseRfc3339(s: string): Instant | undefined {
  const m = RFC3339.exec(s)
  if (!m) {
    return undefined
  }
  const year = +m[1]
  const month = +m[2]
  const day = +m[3]
  const hour = +m[4]
  const minute = +m[5]
  let second = +m[6]
  let ms = m[7] ? Math.floor(+m[7].padEnd(3, '0').slice(0, 3)) : 0
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return undefined
  }
  if (hour > 23 || minute > 59 || second > 60) {
    return undefined
  }
  if (second === 60) {
    second = 59
    ms = 999
  }
  let offsetMin = 0
  if (!m[8]) {
    const oh = +m[10]
    const om = +m[11]
    if (oh > 23 || om > 59) {
      return undefined
    }
    offsetMin = (m[9] === '-' ? -1 : 1) * (oh * 60 + om)
  }
  const days = daysFromCivil(year, month, day)
  return ((days * 24 + hour) * 60 + minute - offsetMin) * 60_000 + second * 1000 + ms
}

/** Days since 1970-01-01 of a proleptic Gregorian date (month 1..12). */
export function daysFromCivil(year: number, month: number, day: number): number {
  // Shift the year to start in March so the leap day is the last day of the year.
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yoe = y - era * 400
  const mp = (month + 9) % 12
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) {
    return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28
  }
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31
}
