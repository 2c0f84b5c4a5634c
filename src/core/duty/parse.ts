import { ok } from '../errors.ts'
import type { Result } from '../errors.ts'
import { checkKnownKeys, failWithProblems, isRecord } from '../calendar/validation-problem.ts'
import type { ValidationProblem } from '../calendar/validation-problem.ts'
import type { DutyConditions, DutyRule, DutyRuleSet, RoadGrade, TimeWindow } from './duty.types.ts'
import { CONDITION_KEYS, ROAD_GRADES } from './duty.types.ts'
import { scopeLevelOf } from './rule-match.ts'

const RULE_KEYS = [
  'id',
  'classIds',
  'scope',
  'conditions',
  'authorityUnitId',
  'responsibleUnitId',
  'cooperatingUnitIds',
  'legalBasis',
  'priority',
  'note',
] as const
const CLASS_PATTERN = /^[CE]\d{2}(\d{2})?$/
const SCOPE_PATTERN = /^\d{6}(\d{3}){0,3}$/
const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/

/**
 * Validate a responsibility list document (data/duty/*.json), listing every problem at once with the rule id
 * in the field (DUTY_RULES_INVALID, details = [{ field, message }]): bad class patterns, bad scope codes,
 * unknown or malformed conditions, bad time windows, missing units, duplicate ids, unknown fields.
 */
export function parseDutyRules(json: unknown): Result<DutyRuleSet> {
  const problems: ValidationProblem[] = []
  if (!isRecord(json)) {
    return failWithProblems('DUTY_RULES_INVALID', 'responsibility list', [
      { field: '', message: 'must be a JSON object' },
    ])
  }
  checkKnownKeys(json, ['version', 'rules'], '', problems)
  if (typeof json.version !== 'string' || json.version.trim() === '') {
    problems.push({ field: 'version', message: 'must be a non-empty string' })
  }
  const rules: DutyRule[] = []
  if (!Array.isArray(json.rules)) {
    problems.push({ field: 'rules', message: 'must be an array' })
  } else {
    const ids = new Set<string>()
    json.rules.forEach((raw: unknown, i) => {
      const rule = checkRule(raw, i, problems)
      if (!rule) {
        return
      }
      if (ids.has(rule.id)) {
        problems.push({ field: `rules[${rule.id}].id`, message: `rule id ${rule.id} is used twice` })
      }
      ids.add(rule.id)
      rules.push(rule)
    })
  }
  if (problems.length > 0) {
    return failWithProblems('DUTY_RULES_INVALID', 'responsibility list', problems)
  }
  return ok(Object.freeze({ version: json.version as string, rules: Object.freeze(rules) }))
}

function checkRule(raw: unknown, i: number, problems: ValidationProblem[]): DutyRule | undefined {
  if (!isRecord(raw)) {
    problems.push({ field: `rules[${i}]`, message: 'must be an object' })
    return undefined
  }
  const hasId = typeof raw.id === 'string' && raw.id.trim() !== ''
  const at = hasId ? `rules[${String(raw.id)}]` : `rules[${i}]`
  const before = problems.length
  if (!hasId) {
    problems.push({ field: `${at}.id`, message: 'must be a non-empty string' })
  }
  checkKnownKeys(raw, RULE_KEYS, at, problems)

  const classIds = raw.classIds
  if (classIds !== '*') {
    if (!Array.isArray(classIds) || classIds.length === 0) {
      problems.push({
        field: `${at}.classIds`,
        message: "must be '*' or a non-empty array of class ids ('E0102') or major prefixes ('E01')",
      })
    } else {
      classIds.forEach((c: unknown, j) => {
        if (typeof c !== 'string' || !CLASS_PATTERN.test(c)) {
          problems.push({
            field: `${at}.classIds[${j}]`,
            message: `bad class pattern ${JSON.stringify(c)} (expected C/E + 2-digit major [+ 2-digit minor])`,
          })
        }
      })
      if (new Set(classIds).size !== classIds.length) {
        problems.push({ field: `${at}.classIds`, message: 'lists a class twice' })
      }
    }
  }
  if (
    typeof raw.scope !== 'string' ||
    !SCOPE_PATTERN.test(raw.scope) ||
    scopeLevelOf(raw.scope) === undefined
  ) {
    problems.push({
      field: `${at}.scope`,
      message: `bad scope code ${JSON.stringify(raw.scope)} (expected 6, 9, 12 or 15 digits; 110000 = whole city)`,
    })
  }
  if (typeof raw.responsibleUnitId !== 'string' || raw.responsibleUnitId.trim() === '') {
    problems.push({ field: `${at}.responsibleUnitId`, message: 'must be a non-empty string' })
  }
  for (const key of ['authorityUnitId', 'legalBasis', 'note'] as const) {
    if (raw[key] !== undefined && (typeof raw[key] !== 'string' || raw[key] === '')) {
      problems.push({ field: `${at}.${key}`, message: 'must be a non-empty string when given' })
    }
  }
  if (raw.cooperatingUnitIds !== undefined) {
    const co = raw.cooperatingUnitIds
    if (!Array.isArray(co) || co.some((u) => typeof u !== 'string' || u === '')) {
      problems.push({ field: `${at}.cooperatingUnitIds`, message: 'must be an array of unit ids' })
    } else if (co.includes(raw.responsibleUnitId)) {
      problems.push({ field: `${at}.cooperatingUnitIds`, message: 'must not include the responsible unit' })
    }
  }
  if (raw.priority !== undefined && (typeof raw.priority !== 'number' || !Number.isInteger(raw.priority))) {
    problems.push({ field: `${at}.priority`, message: 'must be an integer' })
  }
  const conditions =
    raw.conditions === undefined
      ? undefined
      : checkConditions(raw.conditions, `${at}.conditions`, classIds, problems)
  if (problems.length > before) {
    return undefined
  }
  return Object.freeze({ ...(raw as unknown as DutyRule), ...(conditions ? { conditions } : {}) })
}

function checkConditions(
  raw: unknown,
  at: string,
  classIds: unknown,
  problems: ValidationProblem[],
): DutyConditions | undefined {
  if (!isRecord(raw)) {
    problems.push({ field: at, message: 'must be an object' })
    return undefined
  }
  checkKnownKeys(raw, CONDITION_KEYS, at, problems)
  if (Object.keys(raw).filter((k) => !k.startsWith('_') && !k.startsWith('$')).length === 0) {
    problems.push({ field: at, message: 'is empty; leave it out instead' })
  }
  if (raw.roadGrade !== undefined) {
    const g = raw.roadGrade
    if (!Array.isArray(g) || g.length === 0 || g.some((x) => !ROAD_GRADES.includes(x as RoadGrade))) {
      problems.push({
        field: `${at}.roadGrade`,
        message: `must be a non-empty array of ${ROAD_GRADES.join(', ')}`,
      })
    }
  }
  if (raw.assetOwner !== undefined) {
    const o = raw.assetOwner
    if (!Array.isArray(o) || o.length === 0 || o.some((x) => typeof x !== 'string' || x === '')) {
      problems.push({ field: `${at}.assetOwner`, message: 'must be a non-empty array of owner names' })
    }
  }
  if (raw.timeWindow !== undefined) {
    checkTimeWindow(raw.timeWindow, `${at}.timeWindow`, problems)
  }
  if (raw.kind !== undefined) {
    if (raw.kind !== 'component' && raw.kind !== 'event') {
      problems.push({ field: `${at}.kind`, message: "must be 'component' or 'event'" })
    } else if (Array.isArray(classIds)) {
      const letter = raw.kind === 'component' ? 'C' : 'E'
      if (classIds.every((c) => typeof c === 'string' && !c.startsWith(letter))) {
        problems.push({
          field: `${at}.kind`,
          message: `${raw.kind} can never match classes ${classIds.join(', ')}`,
        })
      }
    }
  }
  return raw
}

function checkTimeWindow(raw: unknown, at: string, problems: ValidationProblem[]): void {
  if (!isRecord(raw)) {
    problems.push({ field: at, message: "must be { from: 'HH:MM', to: 'HH:MM' }" })
    return
  }
  checkKnownKeys(raw, ['from', 'to'], at, problems)
  const w = raw as Partial<Record<keyof TimeWindow, unknown>>
  for (const key of ['from', 'to'] as const) {
    if (typeof w[key] !== 'string' || !HHMM.test(w[key])) {
      problems.push({
        field: `${at}.${key}`,
        message: `bad time ${JSON.stringify(w[key])} (expected HH:MM, 00:00–23:59)`,
      })
    }
  }
  if (w.from !== undefined && w.from === w.to) {
    problems.push({
      field: at,
      message: 'from equals to: the window is empty; leave timeWindow out for all day',
    })
  }
}
