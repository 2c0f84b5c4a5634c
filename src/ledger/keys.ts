import { createHash, createPrivateKey } from 'node:crypto'
import type { KeyObject } from 'node:crypto'
import { chmod, mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { keyOfUnitAt } from '../core/ledger/key-directory.ts'
import type { CryptoPort, KeyDirectory, PublicKeyRecord } from '../core/ledger/ledger.types.ts'
import type { Instant } from '../core/time.ts'
import { createNodeCrypto, generateEd25519, rawPublicKey } from './crypto.ts'

/** Default folder of the unit keys: private keys as `<keyId>.pem`, the public directory as `directory.json`. */
export const DEFAULT_KEY_DIR = 'data/keys'
const DIRECTORY_FILE = 'directory.json'

/**
 * Ed25519 keys of units, the platform and witnesses, with validity windows so a rotation never
 * invalidates what the old key signed. With a folder it persists (private PEMs mode 0600, public
 * directory as JSON); without one it lives in memory (tests, benchmarks).
 */
export class UnitKeyStore {
  private records: PublicKeyRecord[]
  private readonly privates = new Map<string, KeyObject>()
  private byUnit: Map<string, PublicKeyRecord[]> | undefined

  private constructor(
    private readonly dir: string | undefined,
    records: PublicKeyRecord[],
  ) {
    this.records = records
  }

  /** Keys kept in memory only. */
  static inMemory(): UnitKeyStore {
    return new UnitKeyStore(undefined, [])
  }

  /** Open (or create) the key folder and load every key in it. */
  static async open(dir: string = DEFAULT_KEY_DIR): Promise<UnitKeyStore> {
    await mkdir(dir, { recursive: true, mode: 0o700 })
    let records: PublicKeyRecord[] = []
    try {
      records = (JSON.parse(await readFile(join(dir, DIRECTORY_FILE), 'utf8')) as KeyDirectory).keys.slice()
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw e
      }
    }
    const store = new UnitKeyStore(dir, records)
    for (const f of await readdir(dir)) {
      if (f.endsWith('.pem')) {
        store.privates.set(f.slice(0, -4), createPrivateKey(await readFile(join(dir, f), 'utf8')))
      }
    }
    return store
  }

  /**
   * Give a unit its first key, valid from `validFrom`. A unit that already has a key is rotated
   * instead, so there is never more than one key valid at one instant.
   */
  async generate(unitId: string, validFrom: Instant): Promise<PublicKeyRecord> {
    if (this.records.some((r) => r.unitId === unitId && r.validUntil === undefined)) {
      return this.rotate(unitId, validFrom)
    }
    return this.add(unitId, validFrom)
  }

  /**
   * Retire the unit's current key at `at` and issue a new one valid from `at`. Entries signed
   * before `at` keep verifying with the old key; anything the old key signs from `at` on fails.
   */
  async rotate(unitId: string, at: Instant): Promise<PublicKeyRecord> {
    const current = this.records.find((r) => r.unitId === unitId && r.validUntil === undefined)
    if (current && at <= current.validFrom) {
      throw new Error(
        `cannot rotate ${unitId} at ${at}: its current key ${current.keyId} starts at ${current.validFrom}`,
      )
    }
    if (current) {
      this.records = this.records.map((r) => (r === current ? { ...r, validUntil: at } : r))
    }
    this.byUnit = undefined
    return this.add(unitId, at)
  }

  /** The key `unitId` signs with at `at`. Runs per append, hence the per-unit index. */
  current(unitId: string, at: Instant): PublicKeyRecord | undefined {
    this.byUnit ??= groupByUnit(this.records)
    const mine = this.byUnit.get(unitId)
    return mine ? keyOfUnitAt({ keys: mine }, unitId, at) : undefined
  }

  /** Every public key, rotated ones included: what verifiers and the export file carry. */
  directory(): KeyDirectory {
    return { keys: this.records.slice() }
  }

  /** A private key on this node, for the crypto adapter. */
  privateKey(keyId: string): KeyObject | undefined {
    return this.privates.get(keyId)
  }

  /** A CryptoPort that signs with this store's private keys. */
  crypto(): CryptoPort {
    return createNodeCrypto((id) => this.privates.get(id))
  }

  /** Write the public directory as JSON to `path` (for witnesses and offline verifiers). */
  async exportDirectory(path: string): Promise<void> {
    await writeAtomic(path, `${JSON.stringify(this.directory(), null, 2)}\n`)
  }

  private async add(unitId: string, validFrom: Instant): Promise<PublicKeyRecord> {
    const { publicKey, privateKey } = generateEd25519()
    const raw = rawPublicKey(publicKey)
    // A fingerprint id names the key itself: a directory can never map one id to two keys.
    const keyId = createHash('sha256').update(raw).digest('hex').slice(0, 20)
    const record: PublicKeyRecord = { keyId, unitId, publicKey: Buffer.from(raw).toString('hex'), validFrom }
    this.records.push(record)
    this.byUnit = undefined
    this.privates.set(keyId, privateKey)
    if (this.dir) {
      const pemPath = join(this.dir, `${keyId}.pem`)
      await writeFile(pemPath, privateKey.export({ format: 'pem', type: 'pkcs8' }), {
        mode: 0o600,
        flag: 'wx',
      })
      await chmod(pemPath, 0o600)
      await writeAtomic(join(this.dir, DIRECTORY_FILE), `${JSON.stringify(this.directory(), null, 2)}\n`)
    }
    return record
  }
}

function groupByUnit(records: readonly PublicKeyRecord[]): Map<string, PublicKeyRecord[]> {
  const m = new Map<string, PublicKeyRecord[]>()
  for (const r of records) {
    m.set(r.unitId, [...(m.get(r.unitId) ?? []), r])
  }
  return m
}

async function writeAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`
  await writeFile(tmp, text)
  await rename(tmp, path)
}
