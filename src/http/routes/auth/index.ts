import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { AppDeps } from '../../app.ts'
import { authenticate, principalOf } from '../../auth.ts'

const Login = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 100 }),
    password: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
)

const UserView = Type.Object({
  id: Type.String(),
  username: Type.String(),
  displayName: Type.String(),
  role: Type.String(),
  unitId: Type.Optional(Type.String()),
  regionCode: Type.Optional(Type.String()),
})

/** POST /api/v1/auth/login, GET /api/v1/auth/me */
export function authRoutes(deps: Pick<AppDeps, 'auth'>): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/login',
      {
        schema: {
          tags: ['auth'],
          security: [],
          body: Login,
          response: { 200: Type.Object({ token: Type.String(), expiresAt: Type.Number(), user: UserView }) },
        },
      },
      async (req) => {
        const { token, expiresAt, principal: p } = await deps.auth.login(req.body.username, req.body.password)
        return { token, expiresAt, user: userView(p) }
      },
    )
    app.get(
      '/me',
      { schema: { tags: ['auth'], response: { 200: UserView } }, preHandler: authenticate(deps.auth) },
      async (req) => userView(principalOf(req)),
    )
  }
}

function userView(p: ReturnType<typeof principalOf>) {
  return {
    id: p.actor.id,
    username: p.username,
    displayName: p.displayName,
    role: p.actor.role,
    ...(p.actor.unitId ? { unitId: p.actor.unitId } : {}),
    ...(p.regionCode ? { regionCode: p.regionCode } : {}),
  }
}
