import { createRequire } from 'node:module'
import type { Tokenizer } from '../core/triage/classifier.types.ts'
import { charNgrams } from '../core/triage/features.ts'

interface JiebaLike {
  cut(sentence: string, hmm?: boolean | null): string[]
}

// @node-rs/jieba is CommonJS with a native addon; load it once, lazily, so importing this module is cheap.
const require = createRequire(import.meta.url)
let jieba: JiebaLike | undefined

function loadJieba(): JiebaLike {
  if (!jieba) {
    const { Jieba } = require('@node-rs/jieba') as { Jieba: { withDict(dict: Uint8Array): JiebaLike } }
    const { dict } = require('@node-rs/jieba/dict') as { dict: Uint8Array }
    jieba = Jieba.withDict(dict)
  }
  return jieba
}

/**
 * Chinese word segmentation with jieba's default dictionary (precise mode, HMM on for unknown words
 * such as street names). Whitespace tokens are dropped; Latin words come through whole.
 */
export function jiebaTokenizer(): Tokenizer {
  const j = loadJieba()
  return (text) => j.cut(text, true).filter((w) => w.trim() !== '')
}

/**
 * Character n-grams for any language (no dictionary needed): each n-gram of min..max letters or
 * digits inside a run of them.
 */
export function charTokenizer(min = 1, max = 3): Tokenizer {
  return (text) => charNgrams(text, min, max)
}

/**
 * Words by Unicode rules (Intl.Segmenter): a dictionary-free tokenizer for English, Spanish and other
 * space-separated languages.
 */
export function unicodeWordTokenizer(locale = 'en'): Tokenizer {
  const segmenter = new Intl.Segmenter(locale, { granularity: 'word' })
  return (text) =>
    Array.from(segmenter.segment(text), (s) => s)
      .filter((s) => s.isWordLike)
      .map((s) => s.segment)
}

/** Named tokenizers a CLI flag can pick. */
export function tokenizerByName(name: 'jieba' | 'chars' | 'unicode'): Tokenizer {
  return name === 'jieba' ? jiebaTokenizer() : name === 'chars' ? charTokenizer() : unicodeWordTokenizer()
}
