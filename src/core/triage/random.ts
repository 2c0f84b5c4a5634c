/** A seeded PRNG (mulberry32): folds, splits and SGD order must repeat exactly for the same seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Fisher–Yates shuffle of a copy. */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    const tmp = out[i]
    out[i] = out[j]
    out[j] = tmp
  }
  return out
}

/**
 * Stratified fold assignment: each label's rows are shuffled and dealt round-robin, so every fold
 * sees every class in proportion. Returns the fold number (0..k-1) of each row.
 */
export function stratifiedFolds(labels: readonly string[], k: number, seed: number): number[] {
  const random = seededRandom(seed)
  const byLabel = new Map<string, number[]>()
  labels.forEach((l, i) => {
    const list = byLabel.get(l) ?? []
    list.push(i)
    byLabel.set(l, list)
  })
  const fold = new Array<number>(labels.length).fill(0)
  // Continue the deal across labels so small classes do not all land in fold 0.
  let next = 0
  for (const l of [...byLabel.keys()].sort()) {
    for (const i of shuffled(byLabel.get(l) ?? [], random)) {
      fold[i] = next % k
      next++
    }
  }
  return fold
}

/**
 * Stratified hold-out split: about `fraction` of each label's rows go to the test side (at least one
 * when a label has two or more rows). Returns row indices.
 */
export function stratifiedSplit(
  labels: readonly string[],
  fraction: number,
  seed: number,
): { train: number[]; test: number[] } {
  const random = seededRandom(seed)
  const byLabel = new Map<string, number[]>()
  labels.forEach((l, i) => {
    const list = byLabel.get(l) ?? []
    list.push(i)
    byLabel.set(l, list)
  })
  const train: number[] = []
  const test: number[] = []
  for (const l of [...byLabel.keys()].sort()) {
    const rows = shuffled(byLabel.get(l) ?? [], random)
    const n = rows.length < 2 ? 0 : Math.max(1, Math.round(rows.length * fraction))
    test.push(...rows.slice(0, n))
    train.push(...rows.slice(n))
  }
  return { train: train.sort((a, b) => a - b), test: test.sort((a, b) => a - b) }
}
