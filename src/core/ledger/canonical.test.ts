import { describe, expect, it } from 'vitest'
import { canonicalJson, fromHex, toHex } from './canonical.ts'

describe('canonicalJson', () => {
  it('gives the same text for the same data whatever the key order', () => {
    const a = { b: 1, a: { d: [3, { z: true, y: null }], c: 'x' } }
    const b = { a: { c: 'x', d: [3, { y: null, z: true }] }, b: 1 }
    expect(canonicalJson(a)).toBe('{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}')
    expect(canonicalJson(b)).toBe(canonicalJson(a))
  })

  it('prints numbers in shortest round-trip form and escapes strings like JSON', () => {
    expect(canonicalJson([1e21, 0.1, -0, 1.5e-7, 1736150400000])).toBe('[1e+21,0.1,0,1.5e-7,1736150400000]')
    expect(canonicalJson({ 街道: '建国门\n"' })).toBe('{"街道":"建国门\\n\\""}')
  })

  it('drops undefined members and refuses values JSON cannot carry', () => {
    expect(canonicalJson({ a: undefined, b: 2 })).toBe('{"b":2}')
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(TypeError)
    expect(() => canonicalJson({ a: 1n })).toThrow(TypeError)
  })

  it('round-trips hex and rejects malformed hex', () => {
    const bytes = Uint8Array.from([0, 1, 171, 255])
    expect(toHex(bytes)).toBe('0001abff')
    expect(fromHex('0001abff')).toEqual(bytes)
    expect(fromHex('0g')).toBeUndefined()
    expect(fromHex('abc')).toBeUndefined()
  })
})
