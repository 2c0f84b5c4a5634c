import type { Case } from './case.types.ts'

const memo = new WeakMap<Case, string>()

/**
 * A case as JSON, computed once per case value. Cases are immutable (every action returns a new
 * one), so the document the store writes and the body the API answers with are the same string:
 * intake serialises each new case once, not twice.
 */
export function caseJson(c: Case): string {
  let json = memo.get(c)
  if (json === undefined) {
    json = JSON.stringify(c)
    memo.set(c, json)
  }
  return json
}
