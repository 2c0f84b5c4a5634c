import { describe, expect, it } from 'vitest'
import type { Reading } from '../../src/core/sensing/sensing.types.ts'
import { readReplayFile, replay } from '../../src/sensing/replay.ts'

const WATER = '/work/shared/data/water-level-rangsit/waterlevel.json'
const AIR = '/work/shared/data/air-quality-beijing/PRSA_Data_Wanliu_20130301-20170228.csv'

async function take<T>(it: AsyncIterable<T>, n = Infinity): Promise<T[]> {
  const out: T[] = []
  for await (const x of it) {
    out.push(x)
    if (out.length >= n) {
      break
    }
  }
  return out
}

describe('readReplayFile', () => {
  it('reads the Rangsit canal levels as cm readings in time order', async () => {
    const rs = await take(readReplayFile(WATER, 'wl-rangsit'))
    expect(rs).toHaveLength(73)
    expect(rs[0]).toEqual({
      deviceId: 'wl-rangsit',
      ts: Date.parse('2021-09-27T08:00:00+07:00'),
      quantity: 'level',
      value: 110,
      unit: 'cm',
    })
    expect(Math.min(...rs.map((r) => r.value))).toBe(103)
    expect(Math.max(...rs.map((r) => r.value))).toBe(148)
    expect(rs.every((r, i) => i === 0 || r.ts > rs[i - 1].ts)).toBe(true)
  })

  it('reads a PRSA row as one reading per present quantity at the Beijing hour, skipping NA', async () => {
    const rs = await take(readReplayFile(AIR, 'aq-wanliu'), 40)
    const firstHour = Date.parse('2013-03-01T00:00:00+08:00')
    const row0 = rs.filter((r) => r.ts === firstHour)
    expect(row0.map((r) => r.quantity)).toEqual([
      'pm25',
      'pm10',
      'so2',
      'no2',
      'co',
      'o3',
      'temperature',
      'pressure',
      'dewpoint',
      'windSpeed',
    ])
    expect(row0.find((r) => r.quantity === 'co')).toMatchObject({ unit: 'µg/m³' })
    const pm25only = await take(readReplayFile(AIR, 'aq-wanliu', { quantities: ['pm25'] }), 5)
    expect(pm25only.map((r) => r.ts - firstHour)).toEqual([0, 1, 2, 3, 4].map((h) => h * 3600_000))
  })

  it('refuses a file it does not know how to read', () => {
    expect(() => readReplayFile('/tmp/readings.xlsx', 'x')).toThrow(/cannot read/)
  })
})

describe('replay', () => {
  const series: Reading[] = [0, 60_000, 120_000, 600_000].map((ts, i) => ({
    deviceId: 'd',
    ts,
    quantity: 'level',
    value: i,
  }))

  it('paces readings at N× real time against the start, without drift', async () => {
    let now = 1000
    const publishedAt: number[] = []
    const stats = await replay(series, 60, () => void publishedAt.push(now), {
      clock: () => now,
      sleep: (ms) => {
        now += ms + 3 // a sleep that oversleeps a little, as timers do
        return Promise.resolve()
      },
    })
    // Data minute marks become wall seconds at 60×; oversleep does not push later readings back.
    expect(publishedAt).toEqual([1000, 2003, 3003, 11003])
    expect(stats).toMatchObject({ published: 4, firstTs: 0, lastTs: 600_000 })
  })

  it('with speed 0 publishes back to back, awaiting an async publisher, and can retime to the wall clock', async () => {
    const got: Reading[] = []
    let now = 5000
    await replay(
      series,
      0,
      async (r) => {
        got.push(r)
        now += 1
        await Promise.resolve()
      },
      { retime: true, clock: () => now, sleep: () => Promise.reject(new Error('should not sleep')) },
    )
    expect(got.map((r) => r.ts)).toEqual([5000, 5001, 5002, 5003])
  })

  it('stops when aborted', async () => {
    const ac = new AbortController()
    let n = 0
    const run = replay(
      series,
      0,
      () => {
        if (++n === 2) {
          ac.abort(new Error('stop'))
        }
      },
      { signal: ac.signal },
    )
    await expect(run).rejects.toThrow('stop')
    expect(n).toBe(2)
  })
})
