import type {
  DutyNames,
  DutyResolution,
  DutyRuleSet,
  PastCase,
  ReplayChange,
  ReplayResult,
} from './duty.types.ts'
import { resolveDuty } from './resolve.ts'

/**
 * Replay past cases under a proposed responsibility list and list those whose responsible unit would change
 * (current list's unit → proposed list's unit), with the rule that decided before and after. The summary also
 * counts how often each list agrees with the unit that actually handled the case, so a reviewer sees whether
 * the proposal moves the list towards practice. Without a fallback, a case no rule covers has owner 'none'.
 */
export function replayDuty(
  current: DutyRuleSet,
  proposed: DutyRuleSet,
  pastCases: readonly PastCase[],
  fallback: (streetCode: string) => string | undefined = () => undefined,
  names?: DutyNames,
): ReplayResult {
  const changed: ReplayChange[] = []
  let matchedActualBefore = 0
  let matchedActualAfter = 0
  for (const c of pastCases) {
    const before = outcome(resolveDuty(current, c.query, fallback, names))
    const after = outcome(resolveDuty(proposed, c.query, fallback, names))
    if (before.unit === c.actualUnitId) {
      matchedActualBefore++
    }
    if (after.unit === c.actualUnitId) {
      matchedActualAfter++
    }
    if (before.unit === after.unit) {
      continue
    }
    changed.push({
      caseId: c.caseId,
      from: before.unit,
      to: after.unit,
      actualUnitId: c.actualUnitId,
      fromRuleId: before.ruleId,
      toRuleId: after.ruleId,
      why: `现行清单：${before.explanation}。拟议清单：${after.explanation}`,
    })
  }
  return {
    changed,
    summary: { cases: pastCases.length, changed: changed.length, matchedActualBefore, matchedActualAfter },
  }
}

function outcome(r: ReturnType<typeof resolveDuty>): { unit: string; ruleId: string; explanation: string } {
  if (r.ok) {
    return pick(r.value)
  }
  return { unit: 'none', ruleId: 'none', explanation: r.error.message }
}

function pick(v: DutyResolution): { unit: string; ruleId: string; explanation: string } {
  return { unit: v.responsibleUnitId, ruleId: v.ruleId, explanation: v.explanation }
}
