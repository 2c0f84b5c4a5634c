import { AppError } from '../core/errors.ts'
import { parseRfc3339 } from '../core/sensing/rfc3339.ts'
import type { Instant } from '../core/time.ts'

/** A reporter's clock may run this far ahead of ours before its timestamp is refused. */
export const CLOCK_SKEW_MS = 5 * 60_000

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true })

/**
 * Decode an uploaded text body as UTF-8, refusing it with the first bad line named: call-centre
 * exports are often GBK, and silently replacing characters would corrupt every address.
 */
export function decodeUtf8(body: Uint8Array, what: string): string {
  try {
    return STRICT_UTF8.decode(body).replace(/^\uFEFF/, '')
  } catch {
    let line = 1
    let start = 0
    for (let i = 0; i <= body.length; i++) {
      if (i === body.length || body[i] === 0x0a) {
        try {
          STRICT_UTF8.decode(body.subarray(start, i))
        } catch {
          break
        }
        line++
        start = i + 1
      }
    }
    throw new AppError(
      'VALIDATION_FAILED',
      `${what}: line ${line} is not valid UTF-8 (a GBK export? save the file as UTF-8 and send it again)`,
      `line ${line}`,
    )
  }
}

/**
 * Parse a reporter's RFC 3339 timestamp; refuse a malformed one or one beyond the clock skew in the
 * future, naming the field as the channel calls it.
 */
export function reporterTime(value: string, field: string, now: Instant): Instant {
  const at = parseRfc3339(value)
  if (at === undefined) {
    throw new AppError('VALIDATION_FAILED', `${field} "${value}" is not an RFC 3339 date-time`, field)
  }
  if (at > now + CLOCK_SKEW_MS) {
    throw new AppError(
      'VALIDATION_FAILED',
      `${field} ${value} lies more than 5 minutes in the future: check the sending device's clock`,
      field,
    )
  }
  return at
}
