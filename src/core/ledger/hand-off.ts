import type { Actor, Case, TimelineDraft } from '../case/case.types.ts'
import { canonicalJson, toHex, utf8 } from './canonical.ts'
import type { CryptoPort, EntryInput, Hex } from './ledger.types.ts'
import { LEDGER_ACTIONS, PLATFORM_UNIT_ID } from './ledger.types.ts'

/**
 * The timeline row an entry vouches for, in the shape both the writer (from the draft) and the
 * verifier (from the stored row) build, so the two sides hash the same bytes.
 */
export interface TimelineContent {
  readonly caseId: string
  readonly seq: number
  readonly action: string
  readonly from: string | null
  readonly to: string
  readonly actorId: string
  readonly role: string
  readonly unitId?: string
  readonly at: number
  readonly payload: unknown
}

/** Whether a timeline action is a hand-off the ledger must record. */
export function isLedgerAction(action: string): boolean {
  return (LEDGER_ACTIONS as readonly string[]).includes(action)
}

/**
 * SHA-256 of the canonical JSON `{case, timeline}`: the case document after the action together
 * with the timeline row that produced it. Editing either afterwards changes this hash; the verifier
 * recomputes it from the stored row and the stored snapshot.
 */
export function caseStateHash(crypto: CryptoPort, caseDoc: unknown, timeline: TimelineContent): Hex {
  return caseStateHashOf(crypto, canonicalJson(caseDoc), timeline)
}

/**
 * `caseStateHash` from the case document's canonical JSON, which the writer stores as the
 * snapshot anyway: `{"case":…,"timeline":…}` is that object's canonical form ("case" sorts first).
 */
export function caseStateHashOf(crypto: CryptoPort, caseCanonical: string, timeline: TimelineContent): Hex {
  return toHex(crypto.sha256(utf8(`{"case":${caseCanonical},"timeline":${canonicalJson(timeline)}}`)))
}

/** SHA-256 of a payload's canonical JSON. */
export function payloadHash(crypto: CryptoPort, payload: unknown): Hex {
  return toHex(crypto.sha256(utf8(canonicalJson(payload))))
}

/**
 * The ledger entries one applied action produces: none for actions that hand nothing across a unit
 * boundary, one per summoned unit for 吹哨, one otherwise. `from` is the unit the responsibility
 * leaves (or the acting unit), `to` the unit it reaches; the acting unit is the actor's, or the
 * platform for people and processes that act for the centre without a unit of their own.
 */
export function handOffsOf(
  before: Case,
  after: Case,
  entry: TimelineDraft,
  actor: Actor,
  stateHash: Hex,
  payload: Hex,
): EntryInput[] {
  if (!isLedgerAction(entry.action)) {
    return []
  }
  const unitId = actor.unitId ?? PLATFORM_UNIT_ID
  const base = {
    caseId: after.id,
    caseVersion: after.version,
    action: entry.action,
    actorId: actor.id,
    unitId,
    at: entry.at,
    stateHash,
    payloadHash: payload,
  }
  const units = (from: string | undefined, to: string | undefined): EntryInput => ({
    ...base,
    ...(from !== undefined ? { fromUnitId: from } : {}),
    ...(to !== undefined ? { toUnitId: to } : {}),
  })
  switch (entry.action) {
    case 'dispatch':
    case 'reassign':
      return [units(before.unitId ?? actor.unitId, after.unitId)]
    case 'return':
    case 'report':
    case 'escalate':
      return [units(before.unitId ?? actor.unitId, undefined)]
    case 'whistle': {
      const known = new Set(before.summons.map((s) => s.unitId))
      const summoned = after.summons.filter((s) => !known.has(s.unitId)).map((s) => s.unitId)
      return summoned.length > 0
        ? summoned.map((to) => units(actor.unitId ?? after.unitId, to))
        : [units(actor.unitId ?? after.unitId, undefined)]
    }
    default:
      // verify, report-in, supervise, instruct, acknowledge: from the acting unit to the case's unit
      return [units(actor.unitId, after.unitId)]
  }
}
