import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import fastifyStatic from '@fastify/static'
import type { FastifyPluginAsync } from 'fastify'

/** Where `vite build` puts the web app. */
export const WEB_DIST = resolve('web/dist')

/**
 * The web app (cockpit, workbench) at `/`. It routes by URL hash, so only `/` and its assets are
 * served; without a build, `/` says how to make one.
 */
export function webRoutes(root = WEB_DIST): FastifyPluginAsync {
  return async (app) => {
    if (!existsSync(join(root, 'index.html'))) {
      app.get('/', { schema: { hide: true } }, async (_req, reply) =>
        reply
          .type('text/plain; charset=utf-8')
          .send(
            'OneGrid API is running. The web app is not built: run `npm run build:web`.\nAPI docs: /docs\n',
          ),
      )
      return
    }
    await app.register(fastifyStatic, {
      root,
      prefix: '/',
      index: ['index.html'],
      wildcard: false,
      maxAge: '1h',
    })
    app.get('/assets/*', { schema: { hide: true } }, async (req, reply) => {
      const path = (req.params as { '*': string })['*']
      return reply
        .header('cache-control', 'public, max-age=31536000, immutable')
        .sendFile(join('assets', path))
    })
  }
}
