import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DEFAULT_FEATURES, predict } from '../../src/core/triage/classifier.ts'
import type { TrainConfig } from '../../src/core/triage/classifier.types.ts'
import { readModelFile } from '../../src/triage/model-file.ts'
import { jiebaTokenizer } from '../../src/triage/tokenizer.ts'
import { evalFromCsv, trainFromCsv } from '../../src/triage/train-cli.ts'

const NYC = '/work/shared/data/nyc311'
const dir = mkdtempSync(join(tmpdir(), 'onegrid-triage-'))
const quiet = (): void => {}
// Two cheap configs keep the test fast; the full grid is exercised by `onegrid train`.
const configs: TrainConfig[] = [
  { features: { ...DEFAULT_FEATURES, kind: 'words' }, model: 'cnb' },
  { features: { ...DEFAULT_FEATURES, kind: 'chars', charMax: 2 }, model: 'centroid' },
]

describe('train / eval from any CSV', () => {
  it('learns NYC 311 complaint types from English descriptors and scores another export with other column names', async () => {
    const out = join(dir, 'nyc.json')
    const lines: string[] = []
    const report = await trainFromCsv({
      csv: join(NYC, 'nyc311_2023-02-28_4999rows.csv'),
      textCol: 'Descriptor',
      labelCol: 'Complaint Type',
      out,
      folds: 3,
      topLabels: 10,
      configs,
      log: (l) => lines.push(l),
    })
    expect(report.labels).toBe(10)
    expect(report.cv).toHaveLength(2)
    expect(report.holdout?.accuracy).toBeGreaterThan(0.9)
    expect(lines.join('\n')).toMatch(/held-out \(\d+ rows\): accuracy 0\.9\d\d, macro-F1/)
    expect(lines.join('\n')).toContain('HEAT/HOT WATER')

    const file = await readModelFile(out)
    expect(file.ok && file.value.training.cv.length).toBe(2)

    const evalLines: string[] = []
    const ev = await evalFromCsv({
      csv: join(NYC, 'nyc311_soda_2024_1000rows_b.csv'),
      textCol: 'descriptor',
      labelCol: 'complaint_type',
      model: out,
      onlyModelLabels: true,
      log: (l) => evalLines.push(l),
    })
    expect(ev.rows).toBeGreaterThan(300)
    expect(ev.evaluation.accuracy).toBeGreaterThan(0.9)
    expect(ev.unknownLabels.length).toBeGreaterThan(0)
    expect(evalLines[0]).toMatch(/^\d+ rows: accuracy 0\.\d{3}, macro-F1 0\.\d{3}$/)
  })

  it('names the columns a CSV does have when one is missing', async () => {
    await expect(
      evalFromCsv({
        csv: join(NYC, 'nyc311_soda_2024_1000rows.csv'),
        textCol: 'text',
        labelCol: 'label',
        model: join(dir, 'nyc.json'),
        log: quiet,
      }),
    ).rejects.toThrow(/no column "text".*complaint_type/)
  })

  it('refuses a model file of another format version', async () => {
    const path = join(dir, 'old.json')
    writeFileSync(path, JSON.stringify({ format: 'onegrid-triage-model', formatVersion: 99, model: {} }))
    const r = await readModelFile(path)
    expect(!r.ok && r.error.message).toMatch(/version 99/)
  })
})

describe('the shipped default model (data/triage/model.json)', () => {
  const path = new URL('../../data/triage/model.json', import.meta.url).pathname
  const tokenizer = jiebaTokenizer()

  it('loads, records its cross-validation and hold-out, and reaches the 0.85 bar', async () => {
    const r = await readModelFile(path)
    if (!r.ok) {
      throw new Error(r.error.message)
    }
    expect(r.value.training.cv.length).toBeGreaterThan(10)
    expect(r.value.training.holdout?.accuracy).toBeGreaterThanOrEqual(0.85)
    expect(r.value.training.threshold?.confidence).toBeGreaterThan(0)
    expect(Object.keys(r.value.labelNames)).toHaveLength(r.value.model.labels.length)
  })

  it('classifies fresh reports it has never seen, with a readable explanation', async () => {
    const r = await readModelFile(path)
    if (!r.ok) {
      throw new Error(r.error.message)
    }
    const model = r.value.model
    const cases: [string, string][] = [
      ['东城区王府井大街东侧人行道上的井盖不见了，留下一个大洞', 'E0405'],
      ['小区楼下烤串的天天摆到半夜，炭火烟熏得没法开窗', 'E0507'],
      ['我家暖气片冰凉，屋里只有十五度，供热公司不来修', 'E0604'],
      ['地铁口的共享单车堆成山了，出站都走不动', 'E0506'],
    ]
    for (const [text, label] of cases) {
      const p = predict(model, text, tokenizer)
      expect(
        p.top.map((t) => t.label),
        text,
      ).toContain(label)
      expect(p.explanation.length).toBeGreaterThan(0)
    }
  })

  it('the labelled set on disk is the one the model was trained on', () => {
    const csv = readFileSync(new URL('../../data/triage/labelled.csv', import.meta.url), 'utf8')
    expect(csv.split('\n')[0]).toBe('text,label,title')
    expect(csv.trim().split('\n').length - 1).toBeGreaterThanOrEqual(600)
  })
})
