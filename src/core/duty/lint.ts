import type {
  DutyConditions,
  DutyGap,
  DutyLintResult,
  DutyOverlap,
  DutyRule,
  DutyRuleSet,
  TimeWindow,
} from './duty.types.ts'
import { compareIds, conditionKeysOf, indexRules, minuteOf, scopeLevelOf } from './rule-match.ts'

/** A street as lint needs it. */
export interface LintStreet {
  readonly code: string
  readonly name: string
  readonly districtCode: string
}

/**
 * Find defects of a responsibility list:
 * - overlaps: two rules claim the same class pattern in the same scope with equal precedence (same number of
 *   conditions, same priority) and conditions that can hold together — resolution would pick one by id alone;
 * - gaps: class × street pairs no rule owns for every case, so the territorial fallback decides
 *   (`partial` when some conditional or finer-scoped rule covers part of it).
 * Rules are indexed by pattern and scope, so the cost is about classes × (their rules + streets).
 */
export function lintDuty(
  ruleSet: DutyRuleSet,
  classes: readonly { readonly id: string }[],
  streets: readonly LintStreet[],
): DutyLintResult {
  return { overlaps: findOverlaps(ruleSet), gaps: findGaps(ruleSet, classes, streets) }
}

function findOverlaps(ruleSet: DutyRuleSet): DutyOverlap[] {
  const byPair = new Map<string, { a: DutyRule; b: DutyRule; patterns: string[]; scope: string }>()
  for (const [key, rules] of indexRules(ruleSet).buckets) {
    if (rules.length < 2) {
      continue
    }
    const [pattern = '', scope = ''] = key.split('|')
    for (let i = 0; i < rules.length; i++) {
      for (let j = i + 1; j < rules.length; j++) {
        const [a, b] = compareIds(rules[i].id, rules[j].id) <= 0 ? [rules[i], rules[j]] : [rules[j], rules[i]]
        if (!equalPrecedence(a, b) || disjoint(a.conditions, b.conditions)) {
          continue
        }
        const pairKey = `${a.id}\u0000${b.id}`
        const seen = byPair.get(pairKey)
        if (seen) {
          seen.patterns.push(pattern)
        } else {
          byPair.set(pairKey, { a, b, patterns: [pattern], scope })
        }
      }
    }
  }
  return [...byPair.values()].map(({ a, b, patterns, scope }) => ({
    classPattern: patterns.join(', '),
    scope,
    ruleIds: [a.id, b.id] as const,
    winnerRuleId: a.id,
    units: [a.responsibleUnitId, b.responsibleUnitId] as const,
    message: `规则 ${a.id} 与 ${b.id} 在 ${scope} 对 ${patterns.join('、')} 的认定完全相同，目前按编号由 ${a.id}（${a.responsibleUnitId}）负责${
      a.responsibleUnitId === b.responsibleUnitId
        ? '（两者责任单位相同，可合并）'
        : `，${b.id}（${b.responsibleUnitId}）从不生效`
    }`,
  }))
}

function equalPrecedence(a: DutyRule, b: DutyRule): boolean {
  return conditionKeysOf(a).length === conditionKeysOf(b).length && (a.priority ?? 0) === (b.priority ?? 0)
}

/** Can the two condition sets never hold at once? Only keys both name can exclude each other. */
function disjoint(a: DutyConditions | undefined, b: DutyConditions | undefined): boolean {
  if (!a || !b) {
    return false
  }
  if (a.roadGrade && b.roadGrade && !a.roadGrade.some((g) => b.roadGrade!.includes(g))) {
    return true
  }
  if (a.assetOwner && b.assetOwner && !a.assetOwner.some((o) => b.assetOwner!.includes(o))) {
    return true
  }
  if (a.kind && b.kind && a.kind !== b.kind) {
    return true
  }
  if (a.timeWindow && b.timeWindow && !windowsIntersect(a.timeWindow, b.timeWindow)) {
    return true
  }
  return false
}

function windowsIntersect(a: TimeWindow, b: TimeWindow): boolean {
  const ia = intervals(a)
  const ib = intervals(b)
  return ia.some(([s1, e1]) => ib.some(([s2, e2]) => s1 < e2 && s2 < e1))
}

function intervals(w: TimeWindow): [number, number][] {
  const from = minuteOf(w.from)
  const to = minuteOf(w.to)
  return from < to
    ? [[from, to]]
    : [
        [from, 1440],
        [0, to],
      ]
}

function findGaps(
  ruleSet: DutyRuleSet,
  classes: readonly { readonly id: string }[],
  streets: readonly LintStreet[],
): DutyGap[] {
  const byPattern = new Map<string, DutyRule[]>()
  for (const rule of ruleSet.rules) {
    for (const p of rule.classIds === '*' ? ['*'] : new Set(rule.classIds)) {
      const list = byPattern.get(p)
      if (list) {
        list.push(rule)
      } else {
        byPattern.set(p, [rule])
      }
    }
  }
  const gaps: DutyGap[] = []
  for (const cls of classes) {
    const full = new Set<string>()
    const part = new Set<string>()
    const kind = cls.id.startsWith('C') ? 'component' : 'event'
    for (const p of [cls.id, cls.id.slice(0, 3), '*']) {
      for (const rule of byPattern.get(p) ?? []) {
        const c = rule.conditions
        if (c?.kind && c.kind !== kind) {
          continue
        }
        // A kind condition is decided by the class itself, so it does not make coverage partial.
        const unconditional = conditionKeysOf(rule).every((k) => k === 'kind')
        const level = scopeLevelOf(rule.scope)
        const key =
          level === 'city'
            ? `city:${rule.scope.slice(0, 2)}`
            : level === 'community' || level === 'grid'
              ? rule.scope.slice(0, 9)
              : rule.scope
        ;(unconditional && level !== 'community' && level !== 'grid' ? full : part).add(key)
      }
    }
    for (const s of streets) {
      const cityKey = `city:${s.code.slice(0, 2)}`
      if (full.has(cityKey) || full.has(s.districtCode) || full.has(s.code)) {
        continue
      }
      const partial = part.has(cityKey) || part.has(s.districtCode) || part.has(s.code)
      gaps.push({
        classId: cls.id,
        streetCode: s.code,
        streetName: s.name,
        districtCode: s.districtCode,
        partial,
      })
    }
  }
  return gaps
}

/** A readable report of a lint result: every overlap, and gaps summed per class (a class × 349 streets is too long to list). */
export function formatLintTable(result: DutyLintResult): string {
  const lines: string[] = []
  lines.push(`重叠 overlaps: ${result.overlaps.length}`)
  if (result.overlaps.length > 0) {
    lines.push(row(['rules', 'class', 'scope', 'units', 'wins today'], [14, 16, 16, 36, 10]))
    for (const o of result.overlaps) {
      lines.push(
        row(
          [o.ruleIds.join(' & '), o.classPattern, o.scope, o.units.join(' / '), o.winnerRuleId],
          [14, 16, 16, 36, 10],
        ),
      )
    }
  }
  const partial = result.gaps.filter((g) => g.partial).length
  lines.push('')
  lines.push(
    `空缺 gaps (class × street owned only by the street office, 属地兜底): ${result.gaps.length} (${partial} partly covered)`,
  )
  if (result.gaps.length > 0) {
    const perClass = new Map<string, DutyGap[]>()
    for (const g of result.gaps) {
      const list = perClass.get(g.classId)
      if (list) {
        list.push(g)
      } else {
        perClass.set(g.classId, [g])
      }
    }
    lines.push(row(['class', 'streets', 'partial', 'e.g.'], [8, 8, 8, 40]))
    for (const [classId, list] of perClass) {
      const examples = list
        .slice(0, 3)
        .map((g) => `${g.streetName}(${g.streetCode})`)
        .join(', ')
      lines.push(
        row(
          [classId, String(list.length), String(list.filter((g) => g.partial).length), examples],
          [8, 8, 8, 40],
        ),
      )
    }
  }
  return lines.join('\n')
}

function row(cells: readonly string[], widths: readonly number[]): string {
  return cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 10))).join('  ')
}
