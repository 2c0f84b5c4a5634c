import { createPublicKey, generateKeyPairSync, hash, sign, verify } from 'node:crypto'
import type { KeyObject } from 'node:crypto'
import type { CryptoPort } from '../core/ledger/ledger.types.ts'

/** DER prefix of an Ed25519 SubjectPublicKeyInfo; the raw 32-byte key follows it. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')

/** Where the adapter finds a private key by id; keys.ts supplies one backed by PEM files. */
export type PrivateKeyLookup = (keyId: string) => KeyObject | undefined

/**
 * CryptoPort over node:crypto: SHA-256 and Ed25519. Public keys arrive as raw bytes from the key
 * directory; their KeyObjects are cached because parsing costs more than a verification.
 */
export function createNodeCrypto(privateKey: PrivateKeyLookup = () => undefined): CryptoPort {
  const publicKeys = new Map<string, KeyObject>()
  return {
    sha256(bytes) {
      return hash('sha256', bytes, 'buffer')
    },
    sign(keyId, bytes) {
      const key = privateKey(keyId)
      if (!key) {
        throw new Error(`no private key ${keyId} on this node`)
      }
      return sign(null, bytes, key)
    },
    verify(publicKey, bytes, sig) {
      if (publicKey.length !== 32 || sig.length !== 64) {
        return false
      }
      const id = Buffer.from(publicKey).toString('hex')
      let key = publicKeys.get(id)
      if (!key) {
        key = createPublicKey({
          key: Buffer.concat([ED25519_SPKI_PREFIX, publicKey]),
          format: 'der',
          type: 'spki',
        })
        publicKeys.set(id, key)
      }
      return verify(null, bytes, key, sig)
    },
  }
}

/** The raw 32-byte Ed25519 public key of a key object. */
export function rawPublicKey(key: KeyObject): Uint8Array {
  const der = key.export({ format: 'der', type: 'spki' })
  return der.subarray(ED25519_SPKI_PREFIX.length)
}

/** A fresh Ed25519 key pair. */
export function generateEd25519(): { publicKey: KeyObject; privateKey: KeyObject } {
  return generateKeyPairSync('ed25519')
}
