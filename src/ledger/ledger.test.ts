import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { toHex } from '../core/ledger/canonical.ts'
import type { Checkpoint, EntryInput } from '../core/ledger/ledger.types.ts'
import { PLATFORM_UNIT_ID } from '../core/ledger/ledger.types.ts'
import { verifyLog } from '../core/ledger/verify.ts'
import { FileAnchor } from './anchor.ts'
import { exportLedgerFile, importLedgerFile, verifyLedgerFile } from './export-file.ts'
import { UnitKeyStore } from './keys.ts'
import { LedgerWriter, MemoryLedgerStore } from './ledger-writer.ts'
import type { LedgerStorePort } from './ledger-writer.ts'

const T0 = Date.UTC(2025, 2, 3, 9, 0, 0)
const UNIT = 'street-jianguomen'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'onegrid-ledger-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

function handOff(i: number): EntryInput {
  return {
    caseId: `C${i}`,
    action: 'dispatch',
    fromUnitId: 'district-centre',
    toUnitId: UNIT,
    actorId: 'dispatcher-1',
    unitId: 'district-centre',
    at: T0 + i * 1000,
    stateHash: toHex(new Uint8Array(32).fill(i & 255)),
  }
}

async function setup<S extends LedgerStorePort = MemoryLedgerStore>(
  store: S = new MemoryLedgerStore() as unknown as S,
  keys?: UnitKeyStore,
) {
  const ks = keys ?? UnitKeyStore.inMemory()
  if (!keys) {
    for (const u of [PLATFORM_UNIT_ID, 'district-centre', UNIT]) {
      await ks.generate(u, T0 - 1)
    }
  }
  let now = T0
  const writer = await LedgerWriter.open({
    store,
    crypto: ks.crypto(),
    now: () => now,
    unitKeyAt: (u, at) => ks.current(u, at)?.keyId,
    platformKeyAt: (at) => ks.current(PLATFORM_UNIT_ID, at)?.keyId,
  })
  return { writer, keys: ks, store, tick: (ms: number) => (now += ms) }
}

describe('LedgerWriter', () => {
  it('writes each flush as one batch with one checkpoint and resumes where it stopped', async () => {
    const store = new MemoryLedgerStore()
    const calls: number[] = []
    const counting: LedgerStorePort = {
      ...store,
      appendEntries: (es) => (calls.push(es.length), store.appendEntries(es)),
      saveCheckpoint: (cp, f) => store.saveCheckpoint(cp, f),
      latestCheckpoint: () => store.latestCheckpoint(),
      entriesFrom: (s) => store.entriesFrom(s),
    }
    const { writer, keys } = await setup(counting)
    for (let i = 0; i < 7; i++) {
      writer.append(handOff(i))
    }
    const cp = await writer.flush()
    expect(calls).toEqual([7])
    expect(cp).toMatchObject({ treeSize: 7, rootHash: writer.rootHash() })
    expect(await writer.flush()).toBeUndefined()

    // Three more entries reach the store but the process dies before their checkpoint.
    const tail = [7, 8, 9].map((i) => writer.append(handOff(i))).flatMap((r) => (r.ok ? [r.value] : []))
    await store.appendEntries(tail)
    const again = await setup(store, keys)
    expect(again.writer.size).toBe(10)
    expect(again.writer.rootHash()).toBe(writer.rootHash())
    expect(await again.writer.flush()).toMatchObject({ treeSize: 10, rootHash: writer.rootHash() })
    const report = verifyLog(
      store.entries,
      store.checkpoints.map((c) => c.checkpoint),
      keys.directory(),
      keys.crypto(),
    )
    expect(report).toMatchObject({ ok: true, entries: 10, checkpoints: 2 })
  })

  it('refuses a unit without a key, and stops after a storage failure', async () => {
    const failing = new MemoryLedgerStore()
    failing.appendEntries = () => Promise.reject(new Error('disk full'))
    const { writer } = await setup(failing)
    const noKey = writer.append({ ...handOff(0), unitId: 'unit-without-key' })
    expect(!noKey.ok && noKey.error).toMatchObject({ code: 'LEDGER_INVALID', field: 'unitId' })
    writer.append(handOff(1))
    await expect(writer.flush()).rejects.toThrow('disk full')
    const after = writer.append(handOff(2))
    expect(!after.ok && after.error.message).toContain('storage failure')
  })

  it('never dates a checkpoint before an entry it covers', async () => {
    const { writer } = await setup()
    writer.append({ ...handOff(0), at: T0 + 3_600_000 })
    const cp = await writer.flush()
    expect(cp?.at).toBe(T0 + 3_600_000)
  })
})

describe('UnitKeyStore', () => {
  it('persists private keys as 0600 PEM files and reloads the rotated directory', async () => {
    const kdir = join(dir, 'keys')
    const ks = await UnitKeyStore.open(kdir)
    const first = await ks.generate(UNIT, T0)
    const second = await ks.rotate(UNIT, T0 + 1000)
    const mode = (await stat(join(kdir, `${first.keyId}.pem`))).mode & 0o777
    expect(mode).toBe(0o600)
    const reloaded = await UnitKeyStore.open(kdir)
    expect(reloaded.current(UNIT, T0 + 999)?.keyId).toBe(first.keyId)
    expect(reloaded.current(UNIT, T0 + 1000)?.keyId).toBe(second.keyId)
    const msg = new TextEncoder().encode('hand-off')
    const sig = reloaded.crypto().sign(second.keyId, msg)
    expect(ks.crypto().verify(Buffer.from(second.publicKey, 'hex'), msg, sig)).toBe(true)
    await ks.exportDirectory(join(dir, 'public.json'))
    const exported = JSON.parse(await readFile(join(dir, 'public.json'), 'utf8'))
    expect(exported.keys).toHaveLength(2)
    expect(JSON.stringify(exported)).not.toContain('PRIVATE')
  })
})

describe('FileAnchor', () => {
  it('chains checkpoints and detects a removed line', async () => {
    const path = join(dir, 'anchors', 'checkpoints.jsonl')
    const anchor = new FileAnchor(path, () => T0)
    const { writer } = await setup()
    const cps: Checkpoint[] = []
    for (let i = 0; i < 3; i++) {
      writer.append(handOff(i))
      cps.push((await writer.flush())!)
    }
    const receipts = await Promise.all(cps.map((cp) => anchor.anchor(cp)))
    expect(receipts.map((r) => r.ref)).toEqual([`${path}#0`, `${path}#1`, `${path}#2`])
    expect((await anchor.list()).map((a) => a.checkpoint.treeSize)).toEqual([1, 2, 3])

    const lines = (await readFile(path, 'utf8')).trim().split('\n')
    await writeFile(path, `${[lines[0], lines[2]].join('\n')}\n`)
    await expect(new FileAnchor(path).list()).rejects.toThrow('line 1 does not follow')
  })
})

describe('ledger file', () => {
  it('round-trips and verifies offline; an edited line is named', async () => {
    const { writer, keys, store } = await setup()
    for (let i = 0; i < 9; i++) {
      writer.append(handOff(i))
      if (i % 4 === 3) {
        await writer.flush()
      }
    }
    await writer.flush()
    const path = join(dir, 'ledger.jsonl')
    const checkpoints = store.checkpoints.map((c) => c.checkpoint)
    await exportLedgerFile(path, { directory: keys.directory(), checkpoints, entries: store.entries })
    const back = await importLedgerFile(path)
    expect(back.entries).toEqual(store.entries)
    expect(back.checkpoints).toEqual(checkpoints)
    expect(await verifyLedgerFile(path)).toMatchObject({ ok: true, entries: 9, checkpoints: 3 })

    const text = await readFile(path, 'utf8')
    await writeFile(path, text.replace('"caseId":"C5"', '"caseId":"C55"'))
    const report = await verifyLedgerFile(path)
    expect(report.firstBadEntry).toMatchObject({
      kind: 'leaf-hash',
      seq: 5,
      caseId: 'C55',
      action: 'dispatch',
    })
  })
})
