import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { AppError, type ErrorCode } from '../core/errors.ts'

/** The one place error codes become HTTP statuses. */
const STATUS: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  BAD_JSON: 400,
  BODY_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  NOT_FOUND: 404,
  AUTH_REQUIRED: 401,
  AUTH_INVALID: 401,
  FORBIDDEN_ROLE: 403,
  FORBIDDEN_SCOPE: 403,
  CASE_NOT_FOUND: 404,
  CASE_ILLEGAL_ACTION: 409,
  CASE_VERSION_CONFLICT: 409,
  CASE_PAYLOAD_INVALID: 400,
  CASE_RETURN_WINDOW_CLOSED: 409,
  CASE_REOPEN_WINDOW_CLOSED: 409,
  CASE_NOT_YOUR_UNIT: 403,
  CASE_REGISTRATION_CONDITION: 422,
  CASE_NO_EXTENSION_PENDING: 409,
  CASE_MERGE_TARGET_INVALID: 409,
  CATALOG_INVALID: 422,
  CATALOG_CLASS_UNKNOWN: 422,
  CALENDAR_INVALID: 422,
  GEO_INVALID: 422,
  GEO_OUTSIDE_CITY: 422,
  DUTY_NO_OWNER: 422,
  DUTY_RULES_INVALID: 422,
  UNIT_UNKNOWN: 422,
  TEAM_UNKNOWN: 422,
  DEVICE_UNKNOWN: 422,
  READING_INVALID: 422,
  INGEST_DUPLICATE: 409,
  LEDGER_INVALID: 422,
  EMERGENCY_NOT_ACTIVE: 409,
  EMERGENCY_ALREADY_ACTIVE: 409,
  EMERGENCY_NOT_ADDRESSED: 403,
  EMERGENCY_ALREADY_ACKNOWLEDGED: 409,
  RATE_LIMITED: 429,
  INTERNAL: 500,
}

/** Status for a code (codes added elsewhere without a mapping are client errors). */
export function statusOf(code: ErrorCode): number {
  return STATUS[code] ?? 400
}

/** The JSON error body every endpoint returns. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; field?: string; details?: unknown; requestId: string }
}

/** Translate framework errors (validation, parsing, size) into domain codes. */
function classify(err: FastifyError | AppError | Error): AppError {
  if (err instanceof AppError) {
    return err
  }
  const fe = err as FastifyError & {
    validation?: {
      instancePath: string
      message?: string
      params?: Record<string, unknown>
      keyword: string
    }[]
  }
  if (fe.validation?.length) {
    const v = fe.validation[0]
    const base = v.instancePath.replace(/^\//, '').replace(/\//g, '.')
    const extra = typeof v.params?.additionalProperty === 'string' ? v.params.additionalProperty : undefined
    const missing = typeof v.params?.missingProperty === 'string' ? v.params.missingProperty : undefined
    const field = [base, extra ?? missing].filter(Boolean).join('.') || (fe.validationContext ?? 'body')
    const reason = extra ? 'is not a known field' : (v.message ?? 'is invalid')
    return new AppError(
      'VALIDATION_FAILED',
      `${fe.validationContext ?? 'body'} field "${field}" ${reason}`,
      field,
    )
  }
  switch (fe.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('BAD_JSON', `the body is not valid JSON: ${fe.message}`, 'body')
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('BODY_TOO_LARGE', 'the body is larger than this endpoint accepts', 'body')
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError(
        'UNSUPPORTED_MEDIA_TYPE',
        `content type not accepted here: ${fe.message}`,
        'content-type',
      )
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('VALIDATION_FAILED', 'content-length does not match the body', 'content-length')
    default:
      if (fe.statusCode === 404) {
        return new AppError('NOT_FOUND', fe.message)
      }
      if (fe.statusCode && fe.statusCode < 500) {
        return new AppError('VALIDATION_FAILED', fe.message)
      }
      return new AppError('INTERNAL', 'internal error: it has been logged with the request id')
  }
}

/** Fastify error handler: stable code, actionable message, request id; 5xx details stay in the log. */
export function errorHandler(err: FastifyError | Error, req: FastifyRequest, reply: FastifyReply): void {
  const e = classify(err)
  const status = statusOf(e.code)
  if (status >= 500) {
    req.log.error({ err }, 'request failed')
  }
  const body: ErrorBody = {
    error: {
      code: e.code,
      message: e.message,
      ...(e.field ? { field: e.field } : {}),
      ...(e.details !== undefined && status < 500 ? { details: e.details } : {}),
      requestId: String(req.id),
    },
  }
  void reply.status(status).send(body)
}
