import type { Kysely, Selectable } from 'kysely'
import type { Checkpoint, Hex, LedgerEntry, PublicKeyRecord } from '../core/ledger/ledger.types.ts'
import type { TimelineContent } from '../core/ledger/hand-off.ts'
import type { LedgerStorePort } from '../ledger/ledger-writer.ts'
import { insertRecords } from './bulk.ts'
import type { Database, LedgerCheckpointTable, LedgerEntryTable } from './database.ts'

/** An entry plus the case snapshot its state hash covers. */
export interface StoredEntry {
  readonly entry: LedgerEntry
  readonly stateDoc?: string
}

/** An entry as the verifier reads it: with its snapshot and the timeline row it vouches for. */
export interface AuditRow extends StoredEntry {
  readonly timeline?: TimelineContent
}

function entryToRow(e: LedgerEntry, stateDoc: string | undefined): LedgerEntryTable {
  return {
    seq: e.seq,
    case_id: e.caseId,
    case_version: e.caseVersion ?? null,
    action: e.action,
    from_unit_id: e.fromUnitId ?? null,
    to_unit_id: e.toUnitId ?? null,
    actor_id: e.actorId,
    unit_id: e.unitId,
    at: e.at,
    state_hash: e.stateHash,
    payload_hash: e.payloadHash ?? null,
    key_id: e.keyId,
    leaf_hash: e.leafHash,
    signature: e.signature ?? null,
    state_doc: stateDoc ?? null,
  }
}

function rowToEntry(r: Omit<LedgerEntryTable, 'state_doc'>): LedgerEntry {
  return {
    seq: Number(r.seq),
    caseId: r.case_id,
    ...(r.case_version != null ? { caseVersion: r.case_version } : {}),
    action: r.action,
    ...(r.from_unit_id != null ? { fromUnitId: r.from_unit_id } : {}),
    ...(r.to_unit_id != null ? { toUnitId: r.to_unit_id } : {}),
    actorId: r.actor_id,
    unitId: r.unit_id,
    at: Number(r.at),
    stateHash: r.state_hash,
    ...(r.payload_hash != null ? { payloadHash: r.payload_hash } : {}),
    keyId: r.key_id,
    leafHash: r.leaf_hash,
    ...(r.signature != null ? { signature: r.signature } : {}),
  }
}

function rowToCheckpoint(r: Selectable<LedgerCheckpointTable>): Checkpoint {
  return {
    treeSize: Number(r.tree_size),
    rootHash: r.root_hash,
    at: Number(r.at),
    platformKeyId: r.platform_key_id,
    platformSig: r.platform_sig,
    witnesses: JSON.parse(r.witnesses) as Checkpoint['witnesses'],
  }
}

const ENTRY_COLUMNS = [
  'seq',
  'case_id',
  'case_version',
  'action',
  'from_unit_id',
  'to_unit_id',
  'actor_id',
  'unit_id',
  'at',
  'state_hash',
  'payload_hash',
  'key_id',
  'leaf_hash',
  'signature',
] as const

/**
 * Reserve `n` consecutive seqs. The UPDATE takes the head row's lock until the caller's transaction
 * ends, so concurrent appenders on one PostgreSQL queue here and committed seqs stay contiguous; a
 * rollback returns the seqs with it. (SQLite has one writer: its transactions are serial anyway.)
 */
export async function allocateSeqs(db: Kysely<Database>, n: number): Promise<number> {
  const row = await db
    .updateTable('ledger_head')
    .set((eb) => ({ next_seq: eb('next_seq', '+', n) }))
    .where('name', '=', 'entries')
    .returning('next_seq')
    .executeTakeFirstOrThrow()
  return Number(row.next_seq) - n
}

/** Take the checkpoint lock for the rest of the transaction: one checkpointer at a time. */
export async function lockCheckpointing(db: Kysely<Database>): Promise<void> {
  await db
    .updateTable('ledger_head')
    .set((eb) => ({ next_seq: eb('next_seq', '+', 1) }))
    .where('name', '=', 'checkpoint')
    .execute()
}

/** Insert entries with their case snapshots (one multi-row INSERT per chunk). */
export async function insertEntries(db: Kysely<Database>, rows: readonly StoredEntry[]): Promise<void> {
  await insertRecords(
    db,
    'ledger_entries',
    rows.map((r) => entryToRow(r.entry, r.stateDoc)),
  )
}

/** Entries with seq in [from, from + limit), in seq order, without snapshots (public view). */
export async function entriesPage(db: Kysely<Database>, from: number, limit: number): Promise<LedgerEntry[]> {
  const rows = await db
    .selectFrom('ledger_entries')
    .select(ENTRY_COLUMNS)
    .where('seq', '>=', from)
    .orderBy('seq')
    .limit(limit)
    .execute()
  return rows.map(rowToEntry)
}

/** A case's entries with their snapshots, oldest first. */
export async function entriesOfCase(db: Kysely<Database>, caseId: string): Promise<StoredEntry[]> {
  const rows = await db
    .selectFrom('ledger_entries')
    .selectAll()
    .where('case_id', '=', caseId)
    .orderBy('seq')
    .execute()
  return rows.map((r) => ({
    entry: rowToEntry(r),
    ...(r.state_doc != null ? { stateDoc: r.state_doc } : {}),
  }))
}

/**
 * One page of the audit stream: entries after `afterSeq` (by stored seq, so a gap or a swap shows up
 * to the verifier as it is) with the timeline row each one names, joined in the same query.
 */
export async function auditPage(db: Kysely<Database>, afterSeq: number, limit: number): Promise<AuditRow[]> {
  const rows = await db
    .selectFrom('ledger_entries as e')
    .leftJoin('timeline as t', (j) =>
      j.onRef('t.case_id', '=', 'e.case_id').onRef('t.seq', '=', 'e.case_version'),
    )
    .select(ENTRY_COLUMNS.map((c) => `e.${c}` as const))
    .select([
      'e.state_doc',
      't.seq as t_seq',
      't.action as t_action',
      't.from_stage as t_from',
      't.to_stage as t_to',
      't.actor_id as t_actor',
      't.role as t_role',
      't.unit_id as t_unit',
      't.at as t_at',
      't.payload as t_payload',
    ])
    .where('e.seq', '>', afterSeq)
    .orderBy('e.seq')
    .limit(limit)
    .execute()
  return rows.map((r) => ({
    entry: rowToEntry(r),
    ...(r.state_doc != null ? { stateDoc: r.state_doc } : {}),
    ...(r.t_seq != null
      ? {
          timeline: {
            caseId: r.case_id,
            seq: r.t_seq,
            action: r.t_action!,
            from: r.t_from,
            to: r.t_to!,
            actorId: r.t_actor!,
            role: r.t_role!,
            ...(r.t_unit != null ? { unitId: r.t_unit } : {}),
            at: Number(r.t_at),
            payload: JSON.parse(r.t_payload!) as unknown,
          },
        }
      : {}),
  }))
}

/** Leaf hashes of entries [from, to), in seq order: what inclusion and consistency proofs hash. */
export async function leafHashes(db: Kysely<Database>, from: number, to: number): Promise<Hex[]> {
  const out: Hex[] = []
  const PAGE = 50_000
  for (let lo = from; lo < to; lo += PAGE) {
    const rows = await db
      .selectFrom('ledger_entries')
      .select(['seq', 'leaf_hash'])
      .where('seq', '>=', lo)
      .where('seq', '<', Math.min(to, lo + PAGE))
      .orderBy('seq')
      .execute()
    for (const r of rows) {
      out.push(r.leaf_hash)
    }
  }
  return out
}

/** How many entries the log holds (highest seq + 1). */
export async function logSize(db: Kysely<Database>): Promise<number> {
  const r = await db
    .selectFrom('ledger_entries')
    .select((eb) => eb.fn.max('seq').as('top'))
    .executeTakeFirst()
  return r?.top == null ? 0 : Number(r.top) + 1
}

/** District codes of the cases entries [from, to) belong to: whose supervision centres co-sign. */
export async function districtsOf(db: Kysely<Database>, from: number, to: number): Promise<string[]> {
  const rows = await db
    .selectFrom('ledger_entries as e')
    .innerJoin('cases as c', 'c.id', 'e.case_id')
    .select('c.district_code')
    .distinct()
    .where('e.seq', '>=', from)
    .where('e.seq', '<', to)
    .where('c.district_code', 'is not', null)
    .execute()
  return rows.map((r) => r.district_code!).sort()
}

/** Checkpoints, newest first. */
export async function listCheckpoints(db: Kysely<Database>, limit: number): Promise<Checkpoint[]> {
  const rows = await db
    .selectFrom('ledger_checkpoints')
    .selectAll()
    .orderBy('tree_size', 'desc')
    .limit(limit)
    .execute()
  return rows.map(rowToCheckpoint)
}

/** The checkpoint of exactly `treeSize` entries. */
export async function checkpointOfSize(
  db: Kysely<Database>,
  treeSize: number,
): Promise<Checkpoint | undefined> {
  const r = await db
    .selectFrom('ledger_checkpoints')
    .selectAll()
    .where('tree_size', '=', treeSize)
    .executeTakeFirst()
  return r ? rowToCheckpoint(r) : undefined
}

/** Every checkpoint, oldest first (a few per thousand entries: small enough to hold). */
export async function allCheckpoints(db: Kysely<Database>): Promise<Checkpoint[]> {
  const rows = await db.selectFrom('ledger_checkpoints').selectAll().orderBy('tree_size').execute()
  return rows.map(rowToCheckpoint)
}

/** Add keys the table does not have yet; existing ids keep their row (validUntil is updated). */
export async function upsertKeys(db: Kysely<Database>, keys: readonly PublicKeyRecord[]): Promise<void> {
  for (const k of keys) {
    await db
      .insertInto('ledger_keys')
      .values({
        key_id: k.keyId,
        unit_id: k.unitId,
        public_key: k.publicKey,
        valid_from: k.validFrom,
        valid_until: k.validUntil ?? null,
      })
      .onConflict((oc) => oc.column('key_id').doUpdateSet({ valid_until: k.validUntil ?? null }))
      .execute()
  }
}

/** The public key directory as stored. */
export async function listKeys(db: Kysely<Database>): Promise<PublicKeyRecord[]> {
  const rows = await db
    .selectFrom('ledger_keys')
    .selectAll()
    .orderBy('unit_id')
    .orderBy('valid_from')
    .execute()
  return rows.map((r) => ({
    keyId: r.key_id,
    unitId: r.unit_id,
    publicKey: r.public_key,
    validFrom: Number(r.valid_from),
    ...(r.valid_until != null ? { validUntil: Number(r.valid_until) } : {}),
  }))
}

/**
 * Timeline rows of ledger actions that no entry vouches for: a hand-off recorded on the case but
 * missing from the ledger (an entry deleted, or a database rolled back behind its timeline).
 */
export async function unrecordedTimeline(
  db: Kysely<Database>,
  actions: readonly string[],
  limit: number,
): Promise<{ caseId: string; seq: number; action: string; at: number }[]> {
  const rows = await db
    .selectFrom('timeline as t')
    .leftJoin('ledger_entries as e', (j) =>
      j.onRef('e.case_id', '=', 't.case_id').onRef('e.case_version', '=', 't.seq'),
    )
    .select(['t.case_id', 't.seq', 't.action', 't.at'])
    .where('t.action', 'in', actions)
    .where('e.seq', 'is', null)
    .orderBy('t.at')
    .orderBy('t.case_id')
    .limit(limit)
    .execute()
  return rows.map((r) => ({ caseId: r.case_id, seq: r.seq, action: r.action, at: Number(r.at) }))
}

/** The writer's storage port over one connection or transaction. */
export function ledgerStore(db: Kysely<Database>): LedgerStorePort {
  return {
    async appendEntries(entries) {
      await insertEntries(
        db,
        entries.map((entry) => ({ entry })),
      )
    },
    async saveCheckpoint(cp, frontier) {
      await db
        .insertInto('ledger_checkpoints')
        .values({
          tree_size: cp.treeSize,
          root_hash: cp.rootHash,
          at: cp.at,
          platform_key_id: cp.platformKeyId,
          platform_sig: cp.platformSig,
          witnesses: JSON.stringify(cp.witnesses),
          frontier: JSON.stringify(frontier),
        })
        .execute()
    },
    async latestCheckpoint() {
      const r = await db
        .selectFrom('ledger_checkpoints')
        .selectAll()
        .orderBy('tree_size', 'desc')
        .limit(1)
        .executeTakeFirst()
      return r ? { checkpoint: rowToCheckpoint(r), frontier: JSON.parse(r.frontier) as Hex[] } : undefined
    },
    async entriesFrom(seq) {
      const out: LedgerEntry[] = []
      for (let from = seq; ;) {
        const page = await entriesPage(db, from, 5000)
        out.push(...page)
        if (page.length < 5000) {
          return out
        }
        from = page[page.length - 1].seq + 1
      }
    },
  }
}
