import { describe, expect, it } from 'vitest'
import { HOUR, MINUTE } from '../time.ts'
import { STAGES } from './case.types.ts'
import { addLimit, addWorkingMs, buildCase, T0, utc, workingMsBetween } from './case.fixtures.ts'

// The lifecycle tests lean on this calendar for every working-time figure, so it is tested too.
describe('test calendar (09:00–17:00 UTC, Monday to Friday)', () => {
  const fri = (h: number, m = 0) => utc(2024, 3, 8, h, m)
  const mon = (h: number, m = 0) => utc(2024, 3, 11, h, m)

  it('builds instants without Date', () => {
    expect(utc(1970, 1, 1)).toBe(0)
    expect(T0).toBe(1_709_546_400_000) // 2024-03-04T10:00:00Z, a Monday
    expect(utc(2024, 2, 29, 23, 59)).toBe(utc(2024, 3, 1) - MINUTE)
  })

  it('counts only working time between two instants', () => {
    expect(workingMsBetween(fri(16), mon(10))).toBe(2 * HOUR)
    expect(workingMsBetween(fri(18), mon(8))).toBe(0)
    expect(workingMsBetween(mon(8), mon(18))).toBe(8 * HOUR)
    expect(workingMsBetween(mon(10), mon(9))).toBe(0)
  })

  it('adds working time across nights and weekends', () => {
    expect(addWorkingMs(fri(16), 2 * HOUR)).toBe(mon(10))
    expect(addWorkingMs(fri(16), HOUR)).toBe(fri(17))
    expect(addWorkingMs(fri(20), 30 * MINUTE)).toBe(mon(9, 30))
  })

  it('adds limits in each unit', () => {
    expect(addLimit(fri(16), { amount: 3, unit: 'clock-hours' })).toBe(fri(19))
    expect(addLimit(fri(16), { amount: 3, unit: 'work-hours' })).toBe(mon(11))
    expect(addLimit(fri(16), { amount: 1, unit: 'work-days' })).toBe(mon(16))
  })
})

describe('buildCase', () => {
  it.each(STAGES)('reaches %s through the real lifecycle', (stage) => {
    const c = buildCase({ stage })
    expect(c.stage).toBe(stage)
    expect(c.version).toBeGreaterThan(stage === 'reported' ? 0 : 1)
  })

  it('lays overrides over the stage it reached', () => {
    const c = buildCase({ stage: 'dispatched', id: 'case-9', priority: 'urgent' })
    expect(c).toMatchObject({
      id: 'case-9',
      priority: 'urgent',
      stage: 'dispatched',
      unitId: 'unit-street-1',
    })
  })
})
