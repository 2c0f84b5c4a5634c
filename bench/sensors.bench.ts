import { spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connectAsync, type MqttClient } from 'mqtt'
import type { AlarmRule } from '../src/core/sensing/sensing.types.ts'
import { buildApp } from '../src/http/app.ts'
import { connectMqttIngest } from '../src/ingest/mqtt/mqtt-ingest.ts'
import { createPlatform, type Platform } from '../src/platform.ts'
import { cityUnits } from '../src/sim/demo-units.ts'
import { upsertUnits } from '../src/store/user.repository.ts'

/**
 * `npm run bench -- sensors [--messages N] [--devices N] [--qos 0|1] [--mqtt URL] [--http N] [--soak-seconds S] [--soak-rate R]`
 *
 * 1. MQTT ingest with rules through the real broker, against `mosquitto_sub` receiving the same
 *    publisher's messages in the same run: the ratio is ingest msgs/s ÷ mosquitto_sub msgs/s, where
 *    ingest counts a message only once its reading is committed and its PUBACK sent.
 * 2. HTTP batch readings/s (POST /api/v1/readings through inject, 1,000 items a request).
 * 3. Memory over a soak at a steady rate: RSS and heap at start, max and end.
 */
export async function run(args: string[]): Promise<void> {
  const opt = (name: string, fallback: string) => {
    const i = args.indexOf(`--${name}`)
    return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback
  }
  const url = opt('mqtt', process.env.TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883')
  const messages = Number(opt('messages', '100000'))
  const devices = Number(opt('devices', '1000'))
  const qos = Number(opt('qos', '1')) as 0 | 1
  const httpReadings = Number(opt('http', '100000'))
  const soakSeconds = Number(opt('soak-seconds', '600'))
  const soakRate = Number(opt('soak-rate', '2000'))

  const p = await benchPlatform(devices)
  const run = Date.now().toString(36)
  const ids = Array.from({ length: devices }, (_, i) => `bn-${i}`)
  console.log(
    `sensors bench: ${devices} devices, 4 rules (threshold, rate, no-signal, combination), broker ${url}, QoS ${qos}`,
  )

  // 1. mosquitto_sub vs the ingest, the same publisher
  const publisher = await connectAsync(url, { clientId: `bench-pub-${run}` })
  const payloads = Array.from({ length: messages }, (_, k) => ({
    device: ids[k % devices],
    body: JSON.stringify({ ts: Date.now() - 120_000 + Math.floor(k / devices), laeq: 45 + (k % 40) }),
  }))
  const sub = await timeMosquittoSub(url, publisher, payloads, qos, run)
  const ingest = connectMqttIngest(p.sensors, {
    url,
    clientId: `bench-ingest-${run}`,
    shareGroup: `bench-${run}`,
    sessionExpirySec: 10,
  })
  await ingest.ready
  const t0 = performance.now()
  await publishAll(publisher, payloads, (d) => `onegrid/${d}/readings`, qos)
  const done = qos === 1 ? () => ingest.stats.acked : () => ingest.stats.received
  for (let i = 0; i < 6000 && done() < messages; i++) await sleep(10)
  await p.sensors.drain()
  const ingestMs = performance.now() - t0
  const ingestRate = messages / (ingestMs / 1000)
  const subRate = messages / (sub / 1000)
  console.log(
    `mosquitto_sub: ${messages} messages in ${(sub / 1000).toFixed(2)} s = ${Math.round(subRate)} msgs/s`,
  )
  console.log(
    `ingest (validate + store + rules${qos === 1 ? ' + PUBACK after commit' : ''}): ${done()} of ${messages} in ${(ingestMs / 1000).toFixed(2)} s = ${Math.round(ingestRate)} msgs/s`,
  )
  console.log(`sensors ratio: ${(ingestRate / subRate).toFixed(2)} (target ≥ 0.8)`)

  // 2. HTTP batch
  const app = await buildApp(p.appDeps())
  await p.auth.addUser({ username: 'gateway', password: 'bench-pw', role: 'admin' })
  const login = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username: 'gateway', password: 'bench-pw' },
  })
  const headers = { authorization: `Bearer ${login.json<{ token: string }>().token}` }
  const batch = 1000
  const base = Date.now() - 60_000
  const h0 = performance.now()
  let accepted = 0
  for (let start = 0; start < httpReadings; start += batch * 4) {
    const requests = [0, 1, 2, 3].map((j) => {
      const from = start + j * batch
      const items = Array.from({ length: Math.max(0, Math.min(batch, httpReadings - from)) }, (_, k) => ({
        deviceId: ids[(from + k) % devices],
        ts: base + 1 + Math.floor((from + k) / devices),
        laeq: 50,
      }))
      return items.length === 0
        ? Promise.resolve(0)
        : app
            .inject({ method: 'POST', url: '/api/v1/readings', headers, payload: items })
            .then((r) => r.json<{ accepted: number }>().accepted)
    })
    for (const n of await Promise.all(requests)) accepted += n
  }
  const httpMs = performance.now() - h0
  console.log(
    `HTTP batch: ${accepted} of ${httpReadings} readings in ${(httpMs / 1000).toFixed(2)} s = ${Math.round(accepted / (httpMs / 1000))} readings/s (1,000 per request, 4 in parallel)`,
  )
  await app.close()

  // 3. soak
  if (soakSeconds > 0) {
    const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MB`
    const sample = () => ({ rss: process.memoryUsage().rss, heap: process.memoryUsage().heapUsed })
    const first = sample()
    const max = { ...first }
    const end = Date.now() + soakSeconds * 1000
    let sent = 0
    let tick = 0
    const soakBase = Date.now()
    while (Date.now() < end) {
      const due = Math.floor(((Date.now() - soakBase) / 1000) * soakRate)
      const burst: Promise<unknown>[] = []
      for (; sent < due; sent++) {
        burst.push(
          publisher.publishAsync(
            `onegrid/${ids[sent % devices]}/readings`,
            JSON.stringify({ ts: Date.now(), laeq: 45 + (sent % 40) }),
            { qos },
          ),
        )
      }
      await Promise.all(burst)
      await sleep(50)
      if (++tick % 20 === 0) {
        const s = sample()
        max.rss = Math.max(max.rss, s.rss)
        max.heap = Math.max(max.heap, s.heap)
      }
    }
    for (let i = 0; i < 1000 && done() < messages + sent; i++) await sleep(10)
    const last = sample()
    console.log(
      `soak ${soakSeconds} s at ${soakRate} msgs/s (${sent} messages, ${done() - messages} ingested): RSS start ${mb(first.rss)} max ${mb(Math.max(max.rss, last.rss))} end ${mb(last.rss)}; heap start ${mb(first.heap)} max ${mb(Math.max(max.heap, last.heap))} end ${mb(last.heap)}`,
    )
  }
  await publisher.endAsync()
  await ingest.close()
  await p.close()
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
  const rules: AlarmRule[] = [
    {
      id: 'loud',
      type: 'threshold',
      classId: 'E0601',
      severity: 'minor',
      scope: { kind: 'noise' },
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
      scope: { kind: 'noise' },
      quantity: 'laeq',
      windowMs: 600_000,
      delta: 80,
      direction: 'rise',
    },
    {
      id: 'silent',
      type: 'no-signal',
      classId: 'E0601',
      severity: 'minor',
      scope: { kind: 'noise' },
      intervals: 1000,
    },
    {
      id: 'cell',
      type: 'combination',
      classId: 'E0601',
      severity: 'minor',
      mode: 'all',
      groupBy: 'gridCode',
      members: [
        { type: 'threshold', scope: { kind: 'noise' }, quantity: 'laeq', op: '>', value: 130 },
        { type: 'threshold', scope: { kind: 'noise' }, quantity: 'lamax', op: '>', value: 135 },
      ],
    },
  ]
  for (const r of rules) await p.sensing.saveRule(r)
  return p
}

/** Time from the first publish until `mosquitto_sub -C N` has received all N. */
async function timeMosquittoSub(
  url: string,
  publisher: MqttClient,
  payloads: readonly { device: string; body: string }[],
  qos: 0 | 1,
  run: string,
): Promise<number> {
  const { hostname, port } = new URL(url)
  const child = spawn(
    'mosquitto_sub',
    [
      '-h',
      hostname,
      '-p',
      port || '1883',
      '-t',
      `bench-${run}/#`,
      '-C',
      String(payloads.length),
      '-q',
      String(qos),
      '-i',
      `bench-sub-${run}`,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  )
  const exited = new Promise<void>((resolve, reject) => {
    child.once('exit', () => resolve())
    child.once('error', reject)
  })
  await sleep(500) // subscribed
  const t0 = performance.now()
  const timeout = setTimeout(() => child.kill(), 120_000)
  await publishAll(publisher, payloads, (d) => `bench-${run}/${d}/readings`, qos)
  await exited
  clearTimeout(timeout)
  return performance.now() - t0
}

/** The one publisher both sides get: mqtt.js, in windows of 1,000 outstanding publishes. */
async function publishAll(
  client: MqttClient,
  payloads: readonly { device: string; body: string }[],
  topic: (device: string) => string,
  qos: 0 | 1,
): Promise<void> {
  for (let i = 0; i < payloads.length; i += 1000) {
    await Promise.all(
      payloads.slice(i, i + 1000).map((m) => client.publishAsync(topic(m.device), m.body, { qos })),
    )
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms))
}
