import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { fail, ok } from '../core/errors.ts'
import type { Result } from '../core/errors.ts'
import type { Model } from '../core/triage/classifier.types.ts'

/** Bumped whenever the file layout changes incompatibly; readers refuse other versions. */
export const MODEL_FORMAT_VERSION = 1
export const MODEL_FORMAT = 'onegrid-triage-model'

export type TokenizerName = 'jieba' | 'chars' | 'unicode'

export interface CvFigure {
  readonly name: string
  readonly accuracy: number
  readonly macroF1: number
}

/** How the model was made, so a reader can judge (and reproduce) it. */
export interface TrainingRecord {
  readonly source: string
  readonly textCol: string
  readonly labelCol: string
  readonly titleCol?: string
  readonly rows: number
  readonly trainRows: number
  readonly holdoutRows: number
  readonly folds: number
  readonly seed: number
  /** Cross-validation on the training part, best first; the first one is the chosen config. */
  readonly cv: readonly CvFigure[]
  readonly chosen: string
  readonly holdout?: { readonly accuracy: number; readonly macroF1: number }
  /** Below this confidence a case waits for an operator. */
  readonly threshold?: {
    readonly confidence: number
    readonly targetPrecision: number
    /** Precision and coverage (share auto-registered) on out-of-fold training predictions. */
    readonly cvPrecision: number
    readonly cvCoverage: number
    readonly holdoutPrecision?: number
    readonly holdoutCoverage?: number
  }
  /** True when the shipped weights were refit on all rows after the hold-out was measured. */
  readonly refitOnAllRows: boolean
}

export interface ModelFile {
  readonly format: typeof MODEL_FORMAT
  readonly formatVersion: number
  readonly tokenizer: TokenizerName
  readonly labelNames: Readonly<Record<string, string>>
  readonly training: TrainingRecord
  readonly model: Model
}

/** Write a model file atomically (temp file + rename) so a running server never reads half a model. */
export async function writeModelFile(path: string, file: ModelFile): Promise<void> {
  await mkdir(dirname(path), { recursive: true })
  const tmp = `${path}.${process.pid}.tmp`
  await writeFile(tmp, JSON.stringify(file) + '\n', 'utf8')
  await rename(tmp, path)
}

/** Read and check a model file: right format, known version, and weights that match the labels and vocabulary. */
export async function readModelFile(path: string): Promise<Result<ModelFile>> {
  let parsed: unknown
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'))
  } catch (e) {
    return fail('VALIDATION_FAILED', `cannot read model file ${path}: ${(e as Error).message}`, 'model')
  }
  return parseModelFile(parsed)
}

/** Validate an already-parsed model file. */
export function parseModelFile(value: unknown): Result<ModelFile> {
  const f = value as Partial<ModelFile> | null
  if (!f || f.format !== MODEL_FORMAT) {
    return fail('VALIDATION_FAILED', `not a ${MODEL_FORMAT} file`, 'model')
  }
  if (f.formatVersion !== MODEL_FORMAT_VERSION) {
    return fail(
      'VALIDATION_FAILED',
      `model format version ${String(f.formatVersion)} is not supported (expected ${MODEL_FORMAT_VERSION}); retrain the model`,
      'model',
    )
  }
  const m = f.model
  if (!m || !Array.isArray(m.labels) || !Array.isArray(m.vocabulary) || !Array.isArray(m.weights)) {
    return fail('VALIDATION_FAILED', 'model file has no labels, vocabulary or weights', 'model')
  }
  if (
    m.weights.length !== m.labels.length ||
    (m.weights as readonly unknown[]).some((row) => !Array.isArray(row) || row.length !== m.vocabulary.length)
  ) {
    return fail('VALIDATION_FAILED', 'model weights do not match its labels and vocabulary', 'model')
  }
  return ok(f as ModelFile)
}
