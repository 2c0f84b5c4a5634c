import { spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connectAsync } from 'mqtt'
import { afterAll, describe, expect, it } from 'vitest'
import { startEmbeddedBroker } from '../../src/ingest/mqtt/embedded-broker.ts'
import type { IngestChannel } from '../../src/ingest/sensors/sensor-ingest.ts'

const BIN = 'bin/onegrid.js'

function listen(server: Server, port = 0): Promise<number> {
  return new Promise((resolve) => {
    server.listen(port, '127.0.0.1', () => {
      const a = server.address()
      resolve(typeof a === 'object' && a ? a.port : 0)
    })
  })
}

describe('the embedded MQTT broker', () => {
  const cleanup: (() => Promise<unknown>)[] = []
  afterAll(async () => {
    for (const c of cleanup.reverse()) {
      await c()
    }
  })

  it('on a taken port says so in one line, and the API still serves', async () => {
    const squatter = createServer()
    const mqttPort = await listen(squatter)
    cleanup.push(() => new Promise((r) => squatter.close(r)))
    const probe = createServer()
    const apiPort = await listen(probe)
    await new Promise((r) => probe.close(r))
    const child = spawn('node', [BIN, 'serve', '--roles', 'api,ingest'], {
      env: {
        ...process.env,
        DATABASE_URL: `sqlite:${join(mkdtempSync(join(tmpdir(), 'onegrid-')), 'broker.db')}`,
        PORT: String(apiPort),
        HOST: '127.0.0.1',
        MQTT_PORT: String(mqttPort),
        MQTT_URL: '',
        LOG_LEVEL: 'silent',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    cleanup.push(async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r))
        child.kill('SIGTERM')
        await exited
      }
    })
    let out = ''
    child.stdout.on('data', (b: Buffer) => (out += b.toString()))
    child.stderr.on('data', (b: Buffer) => (out += b.toString()))
    let health = 0
    for (let i = 0; i < 300 && health !== 200; i++) {
      await new Promise((r) => setTimeout(r, 100))
      health = await fetch(`http://127.0.0.1:${apiPort}/healthz`).then(
        (r) => r.status,
        () => 0,
      )
    }
    expect(health, out).toBe(200)
    const mqttLines = out.split('\n').filter((l) => l.includes('MQTT'))
    expect(mqttLines).toHaveLength(1)
    expect(mqttLines[0]).toContain(`port ${mqttPort} is already in use`)
    expect(mqttLines[0]).toContain('MQTT_URL')
  }, 40_000)

  it('acknowledges a QoS 1 reading only after the ingest has taken it', async () => {
    const order: string[] = []
    const sink = {
      async submit(deviceId: string, raw: unknown, channel: IngestChannel) {
        await new Promise((r) => setTimeout(r, 50))
        order.push(`stored ${deviceId} ${JSON.stringify(raw)} via ${channel}`)
        return { ok: true as const, readings: 1, duplicates: 0 }
      },
    }
    const broker = await startEmbeddedBroker(sink, { port: 0, host: '127.0.0.1', log: () => {} })
    expect(broker).toBeDefined()
    cleanup.push(() => broker!.close())
    const client = await connectAsync(`mqtt://127.0.0.1:${broker!.port}`)
    cleanup.push(() => client.endAsync())
    await client.publishAsync('onegrid/mh-1/readings', JSON.stringify({ ts: 1, tilt: 3 }), { qos: 1 })
    order.push('puback')
    expect(order).toEqual(['stored mh-1 {"ts":1,"tilt":3} via mqtt', 'puback'])
  })
})
