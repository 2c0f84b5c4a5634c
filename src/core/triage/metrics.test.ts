import { describe, expect, it } from 'vitest'
import {
  accuracy,
  atThreshold,
  chooseThreshold,
  confusionMatrix,
  displayWidth,
  evaluate,
  formatConfusionMatrix,
  macroF1,
} from './metrics.ts'

// Hand-worked example: 6 rows, labels a/b/c.
//   gold: a a a b b c     pred: a a b b c c
//   a: tp 2, predicted 2, support 3 → P 1, R 2/3, F1 0.8
//   b: tp 1, predicted 2, support 2 → P 1/2, R 1/2, F1 0.5
//   c: tp 1, predicted 2, support 1 → P 1/2, R 1, F1 2/3
const gold = ['a', 'a', 'a', 'b', 'b', 'c']
const pred = ['a', 'a', 'b', 'b', 'c', 'c']

describe('triage metrics', () => {
  it('accuracy and macro-F1 match the hand computation', () => {
    expect(accuracy(gold, pred)).toBeCloseTo(4 / 6, 10)
    expect(macroF1(gold, pred)).toBeCloseTo((0.8 + 0.5 + 2 / 3) / 3, 10)
  })

  it('per-class precision/recall and the confusion matrix match the hand computation', () => {
    const e = evaluate(gold, pred)
    expect(e.confusion.labels).toEqual(['a', 'b', 'c'])
    expect(e.confusion.matrix).toEqual([
      [2, 1, 0],
      [0, 1, 1],
      [0, 0, 1],
    ])
    const [a, b, c] = e.perClass
    expect([a.precision, a.recall, a.f1, a.support]).toEqual([1, 2 / 3, 0.8, 3])
    expect([b.precision, b.recall, b.f1]).toEqual([0.5, 0.5, 0.5])
    expect(c.precision).toBe(0.5)
    expect(c.recall).toBe(1)
    expect(c.f1).toBeCloseTo(2 / 3, 10)
  })

  it('a class never predicted has precision 0 instead of NaN', () => {
    const e = evaluate(['x', 'y'], ['x', 'x'])
    expect(e.perClass[1]).toMatchObject({ label: 'y', precision: 0, recall: 0, f1: 0 })
    expect(Number.isNaN(e.macroF1)).toBe(false)
  })

  it('prints an aligned table with names, recall and support', () => {
    const text = formatConfusionMatrix(confusionMatrix(gold, pred), { a: '暴露垃圾' })
    const lines = text.split('\n')
    expect(lines).toHaveLength(4)
    expect(lines[1]).toContain('1. a 暴露垃圾')
    expect(lines[1]).toMatch(/0\.67 \(3\)$/)
    // Columns line up although the first row name holds double-width characters.
    expect(new Set(lines.slice(1).map(displayWidth)).size).toBe(1)
  })

  it('chooses the lowest threshold that keeps auto-registered precision at the target', () => {
    const conf = [0.99, 0.95, 0.9, 0.8, 0.7, 0.6]
    const right = [true, true, true, false, true, false]
    expect(chooseThreshold(conf, right, 0.95)).toEqual({ threshold: 0.9, precision: 1, coverage: 0.5 })
    expect(chooseThreshold(conf, right, 0.8)).toEqual({ threshold: 0.7, precision: 0.8, coverage: 5 / 6 })
    expect(chooseThreshold([0.5], [false], 0.9).threshold).toBe(1)
    expect(atThreshold(conf, right, 0.75)).toEqual({ threshold: 0.75, precision: 0.75, coverage: 4 / 6 })
  })
})
