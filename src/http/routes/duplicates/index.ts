import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { authenticate, principalOf } from '../../auth.ts'
import type { ChannelDeps } from '../channels.ts'

/** GET /api/v1/cases/:id/duplicates: open cases this one may repeat (merge candidates), with scores and reasons. */
export function duplicateRoutes(deps: ChannelDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/:id/duplicates',
      {
        schema: {
          tags: ['cases'],
          summary: 'Merge candidates: open cases near in space, time, class and wording, best first',
          params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }),
        },
        preHandler: authenticate(deps.auth),
      },
      async (req) => deps.duplicates.forCase(principalOf(req), req.params.id),
    )
  }
}
