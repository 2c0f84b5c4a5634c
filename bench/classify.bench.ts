import { readFile } from 'node:fs/promises'
import { parse } from 'csv-parse/sync'
import { predict } from '../src/core/triage/classifier.ts'
import { readModelFile } from '../src/triage/model-file.ts'
import { jiebaTokenizer, tokenizerByName } from '../src/triage/tokenizer.ts'

const MODEL = new URL('../data/triage/model.json', import.meta.url).pathname
const CSV = new URL('../data/triage/labelled.csv', import.meta.url).pathname

/** Operations per second of `fn` over `texts`, repeated until at least `minMs` have passed. */
export function opsPerSecond(texts: readonly string[], fn: (t: string) => unknown, minMs = 1500): number {
  let ops = 0
  const start = performance.now()
  let sink = 0
  while (performance.now() - start < minMs) {
    for (const t of texts) {
      if (fn(t)) {
        sink++
      }
      ops++
    }
  }
  if (sink < 0) {
    console.log(sink)
  }
  return (ops * 1000) / (performance.now() - start)
}

/**
 * Classification throughput of the shipped model (`predict`: features + scores + explanation) against
 * jieba segmentation alone, on the same labelled texts in the same run.
 */
export async function run(): Promise<void> {
  const file = await readModelFile(MODEL)
  if (!file.ok) {
    throw new Error(file.error.message)
  }
  const { model } = file.value
  const tokenizer = tokenizerByName(file.value.tokenizer)
  const rows = parse<Record<string, string>>(await readFile(CSV, 'utf8'), { columns: true, bom: true })
  const texts = rows.map((r) => r.text)
  const jieba = jiebaTokenizer()
  // Warm both paths so the JIT and the model's term index are ready before timing.
  for (const t of texts) {
    jieba(t)
    predict(model, t, tokenizer)
  }
  // Alternate the two over three rounds and keep each one's best, so load from other processes on the shared
  // box does not land on one side of the ratio.
  let segment = 0
  let classify = 0
  for (let round = 0; round < 3; round++) {
    segment = Math.max(
      segment,
      opsPerSecond(texts, (t) => jieba(t).length, 1000),
    )
    classify = Math.max(
      classify,
      opsPerSecond(texts, (t) => predict(model, t, tokenizer).label, 1000),
    )
  }
  const chars = texts.reduce((a, t) => a + t.length, 0) / texts.length
  console.log(`texts: ${texts.length} (mean ${chars.toFixed(0)} chars), model: ${file.value.training.chosen}`)
  console.log(`jieba segmentation: ${segment.toFixed(0)} texts/s`)
  console.log(`predict:            ${classify.toFixed(0)} texts/s`)
  console.log(`classify ratio: ${(classify / segment).toFixed(2)} (target ≥ 0.5)`)
}
