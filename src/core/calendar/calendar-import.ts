import type { Result } from '../errors.ts'
import { parseCalendar } from './calendar.ts'
import type { WorkCalendar } from './calendar.types.ts'
import { parseIsoDate } from './civil-date.ts'
import { failWithProblems } from './validation-problem.ts'
import type { ValidationProblem } from './validation-problem.ts'

/**
 * What a CSV of dates does not say: identity, offset, periods, weekly rest days — and, optionally,
 * dates already known (e.g. the current calendar), which rows for the same date replace.
 */
export interface CalendarBase {
  readonly id: string
  readonly name: string
  readonly utcOffsetMinutes: number
  readonly periods: WorkCalendar['periods']
  readonly weekend: readonly number[]
  readonly holidays?: readonly string[]
  readonly workdays?: readonly string[]
  readonly names?: Readonly<Record<string, string>>
  /** if absent: the base's own years (if any) plus every year that appears in the rows */
  readonly years?: readonly number[]
  readonly source?: string
}

const HOLIDAY_WORDS = ['holiday', 'rest', '休', '假', '放假']
const WORKDAY_WORDS = ['workday', 'work', '班', '上班', '调休上班']

/**
 * Build a WorkCalendar from CSV rows `date,type,name` (already split into cells, e.g. by csv-parse) and
 * base settings. `type` is `holiday` or `workday` (also 休/假/放假 and 班/上班/调休上班, as printed in the
 * State Council notice); `name` is optional. A header row starting with `date`, blank rows and rows whose
 * first cell starts with `#` are skipped. Rows replace the base's entry for the same date, so importing
 * next year's notice onto the current calendar keeps the earlier years.
 * The result is checked by parseCalendar, and every problem — per row (`rows[N]`, 1-based line numbers)
 * and of the calendar as a whole — is listed in one CALENDAR_INVALID failure.
 * Used by the CLI `onegrid calendar import FILE`.
 */
export function calendarFromCsv(
  rows: readonly (readonly string[])[],
  base: CalendarBase,
): Result<WorkCalendar> {
  const problems: ValidationProblem[] = []
  const entries = new Map<string, { type: 'holiday' | 'workday'; name?: string }>()
  rows.forEach((row, i) => {
    const field = `rows[${i + 1}]`
    const [rawDate = '', rawType = '', rawName = ''] = row.map((cell) => cell.trim())
    if (row.every((cell) => cell.trim() === '') || rawDate.startsWith('#')) {
      return
    }
    if (i === 0 && rawDate.toLowerCase() === 'date') {
      return
    }
    const type = HOLIDAY_WORDS.includes(rawType.toLowerCase())
      ? 'holiday'
      : WORKDAY_WORDS.includes(rawType.toLowerCase())
        ? 'workday'
        : undefined
    const validDate = parseIsoDate(rawDate) !== undefined
    if (!validDate) {
      problems.push({ field, message: `${JSON.stringify(rawDate)} is not a real date 'YYYY-MM-DD'` })
    }
    if (!type) {
      problems.push({ field, message: `type ${JSON.stringify(rawType)} must be holiday or workday` })
    }
    if (validDate && entries.has(rawDate)) {
      problems.push({ field, message: `${rawDate} appears on an earlier row` })
    }
    if (type && validDate && !entries.has(rawDate)) {
      entries.set(rawDate, { type, ...(rawName ? { name: rawName } : {}) })
    }
  })

  const imported = new Set(entries.keys())
  const keep = (dates: readonly string[] | undefined) => (dates ?? []).filter((d) => !imported.has(d))
  const holidays = [...keep(base.holidays)]
  const workdays = [...keep(base.workdays)]
  const names: Record<string, string> = {}
  for (const [date, label] of Object.entries(base.names ?? {})) {
    if (!imported.has(date)) {
      names[date] = label
    }
  }
  for (const [date, entry] of entries) {
    ;(entry.type === 'holiday' ? holidays : workdays).push(date)
    if (entry.name) {
      names[date] = entry.name
    }
  }
  holidays.sort()
  workdays.sort()

  const years =
    base.years ??
    [
      ...new Set(
        [...holidays, ...workdays].map((d) => Number(d.slice(0, 4))).filter((y) => Number.isInteger(y)),
      ),
    ].sort()
  const document = {
    id: base.id,
    name: base.name,
    utcOffsetMinutes: base.utcOffsetMinutes,
    periods: base.periods,
    weekend: base.weekend,
    holidays,
    workdays,
    ...(years.length > 0 ? { years } : {}),
    ...(Object.keys(names).length > 0 ? { names } : {}),
    ...(base.source ? { source: base.source } : {}),
  }
  const parsed = parseCalendar(document)
  if (parsed.ok && problems.length === 0) {
    return parsed
  }
  const all = [
    ...problems,
    ...(parsed.ok ? [] : ((parsed.error.details as ValidationProblem[] | undefined) ?? [])),
  ]
  return failWithProblems('CALENDAR_INVALID', 'calendar import', all)
}
