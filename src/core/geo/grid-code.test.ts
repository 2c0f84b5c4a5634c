import { describe, expect, it } from 'vitest'
import { childCode, levelOfCode, parentCodeOf } from './grid-code.ts'

describe('grid codes (DB11/T 2157-2023)', () => {
  it('reads the level off the length of a code', () => {
    expect(levelOfCode('110000')).toBe('city')
    expect(levelOfCode('110102')).toBe('district')
    expect(levelOfCode('110102012')).toBe('street')
    expect(levelOfCode('110102012003')).toBe('community')
    expect(levelOfCode('110102012003007')).toBe('grid')
    expect(levelOfCode('1101020')).toBeUndefined()
    expect(levelOfCode('11010a')).toBeUndefined()
  })

  it('finds the parent by dropping the last three digits', () => {
    expect(parentCodeOf('110102012003007')).toBe('110102012003')
    expect(parentCodeOf('110102012')).toBe('110102')
    expect(parentCodeOf('110102')).toBe('110000')
    expect(parentCodeOf('110000')).toBeUndefined()
  })

  it('pads a child serial to three digits and refuses serials beyond 999', () => {
    expect(childCode('110102012003', 7)).toBe('110102012003007')
    expect(() => childCode('110102012003', 1000)).toThrow(RangeError)
  })
})
