import type { FeatureConfig, Tokenizer } from './classifier.types.ts'

/** A bag of terms: term → count (title terms already multiplied). */
export type TermBag = Map<string, number>

/** A sparse, weighted term vector over a vocabulary. */
export interface SparseVector {
  readonly idx: Int32Array
  readonly val: Float64Array
}

const WORD = /[\p{L}\p{N}]/u
const RUN = /[\p{L}\p{N}]+/gu

/**
 * Canonical form before any feature: full-width forms folded (NFKC), lower case, and every digit run
 * collapsed to "0" because house numbers and dates say nothing about the kind of problem.
 */
export function normalizeText(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/\p{Nd}+/gu, '0')
}

/** Character n-grams (min..max) inside runs of letters/digits, so punctuation never joins two clauses. */
export function charNgrams(text: string, min: number, max: number): string[] {
  const out: string[] = []
  for (const m of normalizeText(text).matchAll(RUN)) {
    const chars = Array.from(m[0])
    for (let n = min; n <= max; n++) {
      for (let i = 0; i + n <= chars.length; i++) {
        out.push(chars.slice(i, i + n).join(''))
      }
    }
  }
  return out
}

function addTerms(
  bag: TermBag,
  text: string,
  config: FeatureConfig,
  tokenizer: Tokenizer | undefined,
  times: number,
): void {
  const norm = normalizeText(text)
  const add = (t: string): void => {
    bag.set(t, (bag.get(t) ?? 0) + times)
  }
  if (config.kind !== 'chars' && tokenizer) {
    const words = tokenizer(norm).filter((w) => WORD.test(w))
    for (let i = 0; i < words.length; i++) {
      add('w:' + words[i])
      if (config.wordBigrams && i > 0) {
        add('b:' + words[i - 1] + ' ' + words[i])
      }
    }
  }
  if (config.kind !== 'words') {
    for (const m of norm.matchAll(RUN)) {
      const chars = Array.from(m[0])
      for (let i = 0; i < chars.length; i++) {
        // Grow the n-gram one character at a time instead of slicing and joining for every n.
        let gram = ''
        for (let n = 1; n <= config.charMax && i + n <= chars.length; n++) {
          gram += chars[i + n - 1]
          if (n >= config.charMin) {
            add('c:' + gram)
          }
        }
      }
    }
  }
}

/** The terms of one report; a title's terms count `titleWeight` times. */
export function extractTerms(
  text: string,
  title: string | undefined,
  config: FeatureConfig,
  tokenizer: Tokenizer | undefined,
): TermBag {
  const bag: TermBag = new Map()
  addTerms(bag, text, config, tokenizer, 1)
  if (title) {
    addTerms(bag, title, config, tokenizer, config.titleWeight)
  }
  return bag
}

/** Whether a feature config needs the word segmenter. */
export function needsTokenizer(config: FeatureConfig): boolean {
  return config.kind !== 'chars'
}

/** Terms kept for training: document frequency ≥ minDf, sorted so the same data gives the same model. */
export function buildVocabulary(
  bags: readonly TermBag[],
  minDf: number,
): { vocabulary: string[]; df: number[] } {
  const df = new Map<string, number>()
  for (const bag of bags) {
    for (const t of bag.keys()) {
      df.set(t, (df.get(t) ?? 0) + 1)
    }
  }
  const vocabulary = [...df.entries()]
    .filter(([, n]) => n >= minDf)
    .map(([t]) => t)
    .sort()
  return { vocabulary, df: vocabulary.map((t) => df.get(t) ?? 0) }
}

/** Smoothed IDF, as in common IR practice: ln((1 + N) / (1 + df)) + 1 (never zero). */
export function idfFrom(df: readonly number[], docs: number): number[] {
  return df.map((d) => Math.log((1 + docs) / (1 + d)) + 1)
}

/**
 * Weight and (optionally) L2-normalise a bag over a vocabulary. With IDF the TF is sublinear
 * (1 + ln tf) so a word repeated by an angry caller does not drown the rest.
 */
export function vectorize(
  bag: TermBag,
  index: ReadonlyMap<string, number>,
  idf: readonly number[],
  normalize: boolean,
): SparseVector {
  // Insertion order of the bag (text order) is kept: deterministic, and no sort on the hot path.
  const idx = new Int32Array(bag.size)
  const val = new Float64Array(bag.size)
  const useIdf = idf.length > 0
  let n = 0
  let norm = 0
  for (const [t, tf] of bag) {
    const j = index.get(t)
    if (j === undefined) {
      continue
    }
    const v = useIdf ? (1 + Math.log(tf)) * idf[j] : tf
    idx[n] = j
    val[n] = v
    norm += v * v
    n++
  }
  if (normalize && norm > 0) {
    const s = 1 / Math.sqrt(norm)
    for (let k = 0; k < n; k++) {
      val[k] *= s
    }
  }
  return { idx: idx.subarray(0, n), val: val.subarray(0, n) }
}

/** How a person reads a term: strip the kind prefix. */
export function displayTerm(term: string): string {
  return term.slice(2)
}
