import { spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connectAsync } from 'mqtt'
import type { AlarmRule } from '../src/core/sensing/sensing.types.ts'
import { buildApp } from '../src/http/app.ts'
import { connectMqttIngest } from '../src/ingest/mqtt/mqtt-ingest.ts'
import { createPlatform, type Platform } from '../src/platform.ts'
import { cityUnits } from '../src/sim/demo-units.ts'
import { upsertUnits } from '../src/store/user.repository.ts'

/** Publisher processes in the MQTT comparison, one device (topic) each. */
const PUBLISHERS = 2

/**
 * `npm run bench -- sensors [--messages N] [--devices N] [--qos 0|1] [--mqtt URL] [--http N] [--rounds N] [--soak-seconds S] [--soak-rate R]`
 *
 * 1. MQTT ingest with rules through the real broker against `mosquitto_sub`, both fed by the same
 *    publisher in the same run (PUBLISHERS `mosquitto_pub -l` processes, one device each, stdin from
 *    memory), alternating for `rounds` rounds (default 3) on the same broker; each side keeps its best
 *    round, as the classify bench does, because the shared box's other load moves single rounds by
 *    ±20 %, and every round is printed. Ratio = best ingest msgs/s ÷ best mosquitto_sub msgs/s; the
 *    ingest (one worker, this process) counts a message only when its reading is committed and its
 *    PUBACK sent (QoS 1), mosquitto_sub takes a QoS 0 stream.
 * 2. HTTP batch readings/s (POST /api/v1/readings through inject, 1,000 items a request, 4 at once).
 * 3. Memory over a soak at a steady rate (mqtt.js publisher in this process): RSS and heap start/max/end.
 */
export async function run(args: string[]): Promise<void> {
  const opt = (name: string, fallback: string) => {
    const i = args.indexOf(`--${name}`)
    return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback
  }
  // default: a Mosquitto of our own with the production settings of docs/sensing.md; --mqtt URL: that broker
  const broker = args.includes('--mqtt') ? undefined : await startMosquitto()
  const url = broker?.url ?? opt('mqtt', 'mqtt://127.0.0.1:1883')
  const messages = Number(opt('messages', '100000'))
  const devices = Number(opt('devices', '1000'))
  const qos = Number(opt('qos', '1')) as 0 | 1
  const httpReadings = Number(opt('http', '100000'))
  const soakSeconds = Number(opt('soak-seconds', '600'))
  const soakRate = Number(opt('soak-rate', '2000'))
  const rounds = Number(opt('rounds', '3'))

  const p = await benchPlatform(devices)
  const run = Date.now().toString(36)
  const ids = Array.from({ length: devices }, (_, i) => `bn-${i}`)
  console.log(
    `sensors bench: ${devices} devices, 4 rules (threshold, rate, no-signal, combination), QoS ${qos}, ` +
      (broker ? `mosquitto ${url} (max_queued_messages 0, max_inflight_messages 0)` : `broker ${url}`),
  )

  // 1. the same publisher for mosquitto_sub and for the ingest, alternating, `rounds` times
  const base = Date.now() - 120_000
  const perPublisher = Math.ceil(messages / PUBLISHERS)
  const total = perPublisher * PUBLISHERS
  // each round's readings are new to the store (a repeat would be skipped as a duplicate, not stored)
  const linesOf = (round: number) =>
    Array.from({ length: PUBLISHERS }, () =>
      Array.from({ length: perPublisher }, (_, k) =>
        JSON.stringify({ ts: base + round * 60_000 + k, laeq: 45 + (k % 40), lamax: 60 + (k % 30) }),
      ).join('\n'),
    )
  const ingest = connectMqttIngest(p.sensors, {
    url,
    clientId: `bench-ingest-${run}`,
    shareGroup: `bench-${run}`,
    sessionExpirySec: 10,
  })
  await ingest.ready
  const done = qos === 1 ? () => ingest.stats.acked : () => ingest.stats.received
  const subRates: number[] = []
  const ingestRates: number[] = []
  let cpuUs = 0
  for (let round = 0; round < rounds; round++) {
    const lines = linesOf(round)
    const subMs = await timeMosquittoSub(url, lines, total, qos, `${run}-${round}`)
    const before = done()
    const t0 = performance.now()
    const cpu0 = process.cpuUsage()
    await mosquittoPub(url, lines, (j) => `onegrid/${ids[j]}/readings`, qos)
    for (let i = 0; i < 12_000 && done() - before < total; i++) {
      await sleep(5)
    }
    await p.sensors.drain()
    const ingestMs = performance.now() - t0
    const cpu = process.cpuUsage(cpu0)
    cpuUs += cpu.user + cpu.system
    const got = done() - before
    subRates.push(total / (subMs / 1000))
    ingestRates.push(got / (ingestMs / 1000))
    console.log(
      `round ${round + 1}: mosquitto_sub ${total} messages in ${(subMs / 1000).toFixed(2)} s = ${Math.round(subRates[round])} msgs/s; ` +
        `ingest (validate + store + rules${qos === 1 ? ' + PUBACK after commit' : ''}, 1 worker) ${got} of ${total} in ${(ingestMs / 1000).toFixed(2)} s = ${Math.round(ingestRates[round])} msgs/s; ` +
        `ratio ${(ingestRates[round] / subRates[round]).toFixed(2)}; ingest CPU ${((cpu.user + cpu.system) / got).toFixed(1)} µs a message`,
    )
  }
  const subBest = Math.max(...subRates)
  const ingestBest = Math.max(...ingestRates)
  console.log(`mosquitto_sub: best of ${rounds} rounds ${Math.round(subBest)} msgs/s`)
  console.log(
    `ingest (validate + store + rules${qos === 1 ? ' + PUBACK after commit' : ''}, 1 worker): best of ${rounds} rounds ${Math.round(ingestBest)} msgs/s`,
  )
  // this process is the ingest alone in phase 1 (broker, publishers and mosquitto_sub are other
  // processes): its CPU time per message is the figure least moved by other load on the box
  console.log(`ingest CPU: ${(cpuUs / (rounds * total)).toFixed(1)} µs a message (user + system, all rounds)`)
  console.log(`sensors ratio: ${(ingestBest / subBest).toFixed(2)} (target ≥ 0.8)`)

  // 2. HTTP batch
  if (httpReadings > 0) {
    const app = await buildApp(p.appDeps())
    await p.auth.addUser({ username: 'gateway', password: 'bench-pw', role: 'admin' })
    const login = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'gateway', password: 'bench-pw' },
    })
    const headers = { authorization: `Bearer ${login.json<{ token: string }>().token}` }
    const batch = 1000
    const h0 = performance.now()
    let accepted = 0
    for (let start = 0; start < httpReadings; start += batch * 4) {
      const requests = [0, 1, 2, 3].map((j) => {
        const from = start + j * batch
        const items = Array.from({ length: Math.max(0, Math.min(batch, httpReadings - from)) }, (_, k) => ({
          deviceId: ids[(from + k) % devices],
          ts: base + rounds * 60_000 + Math.floor((from + k) / devices),
          laeq: 50,
        }))
        if (items.length === 0) {
          return Promise.resolve(0)
        }
        return app
          .inject({ method: 'POST', url: '/api/v1/readings', headers, payload: items })
          .then((r) => r.json<{ accepted: number }>().accepted)
      })
      for (const n of await Promise.all(requests)) {
        accepted += n
      }
    }
    const httpMs = performance.now() - h0
    console.log(
      `HTTP batch: ${accepted} of ${httpReadings} readings in ${(httpMs / 1000).toFixed(2)} s = ${Math.round(accepted / (httpMs / 1000))} readings/s (1,000 per request, 4 in parallel)`,
    )
    await app.close()
  }

  // 3. soak
  if (soakSeconds > 0) {
    const publisher = await connectAsync(url, { clientId: `bench-pub-${run}` })
    const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MB`
    const sample = () => ({ rss: process.memoryUsage().rss, heap: process.memoryUsage().heapUsed })
    const first = sample()
    const max = { ...first }
    const before = done()
    const end = Date.now() + soakSeconds * 1000
    const soakBase = Date.now()
    let sent = 0
    let tick = 0
    let reported = 0
    while (Date.now() < end) {
      const due = Math.floor(((Date.now() - soakBase) / 1000) * soakRate)
      const burst: Promise<unknown>[] = []
      for (; sent < due; sent++) {
        const body = JSON.stringify({ ts: Date.now(), laeq: 45 + (sent % 40) })
        burst.push(publisher.publishAsync(`onegrid/${ids[sent % devices]}/readings`, body, { qos }))
      }
      await Promise.all(burst)
      await sleep(50)
      if (++tick % 20 === 0) {
        const s = sample()
        max.rss = Math.max(max.rss, s.rss)
        max.heap = Math.max(max.heap, s.heap)
        // one line a minute: a leak shows as a climb that never levels off
        const minute = Math.floor((Date.now() - soakBase) / 60_000)
        if (minute > reported) {
          reported = minute
          console.log(
            `soak ${minute} min: RSS ${mb(s.rss)}, heap ${mb(s.heap)}, ${sent} published, ${done() - before} ingested`,
          )
        }
      }
    }
    for (let i = 0; i < 1000 && done() - before < sent; i++) {
      await sleep(10)
    }
    await publisher.endAsync()
    const last = sample()
    console.log(
      `soak ${soakSeconds} s at ${soakRate} msgs/s (${sent} published, ${done() - before} ingested): ` +
        `RSS start ${mb(first.rss)} max ${mb(Math.max(max.rss, last.rss))} end ${mb(last.rss)}; ` +
        `heap start ${mb(first.heap)} max ${mb(Math.max(max.heap, last.heap))} end ${mb(last.heap)}`,
    )
  }
  await ingest.close()
  await p.close()
  broker?.stop()
}

/** A Mosquitto on a free loopback port, configured as production should be: no queue or in-flight caps. */
async function startMosquitto(): Promise<{ url: string; stop(): void }> {
  const probe = createServer()
  const port = await new Promise<number>((resolve) =>
    probe.listen(0, '127.0.0.1', () => {
      const a = probe.address()
      resolve(typeof a === 'object' && a ? a.port : 0)
    }),
  )
  await new Promise((r) => probe.close(r))
  const conf = join(mkdtempSync(join(tmpdir(), 'onegrid-mosquitto-')), 'mosquitto.conf')
  writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'max_queued_messages 0',
      'max_inflight_messages 0',
      '',
    ].join('\n'),
  )
  const child = spawn('mosquitto', ['-c', conf], { stdio: 'ignore' })
  const url = `mqtt://127.0.0.1:${port}`
  for (let i = 0; i < 50; i++) {
    const up = await connectAsync(url, { connectTimeout: 200, reconnectPeriod: 0 }).then(
      (c) => c.endAsync().then(() => true),
      () => false,
    )
    if (up) {
      break
    }
    await sleep(100)
  }
  return { url, stop: () => child.kill() }
}

async function benchPlatform(devices: number): Promise<Platform> {
  const p = await createPlatform({
    databaseUrl: `sqlite:${join(mkdtempSync(join(tmpdir(), 'onegrid-bench-')), 'bench.db')}`,
    catalogFile: 'data/catalog/default.json',
    calendarFile: 'data/calendars/cn-beijing.json',
    regionsFile: 'data/regions/beijing.json',
    dutyFile: 'data/duty/beijing-demo.json',
  })
  await upsertUnits(p.db.kysely, cityUnits(p.city.regions))
  await p.city.reloadUnits()
  await p.sensing.saveDevices(
    Array.from({ length: devices }, (_, i) => ({
      id: `bn-${i}`,
      kind: 'noise' as const,
      name: `噪声点 ${i}`,
      location: { lon: 116.36 + (i % 40) * 0.002, lat: 39.9 + Math.floor(i / 40) * 0.001 },
      ownerUnitId: '110102-zf',
      expectedIntervalSec: 60,
    })),
  )
  const noise = { kind: 'noise' } as const
  const rules: AlarmRule[] = [
    {
      id: 'loud',
      type: 'threshold',
      classId: 'E0601',
      severity: 'minor',
      scope: noise,
      quantity: 'laeq',
      op: '>',
      value: 130,
      debounce: { count: 3 },
    },
    {
      id: 'jump',
      type: 'rate',
      classId: 'E0601',
      severity: 'minor',
      scope: noise,
      quantity: 'laeq',
      windowMs: 600_000,
      delta: 80,
      direction: 'rise',
    },
    { id: 'silent', type: 'no-signal', classId: 'E0601', severity: 'minor', scope: noise, intervals: 1000 },
    {
      id: 'cell',
      type: 'combination',
      classId: 'E0601',
      severity: 'minor',
      mode: 'all',
      groupBy: 'gridCode',
      members: [
        { type: 'threshold', scope: noise, quantity: 'laeq', op: '>', value: 130 },
        { type: 'threshold', scope: noise, quantity: 'lamax', op: '>', value: 135 },
      ],
    },
  ]
  for (const r of rules) {
    await p.sensing.saveRule(r)
  }
  return p
}

/** Time from the first publish until `mosquitto_sub -C N` has received all N. */
async function timeMosquittoSub(
  url: string,
  lines: readonly string[],
  total: number,
  qos: 0 | 1,
  run: string,
): Promise<number> {
  const { hostname, port } = new URL(url)
  const child = spawn(
    'mosquitto_sub',
    // a QoS 0 subscription: the broker streams without acks or in-flight windows — the fastest consumer
    ['-h', hostname, '-p', port || '1883', '-t', `bench-${run}/#`, '-C', String(total), '-q', '0'],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  )
  const exited = new Promise<void>((resolve, reject) => {
    child.once('exit', () => resolve())
    child.once('error', reject)
  })
  await sleep(500) // subscribed
  const t0 = performance.now()
  const timeout = setTimeout(() => child.kill(), 120_000)
  await mosquittoPub(url, lines, (j) => `bench-${run}/bn-${j}/readings`, qos)
  await exited
  clearTimeout(timeout)
  return performance.now() - t0
}

/** The publisher both sides get: one `mosquitto_pub -l` per device, each fed its lines on stdin. */
async function mosquittoPub(
  url: string,
  lines: readonly string[],
  topic: (j: number) => string,
  qos: 0 | 1,
): Promise<void> {
  const { hostname, port } = new URL(url)
  await Promise.all(
    lines.map(
      (text, j) =>
        new Promise<void>((resolve, reject) => {
          const child = spawn(
            'mosquitto_pub',
            ['-h', hostname, '-p', port || '1883', '-t', topic(j), '-l', '-q', String(qos), '-M', '1000'],
            { stdio: ['pipe', 'ignore', 'inherit'] },
          )
          child.once('error', reject)
          child.once('exit', (code) =>
            code === 0 ? resolve() : reject(new Error(`mosquitto_pub exited with ${code}`)),
          )
          child.stdin.end(`${text}\n`)
        }),
    ),
  )
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms))
}
