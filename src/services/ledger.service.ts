import type { Kysely } from 'kysely'
import type { Actor, Case, TimelineDraft } from '../core/case/case.types.ts'
import { AppError } from '../core/errors.ts'
import { canonicalJson, fromHex, toHex } from '../core/ledger/canonical.ts'
import { cosignCheckpoint } from '../core/ledger/checkpoint.ts'
import { buildEntry } from '../core/ledger/entry.ts'
import {
  caseStateHash,
  caseStateHashOf,
  handOffsOf,
  isLedgerAction,
  payloadHash,
} from '../core/ledger/hand-off.ts'
import type { TimelineContent } from '../core/ledger/hand-off.ts'
import { LEDGER_ACTIONS, PLATFORM_UNIT_ID } from '../core/ledger/ledger.types.ts'
import type {
  Checkpoint,
  EntryInput,
  Hex,
  LedgerEntry,
  LedgerProblem,
  PublicKeyRecord,
  VerifyReport,
} from '../core/ledger/ledger.types.ts'
import { consistencyProof, inclusionProof } from '../core/ledger/merkle.ts'
import { LogVerifier } from '../core/ledger/verify.ts'
import type { Instant } from '../core/time.ts'
import type { AnchorPort } from '../ledger/anchor.ts'
import type { UnitKeyStore } from '../ledger/keys.ts'
import { LedgerWriter } from '../ledger/ledger-writer.ts'
import type { SigningMode } from '../ledger/ledger-writer.ts'
import type { Database } from '../store/database.ts'
import * as repo from '../store/ledger.repository.ts'
import type { AuditRow, StoredEntry } from '../store/ledger.repository.ts'
import type { ActionProcessor } from './case.service.ts'
import type { Clock } from './ports.ts'

/** The supervision centre that co-signs every checkpoint; a district's centre is `<district>-jdzx`. */
export const CITY_WITNESS = 'city-jdzx'

export interface LedgerServiceDeps {
  readonly db: Kysely<Database>
  readonly clock: Clock
  readonly keys: UnitKeyStore
  readonly anchor?: AnchorPort
  /** `batch` (default): checkpoints are signed, entries are not. `entry`: every entry too. */
  readonly signing?: SigningMode
  /** a checkpoint is due after this many entries (default 1,000) … */
  readonly checkpointEvery?: number
  /** … or when the newest entry is this old and not yet checkpointed (default 60 s) */
  readonly checkpointIntervalMs?: number
  /** only read and verify: create no keys (an auditor's copy of the database) */
  readonly readOnly?: boolean
}

/** One hand-off as a caller outside the case service reports it, inside its own transaction. */
export interface HandOff {
  readonly before: Case
  readonly after: Case
  /** the timeline row the action wrote; its seq is `after.version` */
  readonly entry: TimelineDraft
  readonly actor: Actor
}

/** A verification of the stored ledger: the core report plus the store-side checks. */
export type LedgerAudit = VerifyReport

/** The ledger as the platform uses it: record inside transactions, checkpoint, prove, verify. */
export interface LedgerService {
  /** Appends an entry for every hand-off inside the case action's transaction. */
  readonly processor: ActionProcessor
  /** Record hand-offs inside the caller's transaction (emergency orders, acknowledgements, intake). */
  record(tx: Kysely<Database>, handOffs: readonly HandOff[]): Promise<LedgerEntry[]>
  /** Append entries that are not case actions (emergency orders and acknowledgements) inside the caller's transaction. */
  append(tx: Kysely<Database>, inputs: readonly EntryInput[], stateDoc: string): Promise<LedgerEntry[]>
  /** Sign, co-sign, store and anchor a checkpoint over every committed entry; undefined if none is new. */
  checkpoint(): Promise<Checkpoint | undefined>
  /** `checkpoint()` when enough entries or enough time has gone by since the last one. */
  checkpointIfDue(): Promise<Checkpoint | undefined>
  /** Re-verify the whole stored log against stored and anchored checkpoints and the case timelines. */
  verify(): Promise<LedgerAudit>
  entries(from: number, limit: number): Promise<LedgerEntry[]>
  caseEntries(caseId: string): Promise<StoredEntry[]>
  checkpoints(limit: number): Promise<Checkpoint[]>
  inclusion(seq: number, treeSize?: number): Promise<InclusionAnswer>
  consistency(from: number, to: number): Promise<ConsistencyAnswer>
  directory(): Promise<PublicKeyRecord[]>
  /** Retire a unit's key at `at` and issue a new one; the public directory keeps the old one. */
  rotateKey(unitId: string, at: Instant): Promise<PublicKeyRecord>
}

export interface InclusionAnswer {
  readonly entry: LedgerEntry
  readonly checkpoint: Checkpoint
  readonly leafIndex: number
  readonly treeSize: number
  readonly path: readonly Hex[]
}

export interface ConsistencyAnswer {
  readonly first: Checkpoint
  readonly second: Checkpoint
  readonly path: readonly Hex[]
}

const AUDIT_PAGE = 2000

/** Build the ledger service; makes sure the platform and the city witness have keys. */
export async function createLedgerService(deps: LedgerServiceDeps): Promise<LedgerService> {
  const { db, clock, keys } = deps
  const crypto = keys.crypto()
  const sha = (b: Uint8Array): Uint8Array => crypto.sha256(b)
  const every = deps.checkpointEvery ?? 1000
  const interval = deps.checkpointIntervalMs ?? 60_000

  // A unit's first key is valid from the epoch: it is the only key the unit has ever had.
  async function keyOf(tx: Kysely<Database>, unitId: string, at: Instant): Promise<string> {
    const current = keys.current(unitId, at)
    if (current) {
      return current.keyId
    }
    const made = await keys.generate(unitId, 0)
    await repo.upsertKeys(tx, [made])
    return made.keyId
  }
  if (!deps.readOnly) {
    await keyOf(db, PLATFORM_UNIT_ID, clock())
    await keyOf(db, CITY_WITNESS, clock())
    await repo.upsertKeys(db, keys.directory().keys)
  }

  /**
   * One seq allocation and one multi-row insert for all of them, so the entries of a transaction
   * are contiguous, in the order given.
   */
  async function appendAll(
    tx: Kysely<Database>,
    items: readonly { readonly input: EntryInput; readonly stateDoc: string }[],
  ): Promise<LedgerEntry[]> {
    if (items.length === 0) {
      return []
    }
    const keyIds: string[] = []
    for (const { input } of items) {
      keyIds.push(await keyOf(tx, input.unitId, input.at))
    }
    const first = await repo.allocateSeqs(tx, items.length)
    const rows = items.map(({ input, stateDoc }, i) => {
      const built = buildEntry(crypto, input, first + i, keyIds[i], deps.signing === 'entry')
      if (!built.ok) {
        throw AppError.from(built.error)
      }
      return { entry: built.value.entry, stateDoc }
    })
    await repo.insertEntries(tx, rows)
    return rows.map((r) => r.entry)
  }

  async function record(tx: Kysely<Database>, handOffs: readonly HandOff[]): Promise<LedgerEntry[]> {
    const items: { input: EntryInput; stateDoc: string }[] = []
    for (const h of handOffs) {
      // most actions (accept, register, urge …) hand nothing over: no hashing for them
      if (!isLedgerAction(h.entry.action)) {
        continue
      }
      // The case is plain JSON data, so its canonical form is the one the stored document gives back.
      const stateDoc = canonicalJson(h.after)
      const timeline = timelineContent({ ...h.entry, seq: h.after.version })
      const inputs = handOffsOf(
        h.before,
        h.after,
        h.entry,
        h.actor,
        caseStateHashOf(crypto, stateDoc, timeline),
        payloadHash(crypto, timeline.payload),
      )
      for (const input of inputs) {
        items.push({ input, stateDoc })
      }
    }
    return appendAll(tx, items)
  }

  async function cosign(tx: Kysely<Database>, cp: Checkpoint, fromSize: number): Promise<Checkpoint> {
    const districts = await repo.districtsOf(tx, fromSize, cp.treeSize)
    let signed = cp
    for (const unitId of [CITY_WITNESS, ...districts.map((d) => `${d}-jdzx`)]) {
      const keyId = await keyOf(tx, unitId, cp.at)
      const r = cosignCheckpoint(crypto, { keys: keys.directory().keys }, signed, { unitId, keyId })
      if (!r.ok) {
        throw AppError.from(r.error)
      }
      signed = r.value
    }
    return signed
  }

  async function checkpoint(): Promise<Checkpoint | undefined> {
    const made = await db.transaction().execute(async (tx) => {
      await repo.lockCheckpointing(tx)
      const store = repo.ledgerStore(tx)
      const previous = (await store.latestCheckpoint())?.checkpoint.treeSize ?? 0
      let saved: Checkpoint | undefined
      // Resuming re-hashes every entry since the last checkpoint and refuses an altered one, so
      // the platform never signs a tail someone rewrote; co-signing happens before the row is written.
      const writer = await LedgerWriter.open({
        store: {
          ...store,
          saveCheckpoint: async (cp, frontier) => {
            saved = await cosign(tx, cp, previous)
            await store.saveCheckpoint(saved, frontier)
          },
        },
        crypto,
        unitKeyAt: (u, at) => keys.current(u, at)?.keyId,
        platformKeyAt: (at) => keys.current(PLATFORM_UNIT_ID, at)?.keyId,
        now: clock,
      })
      await writer.flush()
      return saved
    })
    if (made && deps.anchor) {
      await deps.anchor.anchor(made)
    }
    return made
  }

  async function verify(): Promise<LedgerAudit> {
    const directory = mergeKeys(await repo.listKeys(db), keys.directory().keys)
    const problems: LedgerProblem[] = []
    let anchored: Checkpoint[] = []
    try {
      anchored = deps.anchor ? (await deps.anchor.list()).map((a) => a.checkpoint) : []
    } catch (e) {
      problems.push({ kind: 'anchor-broken', message: (e as Error).message })
    }
    const checkpoints = uniqueCheckpoints([...(await repo.allCheckpoints(db)), ...anchored])
    let row: AuditRow | undefined
    const verifier = new LogVerifier(checkpoints, { keys: directory }, crypto, {
      minWitnesses: 1,
      requireEntrySignatures: deps.signing === 'entry',
      stateHashOf: () => (row ? expectedState(row) : undefined),
    })
    for (let after = -1; ;) {
      const page = await repo.auditPage(db, after, AUDIT_PAGE)
      for (row of page) {
        verifier.push(row.entry)
      }
      if (page.length < AUDIT_PAGE) {
        break
      }
      after = page[page.length - 1].entry.seq
    }
    const report = verifier.finish()
    for (const t of await repo.unrecordedTimeline(db, LEDGER_ACTIONS, 50)) {
      problems.push({
        kind: 'timeline-unrecorded',
        caseId: t.caseId,
        action: t.action,
        message: `case ${t.caseId} version ${t.seq}: its ${t.action} at ${new Date(t.at).toISOString()} is on the timeline but has no ledger entry (deleted, or the database was rolled back)`,
      })
    }
    return withStoreProblems(report, problems)
  }

  function expectedState(r: AuditRow): Hex | undefined {
    if (r.entry.caseVersion === undefined) {
      return undefined
    }
    if (!r.timeline) {
      return `(timeline row ${r.entry.caseId} v${r.entry.caseVersion} is missing)`
    }
    if (r.stateDoc === undefined) {
      return '(case snapshot is missing)'
    }
    return caseStateHash(crypto, JSON.parse(r.stateDoc), r.timeline)
  }

  async function leafSource(treeSize: number): Promise<(i: number) => Uint8Array> {
    const leaves = (await repo.leafHashes(db, 0, treeSize)).map((h) => fromHex(h) ?? new Uint8Array(32))
    if (leaves.length !== treeSize) {
      throw new AppError('LEDGER_INVALID', `the stored log has ${leaves.length} of the ${treeSize} entries`)
    }
    return (i) => leaves[i]
  }

  async function checkpointOrFail(treeSize: number): Promise<Checkpoint> {
    const cp = await repo.checkpointOfSize(db, treeSize)
    if (!cp) {
      throw new AppError('NOT_FOUND', `no checkpoint of ${treeSize} entries`, 'treeSize')
    }
    return cp
  }

  return {
    append: (tx, inputs, stateDoc) =>
      appendAll(
        tx,
        inputs.map((input) => ({ input, stateDoc })),
      ),
    processor: {
      async onApplied(tx, before, applied, p) {
        await record(tx, [{ before, after: applied.case, entry: applied.entry, actor: p.actor }])
      },
      async onAppliedBatch(tx, actions) {
        await record(
          tx,
          actions.map((a) => ({
            before: a.before,
            after: a.applied.case,
            entry: a.applied.entry,
            actor: a.actor.actor,
          })),
        )
      },
    },
    record,
    checkpoint,
    async checkpointIfDue() {
      const [size, latest] = await Promise.all([repo.logSize(db), repo.listCheckpoints(db, 1)])
      const done = latest[0]?.treeSize ?? 0
      const due = size - done >= every || (size > done && clock() - (latest[0]?.at ?? 0) >= interval)
      return due ? checkpoint() : undefined
    },
    verify,
    entries: (from, limit) => repo.entriesPage(db, from, limit),
    caseEntries: (caseId) => repo.entriesOfCase(db, caseId),
    checkpoints: (limit) => repo.listCheckpoints(db, limit),
    async inclusion(seq, treeSize) {
      const size = treeSize ?? (await repo.listCheckpoints(db, 1))[0]?.treeSize ?? 0
      const cp = await checkpointOrFail(size)
      const [entry] = await repo.entriesPage(db, seq, 1)
      if (!entry || entry.seq !== seq || seq >= size) {
        throw new AppError('NOT_FOUND', `entry ${seq} is not in the checkpoint of ${size} entries`, 'seq')
      }
      const proof = inclusionProof(sha, seq, size, await leafSource(size))
      if (!proof.ok) {
        throw AppError.from(proof.error)
      }
      return { entry, checkpoint: cp, leafIndex: seq, treeSize: size, path: proof.value.path.map(toHex) }
    },
    async consistency(from, to) {
      if (from > to) {
        throw new AppError('LEDGER_INVALID', `from (${from}) must not exceed to (${to})`, 'from')
      }
      const [first, second] = await Promise.all([checkpointOrFail(from), checkpointOrFail(to)])
      const proof = consistencyProof(sha, from, to, await leafSource(to))
      if (!proof.ok) {
        throw AppError.from(proof.error)
      }
      return { first, second, path: proof.value.path.map(toHex) }
    },
    async directory() {
      return mergeKeys(await repo.listKeys(db), keys.directory().keys)
    },
    async rotateKey(unitId, at) {
      const made = await keys.rotate(unitId, at)
      await repo.upsertKeys(db, keys.directory().keys)
      return made
    },
  }
}

/** The timeline row as both sides hash it: stored columns only, payload as JSON gives it back. */
export function timelineContent(t: TimelineDraft & { readonly seq: number }): TimelineContent {
  return {
    caseId: t.caseId,
    seq: t.seq,
    action: t.action,
    from: t.from,
    to: t.to,
    actorId: t.actorId,
    role: t.role,
    ...(t.unitId !== undefined ? { unitId: t.unitId } : {}),
    at: t.at,
    payload: JSON.parse(JSON.stringify(t.payload)) as unknown,
  }
}

/** The key folder's directory wins over the database's: a DBA cannot swap a public key. */
function mergeKeys(stored: readonly PublicKeyRecord[], local: readonly PublicKeyRecord[]): PublicKeyRecord[] {
  const byId = new Map<string, PublicKeyRecord>()
  for (const k of stored) {
    byId.set(k.keyId, k)
  }
  for (const k of local) {
    byId.set(k.keyId, k)
  }
  return [...byId.values()]
}

/** Stored and anchored copies of one checkpoint count once; differing copies stay (a fork). */
function uniqueCheckpoints(cps: readonly Checkpoint[]): Checkpoint[] {
  const seen = new Map<string, Checkpoint>()
  for (const cp of cps) {
    const key = `${cp.treeSize}:${cp.rootHash}:${cp.platformSig}`
    if (!seen.has(key)) {
      seen.set(key, cp)
    }
  }
  return [...seen.values()]
}

/**
 * Fold the store-side problems into the core report. A log rolled back behind an anchored
 * checkpoint has lost the entries themselves; the timeline rows they vouched for still name the
 * case and action, so the first of them is attached to the rollback problem.
 */
function withStoreProblems(report: VerifyReport, extra: readonly LedgerProblem[]): VerifyReport {
  if (extra.length === 0) {
    return report
  }
  let first = report.firstBadEntry
  const lost = extra.find((p) => p.kind === 'timeline-unrecorded')
  if (first?.kind === 'checkpoint-beyond-log' && lost) {
    first = {
      ...first,
      caseId: lost.caseId!,
      action: lost.action!,
      message: `${first.message}; the earliest hand-off on a case timeline without a ledger entry: ${lost.message}`,
    }
  }
  const problems = [...report.problems, ...extra]
  return {
    ...report,
    ok: false,
    problems,
    firstProblem: report.firstProblem ?? problems[0],
    ...(first ? { firstBadEntry: first } : { firstBadEntry: extra[0] }),
  }
}
