/** Classification metrics for triage: what an operator needs to trust (or not) the automatic class. */

export interface ConfusionMatrix {
  readonly labels: readonly string[]
  /** matrix[gold][predicted], indices into `labels`. */
  readonly matrix: readonly (readonly number[])[]
}

export interface ClassMetrics {
  readonly label: string
  readonly precision: number
  readonly recall: number
  readonly f1: number
  /** Gold rows of this label. */
  readonly support: number
}

export interface Evaluation {
  readonly accuracy: number
  readonly macroF1: number
  readonly perClass: readonly ClassMetrics[]
  readonly confusion: ConfusionMatrix
}

/** Share of rows whose prediction equals the gold label (0 for no rows). */
export function accuracy(gold: readonly string[], predicted: readonly string[]): number {
  if (gold.length === 0) {
    return 0
  }
  let hit = 0
  for (let i = 0; i < gold.length; i++) {
    if (gold[i] === predicted[i]) {
      hit++
    }
  }
  return hit / gold.length
}

/**
 * Confusion matrix over `labels` (default: every gold or predicted label, sorted). Rows are gold,
 * columns predicted.
 */
export function confusionMatrix(
  gold: readonly string[],
  predicted: readonly string[],
  labels?: readonly string[],
): ConfusionMatrix {
  const ls = labels ?? [...new Set([...gold, ...predicted])].sort()
  const at = new Map(ls.map((l, i) => [l, i]))
  const matrix = ls.map(() => ls.map(() => 0))
  for (let i = 0; i < gold.length; i++) {
    const g = at.get(gold[i])
    const p = at.get(predicted[i])
    if (g !== undefined && p !== undefined) {
      matrix[g][p]++
    }
  }
  return { labels: ls, matrix }
}

/** Precision, recall and F1 of every label in a confusion matrix (0 where undefined, as scikit-learn). */
export function perClassMetrics(cm: ConfusionMatrix): ClassMetrics[] {
  return cm.labels.map((label, i) => {
    const tp = cm.matrix[i][i]
    const support = cm.matrix[i].reduce((a, b) => a + b, 0)
    const predicted = cm.matrix.reduce((a, row) => a + row[i], 0)
    const precision = predicted === 0 ? 0 : tp / predicted
    const recall = support === 0 ? 0 : tp / support
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall)
    return { label, precision, recall, f1, support }
  })
}

/** Unweighted mean of per-label F1 over every gold or predicted label, so rare classes count as much as common ones. */
export function macroF1(gold: readonly string[], predicted: readonly string[]): number {
  const per = perClassMetrics(confusionMatrix(gold, predicted))
  return per.length === 0 ? 0 : per.reduce((a, m) => a + m.f1, 0) / per.length
}

/** Accuracy, macro-F1, per-class figures and the confusion matrix in one pass. */
export function evaluate(
  gold: readonly string[],
  predicted: readonly string[],
  labels?: readonly string[],
): Evaluation {
  const confusion = confusionMatrix(gold, predicted, labels)
  const perClass = perClassMetrics(confusion)
  const f1 = perClass.length === 0 ? 0 : perClass.reduce((a, m) => a + m.f1, 0) / perClass.length
  return { accuracy: accuracy(gold, predicted), macroF1: f1, perClass, confusion }
}

/** Terminal width of a string: CJK and full-width characters take two columns. */
export function displayWidth(s: string): number {
  let w = 0
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0
    w +=
      (cp >= 0x1100 && cp <= 0x115f) ||
      (cp >= 0x2e80 && cp <= 0xa4cf) ||
      (cp >= 0xac00 && cp <= 0xd7a3) ||
      (cp >= 0xf900 && cp <= 0xfaff) ||
      (cp >= 0xfe30 && cp <= 0xfe4f) ||
      (cp >= 0xff00 && cp <= 0xff60) ||
      (cp >= 0xffe0 && cp <= 0xffe6) ||
      (cp >= 0x20000 && cp <= 0x3fffd)
        ? 2
        : 1
  }
  return w
}

function pad(s: string, width: number, right = false): string {
  const fill = ' '.repeat(Math.max(0, width - displayWidth(s)))
  return right ? fill + s : s + fill
}

/**
 * A confusion matrix as aligned text. Columns are numbered (wide tables of 40 classes stay readable);
 * each row names its label (with `names[label]` when given) plus its recall and count.
 */
export function formatConfusionMatrix(
  cm: ConfusionMatrix,
  names: Readonly<Record<string, string>> = {},
): string {
  const n = cm.labels.length
  const rowNames = cm.labels.map((l, i) => `${i + 1}. ${l}${names[l] ? ' ' + names[l] : ''}`)
  const nameWidth = Math.max(10, ...rowNames.map(displayWidth))
  const cellWidth = Math.max(3, String(n).length + 1, ...cm.matrix.flat().map((v) => String(v).length + 1))
  const header =
    pad('gold \\ predicted', nameWidth) +
    cm.labels.map((_, j) => pad(String(j + 1), cellWidth, true)).join('') +
    '  recall'
  const lines = [header]
  cm.matrix.forEach((row, i) => {
    const support = row.reduce((a, b) => a + b, 0)
    const recall = support === 0 ? '-' : (row[i] / support).toFixed(2)
    const cells = row.map((v) => pad(v === 0 ? '.' : String(v), cellWidth, true)).join('')
    lines.push(pad(rowNames[i], nameWidth) + cells + '  ' + recall + ` (${support})`)
  })
  return lines.join('\n')
}

export interface ThresholdChoice {
  /** Auto-register when confidence ≥ this; below it a case waits for an operator. */
  readonly threshold: number
  /** Precision of the predictions at or above the threshold. */
  readonly precision: number
  /** Share of all predictions at or above the threshold. */
  readonly coverage: number
}

/**
 * The lowest confidence threshold whose auto-registered predictions still reach `targetPrecision`
 * (most cases automated without dropping below the bar). With no such threshold, 1 (nothing automatic).
 */
export function chooseThreshold(
  confidences: readonly number[],
  correct: readonly boolean[],
  targetPrecision: number,
): ThresholdChoice {
  const order = confidences.map((c, i) => [c, correct[i]] as const).sort((a, b) => b[0] - a[0])
  let best: ThresholdChoice = { threshold: 1, precision: 0, coverage: 0 }
  let hits = 0
  for (let i = 0; i < order.length; i++) {
    if (order[i][1]) {
      hits++
    }
    // Only cut between distinct confidences: ties are auto-registered together.
    if (i + 1 < order.length && order[i + 1][0] === order[i][0]) {
      continue
    }
    const precision = hits / (i + 1)
    if (precision >= targetPrecision) {
      best = { threshold: order[i][0], precision, coverage: (i + 1) / order.length }
    }
  }
  return best
}

/** Precision and coverage of the predictions at or above a given threshold. */
export function atThreshold(
  confidences: readonly number[],
  correct: readonly boolean[],
  threshold: number,
): ThresholdChoice {
  let n = 0
  let hits = 0
  confidences.forEach((c, i) => {
    if (c < threshold) {
      return
    }
    n++
    if (correct[i]) {
      hits++
    }
  })
  return {
    threshold,
    precision: n === 0 ? 0 : hits / n,
    coverage: confidences.length === 0 ? 0 : n / confidences.length,
  }
}
