import { describe, expect, it } from 'vitest'
import { HOUR, MINUTE } from '../time.ts'
import { parseRfc3339 } from './rfc3339.ts'
import type { Device } from './sensing.types.ts'
import { dropReasonOf, validateReading } from './validate.ts'
import type { DropReason } from './validate.ts'

const NOW = 1_795_737_600_000 // 2026-11-27T08:00:00+08:00 (the core lints out Date, tests included)

function buildDevice(overrides: Partial<Device> = {}): Device {
  return {
    id: 'aq-dongsi',
    kind: 'air-quality',
    name: '东四 air station',
    location: { lon: 116.417, lat: 39.929 },
    ownerUnitId: 'u-eco',
    expectedIntervalSec: 3600,
    installedAt: 0,
    ...overrides,
  }
}

function reasonOf(raw: unknown, device: Device | null = buildDevice()): DropReason | undefined {
  const r = validateReading(raw, device ?? undefined, NOW)
  return r.ok ? undefined : dropReasonOf(r.error)
}

describe('parseRfc3339', () => {
  it('reads offsets, Z, fractions and a space separator', () => {
    expect(parseRfc3339('2026-11-27T08:00:00+08:00')).toBe(NOW)
    expect(parseRfc3339('2026-11-27T00:00:00Z')).toBe(NOW)
    expect(parseRfc3339('2026-11-26 19:00:00.250-05:00')).toBe(NOW + 250)
    expect(parseRfc3339('2024-02-29T12:00:00Z')).toBe(1_709_208_000_000)
    expect(parseRfc3339('1969-12-31T23:59:59Z')).toBe(-1000)
  })
  it('agrees with Date.parse across centuries (values taken from Date.parse)', () => {
    expect(parseRfc3339('1900-03-01T00:00:00Z')).toBe(-2_203_891_200_000)
    expect(parseRfc3339('2000-02-29T23:59:59.999Z')).toBe(951_868_799_999)
    expect(parseRfc3339('2100-12-31T10:11:12+05:30')).toBe(4_133_911_272_000)
    expect(parseRfc3339('2013-03-01T00:00:00+08:00')).toBe(1_362_067_200_000)
  })
  it('refuses impossible or incomplete timestamps', () => {
    for (const s of [
      '2023-02-29T00:00:00Z',
      '2026-11-27T24:00:00Z',
      '2026-11-27T08:00:00',
      '2026-11-27',
      '27/11/2026 08:00',
      '2026-13-01T00:00:00Z',
    ]) {
      expect(parseRfc3339(s)).toBeUndefined()
    }
  })
})

describe('validateReading', () => {
  it('reads a bare value as the kind primary quantity, with the unit stored canonically', () => {
    const r = validateReading(
      { ts: '2026-11-27T08:00:00+08:00', value: 12.5, unit: 'ug/m3' },
      buildDevice(),
      NOW,
    )
    expect(r).toEqual({
      ok: true,
      value: [{ deviceId: 'aq-dongsi', ts: NOW, quantity: 'pm25', value: 12.5, unit: 'µg/m³' }],
    })
  })

  it('splits named quantities into one reading each, epoch ms accepted', () => {
    const r = validateReading(
      { ts: NOW - MINUTE, pm25: 180, pm10: { value: 210, unit: 'µg/m³' } },
      buildDevice(),
      NOW,
    )
    expect(r.ok && r.value.map((x) => [x.quantity, x.value, x.ts])).toEqual([
      ['pm25', 180, NOW - MINUTE],
      ['pm10', 210, NOW - MINUTE],
    ])
  })

  it('stamps a clockless device with now only when asked', () => {
    expect(reasonOf({ value: 3 })).toBe('bad-timestamp')
    const r = validateReading({ value: 3 }, buildDevice(), NOW, { stampMissingTs: true })
    expect(r.ok && r.value[0].ts).toBe(NOW)
  })

  it('refuses each kind of bad message with its own reason', () => {
    const ts = NOW
    expect(reasonOf({ ts, value: 1 }, null)).toBe('unknown-device')
    expect(reasonOf([1, 2])).toBe('malformed')
    expect(reasonOf({ ts })).toBe('malformed')
    expect(reasonOf({ ts, value: 1, pm25: 2 })).toBe('malformed')
    expect(reasonOf({ ts, value: 1, deviceId: 'someone-else' })).toBe('malformed')
    expect(reasonOf({ ts, level: 120 })).toBe('unknown-quantity')
    expect(reasonOf({ ts, value: 12, unit: 'mg/m3' })).toBe('wrong-unit')
    expect(reasonOf({ ts, pm10: { value: 12, unit: 'ppm' } })).toBe('wrong-unit')
    expect(reasonOf({ ts, value: 'NA' })).toBe('not-finite')
    expect(reasonOf({ ts, pm25: null })).toBe('not-finite')
    expect(reasonOf({ ts, value: Number.NaN })).toBe('not-finite')
    expect(reasonOf({ ts, value: 2500 })).toBe('out-of-range')
    expect(reasonOf({ ts, value: -1 })).toBe('out-of-range')
    expect(reasonOf({ ts: '2026-11-27 8am', value: 1 })).toBe('bad-timestamp')
    expect(reasonOf({ ts: NOW + 10 * MINUTE, value: 1 })).toBe('clock-skew-future')
    expect(reasonOf({ ts: NOW - 8 * 24 * HOUR, value: 1 })).toBe('clock-skew-past')
    // Epoch seconds mistaken for ms land in 1970: refused as stale rather than guessed at.
    expect(reasonOf({ ts: NOW / 1000, value: 1 })).toBe('clock-skew-past')
  })

  it('uses DEVICE_UNKNOWN for unknown devices and READING_INVALID naming the field otherwise', () => {
    const unknown = validateReading({ ts: NOW, value: 1 }, undefined, NOW)
    expect(!unknown.ok && unknown.error.code).toBe('DEVICE_UNKNOWN')
    const bad = validateReading({ ts: NOW, pm10: 9999 }, buildDevice(), NOW)
    expect(!bad.ok && [bad.error.code, bad.error.field]).toEqual(['READING_INVALID', 'pm10'])
    expect(!bad.ok && bad.error.message).toContain('0..3000')
  })

  it('checks ranges per kind: water level may be negative, tilt may not exceed 180°', () => {
    const gauge = buildDevice({ id: 'wl-1', kind: 'water-level' })
    expect(validateReading({ ts: NOW, value: -120, unit: 'cm' }, gauge, NOW).ok).toBe(true)
    const tilt = buildDevice({ id: 'mh-1', kind: 'manhole-tilt' })
    expect(reasonOf({ ts: NOW, tilt: 181 }, tilt)).toBe('out-of-range')
    expect(reasonOf({ ts: NOW, value: 30, unit: 'deg' }, tilt)).toBeUndefined()
  })

  it('tolerates options for replaying history', () => {
    const old = 1_362_096_000_000 // 2013-03-01Z
    expect(validateReading({ ts: old, value: 9 }, buildDevice(), NOW, { maxAgeMs: Infinity }).ok).toBe(true)
  })
})
