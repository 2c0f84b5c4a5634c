import type { CaseKind, GeoPoint } from '../case/case.types.ts'
import { haversineM } from '../dispatch/index.ts'
import type { Instant } from '../time.ts'
import { HOUR } from '../time.ts'

/** One appeal (or case) as duplicate detection sees it. */
export interface DuplicateProbe {
  readonly text: string
  readonly at: Instant
  readonly location?: GeoPoint
  /** street code (9 digits) when known: the only place a report without a point can be compared by */
  readonly streetCode?: string
  /** catalog class, when known (given by the reporter or confidently classified) */
  readonly classId?: string
}

/** One report (appeal) of an open case that a new appeal may be one more report of; a case may come as several. */
export interface DuplicateCandidate extends DuplicateProbe {
  readonly caseId: string
}

/** How near counts as "the same place", per kind of class: a fixed facility is smaller than an incident. */
export interface DuplicateRules {
  /** metres, per kind; `unknown` when the probe has no class */
  readonly radiusM: Readonly<Record<CaseKind | 'unknown', number>>
  /** how far apart in time two reports of one problem may be */
  readonly windowMs: number
  /** at or above: the appeal is attached to the case (no new case) */
  readonly attachAt: number
  /** at or above (and below attachAt): a new case carrying a merge suggestion */
  readonly suggestAt: number
  /** two classes of one major count as related only with at least this text similarity */
  readonly relatedTextMin: number
  /** with no class on either side, at least this text similarity */
  readonly unclassifiedTextMin: number
}

export type DuplicateDecision = 'attach' | 'suggest' | 'none'

/** One scored candidate, with the reasons a person reads. */
export interface DuplicateMatch {
  readonly caseId: string
  /** 0..1 */
  readonly score: number
  readonly reasons: readonly string[]
  readonly distanceM?: number
  readonly textSimilarity: number
}

/** The best matches and what to do. */
export interface DuplicateVerdict {
  readonly decision: DuplicateDecision
  /** best first; empty when nothing is near */
  readonly matches: readonly DuplicateMatch[]
}

/**
 * Defaults measured on test/channels (docs/channels.md): an overflowing bin reported ten ways from
 * three channels scores 0.78–0.95 against its case; a street light 20 m away is excluded by class;
 * two overflowing bins 40 m apart score in the suggestion band.
 */
export const DEFAULT_DUPLICATE_RULES: DuplicateRules = Object.freeze({
  radiusM: Object.freeze({ component: 30, event: 50, unknown: 50 }),
  windowMs: 24 * HOUR,
  attachAt: 0.75,
  suggestAt: 0.5,
  relatedTextMin: 0.45,
  unclassifiedTextMin: 0.3,
})

// Weights of the four signals; class and place dominate, text separates near misses.
const W_CLASS = 0.4
const W_TEXT = 0.3
const W_SPACE = 0.2
const W_TIME = 0.1

/** Words of the channel, not of the problem: every hotline order starts with 市民反映. */
const BOILERPLATE =
  /市民(来电)?反映|来电反映|市民来电|网格员|巡查(中)?发现|上报|反映|希望|尽快|及时|处理|解决|有关部门|相关部门|请|一下|谢谢|麻烦/gu

const RUN = /[\p{L}\p{N}]+/gu

/** The set of character bigrams of a text, boilerplate removed, full-width folded, digits collapsed. */
export function bigrams(text: string): Set<string> {
  const norm = text
    .normalize('NFKC')
    .toLowerCase()
    .replace(BOILERPLATE, ' ')
    .replace(/\p{Nd}+/gu, '0')
  const out = new Set<string>()
  for (const m of norm.matchAll(RUN)) {
    const chars = Array.from(m[0])
    if (chars.length === 1) {
      out.add(chars[0])
    }
    for (let i = 0; i + 2 <= chars.length; i++) {
      out.add(chars[i] + chars[i + 1])
    }
  }
  return out
}

/**
 * Dice coefficient of two bigram sets, 0..1. (Jaccard J = D / (2 − D) orders pairs identically, so
 * choosing between them only moves thresholds; Dice spreads short texts better.)
 */
export function textSimilarity(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 || b.size === 0) {
    return 0
  }
  let shared = 0
  const [small, large] = a.size <= b.size ? [a, b] : [b, a]
  for (const g of small) {
    if (large.has(g)) {
      shared++
    }
  }
  return (2 * shared) / (a.size + b.size)
}

/** 'component' or 'event' from a class id ('C0111', 'E0109'). */
export function kindOf(classId: string | undefined): CaseKind | undefined {
  return classId?.startsWith('C') ? 'component' : classId?.startsWith('E') ? 'event' : undefined
}

/** The search radius (metres) for a probe: its class kind's, or the unknown one. */
export function radiusFor(rules: DuplicateRules, classId: string | undefined): number {
  return rules.radiusM[kindOf(classId) ?? 'unknown']
}

/**
 * Score one candidate: undefined when it cannot be the same problem (too far in space or time, an
 * unrelated class, or related but not said alike). Otherwise a weighted sum of class agreement,
 * text similarity and closeness in space and time, with the reasons.
 */
export function scoreCandidate(
  probe: DuplicateProbe,
  probeGrams: ReadonlySet<string>,
  cand: DuplicateCandidate,
  rules: DuplicateRules,
): DuplicateMatch | undefined {
  const dt = Math.abs(probe.at - cand.at)
  if (dt > rules.windowMs) {
    return undefined
  }
  const radius = radiusFor(rules, probe.classId ?? cand.classId)
  let distanceM: number | undefined
  let space: number
  if (probe.location && cand.location) {
    distanceM = haversineM(probe.location.lon, probe.location.lat, cand.location.lon, cand.location.lat)
    if (distanceM > radius) {
      return undefined
    }
    space = 1 - distanceM / radius
  } else if (probe.streetCode && probe.streetCode === cand.streetCode) {
    // same street but no point: never close enough on its own to attach
    space = 0
  } else {
    return undefined
  }
  const text = textSimilarity(probeGrams, bigrams(cand.text))
  const reasons: string[] = []
  let cls: number
  if (probe.classId && cand.classId) {
    if (probe.classId === cand.classId) {
      cls = 1
      reasons.push(`same class ${probe.classId}`)
    } else if (probe.classId.slice(0, 3) === cand.classId.slice(0, 3) && text >= rules.relatedTextMin) {
      cls = 0.5
      reasons.push(`related classes ${probe.classId}/${cand.classId} (same major)`)
    } else {
      return undefined
    }
  } else {
    if (text < rules.unclassifiedTextMin) {
      return undefined
    }
    cls = 0.5
    reasons.push('class not yet known on one side')
  }
  reasons.push(
    distanceM === undefined ? `same street ${probe.streetCode}, no point` : `${distanceM.toFixed(0)} m apart`,
    `${(dt / 60_000).toFixed(0)} min apart`,
    `text similarity ${text.toFixed(2)}`,
  )
  const raw = W_CLASS * cls + W_TEXT * text + W_SPACE * space + W_TIME * (1 - dt / rules.windowMs)
  // without a point two reports are never certain enough to skip the operator
  const score = distanceM === undefined ? Math.min(raw, rules.attachAt - 0.001) : raw
  return {
    caseId: cand.caseId,
    score: Math.round(score * 1000) / 1000,
    reasons,
    ...(distanceM !== undefined ? { distanceM: Math.round(distanceM * 10) / 10 } : {}),
    textSimilarity: Math.round(text * 1000) / 1000,
  }
}

/**
 * Rank candidates for one probe and decide: attach (precision first: only the best, only above the
 * high threshold), suggest a merge (every candidate in the band), or nothing.
 */
export function findDuplicates(
  probe: DuplicateProbe,
  candidates: readonly DuplicateCandidate[],
  rules: DuplicateRules = DEFAULT_DUPLICATE_RULES,
  limit = 5,
): DuplicateVerdict {
  const grams = bigrams(probe.text)
  // a case is as close as its closest appeal: compare with every report of it, keep the best
  const best = new Map<string, DuplicateMatch>()
  for (const c of candidates) {
    const m = scoreCandidate(probe, grams, c, rules)
    if (m && m.score >= rules.suggestAt && m.score > (best.get(m.caseId)?.score ?? -1)) {
      best.set(m.caseId, m)
    }
  }
  const matches = [...best.values()]
    .sort((a, b) => b.score - a.score || a.caseId.localeCompare(b.caseId))
    .slice(0, limit)
  const top = matches[0]
  const decision: DuplicateDecision = !top ? 'none' : top.score >= rules.attachAt ? 'attach' : 'suggest'
  return { decision, matches }
}

/** Candidates near a probe in space and time, from wherever they are kept. */
export interface CandidateSource {
  near(probe: DuplicateProbe, radiusM: number, windowMs: number): DuplicateCandidate[]
}

/** Grid cell edge in degrees (about 111 m north–south): a 50 m radius spans at most 3 × 3 cells. */
const CELL_DEG = 0.001

/**
 * Candidates in memory, bucketed by a lat/lon grid (and by street for those without a point), so
 * asking what is near a probe costs a few buckets, not the whole set: the group commit asks this
 * for every appeal against hundreds of new cases.
 */
export class CandidateIndex implements CandidateSource {
  readonly #cells = new Map<string, DuplicateCandidate[]>()
  readonly #streets = new Map<string, DuplicateCandidate[]>()
  #size = 0

  get size(): number {
    return this.#size
  }

  add(c: DuplicateCandidate): void {
    if (c.location) {
      push(this.#cells, cellKey(cellOf(c.location.lat), cellOf(c.location.lon)), c)
    }
    // by street too: a report without a point is compared by street, with or without one of its own
    if (c.streetCode !== undefined) {
      push(this.#streets, c.streetCode, c)
    }
    this.#size++
  }

  near(probe: DuplicateProbe, radiusM: number, windowMs: number): DuplicateCandidate[] {
    const out: DuplicateCandidate[] = []
    const inTime = (c: DuplicateCandidate) => Math.abs(c.at - probe.at) <= windowMs
    const p = probe.location
    const street = (probe.streetCode !== undefined && this.#streets.get(probe.streetCode)) || []
    for (const c of street) {
      // a point is compared with a point below; by street only when one of the two has none
      if ((!p || !c.location) && inTime(c)) {
        out.push(c)
      }
    }
    if (!p) {
      return out
    }
    const cosLat = Math.cos((p.lat * Math.PI) / 180)
    const dLat = radiusM / M_PER_DEG
    const dLon = radiusM / (M_PER_DEG * cosLat)
    for (let y = cellOf(p.lat - dLat); y <= cellOf(p.lat + dLat); y++) {
      for (let x = cellOf(p.lon - dLon); x <= cellOf(p.lon + dLon); x++) {
        for (const c of this.#cells.get(cellKey(y, x)) ?? []) {
          const q = c.location!
          if (
            inTime(c) &&
            Math.abs(q.lat - p.lat) * M_PER_DEG <= radiusM &&
            Math.abs(q.lon - p.lon) * M_PER_DEG * cosLat <= radiusM
          ) {
            out.push(c)
          }
        }
      }
    }
    return out
  }
}

const M_PER_DEG = 111_320

function cellOf(deg: number): number {
  return Math.floor(deg / CELL_DEG)
}

function push(map: Map<string, DuplicateCandidate[]>, key: string, c: DuplicateCandidate): void {
  const bucket = map.get(key)
  if (bucket) {
    bucket.push(c)
  } else {
    map.set(key, [c])
  }
}

function cellKey(y: number, x: number): string {
  return `${y}:${x}`
}
