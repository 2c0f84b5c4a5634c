import { fail, ok } from '../errors.ts'
import type { Result } from '../errors.ts'
import { fromHex, toHex } from './canonical.ts'
import type { ConsistencyProof, Hex, InclusionProof } from './ledger.types.ts'

/** SHA-256, supplied by the caller's CryptoPort so the core stays free of node:crypto. */
export type Sha256 = (bytes: Uint8Array) => Uint8Array

/** Leaf hashes by index; a store answers from its rows, a test from an array. */
export type LeafSource = (index: number) => Uint8Array

const LEAF_PREFIX = 0x00
const NODE_PREFIX = 0x01

/** RFC 9162 leaf hash: SHA-256(0x00 || data). The prefix keeps a leaf from posing as an inner node. */
export function hashLeaf(sha: Sha256, data: Uint8Array): Uint8Array {
  const buf = new Uint8Array(data.length + 1)
  buf[0] = LEAF_PREFIX
  buf.set(data, 1)
  return sha(buf)
}

/** RFC 9162 inner node hash: SHA-256(0x01 || left || right). */
export function hashNode(sha: Sha256, left: Uint8Array, right: Uint8Array): Uint8Array {
  const buf = new Uint8Array(1 + left.length + right.length)
  buf[0] = NODE_PREFIX
  buf.set(left, 1)
  buf.set(right, 1 + left.length)
  return sha(buf)
}

/** Largest power of two strictly less than n (n ≥ 2): where RFC 9162 splits a tree of n leaves. */
export function splitPoint(n: number): number {
  let k = 1
  while (k * 2 < n) {
    k *= 2
  }
  return k
}

/** Merkle Tree Hash of leaves [lo, hi) (RFC 9162 §2.1.1). */
function mth(sha: Sha256, leaf: LeafSource, lo: number, hi: number): Uint8Array {
  const n = hi - lo
  if (n === 0) {
    return sha(new Uint8Array(0))
  }
  if (n === 1) {
    return leaf(lo)
  }
  const k = splitPoint(n)
  return hashNode(sha, mth(sha, leaf, lo, lo + k), mth(sha, leaf, lo + k, hi))
}

/** Merkle Tree Hash of a list of leaf hashes; the empty tree hashes to SHA-256 of no bytes. */
export function rootOf(sha: Sha256, leafHashes: readonly Uint8Array[]): Uint8Array {
  return mth(sha, (i) => leafHashes[i], 0, leafHashes.length)
}

/**
 * The right edge of the tree: one hash per set bit of `size`, covering the perfect subtrees the
 * leaves decompose into, largest (leftmost) first. Appending touches O(log n) hashes and the root
 * needs only these, so the writer never rereads old leaves.
 */
export class MerkleFrontier {
  private readonly nodes: Uint8Array[]
  private count: number

  private constructor(
    private readonly sha: Sha256,
    size: number,
    nodes: Uint8Array[],
  ) {
    this.count = size
    this.nodes = nodes
  }

  /** An empty tree. */
  static empty(sha: Sha256): MerkleFrontier {
    return new MerkleFrontier(sha, 0, [])
  }

  /** Resume from a saved `state()`; fails when the hashes do not fit the size. */
  static fromState(sha: Sha256, size: number, nodes: readonly Hex[]): Result<MerkleFrontier> {
    if (!Number.isSafeInteger(size) || size < 0) {
      return fail('LEDGER_INVALID', `bad tree size ${size}`)
    }
    if (nodes.length !== popcount(size)) {
      return fail(
        'LEDGER_INVALID',
        `a tree of ${size} leaves has ${popcount(size)} frontier hashes, got ${nodes.length}`,
      )
    }
    const bytes: Uint8Array[] = []
    for (const h of nodes) {
      const b = fromHex(h)
      if (!b || b.length !== 32) {
        return fail('LEDGER_INVALID', `frontier hash ${h} is not 32 bytes of hex`)
      }
      bytes.push(b)
    }
    return ok(new MerkleFrontier(sha, size, bytes))
  }

  /** Number of leaves appended so far. */
  get size(): number {
    return this.count
  }

  /** Append one leaf hash. */
  append(leafHash: Uint8Array): void {
    this.nodes.push(leafHash)
    this.count++
    // Each trailing 1-bit of the old size is a pair of equal-height subtrees that now merge.
    for (let s = this.count; (s & 1) === 0; s = Math.floor(s / 2)) {
      const right = this.nodes.pop()!
      const left = this.nodes.pop()!
      this.nodes.push(hashNode(this.sha, left, right))
    }
  }

  /** The Merkle Tree Hash of all leaves appended so far. */
  root(): Uint8Array {
    if (this.nodes.length === 0) {
      return this.sha(new Uint8Array(0))
    }
    let r = this.nodes[this.nodes.length - 1]
    for (let i = this.nodes.length - 2; i >= 0; i--) {
      r = hashNode(this.sha, this.nodes[i], r)
    }
    return r
  }

  /** The frontier as hex, to save beside a checkpoint and resume from. */
  state(): Hex[] {
    return this.nodes.map(toHex)
  }
}

function popcount(n: number): number {
  let c = 0
  for (let s = n; s > 0; s = Math.floor(s / 2)) {
    c += s & 1
  }
  return c
}

/** RFC 9162 §2.1.3.1 audit path PATH(m, D[n]) for leaf `index` in a tree of `size` leaves. */
export function inclusionProof(
  sha: Sha256,
  index: number,
  size: number,
  leaf: LeafSource,
): Result<InclusionProof> {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) {
    return fail('LEDGER_INVALID', `leaf ${index} is not in a tree of ${size}`)
  }
  const path: Uint8Array[] = []
  const walk = (m: number, lo: number, hi: number): void => {
    const n = hi - lo
    if (n <= 1) {
      return
    }
    const k = splitPoint(n)
    if (m < k) {
      walk(m, lo, lo + k)
      path.push(mth(sha, leaf, lo + k, hi))
    } else {
      walk(m - k, lo + k, hi)
      path.push(mth(sha, leaf, lo, lo + k))
    }
  }
  walk(index, 0, size)
  return ok({ leafIndex: index, treeSize: size, path })
}

/** RFC 9162 §2.1.3.2: does `leafHash` sit at `proof.leafIndex` of the tree with `rootHash`? */
export function verifyInclusion(
  sha: Sha256,
  leafHash: Uint8Array,
  proof: InclusionProof,
  rootHash: Uint8Array,
): boolean {
  const { leafIndex, treeSize, path } = proof
  if (!Number.isSafeInteger(leafIndex) || !Number.isSafeInteger(treeSize) || leafIndex < 0) {
    return false
  }
  if (leafIndex >= treeSize) {
    return false
  }
  let fn = leafIndex
  let sn = treeSize - 1
  let r = leafHash
  for (const p of path) {
    if (sn === 0) {
      return false
    }
    if (fn % 2 === 1 || fn === sn) {
      r = hashNode(sha, p, r)
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2)
          sn = Math.floor(sn / 2)
        }
      }
    } else {
      r = hashNode(sha, r, p)
    }
    fn = Math.floor(fn / 2)
    sn = Math.floor(sn / 2)
  }
  return sn === 0 && bytesEqual(r, rootHash)
}

/**
 * RFC 9162 §2.1.4.1 PROOF(m, D[n]). The RFC defines it for 0 < m < n; m = 0 and m = n are
 * trivially consistent and get an empty path, which `verifyConsistency` treats accordingly.
 */
export function consistencyProof(
  sha: Sha256,
  m: number,
  n: number,
  leaf: LeafSource,
): Result<ConsistencyProof> {
  if (!Number.isSafeInteger(m) || !Number.isSafeInteger(n) || m < 0 || m > n) {
    return fail('LEDGER_INVALID', `no consistency proof from size ${m} to size ${n}`)
  }
  const path: Uint8Array[] = []
  if (m > 0 && m < n) {
    const sub = (mm: number, lo: number, hi: number, whole: boolean): void => {
      const nn = hi - lo
      if (mm === nn) {
        if (!whole) {
          path.push(mth(sha, leaf, lo, hi))
        }
        return
      }
      const k = splitPoint(nn)
      if (mm <= k) {
        sub(mm, lo, lo + k, whole)
        path.push(mth(sha, leaf, lo + k, hi))
      } else {
        sub(mm - k, lo + k, hi, false)
        path.push(mth(sha, leaf, lo, lo + k))
      }
    }
    sub(m, 0, n, true)
  }
  return ok({ firstSize: m, secondSize: n, path })
}

/** RFC 9162 §2.1.4.2: is the tree with `firstRoot` a prefix of the tree with `secondRoot`? */
export function verifyConsistency(
  sha: Sha256,
  proof: ConsistencyProof,
  firstRoot: Uint8Array,
  secondRoot: Uint8Array,
): boolean {
  const { firstSize: m, secondSize: n } = proof
  if (!Number.isSafeInteger(m) || !Number.isSafeInteger(n) || m < 0 || m > n) {
    return false
  }
  if (m === n) {
    return proof.path.length === 0 && bytesEqual(firstRoot, secondRoot)
  }
  // Every tree extends the empty one; there is nothing to prove.
  if (m === 0) {
    return proof.path.length === 0
  }
  if (proof.path.length === 0) {
    return false
  }
  const path = isPowerOfTwo(m) ? [firstRoot, ...proof.path] : [...proof.path]
  let fn = m - 1
  let sn = n - 1
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2)
    sn = Math.floor(sn / 2)
  }
  let fr = path[0]
  let sr = path[0]
  for (let i = 1; i < path.length; i++) {
    const c = path[i]
    if (sn === 0) {
      return false
    }
    if (fn % 2 === 1 || fn === sn) {
      fr = hashNode(sha, c, fr)
      sr = hashNode(sha, c, sr)
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2)
        sn = Math.floor(sn / 2)
      }
    } else {
      sr = hashNode(sha, sr, c)
    }
    fn = Math.floor(fn / 2)
    sn = Math.floor(sn / 2)
  }
  return sn === 0 && bytesEqual(fr, firstRoot) && bytesEqual(sr, secondRoot)
}

function isPowerOfTwo(n: number): boolean {
  let k = 1
  while (k < n) {
    k *= 2
  }
  return k === n
}

/** Constant-size byte comparison (hashes are public, so timing does not matter here). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) {
    return false
  }
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) {
      return false
    }
  }
  return true
}
