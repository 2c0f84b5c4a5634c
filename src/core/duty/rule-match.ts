import type {
  ClassMatch,
  DutyConditions,
  DutyNames,
  DutyQuery,
  DutyRegionCodes,
  DutyRule,
  DutyRuleSet,
  PrecedenceCriterion,
  ScopeLevel,
  TimeWindow,
} from './duty.types.ts'
import { CONDITION_KEYS } from './duty.types.ts'

/** A rule matched against one query, with everything precedence looks at. */
export interface RuleMatch {
  readonly rule: DutyRule
  readonly classMatch: ClassMatch
  readonly classPattern: string
  readonly scopeLevel: ScopeLevel
  readonly conditionKeys: readonly (typeof CONDITION_KEYS)[number][]
  readonly priority: number
}

/** Rules bucketed by `pattern|scope`, so resolving looks up at most 3 patterns × 5 scopes, whatever the list size. */
export interface DutyIndex {
  readonly buckets: ReadonlyMap<string, readonly DutyRule[]>
  readonly cityScopes: readonly string[]
}

const CLASS_RANK: Record<ClassMatch, number> = { minor: 2, major: 1, any: 0 }
const SCOPE_RANK: Record<ScopeLevel, number> = { city: 0, district: 1, street: 2, community: 3, grid: 4 }
const SCOPE_NAME: Record<ScopeLevel, string> = {
  city: '全市',
  district: '区',
  street: '街道',
  community: '社区',
  grid: '网格',
}
const CLASS_NAME: Record<ClassMatch, string> = { minor: '小类', major: '大类', any: '全部类别' }
const ROAD_NAME: Record<string, string> = {
  expressway: '快速路',
  main: '主干路',
  secondary: '次干路',
  branch: '支路',
  alley: '胡同',
}
const CONDITION_NAME: Record<(typeof CONDITION_KEYS)[number], string> = {
  roadGrade: '道路等级',
  assetOwner: '权属',
  timeWindow: '时段',
  kind: '部件/事件',
}

const indexCache = new WeakMap<DutyRuleSet, DutyIndex>()

/** The level of a scope code: a 6-digit code ending in 0000 is a whole province-level city (110000). */
export function scopeLevelOf(scope: string): ScopeLevel | undefined {
  switch (scope.length) {
    case 6:
      return scope.endsWith('0000') ? 'city' : 'district'
    case 9:
      return 'street'
    case 12:
      return 'community'
    case 15:
      return 'grid'
    default:
      return undefined
  }
}

/** Index a rule set once; cached per rule-set object (rule sets are immutable values). */
export function indexRules(ruleSet: DutyRuleSet): DutyIndex {
  const cached = indexCache.get(ruleSet)
  if (cached) {
    return cached
  }
  const buckets = new Map<string, DutyRule[]>()
  const cityScopes = new Set<string>()
  for (const rule of ruleSet.rules) {
    if (scopeLevelOf(rule.scope) === 'city') {
      cityScopes.add(rule.scope)
    }
    const patterns = rule.classIds === '*' ? ['*'] : rule.classIds
    for (const p of new Set(patterns)) {
      const key = `${p}|${rule.scope}`
      const list = buckets.get(key)
      if (list) {
        list.push(rule)
      } else {
        buckets.set(key, [rule])
      }
    }
  }
  const index: DutyIndex = { buckets, cityScopes: [...cityScopes] }
  indexCache.set(ruleSet, index)
  return index
}

/** The finest region code the query knows, or undefined. */
export function finestCode(codes: DutyRegionCodes): string | undefined {
  return codes.grid ?? codes.community ?? codes.street ?? codes.district
}

/** The street a query lies in: given, or the 9-digit prefix of its community or grid code. */
export function streetOf(codes: DutyRegionCodes): string | undefined {
  if (codes.street) {
    return codes.street
  }
  const finer = codes.grid ?? codes.community
  return finer && finer.length >= 9 ? finer.slice(0, 9) : undefined
}

/** Scope codes that contain the query's place, coarsest first. */
function placeScopes(codes: DutyRegionCodes, index: DutyIndex): string[] {
  const finest = finestCode(codes)
  if (!finest) {
    return [...index.cityScopes]
  }
  const scopes = [`${finest.slice(0, 2)}0000`]
  for (const len of [6, 9, 12, 15]) {
    if (finest.length >= len) {
      scopes.push(finest.slice(0, len))
    }
  }
  return scopes
}

/** Is `minute` (0–1439) inside the window? End is exclusive; from > to wraps past midnight. */
export function inTimeWindow(window: TimeWindow, minute: number): boolean {
  const from = minuteOf(window.from)
  const to = minuteOf(window.to)
  return from <= to ? minute >= from && minute < to : minute >= from || minute < to
}

/** 'HH:MM' → minutes since midnight (input is validated by the parser). */
export function minuteOf(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5))
}

function conditionsMet(c: DutyConditions | undefined, q: DutyQuery): boolean {
  if (!c) {
    return true
  }
  if (c.roadGrade && (q.roadGrade === undefined || !c.roadGrade.includes(q.roadGrade))) {
    return false
  }
  if (c.assetOwner && (q.assetOwner === undefined || !c.assetOwner.includes(q.assetOwner))) {
    return false
  }
  if (c.timeWindow && (q.localMinuteOfDay === undefined || !inTimeWindow(c.timeWindow, q.localMinuteOfDay))) {
    return false
  }
  if (c.kind && q.classId.charAt(0) !== (c.kind === 'component' ? 'C' : 'E')) {
    return false
  }
  return true
}

/** The condition keys a rule names. */
export function conditionKeysOf(rule: DutyRule): (typeof CONDITION_KEYS)[number][] {
  const c = rule.conditions
  return c ? CONDITION_KEYS.filter((k) => c[k] !== undefined) : []
}

/** Every rule that applies to the query, unranked; a rule listed under several patterns appears once, with its most specific one. */
export function matchRules(ruleSet: DutyRuleSet, query: DutyQuery): RuleMatch[] {
  const index = indexRules(ruleSet)
  const patterns: [string, ClassMatch][] = [
    [query.classId, 'minor'],
    [query.classId.slice(0, 3), 'major'],
    ['*', 'any'],
  ]
  const scopes = placeScopes(query.regionCodes, index)
  const seen = new Set<DutyRule>()
  const out: RuleMatch[] = []
  for (const [pattern, classMatch] of patterns) {
    for (const scope of scopes) {
      const rules = index.buckets.get(`${pattern}|${scope}`)
      if (!rules) {
        continue
      }
      for (const rule of rules) {
        if (seen.has(rule) || !conditionsMet(rule.conditions, query)) {
          continue
        }
        seen.add(rule)
        out.push({
          rule,
          classMatch,
          classPattern: pattern,
          scopeLevel: scopeLevelOf(scope) ?? 'city',
          conditionKeys: conditionKeysOf(rule),
          priority: rule.priority ?? 0,
        })
      }
    }
  }
  return out
}

/**
 * Precedence: which of two matches wins and by which criterion. Negative = `a` wins.
 * Order: class specificity, scope fineness, number of conditions, explicit priority, then id (a true tie).
 */
export function comparePrecedence(
  a: RuleMatch,
  b: RuleMatch,
): { order: number; criterion: PrecedenceCriterion } {
  const byClass = CLASS_RANK[b.classMatch] - CLASS_RANK[a.classMatch]
  if (byClass !== 0) {
    return { order: byClass, criterion: 'class' }
  }
  const byScope = SCOPE_RANK[b.scopeLevel] - SCOPE_RANK[a.scopeLevel]
  if (byScope !== 0) {
    return { order: byScope, criterion: 'scope' }
  }
  const byConditions = b.conditionKeys.length - a.conditionKeys.length
  if (byConditions !== 0) {
    return { order: byConditions, criterion: 'conditions' }
  }
  const byPriority = b.priority - a.priority
  if (byPriority !== 0) {
    return { order: byPriority, criterion: 'priority' }
  }
  return { order: compareIds(a.rule.id, b.rule.id), criterion: 'id' }
}

/** Natural order of rule ids, so R3 comes before R12. */
export function compareIds(a: string, b: string): number {
  const pa = a.match(/\d+|\D+/g) ?? []
  const pb = b.match(/\d+|\D+/g) ?? []
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i] ?? ''
    const y = pb[i] ?? ''
    if (x === y) {
      continue
    }
    const nx = /^\d/.test(x) && /^\d/.test(y)
    if (nx && Number(x) !== Number(y)) {
      return Number(x) - Number(y)
    }
    return x < y ? -1 : 1
  }
  return pa.length - pb.length || (a < b ? -1 : a > b ? 1 : 0)
}

/** 'R12（小类 E0102 · 西城区什刹海街道 · 条件：道路等级 胡同）' */
export function describeMatch(m: RuleMatch, names?: DutyNames): string {
  const cls = m.classMatch === 'any' ? CLASS_NAME.any : `${CLASS_NAME[m.classMatch]} ${m.classPattern}`
  const parts = [cls, describeScope(m.rule.scope, names)]
  const cond = describeConditions(m.rule.conditions)
  if (cond) {
    parts.push(`条件：${cond}`)
  }
  if (m.priority !== 0) {
    parts.push(`优先级 ${m.priority}`)
  }
  return `规则 ${m.rule.id}（${parts.join(' · ')}）`
}

/** A scope in words: '全市', '西城区什刹海街道', or '街道 110102012' without names. */
export function describeScope(scope: string, names?: DutyNames): string {
  const level = scopeLevelOf(scope) ?? 'city'
  if (level === 'city') {
    return SCOPE_NAME.city
  }
  const lookup = names?.regionName
  if (lookup) {
    const chain: string[] = []
    for (const len of [6, 9, 12, 15]) {
      if (scope.length < len) {
        break
      }
      const name = lookup(scope.slice(0, len))
      if (name) {
        chain.push(name)
      }
    }
    if (chain.length > 0) {
      return chain.join('')
    }
  }
  return `${SCOPE_NAME[level]} ${scope}`
}

function describeConditions(c: DutyConditions | undefined): string {
  if (!c) {
    return ''
  }
  const out: string[] = []
  if (c.roadGrade) {
    out.push(`${CONDITION_NAME.roadGrade} ${c.roadGrade.map((g) => ROAD_NAME[g] ?? g).join('/')}`)
  }
  if (c.assetOwner) {
    out.push(`${CONDITION_NAME.assetOwner} ${c.assetOwner.join('/')}`)
  }
  if (c.timeWindow) {
    out.push(`${CONDITION_NAME.timeWindow} ${c.timeWindow.from}–${c.timeWindow.to}`)
  }
  if (c.kind) {
    out.push(c.kind === 'component' ? '部件' : '事件')
  }
  return out.join('，')
}

/** Why `winner` beats `loser`, in plain Chinese. */
export function beatMessage(
  winner: RuleMatch,
  loser: RuleMatch,
  criterion: PrecedenceCriterion,
  names?: DutyNames,
): string {
  const w = describeMatch(winner, names)
  const l = describeMatch(loser, names)
  switch (criterion) {
    case 'class':
      return `${w}比${l}更具体（${CLASS_NAME[winner.classMatch]}优先于${CLASS_NAME[loser.classMatch]}）`
    case 'scope':
      return `${w}比${l}范围更细（${SCOPE_NAME[winner.scopeLevel]}优先于${SCOPE_NAME[loser.scopeLevel]}）`
    case 'conditions':
      return `${w}比${l}满足的条件更多（${winner.conditionKeys.length} 项对 ${loser.conditionKeys.length} 项）`
    case 'priority':
      return `${w}比${l}优先级更高（${winner.priority} 对 ${loser.priority}）`
    case 'id':
      return `${w}与${l}在类别、范围、条件和优先级上完全相同（重叠），按编号取 ${winner.rule.id}；请修改责任清单消除重叠`
  }
}
