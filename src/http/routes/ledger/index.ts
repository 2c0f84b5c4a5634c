import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Checkpoint as LedgerCheckpoint } from '../../../core/ledger/ledger.types.ts'
import type { AppDeps } from '../../app.ts'
import type { LedgerService } from '../../../services/ledger.service.ts'
import { authenticate, principalOf } from '../../auth.ts'
import {
  CaseParams,
  Checkpoint,
  CheckpointsQuery,
  ConsistencyQuery,
  EntriesQuery,
  Entry,
  ProofQuery,
  SeqParams,
} from './schema.ts'

const tags = ['ledger']
// Anyone may verify: the proofs, checkpoints and keys carry hashes and ids, not case content.
const open = { security: [] }

/** /api/v1/ledger (public) and /api/v1/cases/:id/ledger (authenticated, scoped). */
export function ledgerRoutes(
  deps: Pick<AppDeps, 'auth' | 'cases'> & { readonly ledger: LedgerService },
): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/ledger/checkpoints',
      {
        schema: {
          tags,
          ...open,
          summary: 'Signed tree heads, newest first (latest = the first item)',
          querystring: CheckpointsQuery,
          response: {
            200: Type.Object({ latest: Type.Optional(Checkpoint), items: Type.Array(Checkpoint) }),
          },
        },
      },
      async (req) => {
        const items = (await deps.ledger.checkpoints(req.query.limit ?? 50)).map(presentCheckpoint)
        return { ...(items[0] ? { latest: items[0] } : {}), items }
      },
    )

    app.get(
      '/ledger/entries',
      {
        schema: {
          tags,
          ...open,
          summary: 'Ledger entries from seq `from`, in order',
          querystring: EntriesQuery,
          response: {
            200: Type.Object({ items: Type.Array(Entry), nextFrom: Type.Optional(Type.Integer()) }),
          },
        },
      },
      async (req) => {
        const limit = req.query.limit ?? 100
        const items = await deps.ledger.entries(req.query.from ?? 0, limit)
        const last = items.at(-1)
        return { items, ...(items.length === limit && last ? { nextFrom: last.seq + 1 } : {}) }
      },
    )

    app.get(
      '/ledger/entries/:seq/proof',
      {
        schema: {
          tags,
          ...open,
          summary: 'RFC 9162 inclusion proof of one entry in a checkpoint (default: the latest)',
          params: SeqParams,
          querystring: ProofQuery,
          response: {
            200: Type.Object({
              entry: Entry,
              checkpoint: Checkpoint,
              leafIndex: Type.Integer(),
              treeSize: Type.Integer(),
              path: Type.Array(Type.String()),
            }),
          },
        },
      },
      async (req) => {
        const r = await deps.ledger.inclusion(req.params.seq, req.query.treeSize)
        return { ...r, checkpoint: presentCheckpoint(r.checkpoint), path: [...r.path] }
      },
    )

    app.get(
      '/ledger/consistency',
      {
        schema: {
          tags,
          ...open,
          summary: 'RFC 9162 consistency proof that checkpoint `to` extends checkpoint `from`',
          querystring: ConsistencyQuery,
          response: {
            200: Type.Object({ first: Checkpoint, second: Checkpoint, path: Type.Array(Type.String()) }),
          },
        },
      },
      async (req) => {
        const r = await deps.ledger.consistency(req.query.from, req.query.to)
        return { first: presentCheckpoint(r.first), second: presentCheckpoint(r.second), path: [...r.path] }
      },
    )

    app.get(
      '/ledger/keys',
      {
        schema: { tags, ...open, summary: 'The public key directory, rotated keys included' },
      },
      async () => ({ keys: await deps.ledger.directory() }),
    )

    app.get(
      '/cases/:id/ledger',
      {
        schema: {
          tags,
          summary: "A case's ledger entries with the case state each one's stateHash covers",
          params: CaseParams,
        },
        preHandler: authenticate(deps.auth),
      },
      async (req) => {
        await deps.cases.get(principalOf(req), req.params.id)
        const stored = await deps.ledger.caseEntries(req.params.id)
        return {
          items: stored.map((s) => ({
            ...s.entry,
            ...(s.stateDoc ? { state: JSON.parse(s.stateDoc) as unknown } : {}),
          })),
        }
      },
    )
  }
}

function presentCheckpoint(cp: LedgerCheckpoint) {
  return { ...cp, witnesses: cp.witnesses.map((w) => ({ ...w })) }
}
