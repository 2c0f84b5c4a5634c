import { hash } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import type { WriteStream } from 'node:fs'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { once } from 'node:events'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { cosignCheckpoint } from '../src/core/ledger/checkpoint.ts'
import type { Checkpoint, EntryInput, Hex, LedgerEntry } from '../src/core/ledger/ledger.types.ts'
import { PLATFORM_UNIT_ID } from '../src/core/ledger/ledger.types.ts'
import { verifyLedgerFile } from '../src/ledger/export-file.ts'
import { LEDGER_FILE_FORMAT, LEDGER_FILE_VERSION } from '../src/ledger/export-file.ts'
import { UnitKeyStore } from '../src/ledger/keys.ts'
import { LedgerWriter, MemoryLedgerStore } from '../src/ledger/ledger-writer.ts'
import type { LedgerStorePort, SigningMode } from '../src/ledger/ledger-writer.ts'

const T0 = Date.UTC(2025, 0, 1)
const UNITS = Array.from({ length: 200 }, (_, i) => `unit-${String(i).padStart(3, '0')}`)
const ACTIONS = ['dispatch', 'return', 'reassign', 'report', 'verify', 'escalate', 'whistle', 'report-in']
const BATCH = 1000
const encoder = new TextEncoder()

/** Appends/s through LedgerWriter against a SHA-256 chain step; then the time to verify a million entries. */
export async function run(): Promise<void> {
  const keys = UnitKeyStore.inMemory()
  for (const u of [PLATFORM_UNIT_ID, 'witness-a', 'witness-b', ...UNITS]) {
    await keys.generate(u, T0 - 1)
  }

  const n = 200_000
  const inputs = Array.from({ length: n }, (_, i) => handOff(i))
  const chain: number[] = []
  const batch: number[] = []
  for (let round = 0; round < 5; round++) {
    chain.push(chainStep(inputs))
    batch.push(await ledgerAppends(inputs, keys, 'batch'))
  }
  const perEntry = await ledgerAppends(inputs.slice(0, 20_000), keys, 'entry')
  const chainRate = median(chain)
  const batchRate = median(batch)
  // Rounds run back to back, so a round's ratio is robust to load that drifts across the run.
  const ratio = median(batch.map((b, i) => b / chain[i]))
  console.log(`sha-256 chain step (JSON.stringify + sha256(prev || bytes)): ${fmt(chainRate)} /s`)
  console.log(`ledger append, per-batch signing (batch ${BATCH}):          ${fmt(batchRate)} /s`)
  console.log(`ledger append, per-entry Ed25519 signing:                   ${fmt(perEntry)} /s`)
  console.log(`  per-entry mode ratio: ${(perEntry / chainRate).toFixed(3)}`)

  const m = Number(process.env.LEDGER_BENCH_VERIFY ?? 1_000_000)
  const { seconds: genSec, path, dir, bytes } = await generateFile(m, keys)
  const rssBefore = process.memoryUsage().rss
  let peak = rssBefore
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100)
  const t = performance.now()
  const report = await verifyLedgerFile(path, { crypto: keys.crypto(), minWitnesses: 2 })
  const verifySec = (performance.now() - t) / 1000
  clearInterval(sampler)
  await rm(dir, { recursive: true, force: true })
  console.log(`generated ${fmt(m)} entries (${(bytes / 1e6).toFixed(0)} MB file) in ${genSec.toFixed(1)} s`)
  console.log(
    `verify ${fmt(m)} entries + ${report.checkpoints} checkpoints: ${verifySec.toFixed(1)} s, ok=${report.ok}, peak rss ${(peak / 1e6).toFixed(0)} MB (${(rssBefore / 1e6).toFixed(0)} MB before verifying)`,
  )
  if (process.env.LEDGER_BENCH_PG) {
    await seqContention(process.env.LEDGER_BENCH_PG)
  }
  console.log(`ledger ratio: ${ratio.toFixed(2)} (target ≥ 0.2)`)
}

/**
 * Seq allocation under the head-row lock on PostgreSQL: `workers` connections each commit small
 * action-like transactions (a timeline-sized insert), with and without reserving a seq under the
 * lock and inserting the entry in the same transaction.
 */
async function seqContention(url: string): Promise<void> {
  const { openDatabase } = await import('../src/store/db.ts')
  const { migrateToLatest } = await import('../src/store/migrate.ts')
  const { allocateSeqs } = await import('../src/store/ledger.repository.ts')
  const { sql } = await import('kysely')
  const schema = `bench_${Date.now().toString(36)}`
  const db = await openDatabase(url, { schema, poolSize: 16 })
  try {
    await migrateToLatest(db)
    const k = db.kysely
    for (const workers of [1, 4, 16]) {
      const rate = async (withLedger: boolean): Promise<number> => {
        const per = 300
        const t = performance.now()
        await Promise.all(
          Array.from({ length: workers }, async (_, w) => {
            for (let i = 0; i < per; i++) {
              await k.transaction().execute(async (tx) => {
                await sql`insert into outbox (type, case_id, at, payload) values ('bench', ${`C${w}-${i}`}, 0, '{}')`.execute(
                  tx,
                )
                if (withLedger) {
                  const seq = await allocateSeqs(tx, 1)
                  await sql`insert into ledger_entries (seq, case_id, action, actor_id, unit_id, at, state_hash, key_id, leaf_hash) values (${seq}, 'C', 'dispatch', 'a', 'u', 0, '', '', '')`.execute(
                    tx,
                  )
                }
              })
            }
          }),
        )
        return (workers * per) / ((performance.now() - t) / 1000)
      }
      const without = await rate(false)
      const withSeq = await rate(true)
      console.log(
        `postgres, ${workers} concurrent writers: ${fmt(without)} tx/s without ledger, ${fmt(withSeq)} tx/s with seq under head-row lock (${(withSeq / without).toFixed(2)})`,
      )
    }
  } finally {
    await sql`drop schema ${sql.id(schema)} cascade`.execute(db.kysely)
    await db.close()
  }
}

function handOff(i: number): EntryInput {
  const unitId = UNITS[i % UNITS.length]
  return {
    caseId: `C2025${String(Math.floor(i / 6)).padStart(8, '0')}`,
    action: ACTIONS[i % ACTIONS.length],
    fromUnitId: unitId,
    toUnitId: UNITS[(i * 7 + 3) % UNITS.length],
    actorId: `user-${i % 5000}`,
    unitId,
    at: T0 + i * 50,
    stateHash: hash('sha256', String(i), 'hex'),
  }
}

/** The floor: a plain hash chain over the same records, serialized the cheapest way. */
function chainStep(inputs: readonly EntryInput[]): number {
  let prev = new Uint8Array(32)
  const t = performance.now()
  for (const input of inputs) {
    const bytes = encoder.encode(JSON.stringify(input))
    const buf = new Uint8Array(32 + bytes.length)
    buf.set(prev, 0)
    buf.set(bytes, 32)
    prev = hash('sha256', buf, 'buffer')
  }
  return inputs.length / ((performance.now() - t) / 1000)
}

async function ledgerAppends(
  inputs: readonly EntryInput[],
  keys: UnitKeyStore,
  signing: SigningMode,
): Promise<number> {
  let now = T0
  const writer = await LedgerWriter.open({
    store: new MemoryLedgerStore(false),
    crypto: keys.crypto(),
    signing,
    now: () => now,
    unitKeyAt: (u, at) => keys.current(u, at)?.keyId,
    platformKeyAt: (at) => keys.current(PLATFORM_UNIT_ID, at)?.keyId,
  })
  const t = performance.now()
  for (let i = 0; i < inputs.length; i++) {
    const input = inputs[i]
    now = input.at
    if (!writer.append(input).ok) {
      throw new Error('append failed')
    }
    if (i % BATCH === BATCH - 1) {
      await writer.flush()
    }
  }
  await writer.flush()
  return inputs.length / ((performance.now() - t) / 1000)
}

/** Write `m` entries through the writer into an offline ledger file, witnesses co-signing every checkpoint. */
async function generateFile(
  m: number,
  keys: UnitKeyStore,
): Promise<{ seconds: number; path: string; dir: string; bytes: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'onegrid-ledger-bench-'))
  const entriesPath = join(dir, 'entries.jsonl')
  const entriesOut = createWriteStream(entriesPath)
  const checkpoints: Checkpoint[] = []
  const crypto = keys.crypto()
  const store: LedgerStorePort = {
    appendEntries: (es) =>
      writeLines(
        entriesOut,
        es.map((e) => JSON.stringify({ type: 'entry', ...e })),
      ),
    saveCheckpoint: (cp: Checkpoint, _f: readonly Hex[]) => {
      let signed = cp
      for (const w of ['witness-a', 'witness-b']) {
        const r = cosignCheckpoint(crypto, keys.directory(), signed, {
          unitId: w,
          keyId: keys.current(w, cp.at)!.keyId,
        })
        if (!r.ok) {
          throw new Error(r.error.message)
        }
        signed = r.value
      }
      checkpoints.push(signed)
      return Promise.resolve()
    },
    latestCheckpoint: () => Promise.resolve(undefined),
    entriesFrom: () => Promise.resolve([] as LedgerEntry[]),
  }
  let now = T0
  const writer = await LedgerWriter.open({
    store,
    crypto,
    now: () => now,
    unitKeyAt: (u, at) => keys.current(u, at)?.keyId,
    platformKeyAt: (at) => keys.current(PLATFORM_UNIT_ID, at)?.keyId,
  })
  const t = performance.now()
  for (let i = 0; i < m; i++) {
    const input = handOff(i)
    now = input.at
    if (!writer.append(input).ok) {
      throw new Error('append failed')
    }
    if (i % BATCH === BATCH - 1) {
      await writer.flush()
    }
  }
  await writer.flush()
  entriesOut.end()
  await once(entriesOut, 'close')

  const path = join(dir, 'ledger.jsonl')
  const out = createWriteStream(path)
  const head = [
    { type: LEDGER_FILE_FORMAT, version: LEDGER_FILE_VERSION },
    ...keys.directory().keys.map((k) => ({ type: 'key', ...k })),
    ...checkpoints.map((cp) => ({ type: 'checkpoint', ...cp })),
  ]
  await writeLines(
    out,
    head.map((x) => JSON.stringify(x)),
  )
  for await (const chunk of createReadStream(entriesPath)) {
    if (!out.write(chunk)) {
      await once(out, 'drain')
    }
  }
  out.end()
  await once(out, 'close')
  await rm(entriesPath)
  return { seconds: (performance.now() - t) / 1000, path, dir, bytes: (await stat(path)).size }
}

async function writeLines(out: WriteStream, lines: readonly string[]): Promise<void> {
  if (lines.length > 0 && !out.write(`${lines.join('\n')}\n`)) {
    await once(out, 'drain')
  }
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]
}

function fmt(x: number): string {
  return Math.round(x).toLocaleString('en-US')
}
