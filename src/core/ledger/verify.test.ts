import { describe, expect, it } from 'vitest'
import { UnitKeyStore } from '../../ledger/keys.ts'
import { LedgerWriter, MemoryLedgerStore } from '../../ledger/ledger-writer.ts'
import type { SigningMode } from '../../ledger/ledger-writer.ts'
import { canonicalJson, toHex, utf8 } from './canonical.ts'
import { cosignCheckpoint, signCheckpoint } from './checkpoint.ts'
import { buildEntry, entryContentJson } from './entry.ts'
import type { Checkpoint, EntryInput, LedgerEntry } from './ledger.types.ts'
import { PLATFORM_UNIT_ID } from './ledger.types.ts'
import { consistencyProof } from './merkle.ts'
import { verifyLog } from './verify.ts'

const T0 = 1_736_150_400_000 // 2025-01-06T08:00:00Z
const UNITS = ['street-jianguomen', 'district-dongcheng-cgj', 'district-water']
const WITNESSES = ['witness-12345-centre', 'witness-discipline']
const ACTIONS = ['dispatch', 'return', 'reassign', 'report', 'verify', 'escalate', 'whistle', 'report-in']

/** A ledger with `n` hand-offs a minute apart, flushed every 5, each checkpoint co-signed by both witnesses. */
async function buildLedger(n: number, signing: SigningMode, rotateAt?: number) {
  const keys = UnitKeyStore.inMemory()
  for (const u of [PLATFORM_UNIT_ID, ...UNITS, ...WITNESSES]) {
    await keys.generate(u, T0 - 1000)
  }
  const crypto = keys.crypto()
  let now = T0
  const store = new MemoryLedgerStore()
  const writer = await LedgerWriter.open({
    store,
    crypto,
    signing,
    now: () => now,
    unitKeyAt: (u, at) => keys.current(u, at)?.keyId,
    platformKeyAt: (at) => keys.current(PLATFORM_UNIT_ID, at)?.keyId,
  })
  const sha = (b: Uint8Array): Uint8Array => crypto.sha256(b)
  for (let i = 0; i < n; i++) {
    now = T0 + i * 60_000
    if (rotateAt === i) {
      await keys.rotate(UNITS[0], now)
    }
    const r = writer.append(handOff(i, now))
    expect(r.ok).toBe(true)
    if (i % 5 === 4) {
      await writer.flush()
    }
  }
  now += 60_000
  await writer.flush()
  // Witnesses co-sign each checkpoint after checking it extends the one before.
  const checkpoints: Checkpoint[] = []
  const leafAt = (k: number): Uint8Array => Uint8Array.from(Buffer.from(store.entries[k].leafHash, 'hex'))
  for (const { checkpoint } of store.checkpoints) {
    let cp = checkpoint
    const prev = checkpoints.at(-1)
    for (const w of WITNESSES) {
      const previous = prev
        ? { checkpoint: prev, proof: unwrap(consistencyProof(sha, prev.treeSize, cp.treeSize, leafAt)) }
        : undefined
      cp = unwrap(
        cosignCheckpoint(
          crypto,
          keys.directory(),
          cp,
          { unitId: w, keyId: keys.current(w, cp.at)!.keyId },
          previous,
        ),
      )
    }
    checkpoints.push(cp)
  }
  return { keys, crypto, entries: store.entries, checkpoints, writer }
}

function handOff(i: number, at: number): EntryInput {
  const unitId = UNITS[i % UNITS.length]
  return {
    caseId: `C2025${String(Math.floor(i / 4)).padStart(6, '0')}`,
    action: ACTIONS[i % ACTIONS.length],
    fromUnitId: unitId,
    toUnitId: UNITS[(i + 1) % UNITS.length],
    actorId: `user-${i % 7}`,
    unitId,
    at,
    stateHash: toHex(Uint8Array.from({ length: 32 }, (_, k) => (i * 31 + k) & 255)),
  }
}

function unwrap<T>(r: { ok: true; value: T } | { ok: false; error: { message: string } }): T {
  if (!r.ok) {
    throw new Error(r.error.message)
  }
  return r.value
}

describe('verifyLog on an honest log', () => {
  it('accepts it and recomputes the writer root', async () => {
    const { entries, checkpoints, keys, crypto, writer } = await buildLedger(23, 'entry')
    const report = verifyLog(entries, checkpoints, keys.directory(), crypto, {
      requireEntrySignatures: true,
      minWitnesses: 2,
    })
    expect(report.problems).toEqual([])
    expect(report).toMatchObject({ ok: true, entries: 23, checkpoints: 5, rootHash: writer.rootHash() })
  })

  it('hashes exactly the canonical JSON of the entry content', async () => {
    const { entries } = await buildLedger(3, 'batch')
    for (const e of entries) {
      const { leafHash: _l, signature: _s, ...content } = e
      expect(entryContentJson(e)).toBe(canonicalJson(content))
    }
  })
})

describe('verifyLog names the first tampered entry', () => {
  it('an edited field: seq, case, action, and the two hashes', async () => {
    const { entries, checkpoints, keys, crypto } = await buildLedger(12, 'batch')
    const forged = entries.map((e) => (e.seq === 7 ? { ...e, toUnitId: 'street-elsewhere' } : e))
    const report = verifyLog(forged, checkpoints, keys.directory(), crypto)
    expect(report.ok).toBe(false)
    expect(report.firstBadEntry).toMatchObject({
      kind: 'leaf-hash',
      seq: 7,
      caseId: entries[7].caseId,
      action: entries[7].action,
      actual: entries[7].leafHash,
    })
    expect(report.firstBadEntry?.expected).not.toBe(entries[7].leafHash)
  })

  it('an edit with its leaf hash recomputed: the checkpoint range in batch mode, the exact entry in entry mode', async () => {
    for (const mode of ['batch', 'entry'] as const) {
      const { entries, checkpoints, keys, crypto } = await buildLedger(12, mode)
      const e = entries[7]
      const rebuilt = unwrap(buildEntry(crypto, { ...e, at: e.at - 30_000 }, e.seq, e.keyId, false)).entry
      const forged = entries.map((x) =>
        x.seq === 7 ? { ...rebuilt, ...(x.signature ? { signature: x.signature } : {}) } : x,
      )
      const report = verifyLog(forged, checkpoints, keys.directory(), crypto)
      expect(report.ok).toBe(false)
      const root = report.problems.find((p) => p.kind === 'checkpoint-root')
      expect(root).toMatchObject({ treeSize: 10, fromSeq: 5, toSeq: 9 })
      if (mode === 'entry') {
        expect(report.firstBadEntry).toMatchObject({ kind: 'signature-invalid', seq: 7 })
      }
    }
  })

  it('a deleted entry', async () => {
    const { entries, checkpoints, keys, crypto } = await buildLedger(12, 'batch')
    const report = verifyLog(
      entries.filter((e) => e.seq !== 4),
      checkpoints,
      keys.directory(),
      crypto,
    )
    expect(report.firstBadEntry).toMatchObject({ kind: 'seq-gap', seq: 5, expected: '4', actual: '5' })
    expect(report.firstBadEntry?.message).toContain('missing')
    expect(report.problems.some((p) => p.kind === 'checkpoint-root' && p.treeSize === 5)).toBe(true)
  })

  it('two reordered entries', async () => {
    const { entries, checkpoints, keys, crypto } = await buildLedger(12, 'batch')
    const swapped = [...entries]
    ;[swapped[2], swapped[3]] = [swapped[3], swapped[2]]
    const report = verifyLog(swapped, checkpoints, keys.directory(), crypto)
    expect(report.firstBadEntry).toMatchObject({
      kind: 'seq-gap',
      seq: 3,
      caseId: entries[3].caseId,
      expected: '2',
    })
  })

  it('two swapped signatures', async () => {
    const { entries, checkpoints, keys, crypto } = await buildLedger(12, 'entry')
    const forged = entries.map((e) =>
      e.seq === 3
        ? { ...e, signature: entries[6].signature }
        : e.seq === 6
          ? { ...e, signature: entries[3].signature }
          : e,
    )
    const report = verifyLog(forged, checkpoints, keys.directory(), crypto)
    expect(report.firstBadEntry).toMatchObject({
      kind: 'signature-invalid',
      seq: 3,
      unitId: entries[3].unitId,
      keyId: entries[3].keyId,
    })
    expect(report.problems.filter((p) => p.kind === 'signature-invalid').map((p) => p.seq)).toEqual([3, 6])
  })

  it('a timeline edited behind the ledger, when the store recomputes state hashes', async () => {
    const { entries, checkpoints, keys, crypto } = await buildLedger(8, 'batch')
    const fromTimeline = (e: LedgerEntry): string => (e.seq === 5 ? 'f'.repeat(64) : e.stateHash)
    const report = verifyLog(entries, checkpoints, keys.directory(), crypto, { stateHashOf: fromTimeline })
    expect(report.firstBadEntry).toMatchObject({
      kind: 'state-hash',
      seq: 5,
      expected: 'f'.repeat(64),
      actual: entries[5].stateHash,
    })
  })
})

describe('verifyLog checks checkpoints', () => {
  it('a log rolled back behind a checkpoint names that checkpoint', async () => {
    const { entries, checkpoints, keys, crypto } = await buildLedger(12, 'batch')
    const report = verifyLog(entries.slice(0, 8), checkpoints, keys.directory(), crypto)
    expect(report.ok).toBe(false)
    expect(report.problems.map((p) => [p.kind, p.treeSize])).toEqual([
      ['checkpoint-beyond-log', 10],
      ['checkpoint-beyond-log', 12],
    ])
    expect(report.firstProblem?.message).toContain('rolled back')
  })

  it('a wrong witness signature names the witness', async () => {
    const { entries, checkpoints, keys, crypto } = await buildLedger(12, 'batch')
    const cps = checkpoints.map((cp, i) =>
      i === 1
        ? {
            ...cp,
            witnesses: cp.witnesses.map((w, k) =>
              k === 1 ? { ...w, sig: checkpoints[0].witnesses[1].sig } : w,
            ),
          }
        : cp,
    )
    const report = verifyLog(entries, cps, keys.directory(), crypto, { minWitnesses: 2 })
    expect(report.problems.map((p) => [p.kind, p.treeSize, p.unitId])).toEqual([
      ['checkpoint-witness-sig', 10, WITNESSES[1]],
      ['checkpoint-witness-missing', 10, undefined],
    ])
    // One witness signing twice still counts once.
    const doubled = checkpoints.map((cp) => ({ ...cp, witnesses: [cp.witnesses[0], cp.witnesses[0]] }))
    const r2 = verifyLog(entries, doubled, keys.directory(), crypto, { minWitnesses: 2 })
    expect(r2.problems.map((p) => p.kind)).toEqual([
      'checkpoint-witness-missing',
      'checkpoint-witness-missing',
      'checkpoint-witness-missing',
    ])
  })

  it('a forged platform signature, a fork and a back-dated checkpoint', async () => {
    const { entries, checkpoints, keys, crypto } = await buildLedger(12, 'batch')
    const forged = { ...checkpoints[1], platformSig: checkpoints[0].platformSig }
    let r = verifyLog(entries, [checkpoints[0], forged, checkpoints[2]], keys.directory(), crypto)
    expect(r.problems.map((p) => [p.kind, p.treeSize])).toEqual([['checkpoint-platform-sig', 10]])

    const platformKey = keys.current(PLATFORM_UNIT_ID, T0)!.keyId
    const fork = signCheckpoint(
      crypto,
      { treeSize: 10, rootHash: 'a'.repeat(64), at: checkpoints[1].at + 1 },
      platformKey,
    )
    r = verifyLog(entries, [...checkpoints, fork], keys.directory(), crypto)
    expect(r.problems.map((p) => p.kind)).toEqual(['checkpoint-fork', 'checkpoint-root'])

    const backdated = signCheckpoint(crypto, { ...checkpoints[2], at: checkpoints[0].at - 1 }, platformKey)
    r = verifyLog(entries, [checkpoints[0], checkpoints[1], backdated], keys.directory(), crypto)
    expect(r.problems.map((p) => [p.kind, p.treeSize])).toEqual([
      ['checkpoint-order', 12],
      ['entry-after-checkpoint', 12],
    ])
  })

  it('a witness refuses to co-sign a checkpoint that does not extend the one it signed', async () => {
    const { entries, checkpoints, keys, crypto } = await buildLedger(12, 'batch')
    const sha = (b: Uint8Array): Uint8Array => crypto.sha256(b)
    const leaves: Uint8Array[] = entries.map((e) => Uint8Array.from(Buffer.from(e.leafHash, 'hex')))
    leaves[2] = sha(utf8('rewritten'))
    const platformKey = keys.current(PLATFORM_UNIT_ID, T0)!.keyId
    const rewritten = signCheckpoint(
      crypto,
      { treeSize: 12, rootHash: 'b'.repeat(64), at: checkpoints[2].at },
      platformKey,
    )
    const proof = unwrap(consistencyProof(sha, 5, 12, (i) => leaves[i]))
    const w = WITNESSES[0]
    const r = cosignCheckpoint(
      crypto,
      keys.directory(),
      rewritten,
      { unitId: w, keyId: keys.current(w, T0)!.keyId },
      {
        checkpoint: checkpoints[0],
        proof,
      },
    )
    expect(r.ok).toBe(false)
    expect(!r.ok && r.error.message).toContain('does not extend')
  })
})

describe('key rotation', () => {
  it('keeps old entries valid under the old key and rejects the old key after rotation', async () => {
    const { entries, checkpoints, keys, crypto } = await buildLedger(12, 'entry', 6)
    const unit = UNITS[0]
    const byUnit = entries.filter((e) => e.unitId === unit)
    expect(new Set(byUnit.map((e) => e.keyId)).size).toBe(2)
    expect(
      verifyLog(entries, checkpoints, keys.directory(), crypto, { requireEntrySignatures: true }).ok,
    ).toBe(true)

    // An entry after the rotation, signed with the retired key.
    const oldKey = byUnit[0].keyId
    const victim = byUnit.find((e) => e.seq >= 6)!
    const forged = unwrap(buildEntry(crypto, victim, victim.seq, oldKey, true)).entry
    const report = verifyLog(
      entries.map((e) => (e.seq === victim.seq ? forged : e)),
      checkpoints,
      keys.directory(),
      crypto,
    )
    expect(report.firstBadEntry).toMatchObject({
      kind: 'key-not-valid-at',
      seq: victim.seq,
      keyId: oldKey,
      unitId: unit,
    })
  })
})
