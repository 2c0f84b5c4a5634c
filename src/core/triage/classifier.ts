import { fail, ok } from '../errors.ts'
import type { Result } from '../errors.ts'
import type {
  CvResult,
  Explanation,
  FeatureConfig,
  LabelledRow,
  Model,
  Prediction,
  TrainConfig,
  Tokenizer,
} from './classifier.types.ts'
import { buildVocabulary, displayTerm, extractTerms, idfFrom, needsTokenizer, vectorize } from './features.ts'
import type { SparseVector, TermBag } from './features.ts'
import {
  fitCentroid,
  fitComplementNb,
  fitLogistic,
  fitMultinomialNb,
  fitTemperature,
} from './linear-models.ts'
import type { LinearParams } from './linear-models.ts'
import { macroF1, accuracy } from './metrics.ts'
import { buildCharTrie, charVector } from './char-features.ts'
import type { CharTrie } from './char-features.ts'
import { stratifiedFolds } from './random.ts'

/** Options of `train`: the segmenter (needed for word features), the model's timestamp, and a seed. */
export interface TrainOptions {
  readonly tokenizer?: Tokenizer
  /** ISO timestamp written into the model; the core never reads a clock. */
  readonly createdAt?: string
  readonly seed?: number
}

/** Feature defaults a city can start from: jieba words + bigrams and character 1–3-grams, TF-IDF, title ×2. */
export const DEFAULT_FEATURES: FeatureConfig = {
  kind: 'both',
  wordBigrams: true,
  charMin: 1,
  charMax: 3,
  weighting: 'tfidf',
  titleWeight: 2,
  minDf: 2,
}

/**
 * Train a classifier on labelled rows. Fails (VALIDATION_FAILED) on fewer than two labels, empty
 * texts everywhere, a word-feature config without a tokenizer, or impossible settings.
 */
export function train(
  rows: readonly LabelledRow[],
  config: TrainConfig,
  options: TrainOptions = {},
): Result<Model> {
  const problem = checkInput(rows, config, options.tokenizer)
  if (problem) {
    return fail('VALIDATION_FAILED', problem)
  }
  const labels = [...new Set(rows.map((r) => r.label))].sort()
  const at = new Map(labels.map((l, i) => [l, i]))
  const y = rows.map((r) => at.get(r.label) ?? 0)
  const bags = rows.map((r) => extractTerms(r.text, r.title, config.features, options.tokenizer))
  const seed = options.seed ?? 1
  const fitted = fitBags(bags, y, labels.length, config, seed)
  if (fitted.vocabulary.length === 0) {
    return fail('VALIDATION_FAILED', 'no term occurs often enough to learn from (lower minDf or add rows)')
  }
  const temperature = config.calibrate === false ? 1 : calibrate(bags, y, labels.length, config, seed)
  return ok({
    version: 1,
    createdAt: options.createdAt ?? '',
    config,
    labels,
    vocabulary: fitted.vocabulary,
    idf: fitted.idf.map(round),
    normalize: fitted.normalize,
    weights: fitted.params.weights.map((row) => Array.from(row, round)),
    bias: Array.from(fitted.params.bias, round),
    temperature: round(temperature),
    trainedRows: rows.length,
  })
}

/**
 * Classify one text (with an optional title). Confidence is the temperature-scaled softmax of the
 * model's scores; the explanation lists the terms that lifted the chosen class most above the average class.
 * Character-only models take a fast path (code-point trie, no term strings); the result is the same,
 * bit for bit, as `predictReference`.
 */
export function predict(model: Model, text: string, tokenizer: Tokenizer, title?: string): Prediction {
  const compiled = compile(model)
  if (!compiled.trie) {
    return predictReference(model, text, tokenizer, title)
  }
  return predictFromVector(model, charVector(compiled.trie, text, title, model.idf, model.normalize))
}

/**
 * The straightforward classifier (term bag of strings → sparse vector → scores): the only path for word
 * features, and the reference the fast path is tested against.
 */
export function predictReference(
  model: Model,
  text: string,
  tokenizer: Tokenizer,
  title?: string,
): Prediction {
  return predictFromVector(
    model,
    vectorOf(model, extractTerms(text, title, model.config.features, tokenizer)),
  )
}

function predictFromVector(model: Model, x: SparseVector): Prediction {
  const scores = scoreVector(model, x)
  const probs = softmaxInPlace(scores, model.temperature)
  // Top three by probability (ties: lower class index first), without sorting every class.
  const top3 = [-1, -1, -1]
  for (let c = 0; c < probs.length; c++) {
    const p = probs[c]
    for (let r = 0; r < 3; r++) {
      const o = top3[r]
      if (o < 0 || p > probs[o]) {
        for (let k = 2; k > r; k--) {
          top3[k] = top3[k - 1]
        }
        top3[r] = c
        break
      }
    }
  }
  const best = top3[0]
  const top = top3.filter((c) => c >= 0).map((c) => ({ label: model.labels[c], score: probs[c] }))
  return { label: model.labels[best], confidence: probs[best], top, explanation: explain(model, x, best) }
}

/** `softmax` of linear-models.ts with the same arithmetic, written over the scores array. */
function softmaxInPlace(scores: Float64Array, temperature: number): Float64Array {
  let max = -Infinity
  for (let c = 0; c < scores.length; c++) {
    max = Math.max(max, scores[c] / temperature)
  }
  let z = 0
  for (let c = 0; c < scores.length; c++) {
    const e = Math.exp(scores[c] / temperature - max)
    scores[c] = e
    z += e
  }
  for (let c = 0; c < scores.length; c++) {
    scores[c] = scores[c] / z
  }
  return scores
}

/**
 * Stratified k-fold cross-validation of several configs on the same folds (seeded). Term extraction is
 * done once per feature config; vocabulary, IDF and weights are learnt inside each fold only.
 */
export function crossValidate(
  rows: readonly LabelledRow[],
  configs: readonly TrainConfig[],
  k: number,
  seed: number,
  tokenizer?: Tokenizer,
): Result<CvResult[]> {
  if (k < 2 || k > rows.length) {
    return fail(
      'VALIDATION_FAILED',
      `folds must be between 2 and the number of rows (${rows.length}), got ${k}`,
    )
  }
  for (const config of configs) {
    const problem = checkInput(rows, config, tokenizer)
    if (problem) {
      return fail('VALIDATION_FAILED', `${describeConfig(config)}: ${problem}`)
    }
  }
  const labels = [...new Set(rows.map((r) => r.label))].sort()
  const at = new Map(labels.map((l, i) => [l, i]))
  const y = rows.map((r) => at.get(r.label) ?? 0)
  const gold = rows.map((r) => r.label)
  const fold = stratifiedFolds(gold, k, seed)
  const cachedTokenizer = tokenizer ? memoize(tokenizer) : undefined
  const bagCache = new Map<string, TermBag[]>()
  const results = configs.map((config) => {
    const key = JSON.stringify(config.features)
    const bags =
      bagCache.get(key) ?? rows.map((r) => extractTerms(r.text, r.title, config.features, cachedTokenizer))
    bagCache.set(key, bags)
    const predicted = new Array<string>(rows.length)
    const foldAccuracy: number[] = []
    for (let f = 0; f < k; f++) {
      const trainIdx = fold.flatMap((g, i) => (g === f ? [] : [i]))
      const testIdx = fold.flatMap((g, i) => (g === f ? [i] : []))
      const fitted = fitBags(
        trainIdx.map((i) => bags[i]),
        trainIdx.map((i) => y[i]),
        labels.length,
        config,
        seed + f,
      )
      const index = new Map(fitted.vocabulary.map((t, j) => [t, j]))
      for (const i of testIdx) {
        const s = linearScores(fitted.params, vectorize(bags[i], index, fitted.idf, fitted.normalize))
        predicted[i] = labels[argmax(s)]
      }
      foldAccuracy.push(
        accuracy(
          testIdx.map((i) => gold[i]),
          testIdx.map((i) => predicted[i]),
        ),
      )
    }
    return {
      name: describeConfig(config),
      config,
      accuracy: accuracy(gold, predicted),
      macroF1: macroF1(gold, predicted),
      foldAccuracy,
    }
  })
  return ok(results)
}

/**
 * Out-of-fold predictions of one config, each fold trained (and calibrated) by `train`: an honest
 * sample of (confidence, correct?) pairs from which to choose the auto-registration threshold.
 */
export function crossValidatedPredictions(
  rows: readonly LabelledRow[],
  config: TrainConfig,
  k: number,
  seed: number,
  tokenizer: Tokenizer,
): Result<Prediction[]> {
  if (k < 2 || k > rows.length) {
    return fail('VALIDATION_FAILED', `folds must be between 2 and ${rows.length}, got ${k}`)
  }
  const fold = stratifiedFolds(
    rows.map((r) => r.label),
    k,
    seed,
  )
  const cached = memoize(tokenizer)
  const out = new Array<Prediction>(rows.length)
  for (let f = 0; f < k; f++) {
    const model = train(
      rows.filter((_, i) => fold[i] !== f),
      config,
      { tokenizer: cached, seed: seed + f },
    )
    if (!model.ok) {
      return model
    }
    rows.forEach((r, i) => {
      if (fold[i] === f) {
        out[i] = predict(model.value, r.text, cached, r.title)
      }
    })
  }
  return ok(out)
}

/** A short human name of a config, e.g. "both(w+b,c1-3)/tfidf/title×2 · cnb". */
export function describeConfig(config: TrainConfig): string {
  const f = config.features
  const words = f.wordBigrams ? 'w+b' : 'w'
  const chars = `c${f.charMin}-${f.charMax}`
  const terms = f.kind === 'words' ? words : f.kind === 'chars' ? chars : `${words},${chars}`
  const title = f.titleWeight === 1 ? '' : `/title×${f.titleWeight}`
  return `${f.kind}(${terms})/${f.weighting}${title} · ${config.model}`
}

/**
 * The comparison grid: {words, chars 1–2, chars 1–3, words + chars 1–2, words + chars 1–3} ×
 * {cnb, mnb, centroid, logreg} with TF-IDF, plus naive Bayes on raw counts (its textbook form).
 */
export function defaultCvConfigs(base: Partial<FeatureConfig> = {}): TrainConfig[] {
  const out: TrainConfig[] = []
  const families: Partial<FeatureConfig>[] = [
    { kind: 'words' },
    { kind: 'chars', charMin: 1, charMax: 2 },
    { kind: 'chars', charMin: 1, charMax: 3 },
    { kind: 'both', charMin: 1, charMax: 2 },
    { kind: 'both', charMin: 1, charMax: 3 },
  ]
  for (const family of families) {
    const features: FeatureConfig = { ...DEFAULT_FEATURES, ...base, ...family }
    for (const model of ['cnb', 'mnb', 'centroid', 'logreg'] as const) {
      out.push({ features: { ...features, weighting: 'tfidf' }, model })
    }
    for (const model of ['cnb', 'mnb'] as const) {
      out.push({ features: { ...features, weighting: 'counts' }, model })
    }
  }
  return out
}

// ---------------------------------------------------------------------------------------------

interface Fitted {
  readonly vocabulary: string[]
  readonly idf: number[]
  readonly normalize: boolean
  readonly params: LinearParams
}

function checkInput(
  rows: readonly LabelledRow[],
  config: TrainConfig,
  tokenizer: Tokenizer | undefined,
): string | undefined {
  const f = config.features
  if (rows.length < 2) {
    return 'at least two labelled rows are needed'
  }
  if (new Set(rows.map((r) => r.label)).size < 2) {
    return 'at least two different labels are needed'
  }
  if (needsTokenizer(f) && !tokenizer) {
    return `features "${f.kind}" need a word tokenizer`
  }
  if (!(f.charMin >= 1 && f.charMax >= f.charMin)) {
    return 'character n-grams need 1 ≤ charMin ≤ charMax'
  }
  if (!(f.titleWeight >= 0) || !(f.minDf >= 1)) {
    return 'titleWeight must be ≥ 0 and minDf ≥ 1'
  }
  return undefined
}

function usesNormalization(config: TrainConfig): boolean {
  return config.features.weighting === 'tfidf' || config.model === 'centroid' || config.model === 'logreg'
}

function fitBags(
  bags: readonly TermBag[],
  y: readonly number[],
  labels: number,
  config: TrainConfig,
  seed: number,
): Fitted {
  const { vocabulary, df } = buildVocabulary(bags, config.features.minDf)
  const idf = config.features.weighting === 'tfidf' ? idfFrom(df, bags.length) : []
  const normalize = usesNormalization(config)
  const index = new Map(vocabulary.map((t, j) => [t, j]))
  const x = bags.map((b) => vectorize(b, index, idf, normalize))
  const input = { x, y, labels, terms: vocabulary.length }
  const alpha = config.alpha ?? 1
  const params =
    config.model === 'mnb'
      ? fitMultinomialNb(input, alpha)
      : config.model === 'cnb'
        ? fitComplementNb(input, alpha)
        : config.model === 'centroid'
          ? fitCentroid(input)
          : fitLogistic(input, config.epochs ?? 20, config.l2 ?? 1e-4, seed)
  return { vocabulary, idf, normalize, params }
}

/** Temperature from 3 inner stratified folds (or fewer when the data are tiny). */
function calibrate(
  bags: readonly TermBag[],
  y: readonly number[],
  labels: number,
  config: TrainConfig,
  seed: number,
): number {
  const k = Math.min(3, bags.length)
  if (k < 2) {
    return 1
  }
  const fold = stratifiedFolds(y.map(String), k, seed + 7919)
  const scores: Float64Array[] = []
  const gold: number[] = []
  for (let f = 0; f < k; f++) {
    const tr = fold.flatMap((g, i) => (g === f ? [] : [i]))
    const fitted = fitBags(
      tr.map((i) => bags[i]),
      tr.map((i) => y[i]),
      labels,
      config,
      seed + f,
    )
    const index = new Map(fitted.vocabulary.map((t, j) => [t, j]))
    fold.forEach((g, i) => {
      if (g !== f) {
        return
      }
      scores.push(linearScores(fitted.params, vectorize(bags[i], index, fitted.idf, fitted.normalize)))
      gold.push(y[i])
    })
  }
  return fitTemperature(scores, gold)
}

function linearScores(params: LinearParams, x: SparseVector): Float64Array {
  const s = Float64Array.from(params.bias)
  params.weights.forEach((row, c) => {
    let acc = s[c]
    for (let k = 0; k < x.idx.length; k++) {
      acc += row[x.idx[k]] * x.val[k]
    }
    s[c] = acc
  })
  return s
}

function argmax(s: ArrayLike<number>): number {
  let best = 0
  for (let c = 1; c < s.length; c++) {
    if (s[c] > s[best]) {
      best = c
    }
  }
  return best
}

// A loaded model's derived form: term index and weights laid out term-major (all classes of one term
// side by side), so scoring and explaining a text touch only its own terms. Built once, never serialized.
interface Compiled {
  readonly index: Map<string, number>
  readonly weights: Float64Array
  /** Mean weight of each term over all classes (the explanation's baseline). */
  readonly mean: Float64Array
  readonly bias: Float64Array
  /** Each term as a person reads it (no kind prefix). */
  readonly display: readonly string[]
  /** Character n-gram terms by code points, for character-only models (undefined otherwise). */
  readonly trie: CharTrie | undefined
}

const compiledCache = new WeakMap<Model, Compiled>()

function compile(model: Model): Compiled {
  let compiled = compiledCache.get(model)
  if (!compiled) {
    const n = model.labels.length
    const v = model.vocabulary.length
    const weights = new Float64Array(n * v)
    const mean = new Float64Array(v)
    for (let c = 0; c < n; c++) {
      const row = model.weights[c]
      for (let j = 0; j < v; j++) {
        weights[j * n + c] = row[j]
        mean[j] += row[j] / n
      }
    }
    const trie =
      model.config.features.kind === 'chars'
        ? buildCharTrie(model.vocabulary, model.config.features)
        : undefined
    compiled = {
      index: new Map(model.vocabulary.map((t, j) => [t, j])),
      weights,
      mean,
      bias: Float64Array.from(model.bias),
      display: model.vocabulary.map(displayTerm),
      trie,
    }
    compiledCache.set(model, compiled)
  }
  return compiled
}

function vectorOf(model: Model, bag: TermBag): SparseVector {
  return vectorize(bag, compile(model).index, model.idf, model.normalize)
}

function scoreVector(model: Model, x: SparseVector): Float64Array {
  const { weights, bias } = compile(model)
  const n = bias.length
  const s = bias.slice()
  const { idx, val } = x
  for (let k = 0; k < idx.length; k++) {
    const base = idx[k] * n
    const v = val[k]
    for (let c = 0; c < n; c++) {
      s[c] += weights[base + c] * v
    }
  }
  return s
}

function explain(model: Model, x: SparseVector, best: number, limit = 5): Explanation[] {
  const { weights, mean, display } = compile(model)
  const n = model.labels.length
  const temperature = model.temperature
  const { idx, val } = x
  // Only the strongest few terms are shown: keep the 2 × limit largest positive pushes (first seen wins ties)
  // without sorting every term of the text.
  const keep = limit * 2
  const pickedK: number[] = []
  const pickedPush: number[] = []
  for (let k = 0; k < idx.length; k++) {
    const j = idx[k]
    const push = ((weights[j * n + best] - mean[j]) * val[k]) / temperature
    if (push <= 0) {
      continue
    }
    if (pickedK.length < keep) {
      pickedK.push(k)
      pickedPush.push(push)
      continue
    }
    let low = 0
    for (let i = 1; i < keep; i++) {
      if (pickedPush[i] < pickedPush[low]) {
        low = i
      }
    }
    if (push > pickedPush[low]) {
      pickedK[low] = k
      pickedPush[low] = push
    }
  }
  // Terms that read the same (a word and a character n-gram) add up.
  const tokens: string[] = []
  const sums: number[] = []
  for (let i = 0; i < pickedK.length; i++) {
    const token = display[idx[pickedK[i]]]
    const at = tokens.indexOf(token)
    if (at < 0) {
      tokens.push(token)
      sums.push(pickedPush[i])
    } else {
      sums[at] += pickedPush[i]
    }
  }
  const order = tokens.map((_, i) => i)
  order.sort((a, b) => sums[b] - sums[a] || (tokens[a] < tokens[b] ? -1 : 1))
  const out: Explanation[] = []
  for (let i = 0; i < order.length && i < limit; i++) {
    out.push({ token: tokens[order[i]], weight: round(sums[order[i]]) })
  }
  return out
}

function memoize(tokenizer: Tokenizer): Tokenizer {
  const cache = new Map<string, readonly string[]>()
  return (text) => {
    let words = cache.get(text)
    if (!words) {
      words = tokenizer(text)
      cache.set(text, words)
    }
    return words
  }
}

function round(v: number): number {
  return Number(v.toPrecision(6))
}
