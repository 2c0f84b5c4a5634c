import { describe, expect, it } from 'vitest'
import { charTokenizer, jiebaTokenizer, unicodeWordTokenizer } from '../../src/triage/tokenizer.ts'

describe('triage tokenizers', () => {
  it('jieba segments a Beijing 12345 report into words, without whitespace tokens', () => {
    const words = jiebaTokenizer()('市民反映：朝阳区望京街道路边共享单车乱停放')
    expect(words).toEqual(expect.arrayContaining(['市民', '反映', '朝阳区', '共享', '单车', '停放']))
    expect(words.every((w) => w.trim() !== '')).toBe(true)
  })

  it('jieba keeps Latin words whole, so English CSVs work too', () => {
    expect(jiebaTokenizer()('Blocked Hydrant')).toEqual(['Blocked', 'Hydrant'])
  })

  it('character n-grams need no dictionary and never cross punctuation', () => {
    expect(charTokenizer(1, 2)('井盖，丢失')).toEqual(['井', '盖', '井盖', '丢', '失', '丢失'])
  })

  it('unicode words split space-separated languages', () => {
    expect(unicodeWordTokenizer()('Noise - Street/Sidewalk')).toEqual(['Noise', 'Street', 'Sidewalk'])
  })
})
