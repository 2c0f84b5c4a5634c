import type { SparseVector } from './features.ts'
import { seededRandom, shuffled } from './random.ts'

/** Parameters of score(c) = bias[c] + Σ x_j · weights[c][j]. */
export interface LinearParams {
  readonly weights: Float64Array[]
  readonly bias: Float64Array
}

/** Training input shared by all fitters: vectors, label indices, label and vocabulary sizes. */
export interface FitInput {
  readonly x: readonly SparseVector[]
  readonly y: readonly number[]
  readonly labels: number
  readonly terms: number
}

function classTermTotals(input: FitInput): { totals: Float64Array[]; docs: Float64Array } {
  const totals = Array.from({ length: input.labels }, () => new Float64Array(input.terms))
  const docs = new Float64Array(input.labels)
  input.x.forEach((v, i) => {
    const c = input.y[i]
    docs[c]++
    const row = totals[c]
    for (let k = 0; k < v.idx.length; k++) {
      row[v.idx[k]] += v.val[k]
    }
  })
  return { totals, docs }
}

/** Multinomial naive Bayes: log prior + Σ x_j log P(term j | class), Laplace/Lidstone smoothing. */
export function fitMultinomialNb(input: FitInput, alpha: number): LinearParams {
  const { totals, docs } = classTermTotals(input)
  const n = input.x.length
  const weights = totals.map((row) => {
    const sum = row.reduce((a, b) => a + b, 0) + alpha * input.terms
    return row.map((v) => Math.log((v + alpha) / sum))
  })
  // Smoothed prior so a class absent from a fold keeps a finite score.
  const bias = docs.map((d) => Math.log((d + 1) / (n + input.labels)))
  return { weights, bias }
}

/**
 * Complement naive Bayes (Rennie et al. 2003): estimate each class from all *other* classes' terms,
 * which is steadier than multinomial NB when classes have few and unequal examples. Scores are the
 * negated complement log-likelihood, so higher still means "more this class".
 */
export function fitComplementNb(input: FitInput, alpha: number): LinearParams {
  const { totals } = classTermTotals(input)
  const all = new Float64Array(input.terms)
  for (const row of totals) {
    for (let j = 0; j < input.terms; j++) {
      all[j] += row[j]
    }
  }
  const grand = all.reduce((a, b) => a + b, 0)
  const weights = totals.map((row) => {
    const rest = grand - row.reduce((a, b) => a + b, 0) + alpha * input.terms
    const w = new Float64Array(input.terms)
    for (let j = 0; j < input.terms; j++) {
      w[j] = -Math.log((all[j] - row[j] + alpha) / rest)
    }
    return w
  })
  return { weights, bias: new Float64Array(input.labels) }
}

/** Nearest centroid: each class is the L2-normalised mean of its (normalised) vectors; score = cosine. */
export function fitCentroid(input: FitInput): LinearParams {
  const { totals } = classTermTotals(input)
  const weights = totals.map((row) => {
    const norm = Math.sqrt(row.reduce((a, b) => a + b * b, 0))
    return norm > 0 ? row.map((v) => v / norm) : row
  })
  return { weights, bias: new Float64Array(input.labels) }
}

/**
 * Multinomial logistic regression by plain SGD with L2 decay. The decay is kept as one running scale
 * factor so each step touches only the example's non-zero terms.
 */
export function fitLogistic(input: FitInput, epochs: number, l2: number, seed: number): LinearParams {
  const { labels, terms } = input
  const w = Array.from({ length: labels }, () => new Float64Array(terms))
  const bias = new Float64Array(labels)
  const random = seededRandom(seed)
  const order = input.x.map((_, i) => i)
  const scores = new Float64Array(labels)
  let scale = 1
  let t = 0
  const eta0 = 0.5
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (const i of shuffled(order, random)) {
      const v = input.x[i]
      const eta = eta0 / (1 + eta0 * l2 * t++)
      let max = -Infinity
      for (let c = 0; c < labels; c++) {
        let s = bias[c]
        const row = w[c]
        for (let k = 0; k < v.idx.length; k++) {
          s += scale * row[v.idx[k]] * v.val[k]
        }
        scores[c] = s
        if (s > max) {
          max = s
        }
      }
      let z = 0
      for (let c = 0; c < labels; c++) {
        z += scores[c] = Math.exp(scores[c] - max)
      }
      scale *= 1 - eta * l2
      if (scale < 1e-9) {
        for (const row of w) {
          for (let j = 0; j < terms; j++) {
            row[j] *= scale
          }
        }
        scale = 1
      }
      for (let c = 0; c < labels; c++) {
        const g = scores[c] / z - (c === input.y[i] ? 1 : 0)
        if (Math.abs(g) < 1e-6) {
          continue
        }
        const row = w[c]
        const step = (eta * g) / scale
        for (let k = 0; k < v.idx.length; k++) {
          row[v.idx[k]] -= step * v.val[k]
        }
        bias[c] -= eta * g
      }
    }
  }
  for (const row of w) {
    for (let j = 0; j < terms; j++) {
      row[j] *= scale
    }
  }
  return { weights: w, bias }
}

/** Softmax of scores / temperature. */
export function softmax(scores: ArrayLike<number>, temperature: number): number[] {
  let max = -Infinity
  for (let c = 0; c < scores.length; c++) {
    max = Math.max(max, scores[c] / temperature)
  }
  const out = Array.from(scores, (s) => Math.exp(s / temperature - max))
  const z = out.reduce((a, b) => a + b, 0)
  return out.map((p) => p / z)
}

/**
 * The temperature that minimises the negative log-likelihood of held-out gold labels. NLL is convex in
 * 1/T, so a ternary search over log(1/T) finds it.
 */
export function fitTemperature(scores: readonly ArrayLike<number>[], gold: readonly number[]): number {
  if (scores.length === 0) {
    return 1
  }
  const nll = (logBeta: number): number => {
    const t = Math.exp(-logBeta)
    let sum = 0
    scores.forEach((s, i) => {
      sum -= Math.log(Math.max(softmax(s, t)[gold[i]], 1e-300))
    })
    return sum
  }
  let lo = -12
  let hi = 12
  for (let it = 0; it < 80; it++) {
    const a = lo + (hi - lo) / 3
    const b = hi - (hi - lo) / 3
    if (nll(a) <= nll(b)) {
      hi = b
    } else {
      lo = a
    }
  }
  return Math.exp(-(lo + hi) / 2)
}
