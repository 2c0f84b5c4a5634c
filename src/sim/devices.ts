import { join } from 'node:path'
import type { AlarmRule, Device, DeviceKind } from '../core/sensing/sensing.types.ts'
import { DAY, HOUR, MINUTE } from '../core/time.ts'
import { seededRng, type Rng } from '../geo/prng.ts'
import type { Platform } from '../platform.ts'
import type { DeviceInput } from '../services/sensing.service.ts'
import { readReplayFile } from '../sensing/replay.ts'
import { DEMO_PLACES, jitter } from './places.ts'

/** The replay files shipped with the demo (see data/sensors/SOURCE.txt). */
export const DONGSI_CSV = join('data', 'sensors', 'PRSA_Data_Dongsi_20130301-20170228.csv')
export const RANGSIT_JSON = join('data', 'sensors', 'waterlevel.json')

/** The canal gauge the Rangsit water-level series is replayed into. */
export const CANAL_GAUGE = 'wl-tonghuihe-1'
/** The air station the Dongsi PM2.5 series is replayed into. */
export const DONGSI_STATION = 'aq-dongsi-1'

/** How many demo devices of each kind, who owns them and what they watch. */
const PLAN: readonly {
  kind: DeviceKind
  count: number
  owner: string
  intervalSec: number
  /** major + minor of the component the device watches (16-digit component id) */
  component?: string
  label: string
}[] = [
  {
    kind: 'manhole-tilt',
    count: 80,
    owner: 'sw',
    intervalSec: 300,
    component: '0103',
    label: '雨水井盖倾斜传感器',
  },
  { kind: 'street-light', count: 80, owner: 'cgw', intervalSec: 120, component: '0111', label: '智慧路灯' },
  { kind: 'bin-fill', count: 60, owner: 'hw', intervalSec: 300, label: '垃圾桶满溢传感器' },
  { kind: 'noise', count: 30, owner: 'zf', intervalSec: 60, label: '噪声监测点' },
  { kind: 'water-level', count: 30, owner: 'sw', intervalSec: 60, label: '下凹桥积水监测' },
  { kind: 'air-quality', count: 20, owner: 'hb', intervalSec: 60, label: '空气质量微站' },
]

/** The demo's alarm rules: each maps an out-of-bounds reading (or silence) to a catalog class. */
export const DEMO_RULES: readonly AlarmRule[] = [
  {
    // a replay compresses time (an hour of 2013 a second at speed 3600), so the replay station's
    // rule counts readings — two hourly readings in a row above 150 — instead of measuring hours
    id: 'pm25-replay',
    type: 'threshold',
    classId: 'E0302',
    severity: 'major',
    scope: { deviceIds: [DONGSI_STATION] },
    quantity: 'pm25',
    op: '>',
    value: 150,
    clearValue: 115,
    debounce: { count: 2 },
  },
  {
    id: 'canal-high',
    type: 'threshold',
    classId: 'E0404',
    severity: 'major',
    scope: { deviceIds: [CANAL_GAUGE] },
    quantity: 'level',
    op: '>',
    value: 140,
    clearValue: 130,
  },
  {
    id: 'manhole-tilt',
    type: 'threshold',
    classId: 'C0103',
    severity: 'major',
    scope: { kind: 'manhole-tilt' },
    quantity: 'tilt',
    op: '>',
    value: 15,
    clearValue: 5,
    debounce: { count: 2 },
  },
  {
    id: 'bin-full',
    type: 'threshold',
    classId: 'E0109',
    severity: 'minor',
    scope: { kind: 'bin-fill' },
    quantity: 'fill',
    op: '>',
    value: 90,
    clearValue: 60,
  },
  {
    id: 'noise-loud',
    type: 'threshold',
    classId: 'E0601',
    severity: 'minor',
    scope: { kind: 'noise' },
    quantity: 'laeq',
    op: '>',
    value: 75,
    clearValue: 65,
    debounce: { count: 3 },
  },
  {
    id: 'light-silent',
    type: 'no-signal',
    classId: 'C0111',
    severity: 'minor',
    scope: { kind: 'street-light' },
    intervals: 3,
  },
  {
    id: 'manhole-silent',
    type: 'no-signal',
    classId: 'C0103',
    severity: 'minor',
    scope: { kind: 'manhole-tilt' },
    intervals: 6,
  },
]

/** 重度污染 held for two hours at the micro-stations; readings more than 90 minutes apart break the run. */
function pm25Rule(stations: readonly string[]): AlarmRule {
  return {
    id: 'pm25-heavy',
    type: 'threshold',
    classId: 'E0302',
    severity: 'major',
    scope: { deviceIds: stations },
    quantity: 'pm25',
    op: '>',
    value: 150,
    clearValue: 115,
    debounce: { count: 2, forMs: 2 * HOUR, maxGapMs: 90 * MINUTE },
  }
}

/** 道路积水 at the underpass gauges (not the canal gauge, whose normal level is a metre and more). */
function pondingRule(gauges: readonly string[]): AlarmRule {
  return {
    id: 'ponding',
    type: 'threshold',
    classId: 'E0404',
    severity: 'critical',
    scope: { deviceIds: gauges },
    quantity: 'level',
    op: '>',
    value: 15,
    clearValue: 5,
    debounce: { count: 2 },
  }
}

/** The demo devices: a few hundred over 东城 and 西城, spread around the demo places. */
export function demoDevices(p: Pick<Platform, 'city'>, installedAt: number): DeviceInput[] {
  const rnd = seededRng('onegrid-demo-devices')
  const out: DeviceInput[] = []
  for (const plan of PLAN) {
    let made = 0
    for (let attempt = 0; made < plan.count && attempt < plan.count * 20; attempt++) {
      const place = DEMO_PLACES[Math.floor(rnd() * DEMO_PLACES.length)]
      const location = jitter(place.point, 600, rnd)
      const district = p.city.locate(location)?.districtCode
      if (district !== '110101' && district !== '110102') {
        continue
      }
      made++
      const serial = String(made).padStart(6, '0')
      out.push({
        id: `${plan.kind.split('-')[0]}-${district.slice(4)}-${serial.slice(3)}`,
        kind: plan.kind,
        name: `${place.name}${plan.label} ${made}号`,
        location,
        ownerUnitId: `${district}-${plan.owner}`,
        expectedIntervalSec: plan.intervalSec,
        installedAt,
        ...(plan.component ? { componentId: `${district}${plan.component}${serial}` } : {}),
      })
    }
  }
  out.push(
    {
      id: DONGSI_STATION,
      kind: 'air-quality',
      name: '东四空气质量监测站（回放）',
      location: { lon: 116.417, lat: 39.929 },
      ownerUnitId: '110101-hb',
      expectedIntervalSec: 3600,
      installedAt,
    },
    {
      id: CANAL_GAUGE,
      kind: 'water-level',
      name: '通惠河水位站（回放）',
      location: { lon: 116.4333, lat: 39.9005 },
      ownerUnitId: '110101-sw',
      expectedIntervalSec: 3600,
      installedAt,
    },
  )
  return out
}

/** Register the demo devices and rules (the demo seed calls this). */
export async function seedDevices(p: Pick<Platform, 'city' | 'sensing' | 'clock'>): Promise<string> {
  const devices = demoDevices(p, p.clock() - DAY)
  await p.sensing.saveDevices(devices)
  const stations = devices.filter((d) => d.kind === 'air-quality' && d.id !== DONGSI_STATION).map((d) => d.id)
  const gauges = devices.filter((d) => d.kind === 'water-level' && d.id !== CANAL_GAUGE).map((d) => d.id)
  const rules = [pm25Rule(stations), pondingRule(gauges), ...DEMO_RULES]
  for (const rule of rules) {
    await p.sensing.saveRule(rule)
  }
  return `${devices.length} devices, ${rules.length} alarm rules`
}

export interface DeviceSimulation {
  readonly stats: { readings: number; incidents: number }
  stop(): Promise<void>
}

/** What an incident does to a device's readings (undefined: the device falls silent). */
type Incident = { until: number; silent?: boolean; value?: number }

function normal(kind: DeviceKind, rnd: Rng, pm25: number | undefined): Record<string, number> {
  switch (kind) {
    case 'manhole-tilt':
      return { tilt: Math.round(rnd() * 2 * 10) / 10, battery: 80 + Math.round(rnd() * 20) }
    case 'street-light':
      return { power: 120 + Math.round(rnd() * 30), on: 1 }
    case 'bin-fill':
      return { fill: Math.round(10 + rnd() * 50) }
    case 'noise':
      return { laeq: Math.round((50 + rnd() * 12) * 10) / 10 }
    case 'water-level':
      return { level: Math.round(rnd() * 2 * 10) / 10 }
    case 'air-quality':
      return { pm25: pm25 ?? Math.round(20 + rnd() * 60) }
    default:
      return {}
  }
}

/**
 * The demo devices' life, fed straight into the ingest: each reports at its interval, and now and
 * then one has an incident (a cover tilts, a bin fills, a street floods, a lamp goes dark) that the
 * rules turn into a case — and that ends some minutes later, so the readings clear the alarm. The
 * air stations read the real Dongsi PM2.5 series, one hour of 2013 per minute.
 */
export async function startDeviceSimulation(
  p: Pick<Platform, 'sensing' | 'sensors' | 'clock'>,
  o: { tickMs?: number; incidentsPerHour?: number } = {},
): Promise<DeviceSimulation> {
  const rnd = seededRng(`onegrid-device-sim-${p.clock()}`)
  const { devices } = await p.sensing.registry()
  const live = devices.filter((d) => d.id !== DONGSI_STATION && d.id !== CANAL_GAUGE)
  const pm25: number[] = []
  for await (const r of readReplayFile(DONGSI_CSV, DONGSI_STATION, { quantities: ['pm25'] })) {
    pm25.push(r.value)
    if (pm25.length >= 24 * 60) {
      break
    }
  }
  const lastSent = new Map<string, number>()
  const incidents = new Map<string, Incident>()
  const stats = { readings: 0, incidents: 0 }
  const tickMs = o.tickMs ?? 10_000
  const perTick = ((o.incidentsPerHour ?? 12) * tickMs) / HOUR
  let minute = 0

  async function step(): Promise<void> {
    const now = p.clock()
    if (rnd() < perTick && live.length > 0) {
      const d = live[Math.floor(rnd() * live.length)]
      const silent = d.kind === 'street-light'
      incidents.set(d.id, { until: now + (10 + rnd() * 20) * MINUTE, silent })
      stats.incidents++
    }
    minute = Math.floor(now / MINUTE) % Math.max(1, pm25.length)
    const sends: Promise<unknown>[] = []
    for (const d of live) {
      if ((lastSent.get(d.id) ?? 0) + d.expectedIntervalSec * 1000 > now) {
        continue
      }
      lastSent.set(d.id, now)
      const inc = incidents.get(d.id)
      if (inc && inc.until < now) {
        incidents.delete(d.id)
      }
      const active = inc && inc.until >= now ? inc : undefined
      if (active?.silent) {
        continue
      }
      sends.push(p.sensors.submit(d.id, { ts: now, ...reading(d, active, pm25[minute]) }, 'mqtt'))
      stats.readings++
    }
    await Promise.all(sends)
  }

  function reading(
    d: Device,
    incident: Incident | undefined,
    pm: number | undefined,
  ): Record<string, number> {
    const base = normal(d.kind, rnd, pm)
    if (!incident) {
      return base
    }
    switch (d.kind) {
      case 'manhole-tilt':
        return { ...base, tilt: 20 + Math.round(rnd() * 40) }
      case 'bin-fill':
        return { fill: 92 + Math.round(rnd() * 8) }
      case 'noise':
        return { laeq: 78 + Math.round(rnd() * 10) }
      case 'water-level':
        return { level: 18 + Math.round(rnd() * 20) }
      default:
        return base
    }
  }

  let stopped = false
  let running: Promise<void> = Promise.resolve()
  const timer = setInterval(() => {
    if (stopped) {
      return
    }
    running = running.then(step).catch((e: unknown) => console.error(`device simulation: ${String(e)}`))
  }, tickMs)
  timer.unref()
  return {
    stats,
    async stop() {
      stopped = true
      clearInterval(timer)
      await running
    },
  }
}
