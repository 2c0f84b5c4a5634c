import { predict } from '../core/triage/classifier.ts'
import type { Classifier } from '../services/intake-pipeline.ts'
import { readModelFile } from './model-file.ts'
import { tokenizerByName } from './tokenizer.ts'

/** The classifier and the confidence threshold its training chose for automatic registration. */
export interface LoadedClassifier {
  readonly classifier: Classifier
  readonly threshold: number
  readonly modelVersion: string
}

/** Load a trained model file (data/triage/model.json by default) as the intake pipeline's classifier. */
export async function loadClassifier(path: string): Promise<LoadedClassifier> {
  const r = await readModelFile(path)
  if (!r.ok) {
    throw new Error(`${path}: ${r.error.message}`)
  }
  const file = r.value
  const tokenize = tokenizerByName(file.tokenizer)
  const modelVersion = `${file.training.chosen} @ ${file.model.createdAt}`
  return {
    threshold: file.training.threshold?.confidence ?? 0.8,
    modelVersion,
    classifier: {
      classify(text, title) {
        const p = predict(file.model, text, tokenize, title)
        return {
          classId: p.label,
          confidence: p.confidence,
          top: p.top.map((t) => ({ label: t.label, score: Number(t.score.toFixed(3)) })),
          modelVersion,
        }
      },
    },
  }
}
