import type { Kysely } from 'kysely'
import { AppError } from '../core/errors.ts'
import { compileRules } from '../core/sensing/rules.ts'
import type { HistoryNeed, OpenAlarm } from '../core/sensing/rules.ts'
import { DEVICE_KIND_IDS, DEVICE_KINDS } from '../core/sensing/sensing.types.ts'
import type { AlarmRule, Device, DeviceKind, Reading } from '../core/sensing/sensing.types.ts'
import { DAY, type Instant } from '../core/time.ts'
import type { AlarmTable, Database, DeviceTable } from '../store/database.ts'
import * as repo from '../store/sensing.repository.ts'
import type { CityService } from './city.service.ts'
import type { Clock } from './ports.ts'

/** A device as the registry shows it: the core Device plus where the city model placed it. */
export interface DeviceView extends Device {
  /** finest region code of the position (grid cell when inside one) */
  readonly regionCode?: string
}

/** What an admin sends to register or update a device. */
export interface DeviceInput {
  readonly id: string
  readonly kind: DeviceKind
  readonly name: string
  readonly location: { readonly lon: number; readonly lat: number }
  readonly ownerUnitId: string
  readonly componentId?: string
  readonly expectedIntervalSec: number
  readonly installedAt?: Instant
}

export interface ReadingQuery {
  readonly from: Instant
  readonly to: Instant
  readonly resolution: 'raw' | '1m' | '1h'
  readonly quantity?: string
  readonly limit?: number
}

/** One chart point: a raw reading (min = max = avg) or an aggregate bucket. */
export interface ReadingPoint {
  readonly ts: Instant
  readonly quantity: string
  readonly value: number
  readonly min?: number
  readonly max?: number
  readonly count?: number
}

export interface RetentionPolicy {
  readonly rawDays: number
  readonly rollupDays: number
}

export interface SensingServiceDeps {
  readonly db: Kysely<Database>
  readonly clock: Clock
  readonly city: Pick<CityService, 'locate' | 'unit'>
  readonly classExists: (classId: string) => boolean
  readonly retention: RetentionPolicy
}

/** The device registry, alarm rules, reading queries, alarms and counters. */
export interface SensingService {
  listDevices(f: repo.DeviceFilter): Promise<{ items: DeviceView[]; nextCursor?: string }>
  getDevice(id: string): Promise<DeviceView>
  saveDevice(input: DeviceInput): Promise<DeviceView>
  /** Register many devices in one go (the demo seed); each is checked like saveDevice. */
  saveDevices(inputs: readonly DeviceInput[]): Promise<number>
  readings(deviceId: string, q: ReadingQuery): Promise<ReadingPoint[]>
  /** The newest reading of every quantity of these devices. */
  latest(
    deviceIds: readonly string[],
  ): Promise<{ deviceId: string; quantity: string; ts: Instant; value: number }[]>
  rules(): Promise<AlarmRule[]>
  /** Check a rule against the registry (and the other rules) and store it. */
  saveRule(rule: AlarmRule): Promise<AlarmRule>
  deleteRule(id: string): Promise<void>
  alarms(f: { open?: boolean; since?: Instant; deviceId?: string; limit: number }): Promise<AlarmTable[]>
  stats(): Promise<{ channel: string; reason: string; count: number }[]>
  /** Everything the ingest engine compiles: devices and rules. */
  registry(): Promise<{ devices: Device[]; rules: AlarmRule[] }>
  /** The alarms still raised in the store (a restarted ingest takes them back into its rule state). */
  openAlarms(): Promise<OpenAlarm[]>
  /** Stored readings of these series since their `from`, oldest first (at most 10,000 a series). */
  history(needs: readonly HistoryNeed[]): Promise<Reading[]>
  /** Delete readings and rollups past their retention. */
  purge(now: Instant): Promise<{ readings: number; rollups: number }>
  /** Called (and awaited) after a device or rule changes: the ingest recompiles. */
  onChange(listener: () => Promise<void>): () => void
}

/** Map a stored row to the domain device. */
export function deviceOf(row: DeviceTable): DeviceView {
  return {
    id: row.id,
    kind: row.kind as DeviceKind,
    name: row.name,
    location: { lon: row.lon, lat: row.lat },
    ...(row.grid_code ? { gridCode: row.grid_code } : {}),
    ...(row.region_code ? { regionCode: row.region_code } : {}),
    ownerUnitId: row.owner_unit_id,
    ...(row.component_id ? { componentId: row.component_id } : {}),
    expectedIntervalSec: row.expected_interval_sec,
    installedAt: Number(row.installed_at),
  }
}

/** The catalog class of the component a 16-digit component id names (digits 7–10: major + minor). */
export function componentClassOf(componentId: string): string {
  return `C${componentId.slice(6, 10)}`
}

/** Build the sensing service. */
export function createSensingService(deps: SensingServiceDeps): SensingService {
  const { db, clock } = deps
  const listeners = new Set<() => Promise<void>>()
  // awaited, so a reading sent right after its device was registered is not refused as unknown
  const changed = async () => {
    await Promise.all([...listeners].map((l) => l()))
  }

  function toRow(d: DeviceInput, now: Instant): DeviceTable {
    if (!DEVICE_KIND_IDS.includes(d.kind)) {
      throw new AppError('VALIDATION_FAILED', `kind must be one of ${DEVICE_KIND_IDS.join(', ')}`, 'kind')
    }
    if (!deps.city.unit(d.ownerUnitId)) {
      throw new AppError('UNIT_UNKNOWN', `unit ${d.ownerUnitId} does not exist`, 'ownerUnitId')
    }
    if (d.componentId !== undefined) {
      if (!/^\d{16}$/.test(d.componentId)) {
        throw new AppError(
          'VALIDATION_FAILED',
          'componentId must be 16 digits: district 6 + major 2 + minor 2 + serial 6',
          'componentId',
        )
      }
      if (!deps.classExists(componentClassOf(d.componentId))) {
        throw new AppError(
          'CATALOG_CLASS_UNKNOWN',
          `componentId ${d.componentId}: ${componentClassOf(d.componentId)} is not a component class of the catalog`,
          'componentId',
        )
      }
    }
    const hit = deps.city.locate(d.location)
    if (!hit) {
      throw new AppError('GEO_OUTSIDE_CITY', 'the position is outside every district of the city', 'location')
    }
    const region = hit.gridCode ?? hit.communityCode ?? hit.streetCode ?? hit.districtCode ?? null
    return {
      id: d.id,
      kind: d.kind,
      name: d.name,
      lon: d.location.lon,
      lat: d.location.lat,
      grid_code: hit.gridCode ?? null,
      region_code: region,
      owner_unit_id: d.ownerUnitId,
      component_id: d.componentId ?? null,
      expected_interval_sec: d.expectedIntervalSec,
      installed_at: d.installedAt ?? now,
      updated_at: now,
    }
  }

  async function registry(): Promise<{ devices: Device[]; rules: AlarmRule[] }> {
    const [rows, ruleRows] = await Promise.all([repo.allDevices(db), repo.listRules(db)])
    return { devices: rows.map(deviceOf), rules: ruleRows.map((r) => JSON.parse(r.doc) as AlarmRule) }
  }

  return {
    async listDevices(f) {
      const rows = await repo.listDevices(db, f)
      const items = rows.map(deviceOf)
      return rows.length === f.limit ? { items, nextCursor: rows.at(-1)!.id } : { items }
    },

    async getDevice(id) {
      const row = await repo.findDevice(db, id)
      if (!row) {
        throw new AppError('DEVICE_UNKNOWN', `device ${id} is not registered`, 'id')
      }
      return deviceOf(row)
    },

    async saveDevice(input) {
      const existing = await repo.findDevice(db, input.id)
      const row = toRow(input, clock())
      if (existing && input.installedAt === undefined) {
        row.installed_at = Number(existing.installed_at)
      }
      await repo.upsertDevice(db, row)
      await changed()
      return deviceOf(row)
    },

    async saveDevices(inputs) {
      const now = clock()
      await repo.upsertDevices(
        db,
        inputs.map((d) => toRow(d, now)),
      )
      await changed()
      return inputs.length
    },

    async readings(deviceId, q) {
      if (!(await repo.findDevice(db, deviceId))) {
        throw new AppError('DEVICE_UNKNOWN', `device ${deviceId} is not registered`, 'id')
      }
      const limit = q.limit ?? 10_000
      if (q.resolution === 'raw') {
        const rows = await repo.rawReadings(db, deviceId, q.quantity, q.from, q.to, limit)
        return rows.map((r) => ({ ts: Number(r.ts), quantity: r.quantity, value: r.value }))
      }
      const rows = await repo.rollups(db, deviceId, q.quantity, q.resolution, q.from, q.to, limit)
      return rows.map((r) => ({
        ts: Number(r.bucket),
        quantity: r.quantity,
        value: r.sum / r.count,
        min: r.min,
        max: r.max,
        count: r.count,
      }))
    },

    async latest(deviceIds) {
      const rows = await repo.latestReadings(db, deviceIds)
      return rows.map((r) => ({
        deviceId: r.device_id,
        quantity: r.quantity,
        ts: Number(r.ts),
        value: r.value,
      }))
    },

    async rules() {
      return (await registry()).rules
    },

    async saveRule(rule) {
      const { devices, rules } = await registry()
      const others = rules.filter((r) => r.id !== rule.id)
      const compiled = compileRules([...others, rule], devices)
      if (!compiled.ok) {
        throw AppError.from(compiled.error)
      }
      await repo.upsertRule(db, rule.id, JSON.stringify(rule), clock())
      await changed()
      return rule
    },

    async deleteRule(id) {
      if (!(await repo.deleteRule(db, id))) {
        throw new AppError('NOT_FOUND', `rule ${id} does not exist`, 'id')
      }
      await changed()
    },

    alarms: (f) =>
      repo.listAlarms(db, {
        ...(f.open ? { state: 'raised' } : {}),
        ...(f.since !== undefined ? { since: f.since } : {}),
        ...(f.deviceId ? { deviceId: f.deviceId } : {}),
        limit: f.limit,
      }),

    async stats() {
      return (await repo.counters(db)).map((r) => ({ ...r, count: Number(r.count) }))
    },

    registry,

    openAlarms: () => repo.openAlarmKeys(db),

    async history(needs) {
      const out: Reading[] = []
      for (const n of needs) {
        const rows = await repo.rawReadings(
          db,
          n.deviceId,
          n.quantity,
          n.from,
          Number.MAX_SAFE_INTEGER,
          10_000,
        )
        for (const r of rows) {
          out.push({ deviceId: r.device_id, quantity: r.quantity, ts: Number(r.ts), value: r.value })
        }
      }
      return out.sort((a, b) => a.ts - b.ts)
    },

    purge(now) {
      return repo.purgeReadings(db, now - deps.retention.rawDays * DAY, now - deps.retention.rollupDays * DAY)
    },

    onChange(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
}

/** Unit and range of a quantity, for presenting readings. */
export function quantitySpec(kind: DeviceKind, quantity: string) {
  return DEVICE_KINDS[kind].quantities[quantity]
}
