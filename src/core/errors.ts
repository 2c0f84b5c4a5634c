/**
 * Stable error codes. Every failure the platform reports carries one of these; the HTTP layer maps
 * them to a status in one place (src/http/errors.ts). Add codes here, never ad hoc strings.
 */
export type ErrorCode =
  // input
  | 'VALIDATION_FAILED'
  | 'BAD_JSON'
  | 'BODY_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'NOT_FOUND'
  // auth
  | 'AUTH_REQUIRED'
  | 'AUTH_INVALID'
  | 'FORBIDDEN_ROLE'
  | 'FORBIDDEN_SCOPE'
  // case lifecycle
  | 'CASE_NOT_FOUND'
  | 'CASE_ILLEGAL_ACTION'
  | 'CASE_VERSION_CONFLICT'
  | 'CASE_PAYLOAD_INVALID'
  | 'CASE_RETURN_WINDOW_CLOSED'
  | 'CASE_REOPEN_WINDOW_CLOSED'
  | 'CASE_NOT_YOUR_UNIT'
  | 'CASE_REGISTRATION_CONDITION'
  | 'CASE_NO_EXTENSION_PENDING'
  | 'CASE_MERGE_TARGET_INVALID'
  // catalog, calendar, geo, duty
  | 'CATALOG_INVALID'
  | 'CATALOG_CLASS_UNKNOWN'
  | 'CALENDAR_INVALID'
  | 'GEO_INVALID'
  | 'GEO_OUTSIDE_CITY'
  | 'DUTY_NO_OWNER'
  | 'DUTY_RULES_INVALID'
  | 'UNIT_UNKNOWN'
  | 'TEAM_UNKNOWN'
  // sensing, ingest
  | 'DEVICE_UNKNOWN'
  | 'READING_INVALID'
  | 'INGEST_DUPLICATE'
  // ledger
  | 'LEDGER_INVALID'
  // emergency command mode
  | 'EMERGENCY_NOT_ACTIVE'
  | 'EMERGENCY_ALREADY_ACTIVE'
  | 'EMERGENCY_NOT_ADDRESSED'
  | 'EMERGENCY_ALREADY_ACKNOWLEDGED'
  // server
  | 'RATE_LIMITED'
  | 'INTERNAL'

/** A failure a person can act on: which code, what went wrong, and (for input) which field. */
export interface DomainError {
  readonly code: ErrorCode
  readonly message: string
  readonly field?: string
  readonly details?: unknown
}

/** Result of a fallible pure function: no exceptions cross the core boundary. */
export type Result<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: DomainError }

/** Build a DomainError (for functions that report a failure without producing a Result, e.g. guards). */
export function domainError(
  code: ErrorCode,
  message: string,
  field?: string,
  details?: unknown,
): DomainError {
  const extra = { ...(field ? { field } : {}), ...(details !== undefined ? { details } : {}) }
  return Object.freeze({ code, message, ...extra })
}

/** Build a failed Result. */
export function fail<T = never>(
  code: ErrorCode,
  message: string,
  field?: string,
  details?: unknown,
): Result<T> {
  return { ok: false, error: domainError(code, message, field, details) }
}

/** Build a successful Result. */
export function ok<T>(value: T): Result<T> {
  return { ok: true, value }
}

/**
 * Thrown by services (never by core) when a use case fails; the HTTP error handler presents it.
 * It carries a DomainError, never an HTTP status.
 */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
    readonly details?: unknown,
  ) {
    super(message)
    this.name = 'AppError'
  }

  /** Lift a core DomainError into a throwable. */
  static from(e: DomainError): AppError {
    return new AppError(e.code, e.message, e.field, e.details)
  }
}
