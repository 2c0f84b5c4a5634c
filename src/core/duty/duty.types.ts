import type { CaseKind } from '../case/case.types.ts'

/** Road grades a rule can be limited to (城市道路等级 plus 胡同). */
export const ROAD_GRADES = ['expressway', 'main', 'secondary', 'branch', 'alley'] as const
export type RoadGrade = (typeof ROAD_GRADES)[number]

/** A local-time window 'HH:MM'–'HH:MM', start inclusive, end exclusive; `from > to` wraps midnight (22:00–06:00). */
export interface TimeWindow {
  readonly from: string
  readonly to: string
}

/**
 * Extra facts a rule needs before it applies. A rule matches only when every condition it names is met
 * by the query; a fact the query does not know fails the condition (the rule cannot claim what it cannot see).
 */
export interface DutyConditions {
  readonly roadGrade?: readonly RoadGrade[]
  /** owner of the asset, e.g. 'water' | 'gas' | 'power' | 'telecom' | 'heat' for manhole covers */
  readonly assetOwner?: readonly string[]
  readonly timeWindow?: TimeWindow
  readonly kind?: CaseKind
}

/** The condition keys a rule may use, in the order explanations list them. */
export const CONDITION_KEYS = ['roadGrade', 'assetOwner', 'timeWindow', 'kind'] as const

/**
 * One line of the responsibility list (责任清单): for these classes, in this place, under these conditions,
 * this unit is responsible.
 */
export interface DutyRule {
  readonly id: string
  /** minor class ids ('E0102'), major prefixes ('E01' = the whole major class), or '*' (every class) */
  readonly classIds: readonly string[] | '*'
  /** region code prefix: city '110000', district 6 digits, street 9, community 12, grid cell 15 */
  readonly scope: string
  readonly conditions?: DutyConditions
  /** 主管单位 */
  readonly authorityUnitId?: string
  /** 责任单位: the unit the case is dispatched to */
  readonly responsibleUnitId: string
  /** 配合单位: told and expected to help (e.g. 城管执法 sent down to the street, 街乡吹哨) */
  readonly cooperatingUnitIds?: readonly string[]
  readonly legalBasis?: string
  /** explicit tie-break between rules equal in every other respect; higher wins; default 0 */
  readonly priority?: number
  readonly note?: string
}

/** A versioned responsibility list (data/duty/*.json). */
export interface DutyRuleSet {
  readonly version: string
  readonly rules: readonly DutyRule[]
}

/** Region codes of the place a case lies in; the finest known code decides which scopes match. */
export interface DutyRegionCodes {
  readonly district?: string
  readonly street?: string
  readonly community?: string
  readonly grid?: string
}

/** What the resolver needs to know about a case. */
export interface DutyQuery {
  readonly classId: string
  readonly regionCodes: DutyRegionCodes
  readonly roadGrade?: RoadGrade
  readonly assetOwner?: string
  /** minutes since local midnight (0–1439) when the problem was reported or observed */
  readonly localMinuteOfDay?: number
}

/** How a rule's class pattern matched the query's class: exact minor id > major prefix > '*'. */
export type ClassMatch = 'minor' | 'major' | 'any'

/** Region levels a scope can have, coarsest first. */
export type ScopeLevel = 'city' | 'district' | 'street' | 'community' | 'grid'

/** The precedence criteria in the order they are applied. */
export type PrecedenceCriterion = 'class' | 'scope' | 'conditions' | 'priority' | 'id'

/** A rule that matched the query, with the facts that rank it. */
export interface DutyCandidate {
  readonly ruleId: string
  /** 1 = the winner */
  readonly rank: number
  readonly classMatch: ClassMatch
  /** the pattern of the rule that matched: 'E0102', 'E01' or '*' */
  readonly classPattern: string
  readonly scope: string
  readonly scopeLevel: ScopeLevel
  /** the condition keys the rule named, all of which the query met */
  readonly conditionsMatched: readonly (typeof CONDITION_KEYS)[number][]
  readonly priority: number
  readonly responsibleUnitId: string
  /** why this rule lost to the winner (absent on the winner) */
  readonly lostBecause?: { readonly criterion: PrecedenceCriterion; readonly message: string }
}

/** One structured reason of a resolution, for UIs that render their own text. */
export interface DutyReason {
  readonly code: 'rule-won' | 'only-rule' | 'beats' | 'overlap' | 'fallback'
  readonly ruleId?: string
  readonly otherRuleId?: string
  readonly criterion?: PrecedenceCriterion
  readonly message: string
}

/** Who owns a case, and why. */
export interface DutyResolution {
  readonly responsibleUnitId: string
  readonly authorityUnitId?: string
  readonly cooperatingUnitIds: readonly string[]
  /** the winning rule's id, or 'fallback' when the street office owns it by 属地兜底 */
  readonly ruleId: string
  readonly legalBasis?: string
  /** plain Chinese: which rule won and why */
  readonly explanation: string
  readonly reasons: readonly DutyReason[]
  /** true when the winner tied with another rule in every respect (a list defect lint reports) */
  readonly overlap: boolean
  /** the rules that matched, ranked, each with why it lost */
  readonly candidates: readonly DutyCandidate[]
}

/** Optional names for explanations; without them codes are shown. */
export interface DutyNames {
  readonly regionName?: (code: string) => string | undefined
}

/** Two rules that claim the same class in the same place with equal precedence. */
export interface DutyOverlap {
  readonly classPattern: string
  readonly scope: string
  readonly ruleIds: readonly [string, string]
  /** the rule resolution picks today (lower id) */
  readonly winnerRuleId: string
  readonly units: readonly [string, string]
  readonly message: string
}

/** A class × street that no rule covers for every case: only the territorial fallback owns it. */
export interface DutyGap {
  readonly classId: string
  readonly streetCode: string
  readonly streetName: string
  readonly districtCode: string
  /** some rule covers part of it (under conditions or in a finer scope), not all of it */
  readonly partial: boolean
}

/** Result of linting a rule set against the catalog and the streets. */
export interface DutyLintResult {
  readonly overlaps: readonly DutyOverlap[]
  readonly gaps: readonly DutyGap[]
}

/** A past case to replay. */
export interface PastCase {
  readonly caseId: string
  readonly query: DutyQuery
  readonly actualUnitId: string
}

/** A past case the proposed list would have sent elsewhere. */
export interface ReplayChange {
  readonly caseId: string
  /** responsible unit under the current list ('none' if it found no owner) */
  readonly from: string
  /** responsible unit under the proposed list ('none' if it finds no owner) */
  readonly to: string
  readonly actualUnitId: string
  /** which rule decided before and after, in plain Chinese */
  readonly why: string
  readonly fromRuleId: string
  readonly toRuleId: string
}

/** Outcome of replaying a proposed list over past cases. */
export interface ReplayResult {
  readonly changed: readonly ReplayChange[]
  readonly summary: {
    readonly cases: number
    readonly changed: number
    /** cases where the list's unit equals the unit that actually handled the case */
    readonly matchedActualBefore: number
    readonly matchedActualAfter: number
  }
}
