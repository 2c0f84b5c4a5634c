import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { authenticate, principalOf } from '../../auth.ts'
import { presentCase } from '../cases/index.ts'
import type { ChannelDeps } from '../channels.ts'

const InstructionBody = Type.Object(
  {
    /** the instruction (批示) itself */
    text: Type.String({ minLength: 1, maxLength: 4000 }),
    /** an existing case: the instruction is recorded on it (action instruct) */
    caseId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    /** with caseId: the version the leader saw */
    version: Type.Optional(Type.Integer({ minimum: 1 })),
    /** without caseId: where, if the text does not say */
    address: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    /** without caseId: sending the same key twice makes one case */
    idempotencyKey: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  { additionalProperties: false },
)

/** /api/v1/instructions: a leader's instruction (批示) on a case, or as a new supervised, urgent case. */
export function instructionRoutes(deps: ChannelDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/',
      {
        schema: {
          tags: ['instructions'],
          summary: 'A leader instruction (批示): on caseId, or a new urgent supervised case',
          body: InstructionBody,
        },
        preHandler: authenticate(deps.auth, ['leader']),
      },
      async (req, reply) => {
        const p = principalOf(req)
        const b = req.body
        if (b.caseId) {
          const c = await deps.cases.act(p, b.caseId, { type: 'instruct', note: b.text }, b.version)
          return reply.status(200).send({ ...presentCase(c), created: false })
        }
        const r = await deps.intake.intake({
          channel: 'instruction',
          text: b.text,
          priority: 'urgent',
          reporterName: p.displayName,
          ...(b.address ? { address: b.address } : {}),
          ...(b.idempotencyKey ? { idempotencyKey: `instruction:${b.idempotencyKey}` } : {}),
        })
        return reply.status(r.replayed ? 200 : 201).send({ ...presentCase(r.case), created: !r.replayed })
      },
    )
  }
}
