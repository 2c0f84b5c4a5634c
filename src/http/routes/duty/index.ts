import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { AppDeps } from '../../app.ts'
import { authenticate, principalOf } from '../../auth.ts'

const Version = Type.Object({ version: Type.String({ minLength: 1, maxLength: 100 }) })

/** /api/v1/duty-rules: the responsibility list (责任清单) — versions, lint, replay, resolution. */
export function dutyRoutes(deps: Pick<AppDeps, 'auth' | 'city' | 'clock'>): FastifyPluginAsyncTypebox {
  return async (app) => {
    const anyone = authenticate(deps.auth)
    const admin = authenticate(deps.auth, ['admin'])

    app.get(
      '/',
      { schema: { tags: ['duty'], summary: 'The active rule set' }, preHandler: anyone },
      async () => deps.city.duty(),
    )
    app.get('/versions', { schema: { tags: ['duty'] }, preHandler: anyone }, async () => ({
      items: await deps.city.dutyVersions(),
    }))
    app.get(
      '/versions/:version',
      { schema: { tags: ['duty'], params: Version }, preHandler: anyone },
      async (req) => deps.city.dutyVersion(req.params.version),
    )

    app.post(
      '/versions',
      {
        schema: {
          tags: ['duty'],
          summary: 'Store a proposed rule set (validated; inactive until activated)',
          body: Type.Unknown(),
        },
        // a city's whole list: a thousand rules and more
        bodyLimit: 16 * 1024 * 1024,
        preHandler: admin,
      },
      async (req, reply) => {
        const set = await deps.city.proposeDuty(req.body, principalOf(req).username)
        return reply
          .status(201)
          .send({ version: set.version, rules: set.rules.length, lint: deps.city.lint(set) })
      },
    )

    app.post(
      '/versions/:version/activate',
      { schema: { tags: ['duty'], params: Version }, preHandler: admin },
      async (req) => {
        await deps.city.activateDuty(req.params.version)
        return { active: req.params.version }
      },
    )

    app.get(
      '/lint',
      {
        schema: {
          tags: ['duty'],
          summary: 'Overlaps and gaps of the active (or a stored) rule set',
          querystring: Type.Object(
            { version: Type.Optional(Type.String({ maxLength: 100 })) },
            { additionalProperties: false },
          ),
        },
        preHandler: anyone,
      },
      async (req) =>
        deps.city.lint(req.query.version ? await deps.city.dutyVersion(req.query.version) : undefined),
    )

    app.post(
      '/versions/:version/replay',
      {
        schema: {
          tags: ['duty'],
          summary: 'Past cases that would have gone elsewhere under this version',
          params: Version,
        },
        preHandler: anyone,
      },
      async (req) => deps.city.replay(await deps.city.dutyVersion(req.params.version)),
    )

    app.get(
      '/resolve',
      {
        schema: {
          tags: ['duty'],
          summary: 'Who owns a class at a place, and why',
          querystring: Type.Object(
            { class: Type.String({ pattern: '^[CE][0-9]{4}$' }), lon: Type.Number(), lat: Type.Number() },
            { additionalProperties: false },
          ),
        },
        preHandler: anyone,
      },
      async (req) => {
        const placement = deps.city.place({ lon: req.query.lon, lat: req.query.lat }, '')
        return {
          region: placement.region,
          ...deps.city.resolve(req.query.class, placement.region, deps.clock()),
        }
      },
    )
  }
}
