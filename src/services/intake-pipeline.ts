import type { CaseAction, Channel } from '../core/case/case.types.ts'
import type { Instant } from '../core/time.ts'
import { findDuplicates, type DuplicateProbe } from '../core/triage/duplicates.ts'
import type { CityService, Placement } from './city.service.ts'
import type { DuplicateFinder } from './duplicates.service.ts'
import type { IntakeInput, IntakePipeline, IntakePlan } from './intake.service.ts'

/** A text classifier's verdict (src/triage adapts the trained model to this). */
export interface Classification {
  readonly classId: string
  readonly confidence: number
  readonly top: readonly { readonly label: string; readonly score: number }[]
  readonly modelVersion?: string
}

/** Classify an appeal's text to a catalog class. */
export interface Classifier {
  classify(text: string, title?: string): Classification | undefined
}

export interface PipelineOptions {
  /** route to the owner and dispatch without a person (per class overrides below); default true */
  readonly autoDispatch: boolean
  /** classes that always wait for a dispatcher even when confidently classified */
  readonly manualClasses?: ReadonlySet<string>
  /** below this confidence the case waits for an operator */
  readonly confidenceThreshold: number
  /**
   * channels whose appeals are dispatched without a person; hotline work orders wait for the
   * 12345 operator's accept by default, as the call centre's own review step
   */
  readonly autoChannels?: ReadonlySet<Channel>
}

export interface PipelineDeps {
  readonly city: CityService
  readonly classifier?: Classifier
  readonly classExists: (classId: string) => boolean
  readonly options: PipelineOptions
  /** open cases this appeal may repeat; none = every appeal makes a new case */
  readonly duplicates?: DuplicateFinder
}

/**
 * The intake pipeline: place the appeal (point → grid cell, else names in the text), classify it,
 * and — when the class is certain enough and the place known — accept, register and dispatch it
 * to the owner the responsibility list names, all before the commit, with every reason recorded
 * on the intake timeline entry.
 */
export function createIntakePipeline(deps: PipelineDeps): IntakePipeline {
  const { city, classifier, options } = deps
  return {
    async plan(input: IntakeInput, now: Instant): Promise<IntakePlan> {
      const placement = city.place(input.location, [input.address, input.text].filter(Boolean).join(' '))
      const predicted = input.classId ? undefined : classifier?.classify(input.text, input.title)
      const confident =
        predicted &&
        predicted.confidence >= options.confidenceThreshold &&
        deps.classExists(predicted.classId)
      const classId =
        input.classId && deps.classExists(input.classId)
          ? input.classId
          : confident
            ? predicted.classId
            : undefined
      const explanation: Record<string, unknown> = {
        placement: { how: placement.how, names: placement.names },
        ...(predicted
          ? {
              classification: {
                classId: predicted.classId,
                confidence: Number(predicted.confidence.toFixed(3)),
                top: predicted.top,
                accepted: Boolean(confident),
                threshold: options.confidenceThreshold,
              },
            }
          : {}),
      }
      // the class triage settled on, even when the case waits for a person: duplicates are found by it
      if (classId) {
        explanation.classId = classId
      }
      // a leader's instruction is its own case, never folded into another report
      if (deps.duplicates && input.channel !== 'instruction') {
        const probe: DuplicateProbe = {
          text: input.text,
          at: Math.min(input.receivedAt ?? now, now),
          ...(input.location ? { location: input.location } : {}),
          ...(placement.region.streetCode ? { streetCode: placement.region.streetCode } : {}),
          ...(classId ? { classId } : {}),
        }
        const verdict = await deps.duplicates.check(probe)
        if (verdict.decision !== 'none') {
          explanation.duplicates = verdict
        }
        const best = verdict.matches[0]
        if (verdict.decision === 'attach' && best) {
          return {
            region: placement.region,
            explanation,
            attachTo: { caseId: best.caseId, score: best.score, reasons: best.reasons },
            probe,
          }
        }
        return planActions(input, placement, classId, explanation, now, probe)
      }
      return planActions(input, placement, classId, explanation, now)
    },
    repeats(probe, earlier) {
      if (!deps.duplicates) {
        return undefined
      }
      const rules = deps.duplicates.rules
      const radius = Math.max(rules.radiusM.component, rules.radiusM.event, rules.radiusM.unknown)
      const near = earlier.near(probe, radius, rules.windowMs)
      if (near.length === 0) {
        return undefined
      }
      const verdict = findDuplicates(probe, near, rules)
      const best = verdict.matches[0]
      return verdict.decision === 'attach' && best
        ? { caseId: best.caseId, score: best.score, reasons: best.reasons }
        : undefined
    },
  }

  function planActions(
    input: IntakeInput,
    placement: Placement,
    classId: string | undefined,
    explanation: Record<string, unknown>,
    now: Instant,
    probe?: DuplicateProbe,
  ): IntakePlan {
    // 批示: supervised from the first moment, whatever triage manages
    const first: CaseAction[] =
      input.channel === 'instruction' ? [{ type: 'supervise', note: `领导批示：${input.text}` }] : []
    const plan = {
      region: placement.region,
      explanation,
      ...(first.length ? { actions: first } : {}),
      ...(probe ? { probe } : {}),
    }
    const auto = options.autoDispatch && (options.autoChannels?.has(input.channel) ?? true)
    if (!classId || !auto || options.manualClasses?.has(classId)) {
      return plan
    }

    const actions: CaseAction[] = [
      ...first,
      { type: 'accept', note: '自动受理' },
      { type: 'register', classId },
    ]
    if (!placement.region.streetCode && !placement.region.districtCode) {
      return { ...plan, actions }
    }
    try {
      const owner = city.resolve(classId, placement.region, now)
      actions.push({ type: 'dispatch', unitId: owner.responsibleUnitId, explanation: owner.explanation })
      explanation.duty = {
        ruleId: owner.ruleId,
        unitId: owner.responsibleUnitId,
        cooperating: owner.cooperatingUnitIds,
      }
    } catch (e) {
      // nobody owns it here: it waits, registered, for a dispatcher
      explanation.duty = { error: (e as Error).message }
    }
    return { ...plan, actions }
  }
}
