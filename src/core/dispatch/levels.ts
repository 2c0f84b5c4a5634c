/** The levels a case can be handled at, lowest first (小事不出社区，大事不出街镇). */
export const HANDLING_LEVELS = ['community', 'street', 'district', 'city'] as const
export type HandlingLevel = (typeof HANDLING_LEVELS)[number]

/** Raise every case of these classes (minor ids, major prefixes or '*') to at least `level`. */
export interface LevelRule {
  readonly classIds: readonly string[]
  readonly level: HandlingLevel
  readonly reason: string
}

/** Options of `dispatchLevel`. */
export interface DispatchLevelOptions {
  /** classes a community (社区/村) settles itself when the street office owns them; default DEFAULT_COMMUNITY_CLASSES */
  readonly communityClasses?: readonly string[]
  /** rules that raise classes to a higher level (e.g. urgent safety classes to the district) */
  readonly raiseRules?: readonly LevelRule[]
  /** a dispatcher's or leader's escalation by hand */
  readonly manualLevel?: HandlingLevel
  /** is the case's community known? a community cannot take a case that has none */
  readonly communityKnown?: boolean
}

/**
 * Small matters a community settles on its own when the street is responsible: litter, graffiti, washing
 * hung in the street, small ads, piled goods, parked bikes, broken fitness equipment, poultry.
 */
export const DEFAULT_COMMUNITY_CLASSES: readonly string[] = Object.freeze([
  'E0101',
  'E0112',
  'E0113',
  'E0201',
  'E0503',
  'E0505',
  'C0601',
  'E0609',
])

/**
 * The level a unit id belongs to under the OneGrid unit-id scheme: 'city-*' → city, '<6-digit district>-*' →
 * district, '<9-digit street>-*' → street, '<12-digit community>-*' → community; undefined otherwise.
 */
export function unitLevel(unitId: string): HandlingLevel | undefined {
  if (unitId.startsWith('city-')) {
    return 'city'
  }
  const m = /^(\d+)-/.exec(unitId)
  switch (m?.[1]?.length) {
    case 6:
      return 'district'
    case 9:
      return 'street'
    case 12:
      return 'community'
    default:
      return undefined
  }
}

/**
 * The level that handles a case: the lowest competent one. It starts at the responsible unit's level (a
 * district or city unit keeps its cases); a street-owned case of a small-matter class goes down to the
 * community. It rises only by a raise rule for the class or by hand, never by default, and never below
 * the responsible unit's level.
 */
export function dispatchLevel(
  classId: string,
  responsibleUnitId: string,
  options: DispatchLevelOptions = {},
): { level: HandlingLevel; reason: string } {
  const own = unitLevel(responsibleUnitId) ?? 'street'
  let level: HandlingLevel = own
  let reason = `由责任单位 ${responsibleUnitId} 所在的${LEVEL_NAME[own]}级处置`
  const communityClasses = options.communityClasses ?? DEFAULT_COMMUNITY_CLASSES
  if (own === 'street' && options.communityKnown !== false && covers(communityClasses, classId)) {
    level = 'community'
    reason = `${classId} 属社区可自行解决的小事，下沉社区处置（小事不出社区）`
  }
  for (const rule of options.raiseRules ?? []) {
    if (covers(rule.classIds, classId) && rank(rule.level) > rank(level)) {
      level = rule.level
      reason = `按规则上升至${LEVEL_NAME[level]}级：${rule.reason}`
    }
  }
  if (options.manualLevel && rank(options.manualLevel) > rank(level)) {
    level = options.manualLevel
    reason = `人工升级至${LEVEL_NAME[level]}级`
  }
  return { level, reason }
}

const LEVEL_NAME: Record<HandlingLevel, string> = {
  community: '社区',
  street: '街道',
  district: '区',
  city: '市',
}

function rank(level: HandlingLevel): number {
  return HANDLING_LEVELS.indexOf(level)
}

function covers(patterns: readonly string[], classId: string): boolean {
  return patterns.some((p) => p === '*' || p === classId || (p.length === 3 && classId.startsWith(p)))
}
