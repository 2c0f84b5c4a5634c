import type { Kysely } from 'kysely'
import type { Case } from '../core/case/case.types.ts'
import {
  DEFAULT_DUPLICATE_RULES,
  findDuplicates,
  type DuplicateMatch,
  type DuplicateProbe,
  type DuplicateRules,
  type DuplicateVerdict,
} from '../core/triage/duplicates.ts'
import * as cases from '../store/case.repository.ts'
import type { Database } from '../store/database.ts'
import { duplicateCandidates, intakeClasses } from '../store/duplicate.repository.ts'
import type { CaseService } from './case.service.ts'
import type { Principal } from './ports.ts'

/** What the intake pipeline asks before committing an appeal. */
export interface DuplicateFinder {
  readonly rules: DuplicateRules
  /** score the open cases near the probe in space and time */
  check(probe: DuplicateProbe, exceptCaseId?: string): Promise<DuplicateVerdict>
}

/** One candidate as the operator sees it. */
export interface DuplicateView extends DuplicateMatch {
  readonly title: string
  readonly stage: Case['stage']
}

export interface DuplicateService extends DuplicateFinder {
  /** Cases the given case may repeat, now, and what intake suggested when it arrived. */
  forCase(
    p: Principal,
    caseId: string,
  ): Promise<{ items: DuplicateView[]; atIntake: readonly DuplicateMatch[] }>
}

const M_PER_DEG_LAT = 111_320
/** intake classes remembered per node before the memory starts over */
const INTAKE_CLASS_CACHE = 100_000

/** Duplicate detection over the case store. */
export function createDuplicateService(deps: {
  readonly db: Kysely<Database>
  readonly cases: CaseService
  readonly rules?: DuplicateRules
}): DuplicateService {
  const rules = deps.rules ?? DEFAULT_DUPLICATE_RULES
  // A case's intake entry never changes, so neither does the class triage gave it there: remembered
  // per node, exact on every node. Every appeal near an unregistered case would otherwise re-read it.
  const intakeClassOf = new Map<string, string | null>()

  async function classesOf(caseIds: readonly string[]): Promise<Map<string, string>> {
    const missing = caseIds.filter((id) => !intakeClassOf.has(id))
    const found = await intakeClasses(deps.db, missing)
    if (intakeClassOf.size + missing.length > INTAKE_CLASS_CACHE) {
      intakeClassOf.clear()
    }
    for (const id of missing) {
      intakeClassOf.set(id, found.get(id) ?? null)
    }
    const out = new Map<string, string>()
    for (const id of caseIds) {
      const classId = intakeClassOf.get(id) ?? found.get(id)
      if (classId) {
        out.set(id, classId)
      }
    }
    return out
  }

  async function check(probe: DuplicateProbe, exceptCaseId?: string): Promise<DuplicateVerdict> {
    const r = Math.max(rules.radiusM.component, rules.radiusM.event, rules.radiusM.unknown)
    const p = probe.location
    const dLat = r / M_PER_DEG_LAT
    const dLon = p ? r / (M_PER_DEG_LAT * Math.cos((p.lat * Math.PI) / 180)) : 0
    const candidates = await duplicateCandidates(
      deps.db,
      {
        ...(p
          ? { box: { west: p.lon - dLon, east: p.lon + dLon, south: p.lat - dLat, north: p.lat + dLat } }
          : {}),
        ...(probe.streetCode ? { streetCode: probe.streetCode } : {}),
        since: probe.at - rules.windowMs,
        until: probe.at + rules.windowMs,
        ...(exceptCaseId ? { exceptCaseId } : {}),
      },
      classesOf,
    )
    return findDuplicates(probe, candidates, rules)
  }

  return {
    rules,
    check,
    async forCase(p, caseId) {
      const c = await deps.cases.get(p, caseId)
      const classId = c.classId ?? (await intakeClasses(deps.db, [c.id])).get(c.id)
      const verdict = await check(
        {
          text: c.description,
          at: c.times.reportedAt,
          ...(c.location ? { location: c.location } : {}),
          ...(c.region.streetCode ? { streetCode: c.region.streetCode } : {}),
          ...(classId ? { classId } : {}),
        },
        c.id,
      )
      const found = new Map(
        (
          await cases.findCases(
            deps.db,
            verdict.matches.map((m) => m.caseId),
          )
        ).map((x) => [x.id, x]),
      )
      const items = verdict.matches.flatMap((m) => {
        const other = found.get(m.caseId)
        return other ? [{ ...m, title: other.title, stage: other.stage }] : []
      })
      const intake = (await cases.timelineOf(deps.db, caseId)).find((e) => e.action === 'intake')
      const atIntake =
        (intake?.payload.duplicates as { matches?: DuplicateMatch[] } | undefined)?.matches ?? []
      return { items, atIntake }
    },
  }
}
