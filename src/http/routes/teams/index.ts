import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { AppError } from '../../../core/errors.ts'
import type { AppDeps } from '../../app.ts'
import { authenticate } from '../../auth.ts'
import { Point } from '../cases/schema.ts'

const Shift = Type.Union([
  Type.Literal('always'),
  Type.Object(
    {
      days: Type.Array(Type.Integer({ minimum: 1, maximum: 7 }), { minItems: 1, maxItems: 7 }),
      from: Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' }),
      to: Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' }),
    },
    { additionalProperties: false },
  ),
])
const Status = Type.Union([
  Type.Literal('available'),
  Type.Literal('busy'),
  Type.Literal('off'),
  Type.Literal('en-route'),
])

const TeamBody = Type.Object(
  {
    unitId: Type.String({ minLength: 1, maxLength: 100 }),
    name: Type.String({ minLength: 1, maxLength: 100 }),
    skills: Type.Array(Type.String({ pattern: '^([CE][0-9]{2}([0-9]{2})?|\\*)$' }), { maxItems: 200 }),
    position: Point,
    shift: Shift,
    status: Status,
    load: Type.Integer({ minimum: 0, maximum: 1000 }),
    capacity: Type.Integer({ minimum: 1, maximum: 1000 }),
  },
  { additionalProperties: false },
)

const TeamPatch = Type.Object(
  {
    position: Type.Optional(Point),
    status: Type.Optional(Status),
    load: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })),
    capacity: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    shift: Type.Optional(Shift),
    skills: Type.Optional(
      Type.Array(Type.String({ pattern: '^([CE][0-9]{2}([0-9]{2})?|\\*)$' }), { maxItems: 200 }),
    ),
  },
  { additionalProperties: false },
)

const Id = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) })

/** /api/v1/teams: field teams with position, skills, shift, status and load, updated by their apps. */
export function teamRoutes(deps: Pick<AppDeps, 'auth' | 'city'>): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/',
      {
        schema: {
          tags: ['teams'],
          querystring: Type.Object(
            { unit: Type.Optional(Type.String({ maxLength: 100 })) },
            { additionalProperties: false },
          ),
        },
        preHandler: authenticate(deps.auth),
      },
      async (req) => ({
        items: deps.city.teams().filter((t) => !req.query.unit || t.unitId === req.query.unit),
      }),
    )

    app.put(
      '/:id',
      {
        schema: { tags: ['teams'], params: Id, body: TeamBody },
        preHandler: authenticate(deps.auth, ['dispatcher']),
      },
      async (req) => deps.city.saveTeam({ id: req.params.id, ...req.body }),
    )

    app.patch(
      '/:id',
      {
        schema: {
          tags: ['teams'],
          summary: 'Update a team’s position, status or load (from its app)',
          params: Id,
          body: TeamPatch,
        },
        preHandler: authenticate(deps.auth, ['dispatcher', 'handler']),
      },
      async (req) => {
        const team = deps.city.teams().find((t) => t.id === req.params.id)
        if (!team) {
          throw new AppError('TEAM_UNKNOWN', `team ${req.params.id} does not exist`, 'id')
        }
        return deps.city.saveTeam({ ...team, ...req.body })
      },
    )
  }
}
