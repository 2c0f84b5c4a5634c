import { ok } from '../errors.ts'
import type { Result } from '../errors.ts'
import { DAY, HOUR, MINUTE } from '../time.ts'
import type { Instant } from '../time.ts'
import type { TimeLimit, WorkCalendar, WorkPeriod } from './calendar.types.ts'
import { civilFromDays, formatIsoDate, isoWeekday, parseIsoDate } from './civil-date.ts'
import { checkKnownKeys, failWithProblems, isRecord } from './validation-problem.ts'
import type { ValidationProblem } from './validation-problem.ts'

/**
 * Validate a calendar document (e.g. data/calendars/cn-beijing.json). Lists every problem at once:
 * missing or mistyped fields, dates that do not exist, periods out of 0..1440 or out of order or overlapping,
 * a date that is both a holiday and a make-up working day, duplicates, a make-up day that is not a
 * weekend day, dates outside the declared `years`, unknown fields.
 */
export function parseCalendar(json: unknown): Result<WorkCalendar> {
  const problems: ValidationProblem[] = []
  if (!isRecord(json)) {
    return failWithProblems('CALENDAR_INVALID', 'calendar', [{ field: '', message: 'must be a JSON object' }])
  }
  checkKnownKeys(json, KNOWN_KEYS, '', problems)

  const id = nonEmptyString(json.id, 'id', problems)
  const name = nonEmptyString(json.name, 'name', problems)

  const offset = json.utcOffsetMinutes
  if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < -840 || offset > 840) {
    problems.push({
      field: 'utcOffsetMinutes',
      message: 'must be a whole number of minutes between -840 and 840 (Beijing: 480)',
    })
  }

  const periods = checkPeriods(json.periods, problems)
  const weekend = checkWeekend(json.weekend, problems)
  const years = checkYears(json.years, problems)
  const holidays = checkDates(json.holidays, 'holidays', years, problems)
  const workdays = checkDates(json.workdays, 'workdays', years, problems)

  const holidaySet = new Set(holidays)
  workdays.forEach((date, i) => {
    if (holidaySet.has(date)) {
      problems.push({
        field: `workdays[${i}]`,
        message: `${date} is listed both as a holiday and as a make-up working day`,
      })
    }
    const days = parseIsoDate(date)
    // a make-up day on a normal weekday changes nothing, so it is almost surely a mistyped date
    if (days !== undefined && weekend !== undefined && !weekend.includes(isoWeekday(days))) {
      problems.push({
        field: `workdays[${i}]`,
        message: `${date} is a ${WEEKDAY_NAMES[isoWeekday(days)]}, already a working day; make-up working days fall on the weekend`,
      })
    }
  })

  const names = checkNames(json.names, problems)
  let source: string | undefined
  if (json.source !== undefined) {
    source = nonEmptyString(json.source, 'source', problems)
  }

  if (problems.length > 0) {
    return failWithProblems('CALENDAR_INVALID', 'calendar', problems)
  }
  return ok(
    Object.freeze({
      id: id!,
      name: name!,
      utcOffsetMinutes: offset as number,
      periods: Object.freeze(periods!.map((p) => Object.freeze({ ...p }))),
      weekend: Object.freeze([...weekend!]),
      holidays: Object.freeze([...holidays]),
      workdays: Object.freeze([...workdays]),
      ...(years ? { years: Object.freeze([...years]) } : {}),
      ...(names ? { names: Object.freeze({ ...names }) } : {}),
      ...(source ? { source } : {}),
    }),
  )
}

/** True if the local date of `instant` is a working day: make-up days work, holidays rest, else the weekly pattern. */
export function isWorkingDay(cal: WorkCalendar, instant: Instant): boolean {
  const ix = indexOf(cal)
  return ix.working(localDay(ix, instant))
}

/** True if the local date 'YYYY-MM-DD' is a working day; false for text that is not a real date. */
export function isWorkingDate(cal: WorkCalendar, date: string): boolean {
  const days = parseIsoDate(date)
  return days !== undefined && indexOf(cal).working(days)
}

/** True if `instant` falls inside a working period [start, end) of a working day. */
export function isWorkingTime(cal: WorkCalendar, instant: Instant): boolean {
  const ix = indexOf(cal)
  const day = localDay(ix, instant)
  if (!ix.working(day)) {
    return false
  }
  const t = instant + ix.offsetMs - day * DAY
  return ix.periods.some((p) => t >= p.start && t < p.end)
}

/** Local date 'YYYY-MM-DD' of an instant in the calendar's offset. */
export function localDate(cal: WorkCalendar, instant: Instant): string {
  return formatIsoDate(localDay(indexOf(cal), instant))
}

/** The instant of local `date` at `minuteOfDay` (0..1440) in the calendar's offset; undefined for a bad date. */
export function atLocalTime(cal: WorkCalendar, date: string, minuteOfDay: number): Instant | undefined {
  const days = parseIsoDate(date)
  if (days === undefined) {
    return undefined
  }
  return days * DAY + minuteOfDay * MINUTE - cal.utcOffsetMinutes * MINUTE
}

/**
 * True if the calendar lists holidays for the local year of `instant` (or declares no `years` at all).
 * Deadlines in an uncovered year follow the weekly pattern only; callers should warn the city to import it.
 */
export function calendarCovers(cal: WorkCalendar, instant: Instant): boolean {
  if (!cal.years) {
    return true
  }
  return cal.years.includes(civilFromDays(localDay(indexOf(cal), instant)).year)
}

/**
 * The deadline `limit` after `from`:
 * - `clock-hours` (紧急工作时): wall-clock hours, 24×7, holidays included.
 * - `work-hours` (工作时): working time only — inside the periods of working days; the lunch break, nights,
 *   weekends and holidays are skipped, make-up working days count. From outside working time the clock
 *   starts at the next period start. A limit that runs out exactly at a period end is due at that end
 *   (12:00, not 13:30).
 * - `work-days` (工作日): the close of business (end of the last period) of the Nth working day after the
 *   local date of `from`. The day of `from` never counts, whatever the time of day — as 《民法典》第二百零一条
 *   counts periods in days ("开始的当日不计入，自下一日开始计算") and as 12345 / 城管 rules read "N个工作日内办结".
 *   So 1 work-day from Monday 10:00 (or Monday 20:00, or Sunday) is Tuesday (Monday) 17:30. Fractional
 *   amounts are rounded up (the catalog refuses them).
 * An amount of 0 (or less) is due at `from`.
 */
export function addLimit(cal: WorkCalendar, from: Instant, limit: TimeLimit): Instant {
  if (!(limit.amount > 0)) {
    return from
  }
  switch (limit.unit) {
    case 'clock-hours':
      return from + Math.round(limit.amount * HOUR)
    case 'work-hours':
      return addWorkingMs(cal, from, Math.round(limit.amount * HOUR))
    case 'work-days':
      return addWorkDays(cal, from, Math.ceil(limit.amount))
  }
}

/**
 * The instant at which `ms` of working time will have elapsed after `from` (negative `ms`: before `from`).
 * A positive amount that ends exactly at a period end gives that end; a negative one that ends exactly at
 * a period start gives that start. 0 gives `from`. With workingMsBetween it pauses a clock: the working
 * time left at suspension is added again from the moment of resumption.
 */
export function addWorkingMs(cal: WorkCalendar, from: Instant, ms: number): Instant {
  const ix = indexOf(cal)
  let remaining = Math.round(ms)
  if (remaining === 0) {
    return from
  }
  // the day walk below only ends for finite values; NaN and ±Infinity propagate instead of hanging
  if (!Number.isFinite(remaining) || !Number.isFinite(from)) {
    return from + remaining
  }
  let day = localDay(ix, from)
  let t = from + ix.offsetMs - day * DAY
  if (remaining > 0) {
    for (;;) {
      if (ix.working(day)) {
        if (t === 0 && remaining > ix.dayTotal) {
          remaining -= ix.dayTotal
        } else {
          for (const p of ix.periods) {
            if (t >= p.end) {
              continue
            }
            const begin = Math.max(t, p.start)
            if (remaining <= p.end - begin) {
              return toInstant(ix, day, begin + remaining)
            }
            remaining -= p.end - begin
          }
        }
      }
      day += 1
      t = 0
    }
  }
  remaining = -remaining
  for (;;) {
    if (ix.working(day)) {
      if (t === DAY && remaining > ix.dayTotal) {
        remaining -= ix.dayTotal
      } else {
        for (let i = ix.periods.length - 1; i >= 0; i--) {
          const p = ix.periods[i]
          if (t <= p.start) {
            continue
          }
          const end = Math.min(t, p.end)
          if (remaining <= end - p.start) {
            return toInstant(ix, day, end - remaining)
          }
          remaining -= end - p.start
        }
      }
    }
    day -= 1
    t = DAY
  }
}

/**
 * Working milliseconds between two instants: the time inside working periods of working days.
 * Antisymmetric: `workingMsBetween(cal, b, a) === -workingMsBetween(cal, a, b)`.
 * For ms ≥ 0, `workingMsBetween(cal, from, addWorkingMs(cal, from, ms)) === ms`.
 */
export function workingMsBetween(cal: WorkCalendar, from: Instant, to: Instant): number {
  if (!Number.isFinite(from) || !Number.isFinite(to)) {
    return to - from
  }
  if (to < from) {
    return -workingMsBetween(cal, to, from)
  }
  const ix = indexOf(cal)
  const first = localDay(ix, from)
  const last = localDay(ix, to)
  let sum = 0
  for (let day = first; day <= last; day++) {
    if (!ix.working(day)) {
      continue
    }
    const lo = day === first ? from + ix.offsetMs - day * DAY : 0
    const hi = day === last ? to + ix.offsetMs - day * DAY : DAY
    if (lo === 0 && hi === DAY) {
      sum += ix.dayTotal
      continue
    }
    for (const p of ix.periods) {
      sum += Math.max(0, Math.min(hi, p.end) - Math.max(lo, p.start))
    }
  }
  return sum
}

const KNOWN_KEYS = [
  'id',
  'name',
  'utcOffsetMinutes',
  'periods',
  'weekend',
  'holidays',
  'workdays',
  'years',
  'names',
  'source',
]
const WEEKDAY_NAMES = ['', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday']

/** Derived lookups, built once per calendar object; the calendar itself stays plain data. */
interface CalendarIndex {
  readonly offsetMs: number
  /** periods in ms after local midnight */
  readonly periods: readonly WorkPeriod[]
  /** working ms in one working day */
  readonly dayTotal: number
  readonly working: (day: number) => boolean
}

const INDEXES = new WeakMap<WorkCalendar, CalendarIndex>()

function indexOf(cal: WorkCalendar): CalendarIndex {
  let ix = INDEXES.get(cal)
  if (ix) {
    return ix
  }
  const holidays = new Set(cal.holidays.map(parseIsoDate))
  const workdays = new Set(cal.workdays.map(parseIsoDate))
  const rest = new Set(cal.weekend)
  const periods = cal.periods.map((p) => ({ start: p.start * MINUTE, end: p.end * MINUTE }))
  ix = {
    offsetMs: cal.utcOffsetMinutes * MINUTE,
    periods,
    dayTotal: periods.reduce((s, p) => s + p.end - p.start, 0),
    working: (day) => workdays.has(day) || (!holidays.has(day) && !rest.has(isoWeekday(day))),
  }
  INDEXES.set(cal, ix)
  return ix
}

function localDay(ix: CalendarIndex, instant: Instant): number {
  return Math.floor((instant + ix.offsetMs) / DAY)
}

function toInstant(ix: CalendarIndex, day: number, msOfDay: number): Instant {
  return day * DAY + msOfDay - ix.offsetMs
}

function addWorkDays(cal: WorkCalendar, from: Instant, n: number): Instant {
  if (!Number.isFinite(from) || !Number.isFinite(n)) {
    return from + n * DAY
  }
  const ix = indexOf(cal)
  let day = localDay(ix, from)
  for (let counted = 0; counted < n;) {
    day += 1
    if (ix.working(day)) {
      counted += 1
    }
  }
  return toInstant(ix, day, ix.periods[ix.periods.length - 1].end)
}

function nonEmptyString(value: unknown, field: string, problems: ValidationProblem[]): string | undefined {
  if (typeof value === 'string' && value.trim() !== '') {
    return value
  }
  problems.push({ field, message: 'must be a non-empty string' })
  return undefined
}

function checkPeriods(value: unknown, problems: ValidationProblem[]): WorkPeriod[] | undefined {
  if (!Array.isArray(value) || value.length === 0) {
    problems.push({
      field: 'periods',
      message: 'must be a non-empty array of { start, end } in minutes after midnight',
    })
    return undefined
  }
  const before = problems.length
  const periods: WorkPeriod[] = []
  value.forEach((p: unknown, i) => {
    const field = `periods[${i}]`
    if (!isRecord(p)) {
      problems.push({ field, message: 'must be an object { start, end }' })
      return
    }
    checkKnownKeys(p, ['start', 'end'], field, problems)
    const { start, end } = p
    const minute = (v: unknown): v is number =>
      typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 1440
    if (!minute(start)) {
      problems.push({ field: `${field}.start`, message: 'must be a whole minute in 0..1440' })
    }
    if (!minute(end)) {
      problems.push({ field: `${field}.end`, message: 'must be a whole minute in 0..1440' })
    }
    if (!minute(start) || !minute(end)) {
      return
    }
    if (start >= end) {
      problems.push({ field, message: `start ${hhmm(start)} must be before end ${hhmm(end)}` })
    }
    const prev = periods[periods.length - 1]
    if (prev && start < prev.end) {
      problems.push({
        field,
        message: `starts at ${hhmm(start)}, before the previous period ends (${hhmm(prev.end)}): periods must be in order and not overlap`,
      })
    }
    periods.push({ start, end })
  })
  return problems.length === before ? periods : undefined
}

function checkWeekend(value: unknown, problems: ValidationProblem[]): number[] | undefined {
  if (!Array.isArray(value)) {
    problems.push({
      field: 'weekend',
      message: 'must be an array of ISO weekdays (6 = Saturday, 7 = Sunday)',
    })
    return undefined
  }
  const seen = new Set<number>()
  value.forEach((d: unknown, i) => {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 1 || d > 7) {
      problems.push({
        field: `weekend[${i}]`,
        message: `must be an ISO weekday 1..7 (got ${JSON.stringify(d)})`,
      })
    } else if (seen.has(d)) {
      problems.push({ field: `weekend[${i}]`, message: `${WEEKDAY_NAMES[d]} is listed twice` })
    } else {
      seen.add(d)
    }
  })
  if (seen.size === 7) {
    problems.push({ field: 'weekend', message: 'cannot make every weekday a rest day' })
  }
  // the valid entries still let the make-up-day check run, so one pass reports everything
  return [...seen]
}

function checkYears(value: unknown, problems: ValidationProblem[]): number[] | undefined {
  if (value === undefined) {
    return undefined
  }
  if (!Array.isArray(value) || value.length === 0) {
    problems.push({ field: 'years', message: 'must be a non-empty array of years, e.g. [2025, 2026]' })
    return undefined
  }
  const years: number[] = []
  value.forEach((y: unknown, i) => {
    if (typeof y !== 'number' || !Number.isInteger(y) || y < 1970 || y > 9999) {
      problems.push({ field: `years[${i}]`, message: `must be a year 1970..9999 (got ${JSON.stringify(y)})` })
    } else if (years.includes(y)) {
      problems.push({ field: `years[${i}]`, message: `${y} is listed twice` })
    } else {
      years.push(y)
    }
  })
  return years
}

/** Valid, unique dates of a date list (invalid ones reported and dropped so later checks still run). */
function checkDates(
  value: unknown,
  field: string,
  years: number[] | undefined,
  problems: ValidationProblem[],
): string[] {
  if (!Array.isArray(value)) {
    problems.push({ field, message: "must be an array of dates 'YYYY-MM-DD' (may be empty)" })
    return []
  }
  const dates: string[] = []
  value.forEach((d: unknown, i) => {
    const days = typeof d === 'string' ? parseIsoDate(d) : undefined
    if (typeof d !== 'string' || days === undefined) {
      problems.push({
        field: `${field}[${i}]`,
        message: `${JSON.stringify(d)} is not a real date 'YYYY-MM-DD'`,
      })
    } else if (dates.includes(d)) {
      problems.push({ field: `${field}[${i}]`, message: `${d} is listed twice` })
    } else {
      if (years && !years.includes(civilFromDays(days).year)) {
        problems.push({
          field: `${field}[${i}]`,
          message: `${d} is outside the calendar's years (${years.join(', ')})`,
        })
      }
      dates.push(d)
    }
  })
  return dates
}

function checkNames(value: unknown, problems: ValidationProblem[]): Record<string, string> | undefined {
  if (value === undefined) {
    return undefined
  }
  if (!isRecord(value)) {
    problems.push({ field: 'names', message: "must be an object { 'YYYY-MM-DD': name }" })
    return undefined
  }
  const names: Record<string, string> = {}
  for (const [date, label] of Object.entries(value)) {
    if (parseIsoDate(date) === undefined) {
      problems.push({ field: `names.${date}`, message: `${date} is not a real date 'YYYY-MM-DD'` })
    }
    if (typeof label !== 'string' || label.trim() === '') {
      problems.push({ field: `names.${date}`, message: 'must be a non-empty string' })
    } else {
      names[date] = label
    }
  }
  return names
}

function hhmm(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`
}
