import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { parse } from 'csv-parse/sync'
import { AppError } from '../core/errors.ts'
import type { Result } from '../core/errors.ts'
import type { CvResult, LabelledRow, TrainConfig } from '../core/triage/classifier.types.ts'
import {
  crossValidate,
  crossValidatedPredictions,
  defaultCvConfigs,
  describeConfig,
  predict,
  train,
} from '../core/triage/classifier.ts'
import { atThreshold, chooseThreshold, evaluate, formatConfusionMatrix } from '../core/triage/metrics.ts'
import type { Evaluation } from '../core/triage/metrics.ts'
import { stratifiedSplit } from '../core/triage/random.ts'
import { MODEL_FORMAT, MODEL_FORMAT_VERSION, readModelFile, writeModelFile } from './model-file.ts'
import type { ModelFile, TokenizerName, TrainingRecord } from './model-file.ts'
import { tokenizerByName } from './tokenizer.ts'

export interface TrainFromCsvOptions {
  readonly csv: string
  readonly textCol: string
  readonly labelCol: string
  readonly titleCol?: string
  readonly out: string
  readonly folds: number
  readonly seed?: number
  /** Share of rows held out (stratified) to measure the chosen model; default 0.2. */
  readonly holdout?: number
  /** Keep only the N most frequent labels (real exports have a long tail of rare ones). */
  readonly topLabels?: number
  /** Configs to compare; default the full grid of `defaultCvConfigs()`. */
  readonly configs?: readonly TrainConfig[]
  readonly tokenizer?: TokenizerName
  /** Precision the auto-registered cases must reach; sets the confidence threshold. Default 0.95. */
  readonly targetPrecision?: number
  /** JSON { label: name } for readable reports; default `labels.json` beside the CSV when present. */
  readonly labelsFile?: string
  /** Refit the chosen config on all rows (train + hold-out) before saving; default true. */
  readonly refitAll?: boolean
  readonly log?: (line: string) => void
}

export interface TrainReport {
  readonly rows: number
  readonly labels: number
  readonly cv: readonly CvResult[]
  readonly chosen: TrainConfig
  readonly holdout: Evaluation | undefined
  readonly threshold: TrainingRecord['threshold']
  readonly file: ModelFile
}

export interface EvalFromCsvOptions {
  readonly csv: string
  readonly textCol: string
  readonly labelCol: string
  readonly titleCol?: string
  readonly model: string
  readonly topLabels?: number
  /** Score only rows whose gold label the model knows (another city's export has classes ours lacks). */
  readonly onlyModelLabels?: boolean
  readonly log?: (line: string) => void
}

export interface EvalReport {
  readonly rows: number
  readonly evaluation: Evaluation
  /** Gold labels the model has never seen (always counted wrong). */
  readonly unknownLabels: readonly string[]
  /** Precision and coverage at the model's stored threshold, when it has one. */
  readonly atThreshold?: { readonly threshold: number; readonly precision: number; readonly coverage: number }
}

/**
 * `onegrid train`: read any CSV with a text and a label column, compare feature/model configs by
 * stratified k-fold cross-validation on the training part, measure the winner on a stratified
 * hold-out, choose the auto-registration threshold, and write a versioned model file.
 */
export async function trainFromCsv(options: TrainFromCsvOptions): Promise<TrainReport> {
  const log = options.log ?? ((line: string) => void process.stdout.write(line + '\n'))
  const seed = options.seed ?? 42
  const tokenizerName = options.tokenizer ?? 'jieba'
  const tokenizer = tokenizerByName(tokenizerName)
  const rows = await readLabelledCsv(
    options.csv,
    options.textCol,
    options.labelCol,
    options.titleCol,
    options.topLabels,
  )
  const labelNames = await readLabelNames(options.csv, options.labelsFile)
  const split = stratifiedSplit(
    rows.map((r) => r.label),
    options.holdout ?? 0.2,
    seed,
  )
  const trainRows = split.train.map((i) => rows[i])
  const testRows = split.test.map((i) => rows[i])
  const labelCount = new Set(rows.map((r) => r.label)).size
  log(
    `${rows.length} rows, ${labelCount} labels; ${trainRows.length} for cross-validation, ${testRows.length} held out`,
  )

  const configs = options.configs ?? defaultCvConfigs()
  const cv = unwrap(crossValidate(trainRows, configs, options.folds, seed, tokenizer))
  const ranked = [...cv].sort((a, b) => b.macroF1 - a.macroF1 || b.accuracy - a.accuracy)
  log(`\n${options.folds}-fold cross-validation (macro-F1, best first):`)
  log(formatCvTable(ranked))
  const chosen = ranked[0].config
  log(`\nchosen: ${describeConfig(chosen)}`)

  const targetPrecision = options.targetPrecision ?? 0.95
  const oof = unwrap(crossValidatedPredictions(trainRows, chosen, options.folds, seed, tokenizer))
  const pick = chooseThreshold(
    oof.map((p) => p.confidence),
    oof.map((p, i) => p.label === trainRows[i].label),
    targetPrecision,
  )
  let threshold: TrainingRecord['threshold'] = {
    confidence: round(pick.threshold),
    targetPrecision,
    cvPrecision: round(pick.precision),
    cvCoverage: round(pick.coverage),
  }

  let holdout: Evaluation | undefined
  const trained = unwrap(train(trainRows, chosen, { tokenizer, seed, createdAt: new Date().toISOString() }))
  if (testRows.length > 0) {
    const predictions = testRows.map((r) => predict(trained, r.text, tokenizer, r.title))
    holdout = evaluate(
      testRows.map((r) => r.label),
      predictions.map((p) => p.label),
    )
    const at = atThreshold(
      predictions.map((p) => p.confidence),
      predictions.map((p, i) => p.label === testRows[i].label),
      pick.threshold,
    )
    threshold = { ...threshold, holdoutPrecision: round(at.precision), holdoutCoverage: round(at.coverage) }
    log(
      `\nheld-out (${testRows.length} rows): accuracy ${fmt(holdout.accuracy)}, macro-F1 ${fmt(holdout.macroF1)}`,
    )
    log(formatConfusionMatrix(holdout.confusion, labelNames))
  }
  log(
    `\nthreshold for precision ≥ ${targetPrecision}: confidence ≥ ${fmt(pick.threshold)} ` +
      `(cross-validated precision ${fmt(pick.precision)}, coverage ${fmt(pick.coverage)}` +
      (threshold.holdoutPrecision !== undefined
        ? `; held-out precision ${fmt(threshold.holdoutPrecision)}, coverage ${fmt(threshold.holdoutCoverage ?? 0)})`
        : ')'),
  )

  const refit = (options.refitAll ?? true) && testRows.length > 0
  const model = refit
    ? unwrap(train(rows, chosen, { tokenizer, seed, createdAt: new Date().toISOString() }))
    : trained
  const file: ModelFile = {
    format: MODEL_FORMAT,
    formatVersion: MODEL_FORMAT_VERSION,
    tokenizer: tokenizerName,
    labelNames,
    training: {
      source: basename(options.csv),
      textCol: options.textCol,
      labelCol: options.labelCol,
      ...(options.titleCol ? { titleCol: options.titleCol } : {}),
      rows: rows.length,
      trainRows: trainRows.length,
      holdoutRows: testRows.length,
      folds: options.folds,
      seed,
      cv: ranked.map((r) => ({ name: r.name, accuracy: round(r.accuracy), macroF1: round(r.macroF1) })),
      chosen: describeConfig(chosen),
      ...(holdout ? { holdout: { accuracy: round(holdout.accuracy), macroF1: round(holdout.macroF1) } } : {}),
      threshold,
      refitOnAllRows: refit,
    },
    model,
  }
  await writeModelFile(options.out, file)
  log(`\nwrote ${options.out}${refit ? ' (refit on all rows)' : ''}`)
  return { rows: rows.length, labels: labelCount, cv: ranked, chosen, holdout, threshold, file }
}

/** `onegrid eval`: score a saved model on any labelled CSV and print accuracy, macro-F1 and the confusion matrix. */
export async function evalFromCsv(options: EvalFromCsvOptions): Promise<EvalReport> {
  const log = options.log ?? ((line: string) => void process.stdout.write(line + '\n'))
  const loaded = await readModelFile(options.model)
  if (!loaded.ok) {
    throw AppError.from(loaded.error)
  }
  const { model, labelNames } = loaded.value
  const tokenizer = tokenizerByName(loaded.value.tokenizer)
  const known = new Set(model.labels)
  const all = await readLabelledCsv(
    options.csv,
    options.textCol,
    options.labelCol,
    options.titleCol,
    options.topLabels,
  )
  const rows = options.onlyModelLabels ? all.filter((r) => known.has(r.label)) : all
  const predictions = rows.map((r) => predict(model, r.text, tokenizer, r.title))
  const gold = rows.map((r) => r.label)
  const evaluation = evaluate(
    gold,
    predictions.map((p) => p.label),
  )
  const unknownLabels = [...new Set(all.map((r) => r.label).filter((l) => !known.has(l)))].sort()
  log(`${rows.length} rows: accuracy ${fmt(evaluation.accuracy)}, macro-F1 ${fmt(evaluation.macroF1)}`)
  if (unknownLabels.length > 0) {
    log(
      `labels the model does not know (${options.onlyModelLabels ? 'rows skipped' : 'counted wrong'}): ${unknownLabels.join(', ')}`,
    )
  }
  log(formatConfusionMatrix(evaluation.confusion, labelNames))
  const t = loaded.value.training.threshold?.confidence
  let thresholdFigures: EvalReport['atThreshold']
  if (t !== undefined) {
    thresholdFigures = atThreshold(
      predictions.map((p) => p.confidence),
      predictions.map((p, i) => p.label === gold[i]),
      t,
    )
    log(
      `at threshold ${fmt(t)}: precision ${fmt(thresholdFigures.precision)}, coverage ${fmt(thresholdFigures.coverage)}`,
    )
  }
  return {
    rows: rows.length,
    evaluation,
    unknownLabels,
    ...(thresholdFigures ? { atThreshold: thresholdFigures } : {}),
  }
}

/**
 * Labelled rows from a CSV (header row, BOM tolerated). Column names match exactly, else ignoring case,
 * spaces and underscores ("Complaint Type" = "complaint_type"). Rows with an empty text or label are skipped.
 */
export async function readLabelledCsv(
  path: string,
  textCol: string,
  labelCol: string,
  titleCol?: string,
  topLabels?: number,
): Promise<LabelledRow[]> {
  const records = parse<Record<string, string | undefined>>(await readFile(path, 'utf8'), {
    columns: true,
    bom: true,
    skip_empty_lines: true,
    relax_column_count: true,
    trim: true,
  })
  const header = records.length > 0 ? Object.keys(records[0]) : []
  const text = findColumn(header, textCol, path)
  const label = findColumn(header, labelCol, path)
  const title = titleCol ? findColumn(header, titleCol, path) : undefined
  let rows: LabelledRow[] = []
  for (const r of records) {
    const t = r[text] ?? ''
    const l = r[label] ?? ''
    if (t === '' || l === '') {
      continue
    }
    const ti = title ? (r[title] ?? '') : ''
    rows.push(ti ? { text: t, label: l, title: ti } : { text: t, label: l })
  }
  if (topLabels !== undefined) {
    const counts = new Map<string, number>()
    for (const r of rows) {
      counts.set(r.label, (counts.get(r.label) ?? 0) + 1)
    }
    const keep = new Set(
      [...counts.entries()]
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
        .slice(0, topLabels)
        .map(([l]) => l),
    )
    rows = rows.filter((r) => keep.has(r.label))
  }
  if (rows.length === 0) {
    throw new AppError('VALIDATION_FAILED', `${path} has no rows with both "${textCol}" and "${labelCol}"`)
  }
  return rows
}

/** Cross-validation results as an aligned text table. */
export function formatCvTable(results: readonly CvResult[]): string {
  const width = Math.max(6, ...results.map((r) => r.name.length))
  const lines = [`${'config'.padEnd(width)}  accuracy  macro-F1  fold spread`]
  for (const r of results) {
    const spread = `${fmt(Math.min(...r.foldAccuracy))}–${fmt(Math.max(...r.foldAccuracy))}`
    lines.push(
      `${r.name.padEnd(width)}  ${fmt(r.accuracy).padStart(8)}  ${fmt(r.macroF1).padStart(8)}  ${spread}`,
    )
  }
  return lines.join('\n')
}

function findColumn(header: readonly string[], wanted: string, path: string): string {
  if (header.includes(wanted)) {
    return wanted
  }
  const key = (s: string): string => s.toLowerCase().replace(/[\s_]+/g, '')
  const found = header.find((h) => key(h) === key(wanted))
  if (found !== undefined) {
    return found
  }
  throw new AppError(
    'VALIDATION_FAILED',
    `${path} has no column "${wanted}" (columns: ${header.join(', ')})`,
    'column',
  )
}

async function readLabelNames(csv: string, labelsFile: string | undefined): Promise<Record<string, string>> {
  const path = labelsFile ?? join(dirname(csv), 'labels.json')
  if (!labelsFile && !existsSync(path)) {
    return {}
  }
  const parsed = JSON.parse(await readFile(path, 'utf8')) as unknown
  if (!parsed || typeof parsed !== 'object') {
    return {}
  }
  return Object.fromEntries(
    Object.entries(parsed as Record<string, unknown>).filter(([, v]) => typeof v === 'string'),
  ) as Record<string, string>
}

function unwrap<T>(r: Result<T>): T {
  if (!r.ok) {
    throw AppError.from(r.error)
  }
  return r.value
}

function fmt(v: number): string {
  return v.toFixed(3)
}

function round(v: number): number {
  return Number(v.toFixed(4))
}
