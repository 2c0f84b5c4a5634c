import { fail, ok } from '../errors.ts'
import type { Result } from '../errors.ts'
import type { Instant } from '../time.ts'
import { canonicalBytes, fromHex, toHex } from './canonical.ts'
import { indexKeys, keyProblem } from './key-directory.ts'
import type { Checkpoint, ConsistencyProof, CryptoPort, Hex, KeyDirectory } from './ledger.types.ts'
import { verifyConsistency } from './merkle.ts'
import { PLATFORM_UNIT_ID } from './ledger.types.ts'

const CHECKPOINT_DOMAIN = 'onegrid-checkpoint-v1'

/**
 * The bytes the platform and every witness sign: the tree head and the platform key id, under a
 * domain tag so a checkpoint signature can never be replayed as an entry signature.
 */
export function checkpointSignedBytes(
  cp: Pick<Checkpoint, 'treeSize' | 'rootHash' | 'at' | 'platformKeyId'>,
): Uint8Array {
  return canonicalBytes({
    domain: CHECKPOINT_DOMAIN,
    treeSize: cp.treeSize,
    rootHash: cp.rootHash,
    at: cp.at,
    platformKeyId: cp.platformKeyId,
  })
}

/** Sign a tree head with the platform key; witnesses are added later by `cosignCheckpoint`. */
export function signCheckpoint(
  crypto: CryptoPort,
  head: { readonly treeSize: number; readonly rootHash: Hex; readonly at: Instant },
  platformKeyId: string,
): Checkpoint {
  const unsigned = { treeSize: head.treeSize, rootHash: head.rootHash, at: head.at, platformKeyId }
  const platformSig = toHex(crypto.sign(platformKeyId, checkpointSignedBytes(unsigned)))
  return { ...unsigned, platformSig, witnesses: [] }
}

/**
 * A witness unit co-signs a checkpoint after checking it: the platform signature must verify and,
 * when the witness co-signed an earlier checkpoint, the new one must extend it (a consistency
 * proof the platform supplies). This is what makes a later rewrite of history visible to the
 * witness, not only to whoever re-verifies the full log.
 */
export function cosignCheckpoint(
  crypto: CryptoPort,
  directory: KeyDirectory,
  cp: Checkpoint,
  witness: { readonly unitId: string; readonly keyId: string },
  previous?: { readonly checkpoint: Checkpoint; readonly proof: ConsistencyProof },
): Result<Checkpoint> {
  const keys = indexKeys(directory)
  const pk = keyProblem(keys, cp.platformKeyId, PLATFORM_UNIT_ID, cp.at)
  if (pk) {
    return fail('LEDGER_INVALID', `checkpoint ${cp.treeSize}: ${pk.message}`)
  }
  const sig = fromHex(cp.platformSig)
  if (!sig || !crypto.verify(keys.get(cp.platformKeyId)!.bytes!, checkpointSignedBytes(cp), sig)) {
    return fail('LEDGER_INVALID', `checkpoint ${cp.treeSize}: platform signature does not verify`)
  }
  if (previous) {
    const prev = previous.checkpoint
    const a = fromHex(prev.rootHash)
    const b = fromHex(cp.rootHash)
    const proofFits = previous.proof.firstSize === prev.treeSize && previous.proof.secondSize === cp.treeSize
    if (!a || !b || !proofFits || !verifyConsistency((x) => crypto.sha256(x), previous.proof, a, b)) {
      return fail(
        'LEDGER_INVALID',
        `checkpoint ${cp.treeSize} does not extend checkpoint ${prev.treeSize} the witness signed: refusing to co-sign`,
      )
    }
  }
  const wk = keyProblem(keys, witness.keyId, witness.unitId, cp.at)
  if (wk) {
    return fail('LEDGER_INVALID', `witness ${witness.unitId}: ${wk.message}`)
  }
  const wsig = toHex(crypto.sign(witness.keyId, checkpointSignedBytes(cp)))
  const others = cp.witnesses.filter((w) => w.unitId !== witness.unitId)
  return ok({ ...cp, witnesses: [...others, { unitId: witness.unitId, keyId: witness.keyId, sig: wsig }] })
}
