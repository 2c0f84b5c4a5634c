import { fail, ok } from '../errors.ts'
import type { DomainError, Result } from '../errors.ts'
import { MINUTE, DAY } from '../time.ts'
import type { Instant } from '../time.ts'
import { parseRfc3339 } from './rfc3339.ts'
import { DEVICE_KINDS } from './sensing.types.ts'
import type { Device, QuantitySpec, Reading } from './sensing.types.ts'

/** Why a message was dropped; the ingest keeps one counter per reason. */
export const DROP_REASONS = [
  'unknown-device',
  'malformed',
  'unknown-quantity',
  'wrong-unit',
  'not-finite',
  'out-of-range',
  'bad-timestamp',
  'clock-skew-future',
  'clock-skew-past',
] as const
export type DropReason = (typeof DROP_REASONS)[number]

export interface ValidateOptions {
  /** Refuse readings stamped further ahead of `now` than this (device clock wrong). Default 5 min. */
  readonly maxFutureMs?: number
  /** Refuse readings older than this (stale buffer, epoch seconds sent as ms). Default 7 days. */
  readonly maxAgeMs?: number
  /** Stamp a message without `ts` with `now` (for devices without a clock); default: refuse it. */
  readonly stampMissingTs?: boolean
}

export const DEFAULT_MAX_FUTURE_MS = 5 * MINUTE
export const DEFAULT_MAX_AGE_MS = 7 * DAY

/**
 * Validate one device message and split it into readings, one per quantity.
 *
 * Accepted shapes: `{ "ts": …, "value": 12.5, "unit"?: "cm" }` (the kind's primary quantity) and
 * `{ "ts": …, "pm25": 180, "pm10": { "value": 210, "unit": "ug/m3" } }` (named quantities).
 * `ts` is an RFC 3339 string or epoch milliseconds. A unit, when sent, must be the quantity's unit or
 * one of its spellings; nothing is converted. The message is all-or-nothing: one impossible value
 * means the device cannot be trusted for that message.
 *
 * A refusal carries `details.reason` (a {@link DropReason}); read it with {@link dropReasonOf}.
 */
export function validateReading(
  raw: unknown,
  device: Device | undefined,
  now: Instant,
  opts: ValidateOptions = {},
): Result<Reading[]> {
  if (!device) {
    return refuse('DEVICE_UNKNOWN', 'unknown-device', 'the device is not registered')
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return refuse('READING_INVALID', 'malformed', 'a reading must be a JSON object')
  }
  const body = raw as Record<string, unknown>
  const kind = DEVICE_KINDS[device.kind]

  const ts = readTimestamp(body.ts, now, opts)
  if (typeof ts !== 'number') {
    return ts
  }
  if (body.deviceId !== undefined && body.deviceId !== device.id) {
    return refuse(
      'READING_INVALID',
      'malformed',
      `deviceId ${JSON.stringify(body.deviceId)} does not match ${device.id}`,
      'deviceId',
    )
  }

  const readings: Reading[] = []
  if (body.value !== undefined) {
    if (Object.hasOwn(body, kind.primary)) {
      return refuse('READING_INVALID', 'malformed', `both value and ${kind.primary} given`, kind.primary)
    }
    const r = readQuantity(device, kind.primary, kind.quantities[kind.primary], body.value, body.unit, ts)
    if (!r.ok) {
      return r
    }
    readings.push(r.value)
  } else if (body.unit !== undefined) {
    return refuse('READING_INVALID', 'malformed', 'unit is only allowed next to value', 'unit')
  }
  for (const key in body) {
    if (key === 'ts' || key === 'value' || key === 'unit' || key === 'deviceId') {
      continue
    }
    if (!Object.hasOwn(kind.quantities, key)) {
      return refuse(
        'READING_INVALID',
        'unknown-quantity',
        `${device.kind} devices do not measure ${key}`,
        key,
      )
    }
    const v = body[key]
    const isBoxed = typeof v === 'object' && v !== null && !Array.isArray(v)
    const r = isBoxed
      ? readQuantity(
          device,
          key,
          kind.quantities[key],
          (v as Record<string, unknown>).value,
          (v as Record<string, unknown>).unit,
          ts,
        )
      : readQuantity(device, key, kind.quantities[key], v, undefined, ts)
    if (!r.ok) {
      return r
    }
    readings.push(r.value)
  }
  if (readings.length === 0) {
    return refuse('READING_INVALID', 'malformed', 'the message carries no value')
  }
  return ok(readings)
}

/** The drop reason of a refusal from {@link validateReading}, for counters. */
export function dropReasonOf(error: DomainError): DropReason | undefined {
  const d = error.details as { reason?: DropReason } | undefined
  return d?.reason
}

/** Does `unit` name the quantity's unit (exact symbol or a listed alias)? */
export function isUnitOf(spec: QuantitySpec, unit: string): boolean {
  return unit === spec.unit || (spec.unitAliases?.includes(unit) ?? false)
}

function readTimestamp(v: unknown, now: Instant, opts: ValidateOptions): Instant | Result<never> {
  let ts: Instant | undefined
  if (v === undefined) {
    if (!opts.stampMissingTs) {
      return refuse('READING_INVALID', 'bad-timestamp', 'ts is required', 'ts')
    }
    ts = now
  } else if (typeof v === 'number') {
    ts = Number.isFinite(v) ? v : undefined
  } else if (typeof v === 'string') {
    ts = parseRfc3339(v)
  }
  if (ts === undefined) {
    return refuse(
      'READING_INVALID',
      'bad-timestamp',
      'ts must be RFC 3339 (2026-11-27T08:00:00+08:00) or epoch ms',
      'ts',
    )
  }
  if (ts - now > (opts.maxFutureMs ?? DEFAULT_MAX_FUTURE_MS)) {
    return refuse(
      'READING_INVALID',
      'clock-skew-future',
      `ts is ${Math.round((ts - now) / 1000)} s in the future`,
      'ts',
    )
  }
  if (now - ts > (opts.maxAgeMs ?? DEFAULT_MAX_AGE_MS)) {
    return refuse('READING_INVALID', 'clock-skew-past', `ts is ${Math.round((now - ts) / 1000)} s old`, 'ts')
  }
  return ts
}

function readQuantity(
  device: Device,
  quantity: string,
  spec: QuantitySpec,
  value: unknown,
  unit: unknown,
  ts: Instant,
): Result<Reading> {
  if (unit !== undefined && (typeof unit !== 'string' || !isUnitOf(spec, unit))) {
    return refuse(
      'READING_INVALID',
      'wrong-unit',
      `${quantity} is measured in ${spec.unit}, got ${JSON.stringify(unit)}`,
      quantity,
    )
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return refuse('READING_INVALID', 'not-finite', `${quantity} must be a finite number`, quantity)
  }
  if (value < spec.min || value > spec.max) {
    return refuse(
      'READING_INVALID',
      'out-of-range',
      `${quantity} ${value} ${spec.unit} is outside the physical range ${spec.min}..${spec.max}`,
      quantity,
    )
  }
  return ok({ deviceId: device.id, ts, quantity, value, unit: spec.unit })
}

function refuse(
  code: 'DEVICE_UNKNOWN' | 'READING_INVALID',
  reason: DropReason,
  message: string,
  field?: string,
) {
  return fail<never>(code, message, field, { reason })
}
