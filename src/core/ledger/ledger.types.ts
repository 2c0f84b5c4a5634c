import type { Instant } from '../time.ts'

/** Hex-encoded bytes (lower case). Hashes are SHA-256 (64 hex digits), Ed25519 signatures 128. */
export type Hex = string

/**
 * Cross-department hand-offs that must land in the ledger. The list is open to the case actions the
 * platform adds later, so the type is a string; these are the ones the issue names.
 */
export const LEDGER_ACTIONS = [
  'dispatch',
  'return',
  'reassign',
  'report',
  'verify',
  'escalate',
  'whistle',
  'report-in',
  'supervise',
  'instruct',
  'acknowledge',
] as const
export type LedgerAction = (typeof LEDGER_ACTIONS)[number] | (string & {})

/** The unit id the platform's own key (checkpoints, system actions) is filed under. */
export const PLATFORM_UNIT_ID = 'platform'

/** What a caller supplies to record one hand-off; the ledger adds seq, hashes and signature. */
export interface EntryInput {
  readonly caseId: string
  /** the case version the action produced: names the timeline row the entry vouches for */
  readonly caseVersion?: number
  readonly action: LedgerAction
  readonly fromUnitId?: string
  readonly toUnitId?: string
  readonly actorId: string
  /** the acting unit, whose key signs (per-entry mode) */
  readonly unitId: string
  readonly at: Instant
  /** hex SHA-256 of the case state after the action, as canonical JSON */
  readonly stateHash: Hex
  /** hex SHA-256 of the action payload as canonical JSON, when there is one */
  readonly payloadHash?: Hex
}

/** One leaf of the ledger. Everything except `signature` and `leafHash` is covered by `leafHash`. */
export interface LedgerEntry extends EntryInput {
  /** 0-based position in the log; contiguous */
  readonly seq: number
  /** the acting unit's key valid at `at`: it signs the entry in per-entry mode */
  readonly keyId: string
  /** RFC 9162 leaf hash: SHA-256(0x00 || canonical entry content) */
  readonly leafHash: Hex
  /** Ed25519 signature of `entrySignedBytes(entry)` by `keyId`; absent in per-batch mode */
  readonly signature?: Hex
}

/** A witness's co-signature over a checkpoint's signed bytes. */
export interface WitnessSignature {
  readonly unitId: string
  readonly keyId: string
  readonly sig: Hex
}

/** A signed tree head: the Merkle root of the first `treeSize` entries at time `at`. */
export interface Checkpoint {
  readonly treeSize: number
  readonly rootHash: Hex
  readonly at: Instant
  /** the platform key that made `platformSig` */
  readonly platformKeyId: string
  readonly platformSig: Hex
  readonly witnesses: readonly WitnessSignature[]
}

/** RFC 9162 §2.1.3 audit path of one leaf in a tree of `treeSize` leaves, leaf side first. */
export interface InclusionProof {
  readonly leafIndex: number
  readonly treeSize: number
  readonly path: readonly Uint8Array[]
}

/** RFC 9162 §2.1.4 proof that the tree of `firstSize` leaves is a prefix of the one of `secondSize`. */
export interface ConsistencyProof {
  readonly firstSize: number
  readonly secondSize: number
  readonly path: readonly Uint8Array[]
}

/**
 * The only crypto the core needs. Signing takes a key id, so private keys never enter the core;
 * verification takes the public key bytes from the caller's key directory.
 */
export interface CryptoPort {
  sha256(bytes: Uint8Array): Uint8Array
  sign(keyId: string, bytes: Uint8Array): Uint8Array
  verify(publicKey: Uint8Array, bytes: Uint8Array, sig: Uint8Array): boolean
}

/** A unit's public key and the window in which it may sign: [validFrom, validUntil). */
export interface PublicKeyRecord {
  readonly keyId: string
  readonly unitId: string
  /** raw 32-byte Ed25519 public key, hex */
  readonly publicKey: Hex
  readonly validFrom: Instant
  /** set when the key is rotated out; absent = still current */
  readonly validUntil?: Instant
}

/** Every public key the ledger's signatures can be checked against, rotated ones included. */
export interface KeyDirectory {
  readonly keys: readonly PublicKeyRecord[]
}

/** What a verification found wrong, precise enough to act on. */
export type LedgerProblemKind =
  | 'seq-gap'
  | 'entry-malformed'
  | 'leaf-hash'
  | 'signature-missing'
  | 'signature-invalid'
  | 'key-unknown'
  | 'key-not-valid-at'
  | 'state-hash'
  | 'entry-after-checkpoint'
  | 'checkpoint-beyond-log'
  | 'checkpoint-root'
  | 'checkpoint-platform-sig'
  | 'checkpoint-witness-sig'
  | 'checkpoint-witness-missing'
  | 'checkpoint-fork'
  | 'checkpoint-order'
  | 'timeline-unrecorded'
  | 'anchor-broken'

export interface LedgerProblem {
  readonly kind: LedgerProblemKind
  readonly message: string
  /** the entry concerned (entry problems) */
  readonly seq?: number
  readonly caseId?: string
  readonly action?: string
  /** the checkpoint concerned (checkpoint problems) */
  readonly treeSize?: number
  /** for a checkpoint root mismatch: the changed entry lies in [fromSeq, toSeq] */
  readonly fromSeq?: number
  readonly toSeq?: number
  /** which signer, for signature problems */
  readonly unitId?: string
  readonly keyId?: string
  readonly expected?: string
  readonly actual?: string
}

/** The outcome of re-verifying a whole log. `problems` is in log order and capped; the first is the culprit. */
export interface VerifyReport {
  readonly ok: boolean
  readonly entries: number
  readonly checkpoints: number
  /** root of the whole log as recomputed */
  readonly rootHash: Hex
  readonly firstProblem?: LedgerProblem
  /** the first problem that names an entry (seq order): where to start looking */
  readonly firstBadEntry?: LedgerProblem
  readonly problems: readonly LedgerProblem[]
}
