import { randomBytes } from 'node:crypto'

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'

/**
 * A ULID-style id: 48-bit time + 80 random bits, Crockford base32, sortable by creation time,
 * unique across nodes without coordination. `prefix` tells ids apart in logs ('C' case, 'A' appeal).
 */
export function newId(prefix: string, now: number): string {
  let t = now
  let time = ''
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32] + time
    t = Math.floor(t / 32)
  }
  const bytes = randomBytes(10)
  let rand = ''
  for (let i = 0; i < 16; i++) {
    // 5 bits from the 80-bit random string
    const bit = i * 5
    const byte = bit >> 3
    const shift = bit & 7
    const v = ((bytes[byte] << 8) | (bytes[byte + 1] ?? 0)) >> (11 - shift)
    rand += CROCKFORD[v & 31]
  }
  return prefix + time + rand
}
