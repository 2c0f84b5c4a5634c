import { fail, ok } from '../errors.ts'
import type { Result } from '../errors.ts'
import type { Instant } from '../time.ts'
import { DEVICE_KINDS } from './sensing.types.ts'
import type {
  AlarmRule,
  AlarmTransition,
  AtomicRule,
  CombinationRule,
  Device,
  MemberRule,
  NoSignalRule,
  RateRule,
  Reading,
  RuleScope,
  ThresholdRule,
} from './sensing.types.ts'

/** The periodic input that lets silence be noticed: no reading ever says "I am gone". */
export interface Tick {
  readonly type: 'tick'
}
export const TICK: Tick = Object.freeze({ type: 'tick' })

/** Rules compiled against the device registry: per-device, per-quantity lookups. Immutable. */
export interface RuleSet {
  readonly rules: readonly AlarmRule[]
  readonly devices: ReadonlyMap<string, Device>
  /** @internal */ readonly deviceIndex: ReadonlyMap<string, number>
  /** @internal */ readonly perDevice: readonly (DeviceSlots | undefined)[]
  /** @internal */ readonly slots: readonly Slot[]
  /** @internal */ readonly noSignal: readonly Slot[]
}

/**
 * Alarm memory: debounce runs, active alarms, rate windows, last-seen times, combination members.
 *
 * Owned by the engine: {@link evaluate} advances it in place and returns it, so treat the state you
 * passed in as consumed (a linear reducer). Copying it per reading would cost more than the rule work
 * itself at ingest rates; use {@link cloneRuleState} to branch. Memory is keyed by rule id and device
 * id, so a recompiled RuleSet (new device, edited rule list) keeps the memory of unchanged rules; the
 * hot path reaches it through arrays indexed by the RuleSet's slot and device numbers, rebuilt once
 * when a different RuleSet is first used.
 */
export interface RuleState {
  /** @internal canonical memory by slot key */ readonly slots: Map<string, SlotState>
  /** @internal */ readonly combos: Map<string, ComboState>
  /** @internal the same SlotState objects, by slot index of `boundTo` */ cells: (SlotState | undefined)[]
  /** @internal last arrival per device index of `boundTo`; NaN = never */ lastSeen: number[]
  /** @internal */ boundTo: RuleSet | undefined
  /** Devices never heard from count their silence from max(installedAt, startedAt). */
  readonly startedAt: Instant
}

export interface Evaluated {
  readonly state: RuleState
  readonly transitions: readonly AlarmTransition[]
}

/** A fresh state. `startedAt` keeps a restarted engine from calling every device silent at once. */
export function createRuleState(startedAt: Instant = 0): RuleState {
  return { slots: new Map(), combos: new Map(), cells: [], lastSeen: [], boundTo: undefined, startedAt }
}

/** A deep copy, for what-if evaluation or tests that branch. */
export function cloneRuleState(s: RuleState): RuleState {
  const slots = new Map<string, SlotState>()
  for (const [k, v] of s.slots) {
    slots.set(k, v.t === 'rate' ? { ...v, minQ: cloneQ(v.minQ), maxQ: cloneQ(v.maxQ) } : { ...v })
  }
  const combos = new Map<string, ComboState>()
  for (const [k, v] of s.combos) {
    combos.set(k, { active: v.active, members: v.members.map((m) => new Set(m)) })
  }
  const copy: RuleState = {
    slots,
    combos,
    cells: [],
    lastSeen: s.lastSeen.slice(),
    boundTo: undefined,
    startedAt: s.startedAt,
  }
  if (s.boundTo) {
    copy.cells = s.boundTo.slots.map((slot) => slots.get(slot.key))
    copy.boundTo = s.boundTo
  }
  return copy
}

/** Keys of the alarms currently raised (for the cockpit, or to reconcile with open cases after a restart). */
export function activeAlarmKeys(s: RuleState, rules: RuleSet): string[] {
  const keys: string[] = []
  for (const slot of rules.slots) {
    if (slot.owner.type === 'rule' && s.slots.get(slot.key)?.active) {
      keys.push(slot.key)
    }
  }
  for (const [k, c] of s.combos) {
    if (c.active) {
      keys.push(k)
    }
  }
  return keys.sort()
}

/** An alarm the store still holds as raised: its key (as in {@link AlarmTransition}) and latest raise. */
export interface OpenAlarm {
  readonly key: string
  /** when it was last raised: the reading's `ts` (the tick's `now` for no-signal) */
  readonly raisedAt: Instant
}

/** A stored series a restart should read back: the readings of one device's quantity since `from`. */
export interface HistoryNeed {
  readonly deviceId: string
  readonly quantity: string
  readonly from: Instant
}

/**
 * The stored readings {@link restoreAlarms} needs for these open alarms: for each device and
 * quantity under an open alarm, the readings since its raise — a rate rule's from one window before
 * it, to refill the window the clear is judged on.
 */
export function historyNeeded(rules: RuleSet, open: readonly OpenAlarm[]): HistoryNeed[] {
  const need = new Map<string, HistoryNeed>()
  for (const { slot, raisedAt } of restoredSlots(rules, open)) {
    if (slot.cond.type === 'no-signal') {
      continue
    }
    const from = slot.cond.type === 'rate' ? raisedAt - slot.cond.windowMs : raisedAt
    const k = `${slot.device.id}|${slot.cond.quantity}`
    const had = need.get(k)
    if (!had || from < had.from) {
      need.set(k, { deviceId: slot.device.id, quantity: slot.cond.quantity, from })
    }
  }
  return [...need.values()]
}

/**
 * Reconcile a fresh engine with the alarms the store holds open (after a restart): each is raised
 * again in the state without a transition, so the next reading over the threshold is not a second
 * raise, and the return to normal still clears it (the sink then adds the evidence to its case).
 *
 * A combination is restored with its member conditions holding at every device of its place: a
 * device's next reading clears its membership if it is back to normal, so the alarm clears only on
 * evidence, never because the process forgot. `history` (oldest first; see {@link historyNeeded}) is
 * fed to the restored conditions only: readings before a raise refill rate windows, readings after
 * it are judged — a return to normal the previous process stored but never handled is returned as a
 * `cleared` transition. Keys of rules or devices no longer compiled are ignored.
 */
export function restoreAlarms(
  state: RuleState,
  rules: RuleSet,
  open: readonly OpenAlarm[],
  history: readonly Reading[] = [],
): Evaluated {
  if (state.boundTo !== rules) {
    bind(state, rules)
  }
  const since = new Map<number, Instant>()
  for (const { slot, raisedAt } of restoredSlots(rules, open)) {
    since.set(slot.index, raisedAt)
    const st = state.cells[slot.index] ?? cell(state, slot, factoryOf(slot.cond))
    st.active = true
    if (st.t === 'threshold') {
      st.run = 0
      st.lastTs = raisedAt
    }
    if (slot.owner.type === 'member') {
      const owner = slot.owner
      let combo = state.combos.get(owner.comboKey)
      if (!combo) {
        combo = { active: true, members: owner.rule.members.map(() => new Set<string>()) }
        state.combos.set(owner.comboKey, combo)
      }
      combo.active = true
      combo.members[owner.member].add(slot.device.id)
    }
  }
  let out: AlarmTransition[] | undefined
  for (const r of history) {
    const d = rules.deviceIndex.get(r.deviceId)
    const dev = d === undefined ? undefined : rules.perDevice[d]
    const q = dev ? dev.quantities.indexOf(r.quantity) : -1
    if (!dev || q < 0) {
      continue
    }
    for (const slot of dev.lists[q]) {
      const raisedAt = since.get(slot.index)
      if (raisedAt === undefined) {
        continue
      }
      let change: 'raised' | 'cleared' | undefined
      if (slot.cond.type === 'threshold') {
        change = stepThreshold(state, slot, slot.cond, r)
      } else if (r.ts <= raisedAt) {
        fillRate(state, slot, slot.cond as RateRule, r)
      } else {
        change = stepRate(state, slot, slot.cond as RateRule, r)
      }
      if (change) {
        out = emit(state, slot, change, r.ts, r.value, out)
      }
    }
  }
  return { state, transitions: out ?? NONE }
}

/**
 * Check and index rules against the devices. Fails (VALIDATION_FAILED / DEVICE_UNKNOWN) on duplicate
 * ids, malformed class ids, quantities a scoped kind does not measure, unknown devices in a scope, or
 * a clear value on the wrong side of its threshold. Combination members grouped by grid code skip
 * devices that have no grid code.
 */
export function compileRules(rules: readonly AlarmRule[], devices: readonly Device[]): Result<RuleSet> {
  const deviceMap = new Map(devices.map((d) => [d.id, d]))
  const deviceIndex = new Map(devices.map((d, i) => [d.id, i]))
  // Pre-sized and packed: filling a sparse array out of order can drop V8 into slow dictionary mode.
  const perDevice: ({ quantities: string[]; lists: Slot[][]; noSignal: Slot[] } | undefined)[] = devices.map(
    () => undefined,
  )
  const all: Slot[] = []
  const noSignal: Slot[] = []
  const ids = new Set<string>()
  const add = (partial: Omit<Slot, 'index' | 'deviceIndex'>) => {
    const slot: Slot = { ...partial, index: all.length, deviceIndex: deviceIndex.get(partial.device.id)! }
    all.push(slot)
    const entry = (perDevice[slot.deviceIndex] ??= { quantities: [], lists: [], noSignal: [] })
    if (slot.cond.type === 'no-signal') {
      entry.noSignal.push(slot)
      noSignal.push(slot)
    } else {
      const q = entry.quantities.indexOf(slot.cond.quantity)
      if (q >= 0) {
        entry.lists[q].push(slot)
      } else {
        entry.quantities.push(slot.cond.quantity)
        entry.lists.push([slot])
      }
    }
  }

  for (const rule of rules) {
    if (ids.has(rule.id)) {
      return fail('VALIDATION_FAILED', `rule id ${rule.id} is used twice`, 'id')
    }
    ids.add(rule.id)
    if (rule.id.includes('|') || rule.id.includes('@') || rule.id.includes('#')) {
      return fail('VALIDATION_FAILED', `rule id ${rule.id} may not contain | @ #`, 'id')
    }
    if (!/^[CE]\d{4}$/.test(rule.classId)) {
      return fail(
        'VALIDATION_FAILED',
        `rule ${rule.id}: classId ${rule.classId} is not C|E + 4 digits`,
        'classId',
      )
    }
    if (rule.type === 'combination') {
      if (rule.members.length === 0) {
        return fail('VALIDATION_FAILED', `rule ${rule.id} has no members`, 'members')
      }
      for (let m = 0; m < rule.members.length; m++) {
        const member = rule.members[m]
        const checked = checkCondition(rule.id, member, deviceMap)
        if (!checked.ok) {
          return checked
        }
        for (const device of checked.value) {
          const place = rule.groupBy === 'rule' ? rule.id : device.gridCode
          if (place === undefined) {
            continue
          }
          add({
            key: `${rule.id}#${m}|${device.id}`,
            cond: member,
            device,
            owner: { type: 'member', rule, member: m, comboKey: `${rule.id}@${place}`, place },
          })
        }
      }
    } else {
      const checked = checkCondition(rule.id, rule, deviceMap)
      if (!checked.ok) {
        return checked
      }
      for (const device of checked.value) {
        add({ key: `${rule.id}|${device.id}`, cond: rule, device, owner: { type: 'rule', rule } })
      }
    }
  }
  return ok({ rules, devices: deviceMap, deviceIndex, perDevice, slots: all, noSignal })
}

const NONE: readonly AlarmTransition[] = Object.freeze([])

/**
 * Feed one reading (or a {@link TICK}) through the rules. Readings advance threshold and rate rules
 * of their device and quantity and end that device's silence; ticks raise no-signal alarms. `now` is
 * the arrival time (silence is about arrival, not about the device's own clock). Readings of a rule
 * that are not newer than the last one it saw (duplicates, out-of-order) are ignored by that rule.
 */
export function evaluate(state: RuleState, rules: RuleSet, input: Reading | Tick, now: Instant): Evaluated {
  if ((input as Tick).type === 'tick') {
    return tick(state, rules, now)
  }
  const reading = input as Reading
  if (state.boundTo !== rules) {
    bind(state, rules)
  }
  const d = rules.deviceIndex.get(reading.deviceId)
  if (d === undefined) {
    return { state, transitions: NONE }
  }
  state.lastSeen[d] = now
  const dev = rules.perDevice[d]
  if (!dev) {
    return { state, transitions: NONE }
  }
  let out: AlarmTransition[] | undefined
  for (const slot of dev.noSignal) {
    const st = state.cells[slot.index]
    if (st?.active) {
      st.active = false
      out = emit(state, slot, 'cleared', now, undefined, out)
    }
  }
  const q = dev.quantities.indexOf(reading.quantity)
  if (q >= 0) {
    const slots = dev.lists[q]
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i]
      const change =
        slot.cond.type === 'threshold'
          ? stepThreshold(state, slot, slot.cond, reading)
          : stepRate(state, slot, slot.cond as RateRule, reading)
      if (change) {
        out = emit(state, slot, change, reading.ts, reading.value, out)
      }
    }
  }
  return { state, transitions: out ?? NONE }
}

/** Raise no-signal alarms for devices silent past their allowance. Call every few seconds. */
export function tick(state: RuleState, rules: RuleSet, now: Instant): Evaluated {
  if (state.boundTo !== rules) {
    bind(state, rules)
  }
  let out: AlarmTransition[] | undefined
  for (const slot of rules.noSignal) {
    if (state.cells[slot.index]?.active) {
      continue
    }
    const cond = slot.cond as NoSignalRule
    const seen = state.lastSeen[slot.deviceIndex]
    const last = Number.isNaN(seen) ? Math.max(slot.device.installedAt, state.startedAt) : seen
    if (now - last > cond.intervals * slot.device.expectedIntervalSec * 1000) {
      const st = state.cells[slot.index] ?? cell(state, slot, newNoSignal)
      st.active = true
      out = emit(state, slot, 'raised', now, undefined, out)
    }
  }
  return { state, transitions: out ?? NONE }
}

// ---------------------------------------------------------------------------------------------------

type Condition = AtomicRule | MemberRule

interface Slot {
  readonly key: string
  readonly index: number
  readonly deviceIndex: number
  readonly cond: Condition
  readonly device: Device
  readonly owner:
    | { readonly type: 'rule'; readonly rule: AtomicRule }
    | {
        readonly type: 'member'
        readonly rule: CombinationRule
        readonly member: number
        readonly comboKey: string
        readonly place: string
      }
}

/** A device's slots; quantities are few per device, so a scan beats a Map. */
interface DeviceSlots {
  readonly quantities: readonly string[]
  readonly lists: readonly (readonly Slot[])[]
  readonly noSignal: readonly Slot[]
}

/** Point the index arrays at a (new) RuleSet, carrying memory over by key and device id. */
function bind(state: RuleState, rules: RuleSet): void {
  const old = state.boundTo
  const lastSeen = new Array<number>(rules.deviceIndex.size).fill(Number.NaN)
  if (old) {
    for (const [id, i] of rules.deviceIndex) {
      const j = old.deviceIndex.get(id)
      if (j !== undefined) {
        lastSeen[i] = state.lastSeen[j]!
      }
    }
  }
  state.cells = rules.slots.map((slot) => state.slots.get(slot.key))
  state.lastSeen = lastSeen
  state.boundTo = rules
}

/** The slot's memory on first use: found by key (after a recompile) or created, then indexed. */
function cell(state: RuleState, slot: Slot, create: () => SlotState): SlotState {
  const st = state.slots.get(slot.key) ?? create()
  state.slots.set(slot.key, st)
  state.cells[slot.index] = st
  return st
}

// Module-level factories: a closure per reading would be an allocation on the hot path.
const newThreshold = (): SlotState => ({
  t: 'threshold',
  active: false,
  run: 0,
  runStart: 0,
  lastTs: -Infinity,
})
const newNoSignal = (): SlotState => ({ t: 'no-signal', active: false })
const newRate = (): SlotState => ({
  t: 'rate',
  active: false,
  lastTs: -Infinity,
  minQ: { ts: [], vs: [], head: 0 },
  maxQ: { ts: [], vs: [], head: 0 },
})

/** A monotonic deque of (ts, value) kept in two parallel arrays with a moving head. */
interface Deque {
  ts: number[]
  vs: number[]
  head: number
}

type SlotState =
  | { t: 'threshold'; active: boolean; run: number; runStart: Instant; lastTs: Instant }
  | { t: 'rate'; active: boolean; lastTs: Instant; minQ: Deque; maxQ: Deque }
  | { t: 'no-signal'; active: boolean }

interface ComboState {
  active: boolean
  /** Per member: devices at this place where the member currently holds. */
  members: Set<string>[]
}

function stepThreshold(
  state: RuleState,
  slot: Slot,
  c: Omit<ThresholdRule, 'id' | 'classId' | 'severity'>,
  r: Reading,
) {
  const st = state.cells[slot.index] ?? cell(state, slot, newThreshold)
  if (st.t !== 'threshold' || r.ts <= st.lastTs) {
    return undefined
  }
  const v = r.value
  const holds = c.op === '>' ? v > c.value : v < c.value
  let change: 'raised' | 'cleared' | undefined
  if (!st.active) {
    if (holds) {
      const gap = c.debounce?.maxGapMs
      if (st.run === 0 || (gap !== undefined && r.ts - st.lastTs > gap)) {
        st.run = 1
        st.runStart = r.ts
      } else {
        st.run++
      }
      if (st.run >= (c.debounce?.count ?? 1) && r.ts - st.runStart >= (c.debounce?.forMs ?? 0)) {
        st.active = true
        change = 'raised'
      }
    } else {
      st.run = 0
    }
  } else {
    const back = c.clearValue === undefined ? !holds : c.op === '>' ? v < c.clearValue : v > c.clearValue
    if (back) {
      st.active = false
      st.run = 0
      change = 'cleared'
    }
  }
  st.lastTs = r.ts
  return change
}

function stepRate(
  state: RuleState,
  slot: Slot,
  c: Omit<RateRule, 'id' | 'classId' | 'severity'>,
  r: Reading,
) {
  const st = state.cells[slot.index] ?? cell(state, slot, newRate)
  if (st.t !== 'rate' || r.ts <= st.lastTs) {
    return undefined
  }
  st.lastTs = r.ts
  const from = r.ts - c.windowMs
  let delta = 0
  if (c.direction !== 'fall') {
    const lowest = pushAndFront(st.minQ, r.ts, r.value, from, (back, v) => back >= v)
    delta = r.value - lowest
  }
  if (c.direction !== 'rise') {
    const highest = pushAndFront(st.maxQ, r.ts, r.value, from, (back, v) => back <= v)
    delta = Math.max(delta, highest - r.value)
  }
  if (!st.active && delta > c.delta) {
    st.active = true
    return 'raised'
  }
  if (st.active && delta <= (c.clearDelta ?? c.delta)) {
    st.active = false
    return 'cleared'
  }
  return undefined
}

/** The compiled slots under open alarms: an atomic rule's own slot, a combination's member slots. */
function restoredSlots(rules: RuleSet, open: readonly OpenAlarm[]): { slot: Slot; raisedAt: Instant }[] {
  const raisedAt = new Map(open.map((a) => [a.key, a.raisedAt]))
  const out: { slot: Slot; raisedAt: Instant }[] = []
  for (const slot of rules.slots) {
    const at = raisedAt.get(slot.owner.type === 'rule' ? slot.key : slot.owner.comboKey)
    if (at !== undefined) {
      out.push({ slot, raisedAt: at })
    }
  }
  return out
}

function factoryOf(c: Condition): () => SlotState {
  switch (c.type) {
    case 'threshold':
      return newThreshold
    case 'rate':
      return newRate
    case 'no-signal':
      return newNoSignal
  }
}

/** A reading into a rate window with no verdict: history from before the alarm was raised. */
function fillRate(
  state: RuleState,
  slot: Slot,
  c: Omit<RateRule, 'id' | 'classId' | 'severity'>,
  r: Reading,
) {
  const st = state.cells[slot.index] ?? cell(state, slot, newRate)
  if (st.t !== 'rate' || r.ts <= st.lastTs) {
    return
  }
  st.lastTs = r.ts
  const from = r.ts - c.windowMs
  if (c.direction !== 'fall') {
    pushAndFront(st.minQ, r.ts, r.value, from, (back, v) => back >= v)
  }
  if (c.direction !== 'rise') {
    pushAndFront(st.maxQ, r.ts, r.value, from, (back, v) => back <= v)
  }
}

/** Push (t, v) keeping the deque monotonic, drop samples older than `from`, return the front value. */
function pushAndFront(
  q: Deque,
  t: number,
  v: number,
  from: number,
  dominated: (back: number, v: number) => boolean,
) {
  while (q.ts.length > q.head && dominated(q.vs[q.vs.length - 1], v)) {
    q.ts.pop()
    q.vs.pop()
  }
  q.ts.push(t)
  q.vs.push(v)
  while (q.ts[q.head] < from) {
    q.head++
  }
  // Compact now and then so a long-lived deque does not grow without bound.
  if (q.head > 32 && q.head * 2 > q.ts.length) {
    q.ts = q.ts.slice(q.head)
    q.vs = q.vs.slice(q.head)
    q.head = 0
  }
  return q.vs[q.head]
}

function cloneQ(q: Deque): Deque {
  return { ts: q.ts.slice(), vs: q.vs.slice(), head: q.head }
}

function emit(
  state: RuleState,
  slot: Slot,
  type: 'raised' | 'cleared',
  at: Instant,
  value: number | undefined,
  out: AlarmTransition[] | undefined,
): AlarmTransition[] | undefined {
  const quantity = slot.cond.type === 'no-signal' ? undefined : slot.cond.quantity
  const owner = slot.owner
  if (owner.type === 'rule') {
    const { id, classId, severity } = owner.rule
    ;(out ??= []).push(
      transition(type, slot.key, id, classId, severity, slot.device.id, undefined, quantity, value, at),
    )
    return out
  }
  const rule = owner.rule
  let combo = state.combos.get(owner.comboKey)
  if (!combo) {
    state.combos.set(
      owner.comboKey,
      (combo = { active: false, members: rule.members.map(() => new Set<string>()) }),
    )
  }
  if (type === 'raised') {
    combo.members[owner.member].add(slot.device.id)
  } else {
    combo.members[owner.member].delete(slot.device.id)
  }
  const holds =
    rule.mode === 'all' ? combo.members.every((m) => m.size > 0) : combo.members.some((m) => m.size > 0)
  if (holds === combo.active) {
    return out
  }
  combo.active = holds
  ;(out ??= []).push(
    transition(
      holds ? 'raised' : 'cleared',
      owner.comboKey,
      rule.id,
      rule.classId,
      rule.severity,
      slot.device.id,
      owner.place,
      quantity,
      value,
      at,
    ),
  )
  return out
}

function transition(
  type: 'raised' | 'cleared',
  key: string,
  ruleId: string,
  classId: AlarmTransition['classId'],
  severity: AlarmTransition['severity'],
  deviceId: string,
  place: string | undefined,
  quantity: string | undefined,
  value: number | undefined,
  at: Instant,
): AlarmTransition {
  return {
    type,
    key,
    ruleId,
    classId,
    severity,
    deviceId,
    ...(place !== undefined ? { place } : {}),
    ...(quantity !== undefined ? { quantity } : {}),
    ...(value !== undefined ? { value } : {}),
    at,
  }
}

function checkCondition(
  ruleId: string,
  c: Condition,
  devices: ReadonlyMap<string, Device>,
): Result<Device[]> {
  const scoped = resolveScope(c.scope, devices)
  if (!scoped.ok) {
    return fail(scoped.error.code, `rule ${ruleId}: ${scoped.error.message}`, 'scope')
  }
  const bad = (msg: string, field: string) =>
    fail<Device[]>('VALIDATION_FAILED', `rule ${ruleId}: ${msg}`, field)
  switch (c.type) {
    case 'threshold':
      if (!Number.isFinite(c.value)) {
        return bad('threshold value must be finite', 'value')
      }
      if (c.clearValue !== undefined && (c.op === '>' ? c.clearValue > c.value : c.clearValue < c.value)) {
        return bad(`clearValue ${c.clearValue} is on the alarm side of ${c.op} ${c.value}`, 'clearValue')
      }
      if (c.debounce?.count !== undefined && !(Number.isInteger(c.debounce.count) && c.debounce.count >= 1)) {
        return bad('debounce.count must be an integer ≥ 1', 'debounce')
      }
      break
    case 'rate':
      if (!(c.windowMs > 0) || !(c.delta >= 0)) {
        return bad('rate needs windowMs > 0 and delta ≥ 0', 'windowMs')
      }
      if (c.clearDelta !== undefined && c.clearDelta > c.delta) {
        return bad('clearDelta must be ≤ delta', 'clearDelta')
      }
      break
    case 'no-signal':
      if (!(c.intervals > 0)) {
        return bad('intervals must be > 0', 'intervals')
      }
      return scoped
  }
  if (c.scope.kind !== undefined && !Object.hasOwn(DEVICE_KINDS[c.scope.kind].quantities, c.quantity)) {
    return bad(`${c.scope.kind} devices do not measure ${c.quantity}`, 'quantity')
  }
  for (const d of scoped.value) {
    if (!Object.hasOwn(DEVICE_KINDS[d.kind].quantities, c.quantity)) {
      return bad(`${d.kind} device ${d.id} does not measure ${c.quantity}`, 'quantity')
    }
  }
  return scoped
}

function resolveScope(scope: RuleScope, devices: ReadonlyMap<string, Device>): Result<Device[]> {
  const out = new Map<string, Device>()
  for (const id of scope.deviceIds ?? []) {
    const d = devices.get(id)
    if (!d) {
      return fail('DEVICE_UNKNOWN', `device ${id} is not registered`)
    }
    out.set(id, d)
  }
  if (scope.kind !== undefined) {
    for (const d of devices.values()) {
      if (d.kind === scope.kind) {
        out.set(d.id, d)
      }
    }
  }
  if (scope.deviceIds === undefined && scope.kind === undefined) {
    return fail('VALIDATION_FAILED', 'scope names no devices')
  }
  return ok([...out.values()])
}
