import { fail, ok } from '../core/errors.ts'
import type { Result } from '../core/errors.ts'
import { toHex } from '../core/ledger/canonical.ts'
import { signCheckpoint } from '../core/ledger/checkpoint.ts'
import { buildEntry, entryLeafHash } from '../core/ledger/entry.ts'
import type { Checkpoint, CryptoPort, EntryInput, Hex, LedgerEntry } from '../core/ledger/ledger.types.ts'
import { MerkleFrontier } from '../core/ledger/merkle.ts'
import type { Instant } from '../core/time.ts'

/**
 * What the ledger needs from storage. Each method is one statement a SQL repository can run:
 * a multi-row INSERT per batch, one INSERT per checkpoint, two SELECTs on start.
 */
export interface LedgerStorePort {
  /** Persist a batch of entries, contiguous in seq and following the last stored one. */
  appendEntries(entries: readonly LedgerEntry[]): Promise<void>
  /** Persist a checkpoint with the Merkle frontier at its size, so a restart never rereads old leaves. */
  saveCheckpoint(checkpoint: Checkpoint, frontier: readonly Hex[]): Promise<void>
  /** The newest checkpoint and its frontier; undefined for an empty ledger. */
  latestCheckpoint(): Promise<
    { readonly checkpoint: Checkpoint; readonly frontier: readonly Hex[] } | undefined
  >
  /** Entries with seq ≥ `seq` in seq order: those stored after the newest checkpoint. */
  entriesFrom(seq: number): Promise<readonly LedgerEntry[]>
}

/**
 * `batch` (default): entries are hashed into the tree and each flush signs one checkpoint over the
 * new root with the platform key. `entry`: every entry is also signed by its acting unit's key.
 * The measured trade-off is in docs/ledger.md.
 */
export type SigningMode = 'batch' | 'entry'

export interface LedgerWriterDeps {
  readonly store: LedgerStorePort
  readonly crypto: CryptoPort
  /** the key a unit signs with at `at` (UnitKeyStore.current) */
  readonly unitKeyAt: (unitId: string, at: Instant) => string | undefined
  /** the platform key that signs checkpoints at `at` */
  readonly platformKeyAt: (at: Instant) => string | undefined
  readonly now: () => Instant
  readonly signing?: SigningMode
}

/**
 * The single appender of a ledger. It keeps the Merkle frontier in memory, so an append costs one
 * canonical encoding, one leaf hash and on average one node hash; `flush` writes the pending batch
 * in one `appendEntries` and signs one checkpoint. If storage fails the writer refuses further
 * appends: its frontier may be ahead of the store, and only `open` again can tell.
 */
export class LedgerWriter {
  private pending: LedgerEntry[] = []
  private flushing: Promise<Checkpoint | undefined> = Promise.resolve(undefined)
  private broken: Error | undefined
  private checkpointedSize: number
  private latestAt: Instant
  private lastCheckpoint: Checkpoint | undefined

  private constructor(
    private readonly deps: LedgerWriterDeps,
    private readonly frontier: MerkleFrontier,
    last: Checkpoint | undefined,
    latestAt: Instant,
  ) {
    this.lastCheckpoint = last
    this.checkpointedSize = last?.treeSize ?? 0
    this.latestAt = latestAt
  }

  /**
   * Resume from storage: the newest checkpoint's frontier plus the entries stored after it,
   * whose leaf hashes are recomputed (a tampered tail refuses to open rather than being signed).
   */
  static async open(deps: LedgerWriterDeps): Promise<LedgerWriter> {
    const sha = (b: Uint8Array): Uint8Array => deps.crypto.sha256(b)
    const latest = await deps.store.latestCheckpoint()
    let frontier = MerkleFrontier.empty(sha)
    if (latest) {
      const resumed = MerkleFrontier.fromState(sha, latest.checkpoint.treeSize, latest.frontier)
      if (!resumed.ok) {
        throw new Error(`ledger cannot resume: ${resumed.error.message}`)
      }
      if (toHex(resumed.value.root()) !== latest.checkpoint.rootHash) {
        throw new Error(
          `ledger cannot resume: the saved frontier does not hash to checkpoint ${latest.checkpoint.treeSize}'s root`,
        )
      }
      frontier = resumed.value
    }
    let latestAt = latest?.checkpoint.at ?? 0
    for (const e of await deps.store.entriesFrom(frontier.size)) {
      const leaf = entryLeafHash(deps.crypto, e)
      if (e.seq !== frontier.size || toHex(leaf) !== e.leafHash) {
        throw new Error(`ledger cannot resume: stored entry ${e.seq} is out of place or altered`)
      }
      frontier.append(leaf)
      latestAt = Math.max(latestAt, e.at)
    }
    return new LedgerWriter(deps, frontier, latest?.checkpoint, latestAt)
  }

  /** Entries appended so far, pending ones included. */
  get size(): number {
    return this.frontier.size
  }

  /** The newest checkpoint written (or resumed from). */
  get checkpoint(): Checkpoint | undefined {
    return this.lastCheckpoint
  }

  /** Root of the tree over every appended entry, pending ones included. */
  rootHash(): Hex {
    return toHex(this.frontier.root())
  }

  /**
   * Record one hand-off: assigns the next seq, hashes it into the tree and queues it for the next
   * `flush`. Fails when the input is malformed or the acting unit has no key valid at `at`.
   */
  append(input: EntryInput): Result<LedgerEntry> {
    if (this.broken) {
      return fail('LEDGER_INVALID', `ledger writer stopped after a storage failure: ${this.broken.message}`)
    }
    const keyId = this.deps.unitKeyAt(input.unitId, input.at)
    if (!keyId) {
      return fail('LEDGER_INVALID', `unit ${input.unitId} has no ledger key valid at ${input.at}`, 'unitId')
    }
    const built = buildEntry(
      this.deps.crypto,
      input,
      this.frontier.size,
      keyId,
      this.deps.signing === 'entry',
    )
    if (!built.ok) {
      return built
    }
    this.frontier.append(built.value.leaf)
    this.pending.push(built.value.entry)
    if (input.at > this.latestAt) {
      this.latestAt = input.at
    }
    return ok(built.value.entry)
  }

  /**
   * Write the pending entries in one batch and sign a checkpoint over the tree they complete.
   * Calls are serialized; resolves to the new checkpoint, or undefined when nothing was new.
   */
  flush(): Promise<Checkpoint | undefined> {
    const run = this.flushing.then(() => this.flushOnce())
    // A failed flush must not poison the chain for callers that only await later flushes.
    this.flushing = run.catch(() => undefined)
    return run
  }

  private async flushOnce(): Promise<Checkpoint | undefined> {
    if (this.broken) {
      throw this.broken
    }
    const batch = this.pending
    if (batch.length === 0 && this.frontier.size === this.checkpointedSize) {
      return undefined
    }
    this.pending = []
    // Snapshot the head now: appends made while the batch is being written belong to the next one.
    const treeSize = this.frontier.size
    const rootHash = toHex(this.frontier.root())
    const state = this.frontier.state()
    // A checkpoint never predates an entry it covers, even if a caller's clock ran ahead.
    const at = Math.max(this.deps.now(), this.latestAt)
    const keyId = this.deps.platformKeyAt(at)
    try {
      if (!keyId) {
        throw new Error(`no platform key valid at ${at}`)
      }
      if (batch.length > 0) {
        await this.deps.store.appendEntries(batch)
      }
      const cp = signCheckpoint(this.deps.crypto, { treeSize, rootHash, at }, keyId)
      await this.deps.store.saveCheckpoint(cp, state)
      this.checkpointedSize = treeSize
      this.lastCheckpoint = cp
      return cp
    } catch (e) {
      this.broken = e instanceof Error ? e : new Error(String(e))
      throw this.broken
    }
  }
}

/** A LedgerStorePort in memory: tests, benchmarks, and the shape a SQL repository mirrors. */
export class MemoryLedgerStore implements LedgerStorePort {
  readonly entries: LedgerEntry[] = []
  readonly checkpoints: { checkpoint: Checkpoint; frontier: readonly Hex[] }[] = []

  /** @param keepEntries false drops entries after counting them (benchmarks of the append path) */
  constructor(private readonly keepEntries = true) {}

  appendEntries(entries: readonly LedgerEntry[]): Promise<void> {
    if (this.keepEntries) {
      for (const e of entries) {
        this.entries.push(e)
      }
    }
    return Promise.resolve()
  }

  saveCheckpoint(checkpoint: Checkpoint, frontier: readonly Hex[]): Promise<void> {
    this.checkpoints.push({ checkpoint, frontier })
    return Promise.resolve()
  }

  latestCheckpoint(): Promise<{ checkpoint: Checkpoint; frontier: readonly Hex[] } | undefined> {
    return Promise.resolve(this.checkpoints.at(-1))
  }

  entriesFrom(seq: number): Promise<readonly LedgerEntry[]> {
    return Promise.resolve(this.entries.slice(seq))
  }
}
