import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { AppDeps } from '../../app.ts'

/** GET /healthz: 200 when the database answers, 503 otherwise. */
export function healthRoutes(deps: Pick<AppDeps, 'ping'>): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/healthz',
      {
        schema: {
          tags: ['health'],
          security: [],
          response: {
            200: Type.Object({ status: Type.Literal('ok') }),
            503: Type.Object({ status: Type.String(), reason: Type.String() }),
          },
        },
      },
      async (_req, reply) => {
        try {
          await deps.ping()
          return { status: 'ok' as const }
        } catch (e) {
          return reply
            .status(503)
            .send({ status: 'unavailable', reason: `database: ${(e as Error).message}` })
        }
      },
    )
  }
}
