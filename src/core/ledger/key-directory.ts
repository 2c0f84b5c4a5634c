import type { Instant } from '../time.ts'
import { fromHex } from './canonical.ts'
import type { KeyDirectory, PublicKeyRecord } from './ledger.types.ts'

/** A key record with its decoded bytes, indexed by key id for verification loops. */
export interface IndexedKey {
  readonly record: PublicKeyRecord
  readonly bytes: Uint8Array | undefined
}

/** Index a directory by key id (a later duplicate id wins: ids are fingerprints, so duplicates agree). */
export function indexKeys(dir: KeyDirectory): ReadonlyMap<string, IndexedKey> {
  const m = new Map<string, IndexedKey>()
  for (const record of dir.keys) {
    m.set(record.keyId, { record, bytes: fromHex(record.publicKey) })
  }
  return m
}

/** Whether a key may sign at `at`: its window is [validFrom, validUntil). */
export function keyValidAt(record: PublicKeyRecord, at: Instant): boolean {
  return at >= record.validFrom && (record.validUntil === undefined || at < record.validUntil)
}

/** The key a unit signs with at `at`, if it has one. */
export function keyOfUnitAt(dir: KeyDirectory, unitId: string, at: Instant): PublicKeyRecord | undefined {
  return dir.keys.find((k) => k.unitId === unitId && keyValidAt(k, at))
}

/**
 * Why `keyId` cannot vouch for `unitId` at `at`, or undefined when it can. Shared by entry and
 * checkpoint verification so both apply the same rotation rule.
 */
export function keyProblem(
  keys: ReadonlyMap<string, IndexedKey>,
  keyId: string,
  unitId: string,
  at: Instant,
): { kind: 'key-unknown' | 'key-not-valid-at'; message: string } | undefined {
  const k = keys.get(keyId)
  if (!k || !k.bytes) {
    return { kind: 'key-unknown', message: `key ${keyId} is not in the key directory` }
  }
  if (k.record.unitId !== unitId) {
    return { kind: 'key-unknown', message: `key ${keyId} belongs to unit ${k.record.unitId}, not ${unitId}` }
  }
  if (!keyValidAt(k.record, at)) {
    const until = k.record.validUntil === undefined ? 'now' : String(k.record.validUntil)
    return {
      kind: 'key-not-valid-at',
      message: `key ${keyId} of unit ${unitId} is valid in [${k.record.validFrom}, ${until}), not at ${at}`,
    }
  }
  return undefined
}
