import { describe, expect, it } from 'vitest'
import { isWorkingDate } from './calendar.ts'
import { calendarFromCsv } from './calendar-import.ts'
import type { CalendarBase } from './calendar-import.ts'
import type { ValidationProblem } from './validation-problem.ts'

const base: CalendarBase = {
  id: 'test-city',
  name: 'Test city',
  utcOffsetMinutes: 480,
  periods: [
    { start: 540, end: 720 },
    { start: 810, end: 1050 },
  ],
  weekend: [6, 7],
  holidays: ['2025-01-01'],
}

describe('calendarFromCsv', () => {
  it('builds a calendar from date,type,name rows, keeping the base dates', () => {
    const result = calendarFromCsv(
      [
        ['date', 'type', 'name'],
        ['2026-01-01', 'holiday', '元旦'],
        ['2026-01-02', '休', '元旦'],
        ['', '', ''],
        ['# make-up day'],
        ['2026-01-04', '班', '元旦调休'],
      ],
      base,
    )
    expect(result.ok).toBe(true)
    if (!result.ok) {
      return
    }
    const cal = result.value
    expect(cal.holidays).toEqual(['2025-01-01', '2026-01-01', '2026-01-02'])
    expect(cal.workdays).toEqual(['2026-01-04'])
    expect(cal.years).toEqual([2025, 2026])
    expect(cal.names?.['2026-01-04']).toBe('元旦调休')
    expect(isWorkingDate(cal, '2026-01-04')).toBe(true)
    expect(isWorkingDate(cal, '2026-01-02')).toBe(false)
  })

  it('lets a row replace the base entry for the same date', () => {
    const result = calendarFromCsv([['2025-01-01', 'holiday', 'New name']], base)
    expect(result.ok && result.value.holidays).toEqual(['2025-01-01'])
    expect(result.ok && result.value.names?.['2025-01-01']).toBe('New name')
  })

  it('lists every bad row and every calendar problem at once', () => {
    const result = calendarFromCsv(
      [
        ['2026-02-30', 'holiday'],
        ['2026-02-16', 'vacation'],
        ['2026-02-17', 'holiday'],
        ['2026-02-17', 'workday'],
        ['2026-02-18', 'workday'], // a Wednesday: not a make-up day
      ],
      base,
    )
    expect(result.ok).toBe(false)
    if (result.ok) {
      return
    }
    const problems = result.error.details as ValidationProblem[]
    expect(problems.map((p) => p.field)).toEqual(
      expect.arrayContaining(['rows[1]', 'rows[2]', 'rows[4]', 'workdays[0]']),
    )
  })
})
