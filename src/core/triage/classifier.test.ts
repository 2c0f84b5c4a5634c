import { describe, expect, it } from 'vitest'
import type { LabelledRow, Tokenizer, TrainConfig } from './classifier.types.ts'
import { crossValidate, DEFAULT_FEATURES, defaultCvConfigs, predict, train } from './classifier.ts'
import { accuracy } from './metrics.ts'
import { seededRandom, stratifiedSplit } from './random.ts'

const spaces: Tokenizer = (text) => text.split(/\s+/).filter(Boolean)

// Four synthetic classes: each report mixes a few class cue words with shared filler, and one in
// five also carries a cue of another class, so the task is learnable but not trivial.
const CUES: Record<string, string[]> = {
  manhole: ['井盖', '窟窿', '下沉', '破损', '踩空'],
  streetlight: ['路灯', '不亮', '漆黑', '灯杆', '闪烁'],
  parking: ['违停', '停车', '占道', '车辆', '堵门'],
  noise: ['噪音', '吵闹', '音响', '半夜', '扰民'],
}
const FILLER = [
  '市民',
  '反映',
  '小区',
  '门口',
  '朝阳区',
  '街道',
  '希望',
  '处理',
  '尽快',
  '已经',
  '好几天',
  '晚上',
  '附近',
]

function synthetic(n: number, seed: number): LabelledRow[] {
  const random = seededRandom(seed)
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]
  const labels = Object.keys(CUES)
  return Array.from({ length: n }, (_, i) => {
    const label = labels[i % labels.length]
    const words = Array.from({ length: 6 }, () => pick(FILLER))
    words.push(pick(CUES[label]), pick(CUES[label]))
    if (random() < 0.2) {
      words.push(pick(CUES[pick(labels)]))
    }
    words.sort(() => random() - 0.5)
    return { text: words.join(' '), label }
  })
}

const rows = synthetic(240, 7)
const wordsLogreg: TrainConfig = { features: { ...DEFAULT_FEATURES, kind: 'words' }, model: 'logreg' }

describe('triage classifier', () => {
  it('every model learns: held-out accuracy is far above chance (0.25)', () => {
    const split = stratifiedSplit(
      rows.map((r) => r.label),
      0.25,
      3,
    )
    const tr = split.train.map((i) => rows[i])
    const te = split.test.map((i) => rows[i])
    for (const model of ['cnb', 'mnb', 'centroid', 'logreg'] as const) {
      for (const kind of ['words', 'chars', 'both'] as const) {
        const m = train(tr, { features: { ...DEFAULT_FEATURES, kind }, model }, { tokenizer: spaces })
        if (!m.ok) {
          throw new Error(m.error.message)
        }
        const acc = accuracy(
          te.map((r) => r.label),
          te.map((r) => predict(m.value, r.text, spaces).label),
        )
        expect(acc, `${kind} · ${model}`).toBeGreaterThan(0.8)
      }
    }
  })

  it('a model saved as JSON and loaded again predicts identically', () => {
    const m = train(rows, wordsLogreg, { tokenizer: spaces, createdAt: '2025-01-01T00:00:00Z' })
    if (!m.ok) {
      throw new Error(m.error.message)
    }
    const loaded = JSON.parse(JSON.stringify(m.value)) as typeof m.value
    expect(loaded.createdAt).toBe('2025-01-01T00:00:00Z')
    for (const r of synthetic(40, 99)) {
      expect(predict(loaded, r.text, spaces)).toEqual(predict(m.value, r.text, spaces))
    }
  })

  it('gives a top 3 in descending order, a confidence that is the top score, and an explanation from the text', () => {
    const m = train(rows, wordsLogreg, { tokenizer: spaces })
    if (!m.ok) {
      throw new Error(m.error.message)
    }
    const p = predict(m.value, '小区 门口 井盖 丢了 晚上 踩空 窟窿', spaces)
    expect(p.label).toBe('manhole')
    expect(p.top).toHaveLength(3)
    expect(p.top[0]).toEqual({ label: p.label, score: p.confidence })
    expect(p.top[0].score).toBeGreaterThanOrEqual(p.top[1].score)
    expect(p.top[1].score).toBeGreaterThanOrEqual(p.top[2].score)
    expect(p.top.reduce((a, t) => a + t.score, 0)).toBeLessThanOrEqual(1 + 1e-9)
    expect(p.confidence).toBeGreaterThan(0.6)
    expect(p.explanation.length).toBeGreaterThan(0)
    expect(p.explanation.map((e) => e.token)).toContain('井盖')
    expect(p.explanation.every((e) => e.weight > 0)).toBe(true)
    // A text with no cue word is less certain than one full of cues.
    const vague = predict(m.value, '市民 反映 小区 门口 希望 尽快 处理', spaces)
    expect(vague.confidence).toBeLessThan(p.confidence)
  })

  it('title weighting lets a title decide an otherwise vague text', () => {
    const cfg: TrainConfig = {
      features: { ...DEFAULT_FEATURES, kind: 'words', titleWeight: 3 },
      model: 'cnb',
    }
    const m = train(rows, cfg, { tokenizer: spaces })
    if (!m.ok) {
      throw new Error(m.error.message)
    }
    expect(predict(m.value, '市民 反映 小区 门口 音响', spaces, '路灯 不亮 漆黑').label).toBe('streetlight')
  })

  it('cross-validates every config on the same folds and reports accuracy and macro-F1', () => {
    const configs = defaultCvConfigs().filter(
      (c) => c.features.kind === 'words' || (c.features.kind === 'chars' && c.features.charMax === 2),
    )
    const r = crossValidate(rows, configs, 4, 42, spaces)
    if (!r.ok) {
      throw new Error(r.error.message)
    }
    expect(r.value).toHaveLength(configs.length)
    for (const res of r.value) {
      expect(res.foldAccuracy).toHaveLength(4)
      expect(res.accuracy).toBeGreaterThan(0.5)
      expect(res.macroF1).toBeGreaterThan(0.5)
      expect(res.macroF1).toBeLessThanOrEqual(1)
    }
    // Same seed, same folds, same figures.
    const again = crossValidate(rows, configs, 4, 42, spaces)
    expect(again.ok && again.value.map((x) => x.accuracy)).toEqual(r.value.map((x) => x.accuracy))
  })

  it('refuses input it cannot learn from, with a reason', () => {
    const one = train(
      [
        { text: 'a', label: 'x' },
        { text: 'b', label: 'x' },
      ],
      wordsLogreg,
      { tokenizer: spaces },
    )
    expect(!one.ok && one.error.code).toBe('VALIDATION_FAILED')
    const noTok = train(rows, wordsLogreg)
    expect(!noTok.ok && noTok.error.message).toMatch(/tokenizer/)
    expect(crossValidate(rows, [wordsLogreg], 1, 1, spaces).ok).toBe(false)
  })
})
