import { describe, expect, it } from 'vitest'
import beijingJson from '../../../data/calendars/cn-beijing.json' with { type: 'json' }
import { HOUR, MINUTE } from '../time.ts'
import type { Instant } from '../time.ts'
import {
  addLimit,
  addWorkingMs,
  atLocalTime,
  calendarCovers,
  isWorkingDate,
  isWorkingDay,
  isWorkingTime,
  localDate,
  parseCalendar,
  workingMsBetween,
} from './calendar.ts'
import type { WorkCalendar } from './calendar.types.ts'
import { civilFromDays, daysFromCivil, formatIsoDate, isoWeekday, parseIsoDate } from './civil-date.ts'
import type { ValidationProblem } from './validation-problem.ts'

const parsed = parseCalendar(beijingJson)
if (!parsed.ok) {
  throw new Error(parsed.error.message)
}
const cal: WorkCalendar = parsed.value

/** 'YYYY-MM-DD HH:MM' Beijing time → Instant */
function at(text: string): Instant {
  const [date, time] = text.split(' ') as [string, string]
  const [h, m] = time.split(':').map(Number) as [number, number]
  const instant = atLocalTime(cal, date, h * 60 + m)
  if (instant === undefined) {
    throw new Error(`bad date ${text}`)
  }
  return instant
}

/** Instant → 'YYYY-MM-DD HH:MM' Beijing time, so failures read like a clock */
function show(instant: Instant): string {
  const local = instant + 480 * MINUTE
  const minutes = Math.floor((((local % 86_400_000) + 86_400_000) % 86_400_000) / MINUTE)
  const hh = String(Math.floor(minutes / 60)).padStart(2, '0')
  const mm = String(minutes % 60).padStart(2, '0')
  return `${localDate(cal, instant)} ${hh}:${mm}`
}

const wh = (amount: number) => ({ amount, unit: 'work-hours' as const })
const wd = (amount: number) => ({ amount, unit: 'work-days' as const })
const ch = (amount: number) => ({ amount, unit: 'clock-hours' as const })

describe('civil dates without Date', () => {
  it('converts known dates and weekdays', () => {
    expect(daysFromCivil(1970, 1, 1)).toBe(0)
    expect(daysFromCivil(2000, 3, 1)).toBe(11017)
    expect(formatIsoDate(daysFromCivil(2025, 12, 31) + 1)).toBe('2026-01-01')
    expect(isoWeekday(parseIsoDate('2025-01-01')!)).toBe(3) // Wednesday
    expect(isoWeekday(parseIsoDate('2026-02-14')!)).toBe(6) // Saturday
  })

  it('round-trips every day from 1900 to 2100 and refuses dates that do not exist', () => {
    for (let d = daysFromCivil(1900, 1, 1); d <= daysFromCivil(2100, 12, 31); d++) {
      const { year, month, day } = civilFromDays(d)
      expect(daysFromCivil(year, month, day)).toBe(d)
    }
    expect(parseIsoDate('2024-02-29')).toBeDefined()
    for (const bad of ['2025-02-29', '1900-02-29', '2025-04-31', '2025-13-01', '2025-1-1', '20250101']) {
      expect(parseIsoDate(bad)).toBeUndefined()
    }
  })
})

describe('the Beijing calendar', () => {
  it('knows holidays, make-up working days and ordinary weekends', () => {
    expect(isWorkingDate(cal, '2025-01-28')).toBe(false) // 春节 Tuesday
    expect(isWorkingDate(cal, '2025-01-26')).toBe(true) // make-up Sunday
    expect(isWorkingDate(cal, '2025-02-08')).toBe(true) // make-up Saturday
    expect(isWorkingDate(cal, '2025-03-08')).toBe(false) // ordinary Saturday
    expect(isWorkingDate(cal, '2025-03-10')).toBe(true) // ordinary Monday
    expect(isWorkingDate(cal, '2026-02-23')).toBe(false) // last day of 2026 春节
    expect(isWorkingDay(cal, at('2025-10-08 10:00'))).toBe(false)
    expect(isWorkingDay(cal, at('2025-10-11 10:00'))).toBe(true)
  })

  it('uses Beijing local dates, not UTC ones', () => {
    // 2025-10-09 00:30 in Beijing is still 2025-10-08 in UTC (a holiday there)
    expect(isWorkingDay(cal, at('2025-10-09 00:30'))).toBe(true)
    expect(isWorkingDay(cal, at('2025-10-08 23:30'))).toBe(false)
  })

  it('counts working time only inside the periods', () => {
    expect(isWorkingTime(cal, at('2025-03-10 09:00'))).toBe(true)
    expect(isWorkingTime(cal, at('2025-03-10 12:30'))).toBe(false)
    expect(isWorkingTime(cal, at('2025-03-10 17:30'))).toBe(false)
    expect(isWorkingTime(cal, at('2025-03-08 10:00'))).toBe(false)
  })

  it('says which years it covers', () => {
    expect(calendarCovers(cal, at('2026-12-31 10:00'))).toBe(true)
    expect(calendarCovers(cal, at('2027-01-04 10:00'))).toBe(false)
  })
})

describe('addLimit in work-hours', () => {
  const due = (from: string, hours: number) => show(addLimit(cal, at(from), wh(hours)))

  it('skips the lunch break', () => {
    expect(due('2025-03-10 11:00', 2)).toBe('2025-03-10 14:30')
    expect(due('2025-03-10 12:30', 1)).toBe('2025-03-10 14:30')
  })

  it('is due at a period end when the time runs out exactly there', () => {
    expect(due('2025-03-10 11:00', 1)).toBe('2025-03-10 12:00')
    expect(due('2025-03-10 09:00', 7)).toBe('2025-03-10 17:30')
  })

  it('skips nights and starts counting at the next period from outside working hours', () => {
    expect(due('2025-03-10 17:00', 1)).toBe('2025-03-11 09:30')
    expect(due('2025-03-11 06:00', 1)).toBe('2025-03-11 10:00')
    expect(due('2025-03-10 22:00', 0.5)).toBe('2025-03-11 09:30')
  })

  it('skips weekends', () => {
    expect(due('2025-03-07 17:00', 1)).toBe('2025-03-10 09:30')
    expect(due('2025-03-08 11:00', 2)).toBe('2025-03-10 11:00')
  })

  it('skips a public holiday and works on the make-up Saturday', () => {
    // 国庆/中秋 2025: Oct 1–8 off, Saturday Oct 11 worked
    expect(due('2025-09-30 17:00', 2)).toBe('2025-10-09 10:30')
    expect(due('2025-10-10 17:00', 1)).toBe('2025-10-11 09:30')
    // 春节 2025: make-up Sunday Jan 26 before it, Saturday Feb 8 after it
    expect(due('2025-01-25 10:00', 1)).toBe('2025-01-26 10:00')
    expect(due('2025-01-27 17:00', 1)).toBe('2025-02-05 09:30')
  })

  it('crosses the year end into the 2026 元旦 holiday and its make-up Sunday', () => {
    expect(due('2025-12-31 17:00', 1)).toBe('2026-01-04 09:30')
  })

  it('adds many days of working time', () => {
    // 35 working hours = 5 working days of 7 hours
    expect(due('2025-03-10 09:00', 35)).toBe('2025-03-14 17:30')
  })
})

describe('addLimit in clock-hours and work-days', () => {
  it('adds wall-clock hours through nights and holidays', () => {
    expect(show(addLimit(cal, at('2025-10-01 10:00'), ch(2)))).toBe('2025-10-01 12:00')
    expect(show(addLimit(cal, at('2025-12-31 23:00'), ch(2)))).toBe('2026-01-01 01:00')
  })

  it('is due at the close of the Nth working day, not counting the day it starts', () => {
    const due = (from: string, days: number) => show(addLimit(cal, at(from), wd(days)))
    // from inside working hours
    expect(due('2025-03-10 10:00', 3)).toBe('2025-03-13 17:30')
    // from outside working hours on the same day: the same deadline
    expect(due('2025-03-10 20:00', 3)).toBe('2025-03-13 17:30')
    expect(due('2025-03-10 07:00', 3)).toBe('2025-03-13 17:30')
    // from a weekend: Monday is the first working day
    expect(due('2025-03-08 10:00', 1)).toBe('2025-03-10 17:30')
    expect(due('2025-03-07 16:00', 1)).toBe('2025-03-10 17:30')
  })

  it('counts make-up days and skips holidays in work-days', () => {
    const due = (from: string, days: number) => show(addLimit(cal, at(from), wd(days)))
    expect(due('2025-01-24 10:00', 2)).toBe('2025-01-27 17:30') // Sun 26 (make-up), Mon 27
    expect(due('2025-01-27 10:00', 1)).toBe('2025-02-05 17:30') // over 春节
    expect(due('2025-09-30 10:00', 2)).toBe('2025-10-10 17:30') // over 国庆
    expect(due('2025-12-30 10:00', 2)).toBe('2026-01-04 17:30') // over the year end
  })

  it('treats a zero limit as due immediately', () => {
    const from = at('2025-03-08 03:00')
    expect(addLimit(cal, from, wh(0))).toBe(from)
    expect(addLimit(cal, from, wd(0))).toBe(from)
  })
})

describe('working milliseconds', () => {
  it('measures working time between two instants', () => {
    expect(workingMsBetween(cal, at('2025-03-10 09:00'), at('2025-03-11 09:00'))).toBe(7 * HOUR)
    expect(workingMsBetween(cal, at('2025-03-07 12:00'), at('2025-03-10 10:00'))).toBe(5 * HOUR)
    expect(workingMsBetween(cal, at('2025-03-10 12:05'), at('2025-03-10 13:25'))).toBe(0)
    expect(workingMsBetween(cal, at('2025-09-30 17:00'), at('2025-10-09 09:30'))).toBe(HOUR)
    expect(workingMsBetween(cal, at('2025-03-11 09:00'), at('2025-03-10 09:00'))).toBe(-7 * HOUR)
  })

  it('goes backwards with a negative amount', () => {
    expect(show(addWorkingMs(cal, at('2025-03-10 09:30'), -HOUR))).toBe('2025-03-07 17:00')
    expect(show(addWorkingMs(cal, at('2025-03-10 14:30'), -HOUR))).toBe('2025-03-10 13:30')
  })

  it('propagates non-finite values instead of hanging', () => {
    const from = at('2025-03-10 10:00')
    expect(addWorkingMs(cal, from, Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY)
    expect(addWorkingMs(cal, from, Number.NaN)).toBeNaN()
    expect(addLimit(cal, from, wd(Number.POSITIVE_INFINITY))).toBe(Number.POSITIVE_INFINITY)
    expect(workingMsBetween(cal, from, Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY)
  })

  it('round-trips addWorkingMs and workingMsBetween', () => {
    let seed = 12345
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
    const start = at('2024-12-20 00:00')
    for (let i = 0; i < 500; i++) {
      const from = start + Math.floor(next() * 700) * 24 * HOUR + Math.floor(next() * 24 * 60) * MINUTE
      const ms = Math.floor(next() * 200 * HOUR) * (i % 2 === 0 ? 1 : -1)
      const to = addWorkingMs(cal, from, ms)
      expect(workingMsBetween(cal, from, to)).toBe(ms)
    }
  })

  it('pauses a clock across a suspension', () => {
    const deadline = addLimit(cal, at('2025-09-26 10:00'), wd(2)) // make-up Sun Sep 28, then Mon Sep 29 17:30
    expect(show(deadline)).toBe('2025-09-29 17:30')
    const left = workingMsBetween(cal, at('2025-09-29 16:00'), deadline) // suspended with 1.5 h left
    expect(left).toBe(1.5 * HOUR)
    expect(show(addWorkingMs(cal, at('2025-10-13 09:00'), left))).toBe('2025-10-13 10:30')
  })
})

describe('parseCalendar', () => {
  it('refuses an invalid calendar listing every problem', () => {
    const result = parseCalendar({
      name: 'broken',
      utcOffsetMinutes: 480.5,
      periods: [
        { start: 540, end: 720 },
        { start: 700, end: 1050 },
        { start: 1100, end: 1500 },
      ],
      weekend: [6, 8],
      holidays: ['2025-02-30', '2025-10-01', '2025-10-01'],
      workdays: ['2025-10-01', '2025-10-09'],
      typo: true,
    })
    expect(result.ok).toBe(false)
    if (result.ok) {
      return
    }
    expect(result.error.code).toBe('CALENDAR_INVALID')
    const problems = result.error.details as ValidationProblem[]
    const fields = problems.map((p) => p.field)
    expect(fields).toEqual(
      expect.arrayContaining([
        'id',
        'utcOffsetMinutes',
        'periods[1]',
        'periods[2].end',
        'weekend[1]',
        'holidays[0]',
        'holidays[2]',
        'workdays[0]',
        'workdays[1]',
        'typo',
      ]),
    )
    expect(problems.find((p) => p.field === 'workdays[0]')?.message).toContain('both as a holiday')
    expect(problems.find((p) => p.field === 'workdays[1]')?.message).toContain('already a working day')
    expect(result.error.message).toContain(`${problems.length} problems`)
  })

  it('refuses dates outside the declared years and a week without working days', () => {
    const result = parseCalendar({ ...beijingJson, weekend: [1, 2, 3, 4, 5, 6, 7], holidays: ['2027-01-01'] })
    expect(result.ok).toBe(false)
    if (result.ok) {
      return
    }
    const messages = (result.error.details as ValidationProblem[]).map((p) => `${p.field}: ${p.message}`)
    expect(messages.some((m) => m.startsWith('weekend: cannot'))).toBe(true)
    expect(messages.some((m) => m.includes('2027-01-01 is outside'))).toBe(true)
  })

  it('refuses something that is not an object', () => {
    expect(parseCalendar([]).ok).toBe(false)
    expect(parseCalendar(null).ok).toBe(false)
  })
})
