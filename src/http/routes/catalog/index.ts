import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { AppDeps } from '../../app.ts'

/** GET /api/v1/catalog: the city's component and event classes with conditions and limits. */
export function catalogRoutes(deps: Pick<AppDeps, 'catalog'>): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/', { schema: { tags: ['catalog'], security: [] } }, async () => deps.catalog)
  }
}
