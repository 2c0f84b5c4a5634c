import { readFileSync } from 'node:fs'
import { parse } from 'csv-parse/sync'
import { describe, expect, it } from 'vitest'
import { predict, predictReference, train } from '../../src/core/triage/classifier.ts'
import { readModelFile } from '../../src/triage/model-file.ts'
import { tokenizerByName } from '../../src/triage/tokenizer.ts'

const MODEL = new URL('../../data/triage/model.json', import.meta.url).pathname
const CSV = new URL('../../data/triage/labelled.csv', import.meta.url).pathname

describe('character-model fast path', () => {
  it('predicts exactly what the reference path predicts on every labelled row (label, confidence, top, explanation)', async () => {
    const file = await readModelFile(MODEL)
    if (!file.ok) {
      throw new Error(file.error.message)
    }
    expect(file.value.model.config.features.kind).toBe('chars')
    const tokenizer = tokenizerByName(file.value.tokenizer)
    const rows = parse<Record<string, string>>(readFileSync(CSV, 'utf8'), { columns: true, bom: true })
    expect(rows.length).toBeGreaterThan(500)
    for (const r of rows) {
      const title = r.title || undefined
      expect(predict(file.value.model, r.text, tokenizer, title)).toEqual(
        predictReference(file.value.model, r.text, tokenizer, title),
      )
      expect(predict(file.value.model, r.text, tokenizer)).toEqual(
        predictReference(file.value.model, r.text, tokenizer),
      )
    }
  })

  it('agrees on odd input: full-width forms, digits, Latin, emoji, punctuation only, empty, charMin 2, counts', () => {
    const rows = [
      { text: 'ＡＢＣ路灯不亮了１２３号楼前', label: 'a' },
      { text: '井盖丢失😀，车辆经过很危险 ABC abc', label: 'b' },
      { text: '路灯坏了，晚上很黑', label: 'a' },
      { text: '井盖缺失，请尽快修复', label: 'b' },
      { text: '𠀀𠀁路灯𠀀不亮', label: 'a' },
    ]
    const odd = [
      '',
      '，。！',
      'ＡＢＣ１２３',
      '井盖😀丢失𠀀𠀁',
      'abc 路灯 井盖 路灯 路灯',
      '路\u0301灯',
      '\ud800井盖',
    ]
    for (const features of [
      {
        kind: 'chars' as const,
        wordBigrams: false,
        charMin: 1,
        charMax: 2,
        weighting: 'tfidf' as const,
        titleWeight: 2,
        minDf: 1,
      },
      {
        kind: 'chars' as const,
        wordBigrams: false,
        charMin: 2,
        charMax: 3,
        weighting: 'counts' as const,
        titleWeight: 0,
        minDf: 1,
      },
    ]) {
      for (const model of ['logreg', 'cnb'] as const) {
        const m = train(rows, { features, model }, { seed: 3 })
        if (!m.ok) {
          throw new Error(m.error.message)
        }
        const none = (): string[] => []
        for (const t of odd) {
          expect(predict(m.value, t, none, t)).toEqual(predictReference(m.value, t, none, t))
          expect(predict(m.value, t, none)).toEqual(predictReference(m.value, t, none))
        }
      }
    }
  })
})
