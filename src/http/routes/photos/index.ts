import multipart from '@fastify/multipart'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { AppError } from '../../../core/errors.ts'
import { MAX_PHOTO_BYTES } from '../../../services/patrol.service.ts'
import { authenticate, principalOf } from '../../auth.ts'
import type { ChannelDeps } from '../channels.ts'
import { readMultipart } from '../patrol/multipart.ts'

/** /api/v1/photos: upload evidence photos (for verify/report actions) and read stored ones. */
export function photoRoutes(deps: ChannelDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    await app.register(multipart, { limits: { fileSize: MAX_PHOTO_BYTES, files: 1, fields: 0, parts: 1 } })

    app.post(
      '/',
      {
        schema: {
          tags: ['photos'],
          summary:
            'Upload one photo (multipart, JPEG/PNG/WebP ≤ 5 MB); answers the path to reference in actions',
        },
        preHandler: authenticate(deps.auth),
      },
      async (req, reply) => {
        if (!req.isMultipart()) {
          throw new AppError(
            'UNSUPPORTED_MEDIA_TYPE',
            'send the photo as multipart/form-data',
            'content-type',
          )
        }
        const { files } = await readMultipart(req)
        const file = files[0]
        if (!file) {
          throw new AppError('VALIDATION_FAILED', 'no file part in the body', 'photo')
        }
        return reply
          .status(201)
          .send(await deps.patrol.storePhoto(principalOf(req), file.bytes, file.field, file.filename))
      },
    )

    app.get(
      '/*',
      {
        schema: {
          tags: ['photos'],
          summary: 'A stored photo, e.g. /api/v1/photos/2026/03/<sha256>.png',
          params: Type.Object({ '*': Type.String({ maxLength: 200 }) }),
        },
        preHandler: authenticate(deps.auth),
      },
      async (req, reply) => {
        const photo = await deps.patrol.readPhoto(req.params['*'])
        return reply
          .header('content-type', photo.mime)
          .header('cache-control', 'private, max-age=31536000, immutable')
          .send(Buffer.from(photo.bytes))
      },
    )
  }
}
