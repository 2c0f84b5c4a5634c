import { fail } from '../errors.ts'
import type { ErrorCode, Result } from '../errors.ts'

/** One thing wrong with an input document, located by a JSON-path-like field, e.g. `classes[3].limits.handle.unit`. */
export interface ValidationProblem {
  readonly field: string
  readonly message: string
}

/**
 * Fail with every problem at once, so whoever edits a data file fixes it in one pass instead of one error per run.
 * The message lists them all; `field` is the first; `details` is the full array.
 */
export function failWithProblems<T>(
  code: ErrorCode,
  what: string,
  problems: readonly ValidationProblem[],
): Result<T> {
  const lines = problems.map((p) => `${p.field}: ${p.message}`)
  const noun = problems.length === 1 ? 'problem' : 'problems'
  return fail(
    code,
    `${what} has ${problems.length} ${noun}: ${lines.join('; ')}`,
    problems[0]?.field,
    problems,
  )
}

/** True for a plain JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Report keys that the schema does not know; keys starting with `$` (e.g. `$schema`) or `_` (comments) are allowed. */
export function checkKnownKeys(
  value: Record<string, unknown>,
  known: readonly string[],
  field: string,
  problems: ValidationProblem[],
): void {
  for (const key of Object.keys(value)) {
    if (key.startsWith('$') || key.startsWith('_') || known.includes(key)) {
      continue
    }
    problems.push({
      field: field ? `${field}.${key}` : key,
      message: `unknown field (expected one of: ${known.join(', ')})`,
    })
  }
}
