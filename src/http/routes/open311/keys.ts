import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { AuthService } from '../../../services/auth.service.ts'
import type { Open311KeyInfo, Open311Service } from '../../../services/open311.service.ts'
import { authenticate, principalOf } from '../../auth.ts'

const KeyBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 100, description: 'who the key is for, e.g. the app' }) },
  { additionalProperties: false },
)
const KeyParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) })

function presentKey(k: Open311KeyInfo) {
  return {
    id: k.id,
    name: k.name,
    hint: `…${k.hint}`,
    createdAt: new Date(k.createdAt).toISOString(),
    createdBy: k.createdBy,
    revokedAt: k.revokedAt === undefined ? null : new Date(k.revokedAt).toISOString(),
  }
}

/** /api/v1/open311/keys: admins issue, list and revoke Open311 api_keys (the key is shown once). */
export function open311KeyRoutes(deps: {
  auth: AuthService
  open311: Open311Service
}): FastifyPluginAsyncTypebox {
  return async (app) => {
    const admin = authenticate(deps.auth, ['admin'])
    const tags = ['open311']

    app.post(
      '/',
      {
        schema: { tags, summary: 'Issue an Open311 api_key (shown only in this answer)', body: KeyBody },
        preHandler: admin,
      },
      async (req, reply) => {
        const { key, info } = await deps.open311.issueKey(req.body.name, principalOf(req).username)
        return reply.status(201).send({ ...presentKey(info), key })
      },
    )

    app.get(
      '/',
      { schema: { tags, summary: 'Every Open311 key (without the keys)' }, preHandler: admin },
      async () => ({
        items: (await deps.open311.listKeys()).map(presentKey),
      }),
    )

    app.delete(
      '/:id',
      { schema: { tags, summary: 'Revoke an Open311 key', params: KeyParams }, preHandler: admin },
      async (req, reply) => {
        await deps.open311.revokeKey(req.params.id)
        return reply.status(204).send()
      },
    )
  }
}
