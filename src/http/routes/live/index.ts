import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { AppError } from '../../../core/errors.ts'
import type { LiveHub } from '../../../live/live-hub.ts'
import type { AppDeps } from '../../app.ts'

/**
 * GET /api/v1/live: Server-Sent Events, coalesced. EventSource cannot send headers, so the
 * token may come as `?token=` as well as in Authorization.
 */
export function liveRoutes(deps: Pick<AppDeps, 'auth'> & { live: LiveHub }): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/',
      {
        schema: {
          tags: ['live'],
          summary: 'Live events (SSE): case.*, sensor.alarm, emergency.*, metrics',
          querystring: Type.Object(
            { token: Type.Optional(Type.String({ maxLength: 200 })) },
            { additionalProperties: false },
          ),
        },
      },
      async (req, reply) => {
        const header = req.headers.authorization
        const token = req.query.token ?? (header?.startsWith('Bearer ') ? header.slice(7) : undefined)
        if (!token) {
          throw new AppError('AUTH_REQUIRED', 'send ?token=<token> or Authorization: Bearer <token>', 'token')
        }
        const principal = await deps.auth.authenticate(token)
        reply.hijack()
        deps.live.attach(reply.raw, principal)
      },
    )
  }
}
