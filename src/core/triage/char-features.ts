import type { FeatureConfig } from './classifier.types.ts'
import type { SparseVector } from './features.ts'

/**
 * A loaded character-n-gram vocabulary as a trie over code points, so classifying a text needs no term
 * strings: each n-gram is found by walking (node, code point) edges in an open-addressing table of integers.
 * Built once per model, with scratch buffers reused by every call (classification is synchronous).
 */
export interface CharTrie {
  readonly charMin: number
  readonly charMax: number
  readonly titleWeight: number
  /** edge table: parent node, code point → child node (−1: empty slot) */
  readonly edgeParent: Int32Array
  readonly edgeCp: Int32Array
  readonly edgeChild: Int32Array
  readonly mask: number
  /** vocabulary index of the n-gram ending at each node, or −1 (node 0 is the root) */
  readonly termOf: Int32Array
  // Scratch, per vocabulary term: the call that last saw it, its count, and first-seen order.
  readonly seen: Int32Array
  readonly count: Float64Array
  readonly order: Int32Array
  readonly val: Float64Array
  epoch: number
  cps: Int32Array
}

/** The trie of a character-only model's vocabulary ('c:' terms). */
export function buildCharTrie(vocabulary: readonly string[], features: FeatureConfig): CharTrie {
  const grams = vocabulary.map((t) =>
    t.startsWith('c:') ? Array.from(t.slice(2), (ch) => ch.codePointAt(0)!) : [],
  )
  const edges = grams.reduce((a, g) => a + g.length, 0)
  let size = 16
  while (size < edges * 2) {
    size *= 2
  }
  const edgeParent = new Int32Array(size).fill(-1)
  const edgeCp = new Int32Array(size)
  const edgeChild = new Int32Array(size)
  const mask = size - 1
  const termOf: number[] = [-1]
  grams.forEach((g, j) => {
    let node = 0
    for (const cp of g) {
      let slot = hash(node, cp) & mask
      for (;;) {
        if (edgeParent[slot] === -1) {
          edgeParent[slot] = node
          edgeCp[slot] = cp
          edgeChild[slot] = termOf.length
          termOf.push(-1)
          break
        }
        if (edgeParent[slot] === node && edgeCp[slot] === cp) {
          break
        }
        slot = (slot + 1) & mask
      }
      node = edgeChild[slot]
    }
    if (g.length > 0) {
      termOf[node] = j
    }
  })
  const v = vocabulary.length
  return {
    charMin: features.charMin,
    charMax: features.charMax,
    titleWeight: features.titleWeight,
    edgeParent,
    edgeCp,
    edgeChild,
    mask,
    termOf: Int32Array.from(termOf),
    seen: new Int32Array(v),
    count: new Float64Array(v),
    order: new Int32Array(v),
    val: new Float64Array(v),
    epoch: 0,
    cps: new Int32Array(256),
  }
}

/**
 * The weighted (and optionally L2-normalised) vector of a text and title, equal to
 * `vectorize(extractTerms(…), …)`: same terms, same first-seen order, same arithmetic. The returned arrays
 * are views of the trie's scratch buffers, valid until the next call.
 */
export function charVector(
  trie: CharTrie,
  text: string,
  title: string | undefined,
  idf: readonly number[],
  normalize: boolean,
): SparseVector {
  if (++trie.epoch >= 0x7fffffff) {
    trie.epoch = 1
    trie.seen.fill(0)
  }
  let n = addGrams(trie, text, 1, 0)
  if (title) {
    n = addGrams(trie, title, trie.titleWeight, n)
  }
  const { order, count, val } = trie
  const useIdf = idf.length > 0
  let norm = 0
  for (let k = 0; k < n; k++) {
    const j = order[k]
    const tf = count[j]
    const v = useIdf ? (1 + Math.log(tf)) * idf[j] : tf
    val[k] = v
    norm += v * v
  }
  if (normalize && norm > 0) {
    const s = 1 / Math.sqrt(norm)
    for (let k = 0; k < n; k++) {
      val[k] *= s
    }
  }
  return { idx: order.subarray(0, n), val: val.subarray(0, n) }
}

/** Count the vocabulary n-grams of one text (inside runs of letters/digits); returns the new number of distinct terms. */
function addGrams(trie: CharTrie, raw: string, times: number, n: number): number {
  // normalizeText, except that digit runs are collapsed to "0" below while the runs are read.
  const text = raw.normalize('NFKC').toLowerCase()
  if (trie.cps.length < text.length) {
    trie.cps = new Int32Array(text.length * 2)
  }
  const { cps, seen, count, order, termOf, edgeParent, edgeCp, edgeChild, mask, charMin, charMax, epoch } =
    trie
  let i = 0
  while (i < text.length) {
    // Collect one run of letters/digits as code points.
    let len = 0
    let inDigits = false
    while (i < text.length) {
      const cp = text.codePointAt(i)!
      const c = classOf(cp)
      if (c === NEITHER) {
        break
      }
      if (c === DIGIT) {
        if (!inDigits) {
          cps[len++] = 0x30
        }
        inDigits = true
      } else {
        cps[len++] = cp
        inDigits = false
      }
      i += cp > 0xffff ? 2 : 1
    }
    for (let s = 0; s < len; s++) {
      let node = 0
      for (let g = 1; g <= charMax && s + g <= len; g++) {
        const cp = cps[s + g - 1]
        let slot = hash(node, cp) & mask
        for (;;) {
          const p = edgeParent[slot]
          if (p === -1 || (p === node && edgeCp[slot] === cp)) {
            break
          }
          slot = (slot + 1) & mask
        }
        // No edge: no longer n-gram from here is in the vocabulary either.
        if (edgeParent[slot] === -1) {
          break
        }
        node = edgeChild[slot]
        const j = termOf[node]
        if (g < charMin || j < 0) {
          continue
        }
        if (seen[j] !== epoch) {
          seen[j] = epoch
          count[j] = 0
          order[n++] = j
        }
        count[j] += times
      }
    }
    if (len === 0) {
      i += text.codePointAt(i)! > 0xffff ? 2 : 1
    }
  }
  return n
}

function hash(node: number, cp: number): number {
  return Math.imul(node ^ Math.imul(cp, 0x9e3779b1), 0x85ebca6b) ^ (cp >>> 7)
}

const WORD = /^[\p{L}\p{N}]$/u
const DECIMAL = /^\p{Nd}$/u
const LETTER = 1
const NEITHER = 2
const DIGIT = 3
// 0: not yet looked up, else LETTER (letter or non-decimal number), NEITHER or DIGIT (\p{Nd}). Basic
// Multilingual Plane only; other planes ask the regexes each time.
const bmpClass = new Uint8Array(0x10000)

/** How the reference path sees a code point: part of a letter/digit run (\p{L}\p{N}), and a decimal digit? */
function classOf(cp: number): number {
  if (cp > 0xffff) {
    return lookUp(String.fromCodePoint(cp))
  }
  let c = bmpClass[cp]
  if (c === 0) {
    c = lookUp(String.fromCharCode(cp))
    bmpClass[cp] = c
  }
  return c
}

function lookUp(ch: string): number {
  return DECIMAL.test(ch) ? DIGIT : WORD.test(ch) ? LETTER : NEITHER
}
