import { describe, expect, it } from 'vitest'
import { MINUTE } from '../time.ts'
import {
  activeAlarmKeys,
  cloneRuleState,
  compileRules,
  createRuleState,
  evaluate,
  historyNeeded,
  restoreAlarms,
  tick,
  TICK,
} from './rules.ts'
import type { RuleSet, RuleState } from './rules.ts'
import type { AlarmRule, AlarmTransition, Device, Reading } from './sensing.types.ts'

const T0 = 1_795_737_600_000

function buildDevice(overrides: Partial<Device> & Pick<Device, 'id' | 'kind'>): Device {
  return {
    name: overrides.id,
    location: { lon: 116.4, lat: 39.9 },
    ownerUnitId: 'u-1',
    expectedIntervalSec: 60,
    installedAt: T0,
    ...overrides,
  }
}

const gauge = buildDevice({ id: 'wl-1', kind: 'water-level', gridCode: '110101001001001' })
const rain = buildDevice({ id: 'rg-1', kind: 'rain-gauge', gridCode: '110101001001001' })
const farGauge = buildDevice({ id: 'wl-2', kind: 'water-level', gridCode: '110101001001002' })
const tilt = buildDevice({ id: 'mh-1', kind: 'manhole-tilt', expectedIntervalSec: 600 })

/** A small harness: feed readings one minute apart, collect transitions. */
function engine(rules: AlarmRule[], devices: Device[] = [gauge, rain, farGauge, tilt]) {
  const compiled = compileRules(rules, devices)
  if (!compiled.ok) {
    throw new Error(compiled.error.message)
  }
  const set: RuleSet = compiled.value
  let state: RuleState = createRuleState(T0)
  const log: AlarmTransition[] = []
  return {
    feed(deviceId: string, quantity: string, values: number[], start = T0, stepMs = MINUTE) {
      values.forEach((value, i) => {
        const r: Reading = { deviceId, quantity, value, ts: start + i * stepMs }
        const out = evaluate(state, set, r, r.ts)
        state = out.state
        log.push(...out.transitions)
      })
      return this
    },
    tick(now: number) {
      const out = evaluate(state, set, TICK, now)
      state = out.state
      log.push(...out.transitions)
      return this
    },
    log,
    types: () => log.map((t) => t.type),
    get state() {
      return state
    },
    set,
  }
}

const flood: AlarmRule = {
  id: 'flood',
  type: 'threshold',
  classId: 'E0405',
  severity: 'major',
  scope: { kind: 'water-level' },
  quantity: 'level',
  op: '>',
  value: 30,
  clearValue: 20,
  debounce: { count: 2 },
}

const surge: AlarmRule = {
  id: 'surge',
  type: 'rate',
  classId: 'E0405',
  severity: 'critical',
  scope: { deviceIds: ['wl-1'] },
  quantity: 'level',
  windowMs: 10 * MINUTE,
  delta: 30,
  direction: 'rise',
  clearDelta: 10,
}

const waterlogging: AlarmRule = {
  id: 'waterlogging',
  type: 'combination',
  classId: 'E0405',
  severity: 'critical',
  mode: 'all',
  groupBy: 'gridCode',
  members: [
    {
      type: 'threshold',
      scope: { kind: 'rain-gauge' },
      quantity: 'intensity',
      op: '>',
      value: 20,
      clearValue: 5,
    },
    {
      type: 'threshold',
      scope: { kind: 'water-level' },
      quantity: 'level',
      op: '>',
      value: 15,
      clearValue: 5,
    },
  ],
}

describe('threshold rules', () => {
  it('raise after 2 consecutive readings above, at the second one', () => {
    const e = engine([flood]).feed('wl-1', 'level', [10, 35, 40, 41])
    expect(e.log).toEqual([
      {
        type: 'raised',
        key: 'flood|wl-1',
        ruleId: 'flood',
        classId: 'E0405',
        severity: 'major',
        deviceId: 'wl-1',
        quantity: 'level',
        value: 40,
        at: T0 + 2 * MINUTE,
      },
    ])
  })

  it('ignore a single spike', () => {
    expect(engine([flood]).feed('wl-1', 'level', [10, 95, 10, 31, 12]).log).toEqual([])
  })

  it('do not flap while the value hovers around the threshold (hysteresis)', () => {
    const e = engine([flood]).feed('wl-1', 'level', [31, 32, 29, 31, 28, 33, 25, 21, 19, 25, 29])
    expect(e.types()).toEqual(['raised', 'cleared'])
    expect(e.log[1]).toMatchObject({ value: 19, at: T0 + 8 * MINUTE })
  })

  it('without a clear value, clear as soon as the condition stops holding', () => {
    const e = engine([{ ...flood, clearValue: undefined, debounce: undefined }]).feed(
      'wl-1',
      'level',
      [31, 30, 31],
    )
    expect(e.types()).toEqual(['raised', 'cleared', 'raised'])
  })

  it('raise once and stay quiet until cleared (dedup per device and rule)', () => {
    const e = engine([flood]).feed('wl-1', 'level', [40, 50, 60, 70, 80, 90, 10, 40, 45])
    expect(e.log.map((t) => `${t.type}:${t.key}`)).toEqual([
      'raised:flood|wl-1',
      'cleared:flood|wl-1',
      'raised:flood|wl-1',
    ])
  })

  it('keep devices apart: each has its own alarm', () => {
    const e = engine([flood]).feed('wl-1', 'level', [40, 50]).feed('wl-2', 'level', [40, 50])
    expect(e.log.map((t) => t.key)).toEqual(['flood|wl-1', 'flood|wl-2'])
    expect(activeAlarmKeys(e.state, e.set)).toEqual(['flood|wl-1', 'flood|wl-2'])
  })

  it('with a duration debounce, raise only once the condition held that long', () => {
    const rule: AlarmRule = { ...flood, debounce: { forMs: 5 * MINUTE } }
    const e = engine([rule]).feed('wl-1', 'level', [40, 40, 40, 40, 40, 40, 40])
    expect(e.log).toHaveLength(1)
    expect(e.log[0].at).toBe(T0 + 5 * MINUTE)
  })

  it('break the run on a gap longer than maxGapMs', () => {
    const rule: AlarmRule = { ...flood, debounce: { count: 2, maxGapMs: MINUTE } }
    const e = engine([rule])
      .feed('wl-1', 'level', [40], T0)
      .feed('wl-1', 'level', [40], T0 + 10 * MINUTE)
    expect(e.log).toEqual([])
    e.feed('wl-1', 'level', [40], T0 + 11 * MINUTE)
    expect(e.types()).toEqual(['raised'])
  })

  it('ignore duplicates and out-of-order readings (an MQTT redelivery is not a second reading)', () => {
    const e = engine([flood])
    e.feed('wl-1', 'level', [40], T0)
      .feed('wl-1', 'level', [40], T0)
      .feed('wl-1', 'level', [40], T0 - MINUTE)
    expect(e.log).toEqual([])
  })

  it("'<' rules work the other way round", () => {
    const low: AlarmRule = {
      id: 'low',
      type: 'threshold',
      classId: 'C0101',
      severity: 'minor',
      scope: { deviceIds: ['wl-1'] },
      quantity: 'level',
      op: '<',
      value: -100,
      clearValue: -80,
    }
    expect(engine([low]).feed('wl-1', 'level', [-50, -101, -90, -79]).types()).toEqual(['raised', 'cleared'])
  })
})

describe('rate-of-change rules', () => {
  it('raise when the level rises faster than delta within the window', () => {
    // +12 cm a minute: the rise over the last 10 minutes passes 30 cm at the 3rd step.
    const e = engine([surge]).feed('wl-1', 'level', [0, 12, 24, 36, 48])
    expect(e.log).toEqual([expect.objectContaining({ type: 'raised', value: 36, at: T0 + 3 * MINUTE })])
  })

  it('ignore the same rise spread over a longer time', () => {
    // +2.5 cm a minute for an hour: 75 cm in all, but never more than 25 cm within 10 minutes.
    const slow = Array.from({ length: 60 }, (_, i) => i * 2.5)
    expect(engine([surge]).feed('wl-1', 'level', slow).log).toEqual([])
  })

  it('clear once the change within the window has settled below clearDelta', () => {
    const values = [0, 40, 41, 42, 42, 42, 42, 42, 42, 42, 42, 42, 42]
    const e = engine([surge]).feed('wl-1', 'level', values)
    expect(e.types()).toEqual(['raised', 'cleared'])
    // The 0 at T0 leaves the 10-minute window at T0 + 11 min; after that the window spans 40..42.
    expect(e.log[1].at).toBe(T0 + 11 * MINUTE)
  })

  it('watch falls with direction fall', () => {
    const drain: AlarmRule = { ...surge, id: 'drain', direction: 'fall' }
    expect(engine([drain]).feed('wl-1', 'level', [100, 60]).types()).toEqual(['raised'])
    expect(engine([drain]).feed('wl-1', 'level', [60, 100]).types()).toEqual([])
  })
})

describe('no-signal rules', () => {
  const silent: AlarmRule = {
    id: 'silent',
    type: 'no-signal',
    classId: 'C0199',
    severity: 'minor',
    scope: { kind: 'manhole-tilt' },
    intervals: 3,
  }

  it('raise once a device is silent for more than N expected intervals, once, and clear on its next reading', () => {
    const e = engine([silent]).feed('mh-1', 'tilt', [0], T0)
    e.tick(T0 + 30 * MINUTE) // exactly 3 × 10 min: not yet
    expect(e.log).toEqual([])
    e.tick(T0 + 31 * MINUTE).tick(T0 + 40 * MINUTE)
    expect(e.log).toEqual([
      {
        type: 'raised',
        key: 'silent|mh-1',
        ruleId: 'silent',
        classId: 'C0199',
        severity: 'minor',
        deviceId: 'mh-1',
        at: T0 + 31 * MINUTE,
      },
    ])
    e.feed('mh-1', 'battery', [80], T0 + 45 * MINUTE)
    expect(e.log[1]).toMatchObject({ type: 'cleared', key: 'silent|mh-1', at: T0 + 45 * MINUTE })
    e.tick(T0 + 70 * MINUTE)
    expect(e.types()).toEqual(['raised', 'cleared'])
  })

  it('count a never-heard device from its installation or the engine start, whichever is later', () => {
    const e = engine([silent])
    e.tick(T0 + 29 * MINUTE)
    expect(e.log).toEqual([])
    e.tick(T0 + 31 * MINUTE)
    expect(e.types()).toEqual(['raised'])
  })

  it('expose tick() directly for the scheduler', () => {
    const compiled = compileRules([silent], [tilt])
    if (!compiled.ok) {
      throw new Error('compile')
    }
    const out = tick(createRuleState(T0), compiled.value, T0 + 2 * 3600_000)
    expect(out.transitions.map((t) => t.key)).toEqual(['silent|mh-1'])
  })
})

describe('combination rules', () => {
  it('raise when rain and water level are both high in the same grid cell, and clear when either ends', () => {
    const e = engine([waterlogging])
    e.feed('rg-1', 'intensity', [30], T0)
    expect(e.log).toEqual([])
    e.feed('wl-1', 'level', [20], T0 + MINUTE)
    expect(e.log).toEqual([
      {
        type: 'raised',
        key: 'waterlogging@110101001001001',
        ruleId: 'waterlogging',
        classId: 'E0405',
        severity: 'critical',
        deviceId: 'wl-1',
        place: '110101001001001',
        quantity: 'level',
        value: 20,
        at: T0 + MINUTE,
      },
    ])
    e.feed('wl-1', 'level', [25, 30], T0 + 2 * MINUTE) // still one alarm
    e.feed('rg-1', 'intensity', [2], T0 + 5 * MINUTE)
    expect(e.log.map((t) => `${t.type}:${t.deviceId}`)).toEqual(['raised:wl-1', 'cleared:rg-1'])
  })

  it('does not combine devices from different grid cells', () => {
    const e = engine([waterlogging])
      .feed('rg-1', 'intensity', [30], T0)
      .feed('wl-2', 'level', [40], T0 + MINUTE)
    expect(e.log).toEqual([])
  })

  it("'any' raises on the first member and clears when none holds", () => {
    const any: AlarmRule = { ...waterlogging, id: 'any', mode: 'any' }
    const e = engine([any])
      .feed('rg-1', 'intensity', [30], T0)
      .feed('wl-1', 'level', [40, 1], T0 + MINUTE)
    expect(e.types()).toEqual(['raised'])
    e.feed('rg-1', 'intensity', [0], T0 + 10 * MINUTE)
    expect(e.types()).toEqual(['raised', 'cleared'])
  })
})

describe('compileRules', () => {
  it('refuses rules a city admin could get wrong, naming the problem', () => {
    const msg = (rules: AlarmRule[]) => {
      const r = compileRules(rules, [gauge, tilt])
      return r.ok ? 'ok' : r.error.message
    }
    expect(msg([flood, flood])).toContain('used twice')
    expect(msg([{ ...flood, classId: 'E45' }])).toContain('classId')
    expect(msg([{ ...flood, quantity: 'pm25' }])).toContain('do not measure pm25')
    expect(msg([{ ...flood, clearValue: 40 }])).toContain('alarm side')
    expect(msg([{ ...flood, scope: { deviceIds: ['nope'] } }])).toContain('nope is not registered')
  })
})

describe('state ownership', () => {
  it('cloneRuleState branches: advancing the clone leaves the original as it was', () => {
    const e = engine([flood]).feed('wl-1', 'level', [40])
    const copy = cloneRuleState(e.state)
    const a = evaluate(
      copy,
      e.set,
      { deviceId: 'wl-1', quantity: 'level', value: 40, ts: T0 + MINUTE },
      T0 + MINUTE,
    )
    expect(a.transitions).toHaveLength(1)
    const b = evaluate(
      e.state,
      e.set,
      { deviceId: 'wl-1', quantity: 'level', value: 5, ts: T0 + MINUTE },
      T0 + MINUTE,
    )
    expect(b.transitions).toHaveLength(0)
    expect(activeAlarmKeys(a.state, e.set)).toEqual(['flood|wl-1'])
  })

  it('a recompiled rule set (new device) keeps the memory of existing alarms', () => {
    const e = engine([flood]).feed('wl-1', 'level', [40, 50])
    const bigger = compileRules([flood], [gauge, farGauge, buildDevice({ id: 'wl-3', kind: 'water-level' })])
    if (!bigger.ok) {
      throw new Error('compile')
    }
    const out = evaluate(
      e.state,
      bigger.value,
      { deviceId: 'wl-1', quantity: 'level', value: 60, ts: T0 + 5 * MINUTE },
      T0,
    )
    expect(out.transitions).toEqual([]) // still the same open alarm: no second raise
  })

  it('a recompiled rule set keeps when each device was last heard, even as device numbering shifts', () => {
    const silent: AlarmRule = {
      id: 'silent',
      type: 'no-signal',
      classId: 'C0199',
      severity: 'minor',
      scope: { kind: 'manhole-tilt' },
      intervals: 3,
    }
    const e = engine([silent], [tilt]).feed('mh-1', 'tilt', [1], T0 + 60 * MINUTE)
    const other = buildDevice({
      id: 'mh-0',
      kind: 'manhole-tilt',
      expectedIntervalSec: 600,
      installedAt: T0 + 60 * MINUTE,
    })
    const again = compileRules([silent], [other, tilt])
    if (!again.ok) {
      throw new Error('compile')
    }
    expect(tick(e.state, again.value, T0 + 80 * MINUTE).transitions).toEqual([])
    expect(tick(e.state, again.value, T0 + 91 * MINUTE).transitions.map((t) => t.key)).toEqual([
      'silent|mh-0',
      'silent|mh-1',
    ])
  })
})

describe('a restarted engine takes back the open alarms (restoreAlarms)', () => {
  const at = (m: number) => T0 + m * MINUTE
  const reading = (deviceId: string, quantity: string, value: number, ts: number): Reading => ({
    deviceId,
    quantity,
    value,
    ts,
  })

  /** A fresh engine (a new process) restored from what the store says, fed readings afterwards. */
  function restarted(rules: AlarmRule[], open: { key: string; raisedAt: number }[], history: Reading[] = []) {
    const e = engine(rules)
    const r = restoreAlarms(e.state, e.set, open, history)
    e.log.push(...r.transitions)
    return e
  }

  it('does not raise an alarm that is already open again, and still clears it on return to normal', () => {
    // the first process raised flood on wl-1 at the second reading over 30
    expect(engine([flood]).feed('wl-1', 'level', [35, 40]).types()).toEqual(['raised'])
    // a fresh engine without the store's memory would raise it a second time
    expect(engine([flood]).feed('wl-1', 'level', [45, 50], at(2)).types()).toEqual(['raised'])

    const e = restarted([flood], [{ key: 'flood|wl-1', raisedAt: at(1) }])
    expect(activeAlarmKeys(e.state, e.set)).toEqual(['flood|wl-1'])
    e.feed('wl-1', 'level', [45, 50, 25], at(2))
    expect(e.log).toEqual([])
    e.feed('wl-1', 'level', [12], at(5))
    expect(e.log).toEqual([
      expect.objectContaining({ type: 'cleared', key: 'flood|wl-1', value: 12, at: at(5) }),
    ])
  })

  it('returns the clear that stored readings already show (committed before the crash, never handled)', () => {
    const history = [
      reading('wl-1', 'level', 40, at(1)), // the raising reading itself: not judged again
      reading('wl-1', 'level', 33, at(2)),
      reading('wl-1', 'level', 8, at(3)),
    ]
    const e = restarted([flood], [{ key: 'flood|wl-1', raisedAt: at(1) }], history)
    expect(e.log).toEqual([
      expect.objectContaining({ type: 'cleared', key: 'flood|wl-1', value: 8, at: at(3) }),
    ])
    expect(activeAlarmKeys(e.state, e.set)).toEqual([])
  })

  it('refills a rate window from the stored readings, so the alarm does not clear on an empty window', () => {
    // raised at 36 (T0 + 3 min): 0, 12, 24, 36
    const before = [0, 12, 24, 36].map((v, i) => reading('wl-1', 'level', v, at(i)))
    const open = [{ key: 'surge|wl-1', raisedAt: at(3) }]
    expect(historyNeeded(compileOk([surge]), open)).toEqual([
      { deviceId: 'wl-1', quantity: 'level', from: at(3) - 10 * MINUTE },
    ])

    // without the window, the next reading would see no change at all and clear
    expect(restarted([surge], open).feed('wl-1', 'level', [48], at(4)).types()).toEqual(['cleared'])

    const e = restarted([surge], open, before)
    expect(e.log).toEqual([])
    e.feed('wl-1', 'level', [48], at(4))
    expect(e.log).toEqual([])
    // level flat at 48: the rise within 10 minutes falls to ≤ 10 once 36 (at 3 min) leaves the window
    e.feed(
      'wl-1',
      'level',
      Array.from({ length: 10 }, () => 48),
      at(5),
    )
    expect(e.types()).toEqual(['cleared'])
    expect(e.log[0].at).toBe(at(14))
  })

  it('keeps a combination raised until a member is back to normal, without a second raise', () => {
    const key = 'waterlogging@110101001001001'
    const e = restarted([waterlogging], [{ key, raisedAt: at(1) }])
    expect(activeAlarmKeys(e.state, e.set)).toEqual([key])
    e.feed('rg-1', 'intensity', [30], at(2))
    e.feed('wl-1', 'level', [22], at(3))
    expect(e.log).toEqual([])
    e.feed('wl-1', 'level', [3], at(4))
    expect(e.log).toEqual([expect.objectContaining({ type: 'cleared', key, at: at(4) })])
  })

  it('ignores keys of rules or devices that are gone', () => {
    const e = restarted(
      [flood],
      [
        { key: 'deleted-rule|wl-1', raisedAt: at(0) },
        { key: 'flood|no-such-device', raisedAt: at(0) },
      ],
    )
    expect(activeAlarmKeys(e.state, e.set)).toEqual([])
    expect(e.feed('wl-1', 'level', [35, 40]).types()).toEqual(['raised'])
  })
})

function compileOk(rules: AlarmRule[]): RuleSet {
  const c = compileRules(rules, [gauge, rain, farGauge, tilt])
  if (!c.ok) {
    throw new Error(c.error.message)
  }
  return c.value
}
