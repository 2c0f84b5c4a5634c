import { ACTORS, UNITS, testEnv } from '../case/case.fixtures.ts'
import type { Actor, Case, CaseAction, LifecycleEnv, RegionRef } from '../case/case.types.ts'
import { apply, openCase } from '../case/lifecycle.ts'
import type { Instant } from '../time.ts'
import type { CaseContribution, EvaluationConfig } from './evaluation.types.ts'
import { DEFAULT_EVALUATION_CONFIG } from './evaluation.types.ts'
import { contributionOf } from './metrics.ts'

/*
 * Test factories for evaluation: a case driven through the real lifecycle, its contribution
 * recomputed after every action exactly as the evaluation processor does (prior → next).
 */

/** The evaluation config of the tests: Beijing defaults, but periods in UTC like the test calendar. */
export const TEST_EVAL_CONFIG: EvaluationConfig = { ...DEFAULT_EVALUATION_CONFIG, utcOffsetMinutes: 0 }

export const STREETS = { a: '110101001', b: '110101002' } as const
export const REGION_A: RegionRef = {
  districtCode: '110101',
  streetCode: STREETS.a,
  communityCode: '110101001001',
}

/** A case, its current contribution, and the contributions it had before (for delta tests). */
export interface Tracked {
  readonly case: Case
  readonly contribution: CaseContribution | undefined
  readonly history: readonly (CaseContribution | undefined)[]
}

/** Open a case (reported at `at`) and drive it to `registered` for class E0101. */
export function registeredCase(
  id: string,
  at: Instant,
  region: RegionRef = REGION_A,
  env: LifecycleEnv = testEnv(),
  config: EvaluationConfig = TEST_EVAL_CONFIG,
): Tracked {
  let t: Tracked = {
    case: openCase({ id, channel: 'hotline', title: id, description: id, region, reportedAt: at }, env),
    contribution: undefined,
    history: [],
  }
  t = step(t, { type: 'accept' }, ACTORS.operator, at, env, config)
  return step(t, { type: 'register', classId: 'E0101' }, ACTORS.dispatcher, at, env, config)
}

/** Apply one action through the lifecycle and recompute the contribution as the processor would. */
export function step(
  t: Tracked,
  a: CaseAction,
  actor: Actor,
  at: Instant,
  env: LifecycleEnv = testEnv(),
  config: EvaluationConfig = TEST_EVAL_CONFIG,
): Tracked {
  const r = apply(t.case, a, actor, at, env)
  if (!r.ok) {
    throw new Error(`${a.type} refused: ${r.error.code} ${r.error.message}`)
  }
  const next = contributionOf(
    r.value.case,
    { prior: t.contribution, before: t.case, action: a.type, actorId: actor.id },
    config,
  )
  return { case: r.value.case, contribution: next, history: [...t.history, t.contribution] }
}

/** Mark a tracked case excluded (as the evaluation service does after recording the exclusion). */
export function exclude(t: Tracked, config: EvaluationConfig = TEST_EVAL_CONFIG): Tracked {
  const next = contributionOf(t.case, { prior: t.contribution, excluded: true }, config)
  return { ...t, contribution: next, history: [...t.history, t.contribution] }
}

/** Shorthands for the actors of the tests. */
export const WHO = {
  operator: ACTORS.operator,
  dispatcher: ACTORS.dispatcher,
  handler: ACTORS.handler,
  inspector: ACTORS.inspector,
  system: ACTORS.system,
} as const
export const UNIT = UNITS.street
