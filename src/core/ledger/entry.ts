import { fail, ok } from '../errors.ts'
import type { Result } from '../errors.ts'
import { toHex, utf8 } from './canonical.ts'
import type { CryptoPort, EntryInput, Hex, LedgerEntry } from './ledger.types.ts'

/** A built entry plus its leaf hash as bytes, so the writer feeds the Merkle frontier without re-decoding hex. */
export interface BuiltEntry {
  readonly entry: LedgerEntry
  readonly leaf: Uint8Array
}

const encoder = new TextEncoder()
const HASH_HEX = /^[0-9a-f]{64}$/
const ENTRY_SIG_DOMAIN = 'onegrid-ledger-entry-v1:'

/**
 * The canonical JSON of everything an entry's leaf hash covers: all fields except `leafHash` and
 * `signature`. Written out by hand in sorted-key order because it runs once per append and per
 * verified entry; a test pins it to `canonicalJson` of the same object.
 */
export function entryContentJson(e: EntryInput & { readonly seq: number; readonly keyId: string }): string {
  let s = `{"action":${JSON.stringify(e.action)},"actorId":${JSON.stringify(e.actorId)},"at":${e.at},"caseId":${JSON.stringify(e.caseId)}`
  if (e.caseVersion !== undefined) {
    s += `,"caseVersion":${e.caseVersion}`
  }
  if (e.fromUnitId !== undefined) {
    s += `,"fromUnitId":${JSON.stringify(e.fromUnitId)}`
  }
  s += `,"keyId":${JSON.stringify(e.keyId)}`
  if (e.payloadHash !== undefined) {
    s += `,"payloadHash":${JSON.stringify(e.payloadHash)}`
  }
  s += `,"seq":${e.seq},"stateHash":${JSON.stringify(e.stateHash)}`
  if (e.toUnitId !== undefined) {
    s += `,"toUnitId":${JSON.stringify(e.toUnitId)}`
  }
  return `${s},"unitId":${JSON.stringify(e.unitId)}}`
}

/** The RFC 9162 leaf hash of an entry's content: SHA-256(0x00 || canonical content). */
export function entryLeafHash(
  crypto: CryptoPort,
  e: EntryInput & { readonly seq: number; readonly keyId: string },
): Uint8Array {
  // A leading U+0000 encodes to the single byte 0x00: the leaf prefix without a second copy.
  return crypto.sha256(encoder.encode(`\u0000${entryContentJson(e)}`))
}

/** The bytes a unit signs for one entry in per-entry mode: a domain tag and the leaf hash. */
export function entrySignedBytes(leafHash: Hex): Uint8Array {
  return utf8(ENTRY_SIG_DOMAIN + leafHash)
}

/** Why an entry input cannot be recorded, or undefined when it can. */
export function entryInputProblem(input: EntryInput): string | undefined {
  if (!input.caseId) {
    return 'caseId is required'
  }
  if (!input.action) {
    return 'action is required'
  }
  if (!input.actorId) {
    return 'actorId is required'
  }
  if (!input.unitId) {
    return 'unitId (the acting unit) is required'
  }
  if (!Number.isSafeInteger(input.at) || input.at < 0) {
    return `at must be epoch milliseconds, got ${input.at}`
  }
  if (!HASH_HEX.test(input.stateHash)) {
    return 'stateHash must be 64 lower-case hex digits'
  }
  if (
    input.caseVersion !== undefined &&
    (!Number.isSafeInteger(input.caseVersion) || input.caseVersion < 1)
  ) {
    return `caseVersion must be a positive integer, got ${input.caseVersion}`
  }
  if (input.payloadHash !== undefined && !HASH_HEX.test(input.payloadHash)) {
    return 'payloadHash must be 64 lower-case hex digits'
  }
  return undefined
}

/**
 * Build the entry at position `seq`: its leaf hash over the canonical content and, when `sign` is
 * true, the acting unit's signature with `keyId`. Unknown input fields are dropped so that what is
 * hashed is exactly what is stored.
 */
export function buildEntry(
  crypto: CryptoPort,
  input: EntryInput,
  seq: number,
  keyId: string,
  sign: boolean,
): Result<BuiltEntry> {
  const problem = entryInputProblem(input)
  if (problem) {
    return fail('LEDGER_INVALID', `cannot record ${input.action} on ${input.caseId}: ${problem}`)
  }
  if (!Number.isSafeInteger(seq) || seq < 0) {
    return fail('LEDGER_INVALID', `bad seq ${seq}`)
  }
  const content = {
    seq,
    caseId: input.caseId,
    ...(input.caseVersion !== undefined ? { caseVersion: input.caseVersion } : {}),
    action: input.action,
    ...(input.fromUnitId !== undefined ? { fromUnitId: input.fromUnitId } : {}),
    ...(input.toUnitId !== undefined ? { toUnitId: input.toUnitId } : {}),
    actorId: input.actorId,
    unitId: input.unitId,
    at: input.at,
    stateHash: input.stateHash,
    ...(input.payloadHash !== undefined ? { payloadHash: input.payloadHash } : {}),
    keyId,
  }
  const leaf = entryLeafHash(crypto, content)
  const leafHash = toHex(leaf)
  const entry: LedgerEntry = sign
    ? { ...content, leafHash, signature: toHex(crypto.sign(keyId, entrySignedBytes(leafHash))) }
    : { ...content, leafHash }
  return ok({ entry, leaf })
}
