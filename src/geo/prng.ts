/** A seeded pseudo-random source in [0, 1); the same seed always gives the same sequence. */
export type Rng = () => number

/**
 * mulberry32 seeded from a string (FNV-1a hash), so each district/street draws its own stream and a
 * change in one place does not reshuffle the whole city.
 */
export function seededRng(seed: string): Rng {
  let h = 0x811c9dc5
  for (let i = 0; i < seed.length; i++) {
    h ^= seed.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  let a = h >>> 0
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
