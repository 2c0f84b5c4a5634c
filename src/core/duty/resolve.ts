import { fail, ok } from '../errors.ts'
import type { Result } from '../errors.ts'
import type {
  DutyCandidate,
  DutyNames,
  DutyQuery,
  DutyReason,
  DutyResolution,
  DutyRuleSet,
} from './duty.types.ts'
import {
  beatMessage,
  comparePrecedence,
  describeMatch,
  describeScope,
  matchRules,
  streetOf,
} from './rule-match.ts'

/** How many losing rules the one-line explanation names; all of them are in `candidates`. */
const EXPLAINED_LOSERS = 3

/**
 * Decide who owns a case: the most specific matching rule wins — exact minor class over major prefix over '*',
 * then the finer region (grid > community > street > district > city), then more conditions met, then higher
 * explicit priority; a rule equal in all of these to another wins by the lower id and the resolution is flagged
 * as an overlap. No matching rule → territorial fallback (属地兜底): `fallback(streetCode)` names the street's
 * office; without a known street (or office) it fails with DUTY_NO_OWNER.
 */
export function resolveDuty(
  ruleSet: DutyRuleSet,
  query: DutyQuery,
  fallback: (streetCode: string) => string | undefined,
  names?: DutyNames,
): Result<DutyResolution> {
  const matches = matchRules(ruleSet, query)
  if (matches.length === 0) {
    return resolveByFallback(query, fallback, names)
  }

  matches.sort((a, b) => comparePrecedence(a, b).order)
  const winner = matches[0]
  const reasons: DutyReason[] = []
  let overlap = false
  const candidates: DutyCandidate[] = matches.map((m, i) => {
    const base = {
      ruleId: m.rule.id,
      rank: i + 1,
      classMatch: m.classMatch,
      classPattern: m.classPattern,
      scope: m.rule.scope,
      scopeLevel: m.scopeLevel,
      conditionsMatched: m.conditionKeys,
      priority: m.priority,
      responsibleUnitId: m.rule.responsibleUnitId,
    }
    if (i === 0) {
      return base
    }
    const { criterion } = comparePrecedence(winner, m)
    const message = beatMessage(winner, m, criterion, names)
    if (criterion === 'id') {
      overlap = true
    }
    reasons.push({
      code: criterion === 'id' ? 'overlap' : 'beats',
      ruleId: winner.rule.id,
      otherRuleId: m.rule.id,
      criterion,
      message,
    })
    return { ...base, lostBecause: { criterion, message } }
  })

  const rule = winner.rule
  const head =
    matches.length === 1
      ? `由${describeMatch(winner, names)}确定，责任单位 ${rule.responsibleUnitId}`
      : `${describeMatch(winner, names)}胜出，责任单位 ${rule.responsibleUnitId}`
  reasons.unshift({ code: matches.length === 1 ? 'only-rule' : 'rule-won', ruleId: rule.id, message: head })
  const losers = reasons.slice(1, 1 + EXPLAINED_LOSERS).map((r) => r.message)
  const more = matches.length - 1 - losers.length
  const explanation = [head, ...losers, ...(more > 0 ? [`另有 ${more} 条规则排名更低`] : [])].join('；')

  return ok({
    responsibleUnitId: rule.responsibleUnitId,
    ...(rule.authorityUnitId !== undefined ? { authorityUnitId: rule.authorityUnitId } : {}),
    cooperatingUnitIds: rule.cooperatingUnitIds ?? [],
    ruleId: rule.id,
    ...(rule.legalBasis !== undefined ? { legalBasis: rule.legalBasis } : {}),
    explanation,
    reasons,
    overlap,
    candidates,
  })
}

function resolveByFallback(
  query: DutyQuery,
  fallback: (streetCode: string) => string | undefined,
  names?: DutyNames,
): Result<DutyResolution> {
  const street = streetOf(query.regionCodes)
  if (!street) {
    return fail(
      'DUTY_NO_OWNER',
      `没有规则覆盖小类 ${query.classId}，且案件位置不含街道，无法属地兜底；请补全位置或在责任清单中增加规则`,
      'regionCodes.street',
      { classId: query.classId },
    )
  }
  const unit = fallback(street)
  if (unit === undefined) {
    return fail(
      'DUTY_NO_OWNER',
      `没有规则覆盖小类 ${query.classId}，且街道 ${street} 没有登记办事处，无法属地兜底`,
      'regionCodes.street',
      {
        classId: query.classId,
        streetCode: street,
      },
    )
  }
  const explanation = `没有规则覆盖小类 ${query.classId}，按属地兜底由${describeScope(street, names)}负责（${unit}）`
  return ok({
    responsibleUnitId: unit,
    cooperatingUnitIds: [],
    ruleId: 'fallback',
    explanation,
    reasons: [{ code: 'fallback', message: explanation }],
    overlap: false,
    candidates: [],
  })
}
