import type { TimeLimit, TimeUnit } from './calendar.types.ts'
import { isRecord } from './validation-problem.ts'
import type { ValidationProblem } from './validation-problem.ts'

/** Every TimeUnit, in the order people read them: 紧急工作时, 工作时, 工作日. */
export const TIME_UNITS: readonly TimeUnit[] = ['clock-hours', 'work-hours', 'work-days']

/**
 * Check that `value` is a TimeLimit: a known unit and a positive finite amount; work-days must be whole
 * days because a deadline "N working days later" has no meaning for a fraction of a day.
 * Appends every problem found and returns the limit when there were none.
 */
export function checkTimeLimit(
  value: unknown,
  field: string,
  problems: ValidationProblem[],
): TimeLimit | undefined {
  if (!isRecord(value)) {
    problems.push({ field, message: 'must be an object { amount, unit }' })
    return undefined
  }
  const before = problems.length
  const { amount, unit } = value
  if (typeof unit !== 'string' || !(TIME_UNITS as readonly string[]).includes(unit)) {
    problems.push({
      field: `${field}.unit`,
      message: `must be one of ${TIME_UNITS.join(', ')} (got ${JSON.stringify(unit)})`,
    })
  }
  if (typeof amount !== 'number' || !Number.isFinite(amount) || amount <= 0) {
    problems.push({
      field: `${field}.amount`,
      message: `must be a positive number (got ${JSON.stringify(amount)})`,
    })
  } else if (unit === 'work-days' && !Number.isInteger(amount)) {
    problems.push({ field: `${field}.amount`, message: `work-days must be a whole number (got ${amount})` })
  }
  for (const key of Object.keys(value)) {
    if (key !== 'amount' && key !== 'unit') {
      problems.push({ field: `${field}.${key}`, message: 'unknown field (expected amount, unit)' })
    }
  }
  return problems.length === before ? { amount: amount as number, unit: unit as TimeUnit } : undefined
}
