import type { FastifyRequest } from 'fastify'
import { AppError } from '../../../core/errors.ts'
import { MAX_PHOTOS } from '../../../services/patrol.service.ts'

/** A multipart body read whole: text fields and file parts (bytes), limits already applied. */
export interface MultipartBody {
  readonly fields: Record<string, string>
  readonly files: { field: string; filename: string; bytes: Buffer }[]
}

/**
 * Read every part, turning the multipart plugin's limit errors into our codes with the field named
 * (a 6 MB photo is the inspector's problem to fix, not a server error).
 */
export async function readMultipart(req: FastifyRequest): Promise<MultipartBody> {
  const fields: Record<string, string> = {}
  const files: MultipartBody['files'] = []
  let current = 'body'
  let currentFile = ''
  try {
    for await (const part of req.parts()) {
      current = part.fieldname
      if (part.type === 'file') {
        currentFile = part.filename
        files.push({ field: part.fieldname, filename: part.filename, bytes: await part.toBuffer() })
      } else {
        fields[part.fieldname] = String(part.value)
      }
    }
  } catch (e) {
    const code = (e as { code?: string }).code
    if (code === 'FST_REQ_FILE_TOO_LARGE') {
      throw new AppError(
        'BODY_TOO_LARGE',
        `${current} (${currentFile}): a photo may be at most 5 MB`,
        current,
      )
    }
    if (code === 'FST_FILES_LIMIT') {
      throw new AppError('BODY_TOO_LARGE', `at most ${MAX_PHOTOS} photos per report`, 'photos')
    }
    if (code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') {
      throw new AppError('VALIDATION_FAILED', 'too many form fields', 'body')
    }
    if (e instanceof AppError) {
      throw e
    }
    throw new AppError(
      'VALIDATION_FAILED',
      `the multipart body cannot be read: ${(e as Error).message}`,
      'body',
    )
  }
  return { fields, files }
}
