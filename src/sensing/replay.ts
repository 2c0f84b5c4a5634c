import { createReadStream } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { extname } from 'node:path'
import { setTimeout as sleepFor } from 'node:timers/promises'
import { parse } from 'csv-parse'
import { parseRfc3339 } from '../core/sensing/rfc3339.ts'
import { DEVICE_KINDS } from '../core/sensing/sensing.types.ts'
import type { Reading } from '../core/sensing/sensing.types.ts'
import type { Instant } from '../core/time.ts'

export interface ReadReplayOptions {
  /** Only these quantities (e.g. ['pm25']); default: every quantity the file has. */
  readonly quantities?: readonly string[]
}

export interface ReplayOptions {
  /** Stamp each reading with the wall time it is published at, so a live ingest's skew check accepts old data. */
  readonly retime?: boolean
  readonly signal?: AbortSignal
  /** Injected clock and sleep, for tests. */
  readonly clock?: () => Instant
  readonly sleep?: (ms: number) => Promise<void>
}

export interface ReplayStats {
  readonly published: number
  readonly firstTs?: Instant
  readonly lastTs?: Instant
  readonly wallMs: number
}

/**
 * Read a recorded series as readings of one device, in time order. Formats, by extension:
 * `.csv` — Beijing Multi-Site Air-Quality (PRSA_Data_*.csv): local Beijing time in year/month/day/hour
 * columns (UTC+8, no daylight saving since 1991), "NA" = missing (skipped); `.json` — the Rangsit canal
 * water-level list (`[{ water_level_cm, record_time }]`), quantity `level` in cm.
 * Throws on an unknown format or a file whose header does not match.
 */
export function readReplayFile(
  path: string,
  deviceId: string,
  opts: ReadReplayOptions = {},
): AsyncIterable<Reading> {
  const ext = extname(path).toLowerCase()
  if (ext === '.csv') {
    return readAirQualityCsv(path, deviceId, opts)
  }
  if (ext === '.json') {
    return readWaterLevelJson(path, deviceId, opts)
  }
  throw new Error(`replay: cannot read ${path}: expected a PRSA air-quality .csv or a water-level .json`)
}

/**
 * Publish readings at `speed`× the pace of their timestamps (0 = as fast as the publisher takes them).
 * The pace is held against the start, so slow publishes do not accumulate drift. Stops early when
 * `signal` aborts (the promise then rejects with the abort reason).
 */
export async function replay(
  readings: AsyncIterable<Reading> | Iterable<Reading>,
  speed: number,
  publish: (r: Reading) => void | Promise<void>,
  opts: ReplayOptions = {},
): Promise<ReplayStats> {
  if (!(speed >= 0) || !Number.isFinite(speed)) {
    throw new Error(`replay: speed must be ≥ 0, got ${speed}`)
  }
  const clock = opts.clock ?? Date.now
  const sleep = opts.sleep ?? ((ms: number) => sleepFor(ms, undefined, { signal: opts.signal }))
  const wallStart = clock()
  let published = 0
  let firstTs: Instant | undefined
  let lastTs: Instant | undefined
  for await (const r of readings) {
    opts.signal?.throwIfAborted()
    firstTs ??= r.ts
    lastTs = r.ts
    if (speed > 0) {
      const due = wallStart + (r.ts - firstTs) / speed
      const wait = due - clock()
      if (wait > 0) {
        await sleep(wait)
      }
    }
    const out = opts.retime ? { ...r, ts: Math.round(clock()) } : r
    const p = publish(out)
    if (p) {
      await p
    }
    published++
  }
  return { published, firstTs, lastTs, wallMs: clock() - wallStart }
}

// ---------------------------------------------------------------------------------------------------

const BEIJING_OFFSET_MS = 8 * 3600_000

/** PRSA column → air-quality quantity. RAIN and wind direction have no air-quality quantity. */
const PRSA_COLUMNS: Readonly<Record<string, string>> = {
  'PM2.5': 'pm25',
  PM10: 'pm10',
  SO2: 'so2',
  NO2: 'no2',
  CO: 'co',
  O3: 'o3',
  TEMP: 'temperature',
  PRES: 'pressure',
  DEWP: 'dewpoint',
  WSPM: 'windSpeed',
}

async function* readAirQualityCsv(
  path: string,
  deviceId: string,
  opts: ReadReplayOptions,
): AsyncGenerator<Reading> {
  const want = opts.quantities ? new Set(opts.quantities) : undefined
  const quantities = DEVICE_KINDS['air-quality'].quantities
  const parser = createReadStream(path).pipe(parse({ columns: true, skip_empty_lines: true, trim: true }))
  let header: { column: string; quantity: string; unit: string }[] | undefined
  for await (const row of parser as AsyncIterable<Record<string, string>>) {
    if (!header) {
      for (const c of ['year', 'month', 'day', 'hour']) {
        if (!(c in row)) {
          throw new Error(`replay: ${path} has no ${c} column; not a PRSA air-quality file`)
        }
      }
      header = Object.entries(PRSA_COLUMNS)
        .filter(([column, quantity]) => column in row && (!want || want.has(quantity)))
        .map(([column, quantity]) => ({ column, quantity, unit: quantities[quantity].unit }))
    }
    const ts = Date.UTC(+row.year, +row.month - 1, +row.day, +row.hour) - BEIJING_OFFSET_MS
    if (!Number.isFinite(ts)) {
      throw new Error(`replay: ${path}: bad date in row ${row.No ?? '?'}`)
    }
    for (const h of header) {
      const raw = row[h.column]
      if (raw === undefined || raw === '' || raw === 'NA') {
        continue
      }
      const value = Number(raw)
      if (Number.isFinite(value)) {
        yield { deviceId, ts, quantity: h.quantity, value, unit: h.unit }
      }
    }
  }
}

async function* readWaterLevelJson(
  path: string,
  deviceId: string,
  opts: ReadReplayOptions,
): AsyncGenerator<Reading> {
  if (opts.quantities && !opts.quantities.includes('level')) {
    return
  }
  const data: unknown = JSON.parse(await readFile(path, 'utf8'))
  if (!Array.isArray(data)) {
    throw new Error(`replay: ${path} is not a JSON array of water-level records`)
  }
  const readings: Reading[] = []
  for (const rec of data as { water_level_cm?: unknown; record_time?: unknown }[]) {
    const ts = typeof rec.record_time === 'string' ? parseRfc3339(rec.record_time) : undefined
    if (ts === undefined || typeof rec.water_level_cm !== 'number' || !Number.isFinite(rec.water_level_cm)) {
      continue
    }
    readings.push({ deviceId, ts, quantity: 'level', value: rec.water_level_cm, unit: 'cm' })
  }
  readings.sort((a, b) => a.ts - b.ts)
  yield* readings
}
