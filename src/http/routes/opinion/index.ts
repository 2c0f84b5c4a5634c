import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { AppError } from '../../../core/errors.ts'
import { parseOpinionLines } from '../../../ingest/opinion/opinion-lines.ts'
import { authenticate } from '../../auth.ts'
import type { ChannelDeps } from '../channels.ts'

const FEED_LIMIT = 20 * 1024 * 1024

/** /api/v1/opinion: public-opinion feed in, clusters out. */
export function opinionRoutes(deps: ChannelDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.addContentTypeParser(
      'application/x-ndjson',
      { parseAs: 'buffer', bodyLimit: FEED_LIMIT },
      (_req, body, done) => {
        done(null, body)
      },
    )

    app.post(
      '/posts',
      {
        schema: {
          tags: ['opinion'],
          summary:
            'Take in posts (application/x-ndjson: one {id, text, time, source, lon?, lat?, place?} per line)',
          description:
            'Posts are clustered by topic (the classifier) and place (street); a cluster with enough posts in the ' +
            'window becomes a case (channel opinion); later posts join it as appeals. The same (source, id) twice is a duplicate.',
        },
        preHandler: authenticate(deps.auth, ['operator']),
      },
      async (req) => {
        if (!Buffer.isBuffer(req.body)) {
          throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'send posts as application/x-ndjson', 'content-type')
        }
        const lines = parseOpinionLines(req.body, deps.clock())
        const good = lines.flatMap((l) => ('post' in l ? [l] : []))
        const outcomes = await deps.opinion.ingest(good.map((l) => l.post))
        const byLine = new Map(good.map((l, i) => [l.line, outcomes[i]]))
        const rows = lines.map((l) =>
          'post' in l ? { line: l.line, ...byLine.get(l.line) } : { ...l, status: 'rejected' },
        )
        const count = (s: string) => rows.filter((r) => r.status === s).length
        return {
          rows,
          summary: {
            accepted: good.length,
            rejected: count('rejected'),
            casesCreated: count('case-created'),
            attached: count('attached'),
          },
        }
      },
    )

    app.get(
      '/clusters',
      {
        schema: {
          tags: ['opinion'],
          summary: 'Topic/place clusters, newest first',
          querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })) }),
        },
        preHandler: authenticate(deps.auth),
      },
      async (req) => ({
        items: (await deps.opinion.clusters(req.query.limit ?? 50)).map((c) => ({
          id: c.id,
          topic: c.topic,
          placeCode: c.place_code,
          firstAt: c.first_at,
          lastAt: c.last_at,
          posts: c.posts,
          ...(c.case_id ? { caseId: c.case_id } : {}),
        })),
      }),
    )
  }
}
