import type { CaseAction } from '../core/case/case.types.ts'
import type { Instant } from '../core/time.ts'
import type { CityService } from './city.service.ts'
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
}

export interface PipelineDeps {
  readonly city: CityService
  readonly classifier?: Classifier
  readonly classExists: (classId: string) => boolean
  readonly options: PipelineOptions
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
    plan(input: IntakeInput, now: Instant): IntakePlan {
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
      const plan = { region: placement.region, explanation }
      if (!classId || !options.autoDispatch || options.manualClasses?.has(classId)) return plan

      const actions: CaseAction[] = [
        { type: 'accept', note: '自动受理' },
        { type: 'register', classId },
      ]
      if (!placement.region.streetCode && !placement.region.districtCode) return { ...plan, actions }
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
    },
  }
}
