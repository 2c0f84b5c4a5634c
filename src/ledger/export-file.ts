import { createReadStream, createWriteStream } from 'node:fs'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import type {
  Checkpoint,
  CryptoPort,
  KeyDirectory,
  LedgerEntry,
  PublicKeyRecord,
  VerifyReport,
} from '../core/ledger/ledger.types.ts'
import { LogVerifier } from '../core/ledger/verify.ts'
import type { VerifyOptions } from '../core/ledger/verify.ts'
import { createNodeCrypto } from './crypto.ts'

/**
 * The offline ledger file, JSON lines in this order so a verifier streams it in one pass:
 *   {"type":"onegrid-ledger","version":1}
 *   {"type":"key", ...PublicKeyRecord}        every key, rotated ones included
 *   {"type":"checkpoint", ...Checkpoint}      every checkpoint
 *   {"type":"entry", ...LedgerEntry}          every entry in seq order
 */
export const LEDGER_FILE_FORMAT = 'onegrid-ledger'
export const LEDGER_FILE_VERSION = 1

export interface LedgerFileContents {
  readonly directory: KeyDirectory
  readonly checkpoints: readonly Checkpoint[]
  readonly entries: readonly LedgerEntry[]
}

/** Write a ledger file; entries may be a cursor (async iterable) so a large log never sits in memory. */
export async function exportLedgerFile(
  path: string,
  log: {
    readonly directory: KeyDirectory
    readonly checkpoints: readonly Checkpoint[]
    readonly entries: Iterable<LedgerEntry> | AsyncIterable<LedgerEntry>
  },
): Promise<{ entries: number }> {
  const out = createWriteStream(path)
  const write = async (obj: unknown): Promise<void> => {
    if (!out.write(`${JSON.stringify(obj)}\n`)) {
      await once(out, 'drain')
    }
  }
  let entries = 0
  try {
    await write({ type: LEDGER_FILE_FORMAT, version: LEDGER_FILE_VERSION })
    for (const k of log.directory.keys) {
      await write({ type: 'key', ...k })
    }
    for (const cp of log.checkpoints) {
      await write({ type: 'checkpoint', ...cp })
    }
    for await (const e of log.entries) {
      await write({ type: 'entry', ...e })
      entries++
    }
  } finally {
    out.end()
    await once(out, 'close')
  }
  return { entries }
}

/** Read a whole ledger file into memory (small logs, tests, re-import into a store). */
export async function importLedgerFile(path: string): Promise<LedgerFileContents> {
  const keys: PublicKeyRecord[] = []
  const checkpoints: Checkpoint[] = []
  const entries: LedgerEntry[] = []
  for await (const rec of readRecords(path)) {
    if (rec.type === 'key') {
      keys.push(rec.value)
    } else if (rec.type === 'checkpoint') {
      checkpoints.push(rec.value)
    } else {
      entries.push(rec.value)
    }
  }
  return { directory: { keys }, checkpoints, entries }
}

/**
 * Verify a ledger file offline, streaming: the keys and checkpoints in the file are the trust
 * roots, so compare its checkpoints with anchored or witnessed ones you hold (or pass those in
 * `extraCheckpoints`) — a file can always be internally consistent with a history it invented.
 */
export async function verifyLedgerFile(
  path: string,
  options: VerifyOptions & {
    readonly crypto?: CryptoPort
    readonly extraCheckpoints?: readonly Checkpoint[]
  } = {},
): Promise<VerifyReport> {
  const crypto = options.crypto ?? createNodeCrypto()
  const keys: PublicKeyRecord[] = []
  const checkpoints: Checkpoint[] = [...(options.extraCheckpoints ?? [])]
  let verifier: LogVerifier | undefined
  for await (const rec of readRecords(path)) {
    if (rec.type === 'entry') {
      verifier ??= new LogVerifier(checkpoints, { keys }, crypto, options)
      verifier.push(rec.value)
    } else if (verifier) {
      throw new Error(
        `${path}: a ${rec.type} line after the first entry; keys and checkpoints must come first`,
      )
    } else if (rec.type === 'key') {
      keys.push(rec.value)
    } else {
      checkpoints.push(rec.value)
    }
  }
  return (verifier ?? new LogVerifier(checkpoints, { keys }, crypto, options)).finish()
}

type LedgerRecord =
  | { type: 'key'; value: PublicKeyRecord }
  | { type: 'checkpoint'; value: Checkpoint }
  | { type: 'entry'; value: LedgerEntry }

async function* readRecords(path: string): AsyncGenerator<LedgerRecord> {
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity })
  let n = 0
  let header = false
  for await (const line of lines) {
    n++
    if (line.trim() === '') {
      continue
    }
    let obj: { type?: unknown; version?: unknown } & Record<string, unknown>
    try {
      obj = JSON.parse(line) as typeof obj
    } catch {
      throw new Error(`${path}:${n}: not JSON`)
    }
    const { type, ...value } = obj
    if (!header) {
      header = true
      if (type !== LEDGER_FILE_FORMAT || value.version !== LEDGER_FILE_VERSION) {
        throw new Error(`${path}: not a ${LEDGER_FILE_FORMAT} v${LEDGER_FILE_VERSION} file`)
      }
      continue
    }
    if (type === 'key') {
      yield { type, value: value as unknown as PublicKeyRecord }
    } else if (type === 'checkpoint') {
      yield { type, value: value as unknown as Checkpoint }
    } else if (type === 'entry') {
      yield { type, value: value as unknown as LedgerEntry }
    } else {
      throw new Error(`${path}:${n}: unknown line type ${String(type)}`)
    }
  }
}
