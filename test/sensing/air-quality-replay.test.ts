import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { compileRules, createRuleState, evaluate } from '../../src/core/sensing/rules.ts'
import type {
  AlarmRule,
  AlarmTransition,
  Device,
  ThresholdRule,
} from '../../src/core/sensing/sensing.types.ts'
import { validateReading } from '../../src/core/sensing/validate.ts'
import { readReplayFile, replay } from '../../src/sensing/replay.ts'

const FILE = '/work/shared/data/air-quality-beijing/PRSA_Data_Dongsi_20130301-20170228.csv'
const HOUR = 3600_000

const dongsi: Device = {
  id: 'aq-dongsi',
  kind: 'air-quality',
  name: '东四 national monitoring station',
  location: { lon: 116.417, lat: 39.929 },
  ownerUnitId: 'u-dongcheng-eco',
  expectedIntervalSec: 3600,
  installedAt: 0,
}

/** Heavy pollution: PM2.5 > 150 µg/m³ for 2 consecutive hours, cleared below 115. */
function heavyPm25(threshold = 150, clearBelow = 115): ThresholdRule {
  return {
    id: 'pm25-heavy',
    type: 'threshold',
    classId: 'E0199',
    severity: 'major',
    scope: { deviceIds: [dongsi.id] },
    quantity: 'pm25',
    op: '>',
    value: threshold,
    clearValue: clearBelow,
    debounce: { count: 2, maxGapMs: HOUR },
  }
}

/** Beijing local time as printed in the CSV, e.g. '2013-03-05 13:00'. */
function beijing(at: number): string {
  return new Date(at + 8 * HOUR).toISOString().slice(0, 16).replace('T', ' ')
}

/** Run the station through validation and the rule engine, the way the ingest will. */
async function engineAlarms(rule: AlarmRule): Promise<{ transitions: AlarmTransition[]; readings: number }> {
  const compiled = compileRules([rule], [dongsi])
  if (!compiled.ok) {
    throw new Error(compiled.error.message)
  }
  let state = createRuleState()
  const transitions: AlarmTransition[] = []
  const stats = await replay(readReplayFile(FILE, dongsi.id, { quantities: ['pm25'] }), 0, (r) => {
    const valid = validateReading({ ts: r.ts, pm25: r.value }, dongsi, r.ts, {})
    if (!valid.ok) {
      throw new Error(valid.error.message)
    }
    for (const reading of valid.value) {
      const out = evaluate(state, compiled.value, reading, reading.ts)
      state = out.state
      transitions.push(...out.transitions)
    }
  })
  return { transitions, readings: stats.published }
}

/**
 * The expected alarms from the CSV itself, by search rather than a state machine: find the first pair
 * of back-to-back hours (both present) above the threshold; the alarm starts at the second; it ends
 * at the first present hour below the clear value; search again after that.
 */
function scanCsv(threshold = 150, clearBelow = 115): { raised: string[]; cleared: string[] } {
  const lines = readFileSync(FILE, 'utf8').trim().split('\n').slice(1)
  const hours: { hourIndex: number; label: string; pm25: number }[] = []
  for (const line of lines) {
    const cols = line.split(',')
    if (cols[5] === 'NA') {
      continue
    }
    const [y, m, d, h] = cols.slice(1, 5).map(Number) as [number, number, number, number]
    const pad = (n: number) => String(n).padStart(2, '0')
    hours.push({
      hourIndex: Date.UTC(y, m - 1, d, h) / HOUR,
      label: `${y}-${pad(m)}-${pad(d)} ${pad(h)}:00`,
      pm25: Number(cols[5]),
    })
  }
  const raised: string[] = []
  const cleared: string[] = []
  let i = 0
  for (;;) {
    while (
      i + 1 < hours.length &&
      !(
        hours[i].pm25 > threshold &&
        hours[i + 1].pm25 > threshold &&
        hours[i + 1].hourIndex - hours[i].hourIndex === 1
      )
    ) {
      i++
    }
    if (i + 1 >= hours.length) {
      break
    }
    raised.push(hours[i + 1].label)
    let j = i + 2
    while (j < hours.length && !(hours[j].pm25 < clearBelow)) {
      j++
    }
    if (j >= hours.length) {
      break
    }
    cleared.push(hours[j].label)
    i = j + 1
  }
  return { raised, cleared }
}

describe('Dongsi PM2.5 replayed through the rule engine', () => {
  it('raises and clears exactly where the CSV says, over all four years', async () => {
    const { transitions, readings } = await engineAlarms(heavyPm25())
    const expected = scanCsv()

    const raised = transitions.filter((t) => t.type === 'raised').map((t) => beijing(t.at))
    const cleared = transitions.filter((t) => t.type === 'cleared').map((t) => beijing(t.at))
    expect(readings).toBe(34_314) // 35,064 hours minus 750 "NA"
    expect(raised).toEqual(expected.raised)
    expect(cleared).toEqual(expected.cleared)
    expect(raised.length).toBeGreaterThan(300)

    // The first episodes, read off the CSV by hand: 3-05 12:00 = 153, 13:00 = 169 → raised at 13:00;
    // 3-08 07:00 = 3 clears; 09:00 = 311, 10:00 = 260 → raised; 12:00 = 108 clears; 13:00 = 159, 14:00 = 203.
    expect(transitions.slice(0, 6).map((t) => `${t.type} ${beijing(t.at)} ${t.value}`)).toEqual([
      'raised 2013-03-05 13:00 169',
      'cleared 2013-03-08 07:00 3',
      'raised 2013-03-08 10:00 260',
      'cleared 2013-03-08 12:00 108',
      'raised 2013-03-08 14:00 203',
      'cleared 2013-03-08 17:00 111',
    ])
    // One alarm per episode: raised and cleared strictly alternate under the same key.
    expect(
      transitions.every(
        (t, k) => t.type === (k % 2 === 0 ? 'raised' : 'cleared') && t.key === 'pm25-heavy|aq-dongsi',
      ),
    ).toBe(true)
  })

  it('follows the configured threshold: a stricter rule raises fewer alarms, still matching the scan', async () => {
    const { transitions } = await engineAlarms(heavyPm25(250, 150))
    const expected = scanCsv(250, 150)
    expect(transitions.filter((t) => t.type === 'raised').map((t) => beijing(t.at))).toEqual(expected.raised)
    expect(expected.raised.length).toBeLessThan(scanCsv().raised.length)
  })
})
