import { fromHex, toHex } from './canonical.ts'
import { checkpointSignedBytes } from './checkpoint.ts'
import { entryInputProblem, entryLeafHash, entrySignedBytes } from './entry.ts'
import { indexKeys, keyProblem } from './key-directory.ts'
import type { IndexedKey } from './key-directory.ts'
import { PLATFORM_UNIT_ID } from './ledger.types.ts'
import type {
  Checkpoint,
  CryptoPort,
  Hex,
  KeyDirectory,
  LedgerEntry,
  LedgerProblem,
  VerifyReport,
} from './ledger.types.ts'
import { MerkleFrontier } from './merkle.ts'

/** Knobs of a verification run. */
export interface VerifyOptions {
  /** every entry must carry a unit signature (logs written in per-entry mode) */
  readonly requireEntrySignatures?: boolean
  /** every checkpoint must carry at least this many valid witness signatures */
  readonly minWitnesses?: number
  /**
   * Recompute an entry's case-state hash from the case timeline (the store supplies it); undefined
   * = cannot tell for this entry. A mismatch means the timeline was edited behind the ledger.
   */
  readonly stateHashOf?: (entry: LedgerEntry) => Hex | undefined
  /** stop recording after this many problems (default 50); counting continues */
  readonly maxProblems?: number
}

/**
 * Re-verify a whole log: contiguous seq, recomputed leaf hashes, entry signatures and key windows,
 * every checkpoint's root at its size, its platform and witness signatures, and that checkpoints
 * agree with each other and with the log. Entries are consumed once, in order, so a generator over
 * a file or a cursor keeps memory flat.
 */
export function verifyLog(
  entries: Iterable<LedgerEntry>,
  checkpoints: readonly Checkpoint[],
  keys: KeyDirectory,
  crypto: CryptoPort,
  options: VerifyOptions = {},
): VerifyReport {
  const v = new LogVerifier(checkpoints, keys, crypto, options)
  for (const e of entries) {
    v.push(e)
  }
  return v.finish()
}

/** The streaming form of `verifyLog`, for callers that receive entries asynchronously. */
export class LogVerifier {
  private readonly keys: ReadonlyMap<string, IndexedKey>
  private readonly frontier: MerkleFrontier
  private readonly problems: LedgerProblem[] = []
  private problemCount = 0
  private firstBadEntry: LedgerProblem | undefined
  /** checkpoints sorted by size, and the next one whose size the log has yet to reach */
  private readonly pending: Checkpoint[]
  private next = 0
  private lastCheckedSize = 0
  /** the latest-dated entry since the last checkpoint: no checkpoint may predate what it covers */
  private latest: { at: number; seq: number } | undefined

  constructor(
    checkpoints: readonly Checkpoint[],
    directory: KeyDirectory,
    private readonly crypto: CryptoPort,
    private readonly options: VerifyOptions = {},
  ) {
    this.keys = indexKeys(directory)
    this.frontier = MerkleFrontier.empty((b) => crypto.sha256(b))
    this.pending = [...checkpoints].sort((a, b) => a.treeSize - b.treeSize || a.at - b.at)
    this.checkCheckpointSet()
    while (this.next < this.pending.length && this.pending[this.next].treeSize === 0) {
      this.checkRootAt(this.pending[this.next++])
    }
  }

  /** Verify the next entry of the log. */
  push(e: LedgerEntry): void {
    const expectedSeq = this.frontier.size
    const where = { seq: e.seq, caseId: e.caseId, action: e.action }
    if (e.seq !== expectedSeq) {
      const what = e.seq > expectedSeq ? 'entries are missing before it' : 'it is out of order or repeated'
      this.report({
        kind: 'seq-gap',
        ...where,
        expected: String(expectedSeq),
        actual: String(e.seq),
        message: `entry at position ${expectedSeq} has seq ${e.seq}: ${what}`,
      })
    }
    const malformed =
      entryInputProblem(e) ?? (Number.isSafeInteger(e.seq) ? undefined : 'seq must be an integer')
    if (malformed) {
      this.report({ kind: 'entry-malformed', ...where, message: `entry ${e.seq} is malformed: ${malformed}` })
    }
    const leaf = entryLeafHash(this.crypto, e)
    const leafHex = toHex(leaf)
    if (leafHex !== e.leafHash) {
      this.report({
        kind: 'leaf-hash',
        ...where,
        expected: leafHex,
        actual: e.leafHash,
        message: `entry ${e.seq} (${e.action} on ${e.caseId}) was changed: its content hashes to ${leafHex}, the stored leaf hash is ${e.leafHash}`,
      })
    }
    this.checkEntryKey(e, leafHex)
    if (this.options.stateHashOf) {
      const expected = this.options.stateHashOf(e)
      if (expected !== undefined && expected !== e.stateHash) {
        this.report({
          kind: 'state-hash',
          ...where,
          expected,
          actual: e.stateHash,
          message: `entry ${e.seq} (${e.action} on ${e.caseId}): the case timeline yields state ${expected}, the ledger recorded ${e.stateHash}`,
        })
      }
    }
    // The recomputed leaf goes into the tree, so an edit whose stored leaf hash was also rewritten
    // still shows up as a checkpoint root mismatch.
    this.frontier.append(leaf)
    if (!this.latest || e.at > this.latest.at) {
      this.latest = { at: e.at, seq: e.seq }
    }
    while (this.next < this.pending.length && this.pending[this.next].treeSize === this.frontier.size) {
      this.checkRootAt(this.pending[this.next++])
    }
  }

  /** Finish: checkpoints the log never reached mean the log lost entries after they were checkpointed. */
  finish(): VerifyReport {
    for (; this.next < this.pending.length; this.next++) {
      const cp = this.pending[this.next]
      this.report({
        kind: 'checkpoint-beyond-log',
        treeSize: cp.treeSize,
        // the first entry the checkpoint vouches for that the log no longer has
        seq: this.frontier.size,
        expected: String(cp.treeSize),
        actual: String(this.frontier.size),
        message: `checkpoint of ${cp.treeSize} entries signed at ${cp.at} is newer than the log, which has ${this.frontier.size}: the log was rolled back or truncated`,
      })
    }
    return {
      ok: this.problemCount === 0,
      entries: this.frontier.size,
      checkpoints: this.pending.length,
      rootHash: toHex(this.frontier.root()),
      ...(this.problems[0] ? { firstProblem: this.problems[0] } : {}),
      ...(this.firstBadEntry ? { firstBadEntry: this.firstBadEntry } : {}),
      problems: this.problems,
    }
  }

  private checkEntryKey(e: LedgerEntry, leafHex: Hex): void {
    const where = { seq: e.seq, caseId: e.caseId, action: e.action, unitId: e.unitId, keyId: e.keyId }
    const kp = keyProblem(this.keys, e.keyId, e.unitId, e.at)
    if (kp) {
      this.report({
        kind: kp.kind,
        ...where,
        message: `entry ${e.seq} (${e.action} on ${e.caseId}): ${kp.message}`,
      })
      return
    }
    if (e.signature === undefined) {
      if (this.options.requireEntrySignatures) {
        this.report({
          kind: 'signature-missing',
          ...where,
          message: `entry ${e.seq} carries no signature of unit ${e.unitId}`,
        })
      }
      return
    }
    const sig = fromHex(e.signature)
    const pub = this.keys.get(e.keyId)!.bytes!
    if (!sig || !this.crypto.verify(pub, entrySignedBytes(leafHex), sig)) {
      this.report({
        kind: 'signature-invalid',
        ...where,
        actual: e.signature,
        message: `entry ${e.seq} (${e.action} on ${e.caseId}): the signature is not unit ${e.unitId}'s (key ${e.keyId}) over this entry`,
      })
    }
  }

  private checkRootAt(cp: Checkpoint): void {
    const root = toHex(this.frontier.root())
    if (root !== cp.rootHash) {
      this.report({
        kind: 'checkpoint-root',
        treeSize: cp.treeSize,
        fromSeq: this.lastCheckedSize,
        toSeq: cp.treeSize - 1,
        expected: cp.rootHash,
        actual: root,
        message:
          `the first ${cp.treeSize} entries hash to ${root}, but checkpoint ${cp.treeSize} signed ${cp.rootHash}: ` +
          `an entry with seq in [${this.lastCheckedSize}, ${cp.treeSize - 1}] was changed, removed or reordered`,
      })
    } else if (this.latest && this.latest.at > cp.at) {
      this.report({
        kind: 'entry-after-checkpoint',
        treeSize: cp.treeSize,
        seq: this.latest.seq,
        expected: `≤ ${cp.at}`,
        actual: String(this.latest.at),
        message: `entry ${this.latest.seq} is dated ${this.latest.at}, after checkpoint ${cp.treeSize} (${cp.at}) that contains it`,
      })
    }
    this.lastCheckedSize = cp.treeSize
    this.latest = undefined
  }

  /** Signatures of every checkpoint and their mutual agreement, which need no entries. */
  private checkCheckpointSet(): void {
    let prev: Checkpoint | undefined
    for (const cp of this.pending) {
      this.checkCheckpointSignatures(cp)
      if (prev && prev.treeSize === cp.treeSize && prev.rootHash !== cp.rootHash) {
        this.report({
          kind: 'checkpoint-fork',
          treeSize: cp.treeSize,
          expected: prev.rootHash,
          actual: cp.rootHash,
          message: `two checkpoints of ${cp.treeSize} entries sign different roots: the log was forked`,
        })
      }
      if (prev && prev.treeSize < cp.treeSize && prev.at > cp.at) {
        this.report({
          kind: 'checkpoint-order',
          treeSize: cp.treeSize,
          expected: `≥ ${prev.at}`,
          actual: String(cp.at),
          message: `checkpoint ${cp.treeSize} is dated ${cp.at}, before the smaller checkpoint ${prev.treeSize} (${prev.at}): back-dated`,
        })
      }
      prev = cp
    }
  }

  private checkCheckpointSignatures(cp: Checkpoint): void {
    const bytes = checkpointSignedBytes(cp)
    const pk = keyProblem(this.keys, cp.platformKeyId, PLATFORM_UNIT_ID, cp.at)
    const psig = fromHex(cp.platformSig)
    if (pk || !psig || !this.crypto.verify(this.keys.get(cp.platformKeyId)!.bytes!, bytes, psig)) {
      this.report({
        kind: 'checkpoint-platform-sig',
        treeSize: cp.treeSize,
        unitId: PLATFORM_UNIT_ID,
        keyId: cp.platformKeyId,
        message: `checkpoint ${cp.treeSize}: ${pk ? pk.message : 'the platform signature does not verify'}`,
      })
    }
    // Witnesses count once per unit, and the platform cannot witness itself.
    const valid = new Set<string>()
    for (const w of cp.witnesses) {
      const wk = keyProblem(this.keys, w.keyId, w.unitId, cp.at)
      const sig = fromHex(w.sig)
      if (wk || !sig || !this.crypto.verify(this.keys.get(w.keyId)!.bytes!, bytes, sig)) {
        this.report({
          kind: 'checkpoint-witness-sig',
          treeSize: cp.treeSize,
          unitId: w.unitId,
          keyId: w.keyId,
          message: `checkpoint ${cp.treeSize}: witness ${w.unitId}'s signature (key ${w.keyId}) ${wk ? `is unusable: ${wk.message}` : 'does not verify'}`,
        })
      } else if (w.unitId !== PLATFORM_UNIT_ID) {
        valid.add(w.unitId)
      }
    }
    const min = this.options.minWitnesses ?? 0
    if (valid.size < min) {
      this.report({
        kind: 'checkpoint-witness-missing',
        treeSize: cp.treeSize,
        expected: String(min),
        actual: String(valid.size),
        message: `checkpoint ${cp.treeSize} has ${valid.size} valid witness signatures from distinct units, ${min} required`,
      })
    }
  }

  private report(p: LedgerProblem): void {
    this.problemCount++
    if (!this.firstBadEntry && p.seq !== undefined) {
      this.firstBadEntry = p
    }
    if (this.problems.length < (this.options.maxProblems ?? 50)) {
      this.problems.push(p)
    }
  }
}
