import { randomBytes } from 'node:crypto'

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'

// randomBytes is a system call; one 4 KiB draw serves about 400 ids on the intake hot path
const POOL_SIZE = 4096
let pool = randomBytes(POOL_SIZE)
let offset = 0

function random10(): Buffer {
  if (offset + 10 > POOL_SIZE) {
    pool = randomBytes(POOL_SIZE)
    offset = 0
  }
  offset += 10
  return pool.subarray(offset - 10, offset)
}

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
  const bytes = random10()
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
