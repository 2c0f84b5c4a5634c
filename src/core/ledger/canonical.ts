import type { Hex } from './ledger.types.ts'

const encoder = new TextEncoder()

/**
 * Canonical JSON (RFC 8785 style): object keys sorted by UTF-16 code units, no whitespace,
 * numbers in ECMAScript shortest round-trip form, strings escaped as JSON.stringify does.
 * Undefined object members are dropped (as JSON does); a non-finite number or a value JSON
 * cannot express is a programming error and throws, because a silent substitute would hash
 * to something the caller never meant.
 */
export function canonicalJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value)
    case 'number':
      if (!Number.isFinite(value)) {
        throw new TypeError(`canonical JSON cannot encode ${value}`)
      }
      return Object.is(value, -0) ? '0' : JSON.stringify(value)
    case 'boolean':
      return value ? 'true' : 'false'
    case 'object': {
      if (value === null) {
        return 'null'
      }
      if (Array.isArray(value)) {
        return `[${value.map((v: unknown) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`
      }
      const rec = value as Record<string, unknown>
      const parts: string[] = []
      for (const k of Object.keys(rec).sort()) {
        const v = rec[k]
        if (v !== undefined) {
          parts.push(`${JSON.stringify(k)}:${canonicalJson(v)}`)
        }
      }
      return `{${parts.join(',')}}`
    }
    default:
      throw new TypeError(`canonical JSON cannot encode a ${typeof value}`)
  }
}

/** Canonical JSON as UTF-8 bytes: the input to every hash of structured data in the ledger. */
export function canonicalBytes(value: unknown): Uint8Array {
  return encoder.encode(canonicalJson(value))
}

/** UTF-8 bytes of a string. */
export function utf8(s: string): Uint8Array {
  return encoder.encode(s)
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

/** Lower-case hex of bytes. */
export function toHex(bytes: Uint8Array): Hex {
  let s = ''
  for (let i = 0; i < bytes.length; i++) {
    s += HEX[bytes[i]]
  }
  return s
}

/** Bytes of a hex string; undefined when it is not well-formed hex. */
export function fromHex(hex: string): Uint8Array | undefined {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    return undefined
  }
  const out = new Uint8Array(hex.length / 2)
  for (let i = 0; i < out.length; i++) {
    out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16)
  }
  return out
}
