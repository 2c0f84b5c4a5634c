import { describe, expect, it } from 'vitest'
import { createNodeCrypto } from '../../ledger/crypto.ts'
import { toHex, utf8 } from './canonical.ts'
import {
  MerkleFrontier,
  consistencyProof,
  hashLeaf,
  hashNode,
  inclusionProof,
  rootOf,
  verifyConsistency,
  verifyInclusion,
} from './merkle.ts'

const c = createNodeCrypto()
const sha = (b: Uint8Array): Uint8Array => c.sha256(b)
const leaves = (n: number): Uint8Array[] =>
  Array.from({ length: n }, (_, i) => hashLeaf(sha, utf8(`leaf ${i}`)))
const H = (l: Uint8Array, r: Uint8Array): Uint8Array => hashNode(sha, l, r)

/** Flip one bit, so a tampered proof differs from the honest one in exactly one place. */
function flip(b: Uint8Array): Uint8Array {
  // new Uint8Array copies; Buffer#slice would alias the hash being tampered with
  const out = new Uint8Array(b)
  out[0] ^= 1
  return out
}

describe('RFC 9162 Merkle Tree Hash', () => {
  it('matches the well-known empty-tree and empty-leaf hashes', () => {
    expect(toHex(rootOf(sha, []))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
    expect(toHex(hashLeaf(sha, new Uint8Array(0)))).toBe(
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
    )
  })

  it('splits at the largest power of two below n, as hand-computed for 1 to 7 leaves', () => {
    const [a, b, d, e, f, g, h] = leaves(7)
    expect(rootOf(sha, [a])).toEqual(a)
    expect(rootOf(sha, [a, b])).toEqual(H(a, b))
    expect(rootOf(sha, [a, b, d])).toEqual(H(H(a, b), d))
    expect(rootOf(sha, [a, b, d, e])).toEqual(H(H(a, b), H(d, e)))
    expect(rootOf(sha, [a, b, d, e, f])).toEqual(H(H(H(a, b), H(d, e)), f))
    expect(rootOf(sha, [a, b, d, e, f, g])).toEqual(H(H(H(a, b), H(d, e)), H(f, g)))
    expect(rootOf(sha, [a, b, d, e, f, g, h])).toEqual(H(H(H(a, b), H(d, e)), H(H(f, g), h)))
  })

  it('keeps the frontier root equal to the full recomputation after every append', () => {
    const ls = leaves(70)
    const fr = MerkleFrontier.empty(sha)
    expect(fr.root()).toEqual(rootOf(sha, []))
    for (let n = 1; n <= ls.length; n++) {
      fr.append(ls[n - 1])
      expect(fr.root(), `size ${n}`).toEqual(rootOf(sha, ls.slice(0, n)))
    }
  })

  it('resumes from a saved frontier state and rejects a state that does not fit the size', () => {
    const ls = leaves(23)
    const fr = MerkleFrontier.empty(sha)
    ls.slice(0, 13).forEach((l) => fr.append(l))
    const resumed = MerkleFrontier.fromState(sha, 13, fr.state())
    expect(resumed.ok).toBe(true)
    if (!resumed.ok) {
      return
    }
    ls.slice(13).forEach((l) => resumed.value.append(l))
    expect(resumed.value.root()).toEqual(rootOf(sha, ls))
    expect(MerkleFrontier.fromState(sha, 16, fr.state()).ok).toBe(false)
  })
})

describe('RFC 9162 inclusion proofs', () => {
  it('gives the hand-computed audit path for leaf 2 of 7', () => {
    const ls = leaves(7)
    const p = inclusionProof(sha, 2, 7, (i) => ls[i])
    expect(p.ok && p.value.path).toEqual([ls[3], H(ls[0], ls[1]), H(H(ls[4], ls[5]), ls[6])])
  })

  it('verifies every leaf of every tree up to 40, and rejects every tampered proof', () => {
    for (let n = 1; n <= 40; n++) {
      const ls = leaves(n)
      const root = rootOf(sha, ls)
      for (let i = 0; i < n; i++) {
        const r = inclusionProof(sha, i, n, (k) => ls[k])
        expect(r.ok).toBe(true)
        if (!r.ok) {
          return
        }
        const proof = r.value
        expect(verifyInclusion(sha, ls[i], proof, root), `leaf ${i} of ${n}`).toBe(true)
        expect(verifyInclusion(sha, flip(ls[i]), proof, root)).toBe(false)
        expect(verifyInclusion(sha, ls[i], proof, flip(root))).toBe(false)
        if (n > 1) {
          expect(verifyInclusion(sha, ls[i], { ...proof, leafIndex: (i + 1) % n }, root)).toBe(false)
        }
        for (let k = 0; k < proof.path.length; k++) {
          const path = proof.path.map((p, j) => (j === k ? flip(p) : p))
          expect(verifyInclusion(sha, ls[i], { ...proof, path }, root)).toBe(false)
          expect(
            verifyInclusion(sha, ls[i], { ...proof, path: proof.path.filter((_, j) => j !== k) }, root),
          ).toBe(false)
        }
        expect(verifyInclusion(sha, ls[i], { ...proof, path: [...proof.path, ls[0]] }, root)).toBe(false)
      }
    }
  })

  it('refuses to prove a leaf outside the tree', () => {
    expect(inclusionProof(sha, 5, 5, () => new Uint8Array(32)).ok).toBe(false)
  })
})

describe('RFC 9162 consistency proofs', () => {
  it('gives the hand-computed proof from 3 to 7 leaves', () => {
    const l = leaves(7)
    const p = consistencyProof(sha, 3, 7, (i) => l[i])
    expect(p.ok && p.value.path).toEqual([l[2], l[3], H(l[0], l[1]), H(H(l[4], l[5]), l[6])])
  })

  it('verifies every (m, n) up to 40, and rejects every tampered proof and every forked tree', () => {
    const all = leaves(40)
    const roots = Array.from({ length: 41 }, (_, n) => rootOf(sha, all.slice(0, n)))
    for (let n = 1; n <= 40; n++) {
      for (let m = 0; m <= n; m++) {
        const r = consistencyProof(sha, m, n, (k) => all[k])
        expect(r.ok).toBe(true)
        if (!r.ok) {
          return
        }
        const proof = r.value
        expect(verifyConsistency(sha, proof, roots[m], roots[n]), `${m} → ${n}`).toBe(true)
        if (m === 0) {
          continue
        }
        expect(verifyConsistency(sha, proof, flip(roots[m]), roots[n])).toBe(false)
        expect(verifyConsistency(sha, proof, roots[m], flip(roots[n]))).toBe(false)
        for (let k = 0; k < proof.path.length; k++) {
          const path = proof.path.map((p, j) => (j === k ? flip(p) : p))
          expect(
            verifyConsistency(sha, { ...proof, path }, roots[m], roots[n]),
            `flip ${k} in ${m} → ${n}`,
          ).toBe(false)
          const shorter = proof.path.filter((_, j) => j !== k)
          expect(verifyConsistency(sha, { ...proof, path: shorter }, roots[m], roots[n])).toBe(false)
        }
        if (m < n) {
          // A history rewritten before m: the new tree no longer extends the old one.
          const forked = all.slice(0, n).map((l, i) => (i === m - 1 ? flip(l) : l))
          const fp = consistencyProof(sha, m, n, (k) => forked[k])
          expect(fp.ok && verifyConsistency(sha, fp.value, roots[m], rootOf(sha, forked))).toBe(false)
        }
      }
    }
  })
})
