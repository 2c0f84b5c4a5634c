import type { ErrorCode } from '../../core/errors.ts'
import {
  compileRules,
  createRuleState,
  evaluate,
  historyNeeded,
  restoreAlarms,
  tick as tickRules,
} from '../../core/sensing/rules.ts'
import type { HistoryNeed, OpenAlarm, RuleSet, RuleState } from '../../core/sensing/rules.ts'
import type { AlarmRule, AlarmTransition, Device, Reading } from '../../core/sensing/sensing.types.ts'
import { dropReasonOf, validateReading } from '../../core/sensing/validate.ts'
import type { DropReason, ValidateOptions } from '../../core/sensing/validate.ts'
import { HOUR, MINUTE } from '../../core/time.ts'
import type { Clock } from '../../services/ports.ts'
import type { IngestDropTable, ReadingRollupTable } from '../../store/database.ts'
import type { ReadingWriter } from '../../store/sensing.repository.ts'

/** Where a message came from; counters are kept per channel. */
export type IngestChannel = 'mqtt' | 'http' | 'ngsi-ld'

/** What became of one device message. */
export type SubmitOutcome =
  | { readonly ok: true; readonly readings: number; readonly duplicates: number }
  | {
      readonly ok: false
      readonly reason: DropReason
      readonly code: ErrorCode
      readonly message: string
      readonly field?: string
    }

/**
 * Told once what became of a message: after its readings are committed (or at once when it was
 * dropped); `error` when the commit failed and nothing of it was stored.
 */
export type SubmitCallback = (error: unknown, outcome?: SubmitOutcome) => void

/** Handles alarm transitions after the readings that caused them are committed. */
export interface TransitionSink {
  handle(transitions: readonly AlarmTransition[], ctx: RegistryView): Promise<void>
}

/** The compiled registry the sink needs to describe a transition. */
export interface RegistryView {
  readonly devices: ReadonlyMap<string, Device>
  readonly rules: ReadonlyMap<string, AlarmRule>
}

export interface SensorIngestDeps {
  /** stores readings, rollups and counters in one transaction */
  readonly writer: ReadingWriter
  readonly clock: Clock
  /** devices and rules, from the registry */
  readonly registry: () => Promise<{ devices: Device[]; rules: AlarmRule[] }>
  readonly sink: TransitionSink
  /**
   * The alarms the store holds open and the readings behind them: on its first load the engine takes
   * them back, so a restart neither raises an open alarm twice nor forgets to clear it.
   */
  readonly restore?: {
    openAlarms(): Promise<OpenAlarm[]>
    history(needs: readonly HistoryNeed[]): Promise<Reading[]>
  }
  readonly validate?: ValidateOptions
  /** most messages committed in one transaction */
  readonly maxBatch?: number
  readonly log?: (msg: string) => void
}

export interface SensorIngest {
  /** Validate, store and evaluate one device message. Resolves after its readings are committed. */
  submit(deviceId: string, raw: unknown, channel: IngestChannel): Promise<SubmitOutcome>
  /**
   * `submit` for high-rate adapters (MQTT): the same path and the same guarantee — `done` runs after
   * the commit — without a promise per message.
   */
  accept(deviceId: string, raw: unknown, channel: IngestChannel, done: SubmitCallback): void
  /** Evaluate no-signal rules now (the engine's periodic tick). */
  tick(): Promise<void>
  /** Recompile devices and rules from the registry (alarm memory carries over). */
  reload(): Promise<void>
  /** The device registered under an id, as compiled (undefined before the first reload). */
  device(id: string): Device | undefined
  /** Start the periodic tick and registry refresh. */
  start(o?: { tickMs?: number; refreshMs?: number }): void
  /** Resolve once everything queued so far is committed and its alarms handled. */
  drain(): Promise<void>
  stop(): Promise<void>
}

interface Pending {
  readonly channel: IngestChannel
  readonly readings: readonly Reading[]
  readonly done: SubmitCallback
}

/**
 * The sensor ingest: validate → store (group commit) → rules → alarm transitions.
 *
 * Like case intake, messages arriving while a commit runs wait and go in the next transaction as
 * multi-row inserts, and each caller is answered after its own commit — so an MQTT PUBACK or an
 * HTTP 200 sent on that answer means the reading is durable. A reading already stored (a QoS 1
 * redelivery) is skipped by the primary key and neither rolled up nor evaluated twice.
 */
export function createSensorIngest(deps: SensorIngestDeps): SensorIngest {
  const maxBatch = deps.maxBatch ?? 2000
  const log = deps.log ?? (() => {})
  let ruleSet: RuleSet | undefined
  let ruleById = new Map<string, AlarmRule>()
  let state: RuleState = createRuleState(deps.clock())
  let queue: Pending[] = []
  const drops = new Map<string, number>()
  let running: Promise<void> | undefined
  let alarmWork: Promise<void> = Promise.resolve()
  let loading: Promise<void> | undefined
  let reloads: Promise<void> = Promise.resolve()
  const timers: NodeJS.Timeout[] = []

  function count(channel: IngestChannel, reason: string, n = 1): void {
    const k = `${channel}\u0000${reason}`
    drops.set(k, (drops.get(k) ?? 0) + n)
  }

  function schedule(): void {
    if (running) {
      return
    }
    // next event-loop turn: let messages already waiting on sockets join this commit
    running = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => {
        let batch: Pending[]
        if (queue.length <= maxBatch) {
          batch = queue
          queue = []
        } else {
          batch = queue.splice(0, maxBatch)
        }
        return flush(batch)
      })
      .finally(() => {
        running = undefined
        if (queue.length > 0 || drops.size > 0) {
          schedule()
        }
      })
  }

  async function flush(batch: readonly Pending[]): Promise<void> {
    const now = deps.clock()
    const rows: Reading[] = []
    for (const p of batch) {
      for (const r of p.readings) {
        rows.push(r)
      }
    }
    const counted = [...drops]
    drops.clear()
    let inserted: boolean[]
    try {
      inserted = await deps.writer.commit(rows, (fresh) => ({
        rollups: rollupsOf(rows, fresh),
        counters: countersOf(counted, batch, fresh),
      }))
    } catch (e) {
      // nothing was stored: the counters go back, every caller hears the failure (MQTT will redeliver)
      for (const [k, n] of counted) {
        drops.set(k, (drops.get(k) ?? 0) + n)
      }
      for (const p of batch) {
        answer(p.done, e)
      }
      return
    }
    const transitions: AlarmTransition[] = []
    let i = 0
    for (const p of batch) {
      let dup = 0
      for (const r of p.readings) {
        if (!inserted[i++]) {
          dup++
          continue
        }
        if (!ruleSet) {
          continue
        }
        const ev = evaluate(state, ruleSet, r, now)
        state = ev.state
        if (ev.transitions.length > 0) {
          transitions.push(...ev.transitions)
        }
      }
      answer(p.done, undefined, outcomeOf(p.readings.length - dup, dup))
    }
    if (transitions.length > 0) {
      sink(transitions)
    }
  }

  /** A caller's callback must not stop the others of its batch from hearing their answer. */
  function answer(done: SubmitCallback, error: unknown, outcome?: SubmitOutcome): void {
    try {
      done(error, outcome)
    } catch (e) {
      log(`sensor ingest: a caller's callback threw: ${String(e)}`)
    }
  }

  function sink(transitions: readonly AlarmTransition[]): void {
    const ctx: RegistryView = { devices: ruleSet?.devices ?? new Map(), rules: ruleById }
    alarmWork = alarmWork
      .then(() => deps.sink.handle(transitions, ctx))
      .catch((e: unknown) => log(`sensor alarms: ${(e as Error).message}`))
  }

  /** One reload at a time: the first one takes back the open alarms, exactly once. */
  function reload(): Promise<void> {
    const next = reloads.then(load)
    reloads = next.catch(() => undefined)
    return next
  }

  async function load(): Promise<void> {
    const { devices, rules } = await deps.registry()
    let compiled = compileRules(rules, devices)
    let usable = rules
    if (!compiled.ok) {
      // one bad rule must not silence the others: keep every rule that compiles on its own
      usable = rules.filter((r) => compileRules([r], devices).ok)
      log(`sensor rules: ${compiled.error.message}; running ${usable.length} of ${rules.length} rules`)
      compiled = compileRules(usable, devices)
    }
    if (!compiled.ok) {
      return
    }
    let restored: readonly AlarmTransition[] = []
    if (!ruleSet && deps.restore) {
      // first load (a start or restart), before any reading is evaluated
      const open = await deps.restore.openAlarms()
      const history = open.length > 0 ? await deps.restore.history(historyNeeded(compiled.value, open)) : []
      const ev = restoreAlarms(state, compiled.value, open, history)
      state = ev.state
      restored = ev.transitions
      if (open.length > 0) {
        log(
          `sensor rules: open alarms taken back: ${open.length} (${restored.length} cleared by stored readings)`,
        )
      }
    }
    ruleSet = compiled.value
    ruleById = new Map(usable.map((r) => [r.id, r]))
    if (restored.length > 0) {
      sink(restored)
    }
  }

  function ensureLoaded(): Promise<void> {
    loading ??= reload()
    return loading
  }

  function accept(deviceId: string, raw: unknown, channel: IngestChannel, done: SubmitCallback): void {
    if (ruleSet) {
      take(deviceId, raw, channel, done)
      return
    }
    ensureLoaded().then(
      () => take(deviceId, raw, channel, done),
      (e: unknown) => answer(done, e),
    )
  }

  function take(deviceId: string, raw: unknown, channel: IngestChannel, done: SubmitCallback): void {
    const r = validateReading(raw, ruleSet?.devices.get(deviceId), deps.clock(), deps.validate)
    if (!r.ok) {
      const reason = dropReasonOf(r.error) ?? 'malformed'
      count(channel, reason)
      schedule()
      answer(done, undefined, {
        ok: false,
        reason,
        code: r.error.code,
        message: r.error.message,
        ...(r.error.field ? { field: r.error.field } : {}),
      })
      return
    }
    queue.push({ channel, readings: r.value, done })
    schedule()
  }

  return {
    submit(deviceId, raw, channel) {
      return new Promise<SubmitOutcome>((resolve, reject) =>
        accept(deviceId, raw, channel, (e, o) =>
          o ? resolve(o) : reject(e instanceof Error ? e : new Error(String(e))),
        ),
      )
    },

    accept,

    async tick() {
      if (!ruleSet) {
        await ensureLoaded()
      }
      if (!ruleSet) {
        return
      }
      const ev = tickRules(state, ruleSet, deps.clock())
      state = ev.state
      if (ev.transitions.length > 0) {
        sink(ev.transitions)
      }
      await alarmWork
    },

    async reload() {
      loading = reload()
      await loading
    },

    device: (id) => ruleSet?.devices.get(id),

    start(o = {}) {
      void ensureLoaded()
      const t = setInterval(
        () => void this.tick().catch((e: unknown) => log(`sensor tick: ${String(e)}`)),
        o.tickMs ?? 5000,
      )
      const r = setInterval(
        () => void this.reload().catch((e: unknown) => log(`sensor registry: ${String(e)}`)),
        o.refreshMs ?? 60_000,
      )
      t.unref()
      r.unref()
      timers.push(t, r)
    },

    async drain() {
      while (running) {
        await running
      }
      await alarmWork
    },

    async stop() {
      for (const t of timers) {
        clearInterval(t)
      }
      timers.length = 0
      await this.drain()
    },
  }
}

/** The answers most messages get, shared: one or two readings stored, none a repeat. */
const STORED: readonly SubmitOutcome[] = [0, 1, 2, 3, 4].map((n) =>
  Object.freeze({ ok: true, readings: n, duplicates: 0 }),
)

function outcomeOf(readings: number, duplicates: number): SubmitOutcome {
  return duplicates === 0 && readings < STORED.length ? STORED[readings] : { ok: true, readings, duplicates }
}

const RESOLUTIONS = [
  ['1m', MINUTE],
  ['1h', HOUR],
] as const

/**
 * 1-minute and 1-hour aggregates of the newly stored readings of a batch, one row per bucket.
 * Keyed device → quantity → the few buckets a batch touches, so no key string is built per reading.
 */
function rollupsOf(rows: readonly Reading[], fresh: readonly boolean[]): ReadingRollupTable[] {
  const out: ReadingRollupTable[] = []
  const byDevice = new Map<string, Map<string, ReadingRollupTable[]>>()
  for (let i = 0; i < rows.length; i++) {
    if (!fresh[i]) {
      continue
    }
    const r = rows[i]
    let byQuantity = byDevice.get(r.deviceId)
    if (!byQuantity) {
      byQuantity = new Map()
      byDevice.set(r.deviceId, byQuantity)
    }
    let buckets = byQuantity.get(r.quantity)
    if (!buckets) {
      buckets = []
      byQuantity.set(r.quantity, buckets)
    }
    for (const [resolution, size] of RESOLUTIONS) {
      const bucket = Math.floor(r.ts / size) * size
      let a: ReadingRollupTable | undefined
      for (const b of buckets) {
        if (b.bucket === bucket && b.resolution === resolution) {
          a = b
          break
        }
      }
      if (a) {
        a.min = Math.min(a.min, r.value)
        a.max = Math.max(a.max, r.value)
        a.sum += r.value
        a.count++
      } else {
        const b: ReadingRollupTable = {
          device_id: r.deviceId,
          quantity: r.quantity,
          resolution,
          bucket,
          min: r.value,
          max: r.value,
          sum: r.value,
          count: 1,
        }
        buckets.push(b)
        out.push(b)
      }
    }
  }
  return out
}

function countersOf(
  drops: readonly [string, number][],
  batch: readonly Pending[],
  inserted: readonly boolean[],
): IngestDropTable[] {
  const m = new Map<string, number>(drops)
  const add = (k: string, n: number) => {
    if (n > 0) {
      m.set(k, (m.get(k) ?? 0) + n)
    }
  }
  // accepted/duplicate per channel; `inserted` follows the batch's readings in order
  let i = 0
  for (const p of batch) {
    let ok = 0
    for (let k = 0; k < p.readings.length; k++) {
      if (inserted[i++]) {
        ok++
      }
    }
    add(`${p.channel}\u0000accepted`, ok)
    add(`${p.channel}\u0000duplicate`, p.readings.length - ok)
  }
  return [...m].map(([k, count]) => {
    const [channel, reason] = k.split('\u0000')
    return { channel: channel, reason: reason, count }
  })
}
