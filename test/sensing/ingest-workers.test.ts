import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { sql } from 'kysely'
import { connectAsync } from 'mqtt'
import { afterAll, describe, expect, it } from 'vitest'
import { createPlatform, type Platform } from '../../src/platform.ts'
import { cityUnits } from '../../src/sim/demo-units.ts'
import { upsertUnits } from '../../src/store/user.repository.ts'
import { DATABASES } from '../helpers/databases.ts'

const MQTT_URL = process.env.TEST_MQTT_URL
const BIN = 'bin/onegrid.js'
const DEVICES = 10
const MESSAGES = 1500
/**
 * Messages a second. While a worker is dead, the broker queues its share for its session; Mosquitto's
 * default max_queued_messages (1000) then drops the rest, so the test stays well below it. Production
 * brokers raise that limit (docs/sensing.md).
 */
const RATE = 200

if (!MQTT_URL) {
  console.warn(
    'ingest-workers: TEST_MQTT_URL is not set (e.g. mqtt://127.0.0.1:1883): the two-worker test is skipped',
  )
}

interface Worker {
  child: ChildProcess
  output: string[]
}

function startWorker(env: NodeJS.ProcessEnv, clientId: string): Promise<Worker> {
  const child = spawn('node', [BIN, 'serve', '--roles', 'ingest'], {
    env: { ...env, MQTT_CLIENT_ID: clientId },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const output: string[] = []
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`worker ${clientId} did not subscribe:\n${output.join('')}`)),
      30_000,
    )
    const onData = (b: Buffer) => {
      output.push(b.toString())
      if (output.join('').includes('MQTT: ingesting from')) {
        clearTimeout(timer)
        resolve({ child, output })
      }
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', (b: Buffer) => output.push(b.toString()))
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`worker ${clientId} exited with ${code}:\n${output.join('')}`))
    })
  })
}

async function stop(w: Worker | undefined): Promise<void> {
  if (!w || w.child.exitCode !== null || w.child.signalCode !== null) {
    return
  }
  const exited = new Promise((r) => w.child.once('exit', r))
  w.child.kill('SIGTERM')
  const timer = setTimeout(() => w.child.kill('SIGKILL'), 5000)
  await exited
  clearTimeout(timer)
}

describe.skipIf(!MQTT_URL).each(DATABASES)('two ingest workers sharing one MQTT stream on $dialect', (d) => {
  const workers: (Worker | undefined)[] = []
  let platform: Platform | undefined
  afterAll(async () => {
    for (const w of workers) {
      await stop(w)
    }
    await platform?.close()
  })

  it('stores every reading exactly once when one worker is killed mid-stream and restarts', async () => {
    const { url, schema } = d.fresh()
    platform = await createPlatform({
      databaseUrl: url,
      ...(schema ? { databaseSchema: schema } : {}),
      catalogFile: 'data/catalog/default.json',
      calendarFile: 'data/calendars/cn-beijing.json',
      regionsFile: 'data/regions/beijing.json',
      dutyFile: 'data/duty/beijing-demo.json',
    })
    await upsertUnits(platform.db.kysely, cityUnits(platform.city.regions))
    await platform.city.reloadUnits()
    const run = randomBytes(4).toString('hex')
    const ids = Array.from({ length: DEVICES }, (_, i) => `nz-${run}-${i}`)
    await platform.sensing.saveDevices(
      ids.map((id, i) => ({
        id,
        kind: 'noise' as const,
        name: `噪声点 ${i}`,
        location: { lon: 116.38 + i * 0.002, lat: 39.93 },
        ownerUnitId: '110102-zf',
        expectedIntervalSec: 60,
      })),
    )
    // ingest-with-rules: the workers evaluate this on every reading
    await platform.sensing.saveRule({
      id: 'loud',
      type: 'threshold',
      classId: 'E0601',
      severity: 'minor',
      scope: { kind: 'noise' },
      quantity: 'laeq',
      op: '>',
      value: 139,
    })

    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: url,
      ...(schema ? { DATABASE_SCHEMA: schema } : {}),
      MQTT_URL,
      MQTT_SHARE_GROUP: `workers-${run}`,
      MQTT_SESSION_EXPIRY_SEC: '120',
      LOG_LEVEL: 'silent',
    }
    workers[0] = await startWorker(env, `w1-${run}`)
    workers[1] = await startWorker(env, `w2-${run}`)

    const publisher = await connectAsync(MQTT_URL!, { clientId: `pub-${run}` })
    const base = Date.now() - 60_000
    const started = Date.now()
    let restart: Promise<Worker> | undefined
    try {
      for (let k = 0; k < MESSAGES; k++) {
        const body = JSON.stringify({ ts: base + k, laeq: 40 + (k % 50) })
        await publisher.publishAsync(`onegrid/${ids[k % DEVICES]}/readings`, body, { qos: 1 })
        if (k === Math.floor(MESSAGES / 3)) {
          // mid-stream: the worker dies with readings in flight, then comes back under the same id
          workers[0].child.kill('SIGKILL')
          restart = new Promise((r) => setTimeout(r, 200)).then(() => startWorker(env, `w1-${run}`))
        }
        const ahead = k - ((Date.now() - started) * RATE) / 1000
        if (ahead > 20) {
          await new Promise((r) => setTimeout(r, (ahead / RATE) * 1000))
        }
      }
    } finally {
      await publisher.endAsync()
    }
    workers[0] = (await restart) ?? workers[0]

    const count = async () => {
      const { rows } = await sql<{ n: number | string; d: number | string }>`
          select count(*) as n, count(distinct device_id || '|' || quantity || '|' || ts) as d
          from readings where device_id like ${`nz-${run}-%`}`.execute(platform!.db.kysely)
      return { stored: Number(rows[0].n), distinct: Number(rows[0].d) }
    }
    let got = await count()
    for (let i = 0; i < 300 && got.stored < MESSAGES; i++) {
      await new Promise((r) => setTimeout(r, 100))
      got = await count()
    }
    if (got.stored !== MESSAGES) {
      for (const w of workers) {
        await stop(w)
      }
      const rows = await platform.db.kysely
        .selectFrom('readings')
        .select('ts')
        .where('device_id', 'like', `nz-${run}-%`)
        .execute()
      const have = new Set(rows.map((r) => Number(r.ts) - base))
      const missing = Array.from({ length: MESSAGES }, (_, k) => k).filter((k) => !have.has(k))
      console.log(
        'missing',
        missing,
        await platform.sensing.stats(),
        workers.map((w) => w?.output.join('')),
      )
    }
    expect(got).toEqual({ stored: MESSAGES, distinct: MESSAGES })
    // the restarted worker took over its old session: what was in flight came back to it
    expect(workers[0].output.join('')).toContain(`resumed session w1-${run}`)
    const stats = await platform.sensing.stats()
    const accepted = stats.filter((s) => s.channel === 'mqtt' && s.reason === 'accepted')
    expect(accepted.reduce((n, s) => n + s.count, 0)).toBe(MESSAGES)
  }, 90_000)
})
