import { connectAsync } from 'mqtt'
import type { Config } from '../config.ts'
import { HOUR } from '../core/time.ts'
import { startEmbeddedBroker, type EmbeddedBroker } from '../ingest/mqtt/embedded-broker.ts'
import { connectMqttIngest, type MqttIngest } from '../ingest/mqtt/mqtt-ingest.ts'
import type { Platform } from '../platform.ts'
import { readReplayFile, replay } from '../sensing/replay.ts'
import { startDeviceSimulation, type DeviceSimulation } from '../sim/devices.ts'

export interface SensorRoles {
  stop(): Promise<void>
}

/**
 * What the `ingest` and `jobs` roles run for sensing. ingest: the engine's tick and registry refresh,
 * and MQTT — a connection to `MQTT_URL` in the shared subscription group, or else the embedded broker
 * on `MQTT_PORT` (a taken port is one line in the log, and the rest starts). jobs: retention.
 * With `simulate`, the demo devices report into the ingest.
 */
export async function startSensorRoles(
  platform: Platform,
  config: Config,
  roles: readonly string[],
  o: { simulate?: boolean } = {},
): Promise<SensorRoles> {
  const log = (line: string) => console.log(line)
  let mqtt: MqttIngest | undefined
  let broker: EmbeddedBroker | undefined
  let simulation: DeviceSimulation | undefined
  let retention: NodeJS.Timeout | undefined
  if (roles.includes('ingest')) {
    await platform.sensors.reload()
    platform.sensors.start()
    if (config.mqttUrl) {
      mqtt = connectMqttIngest(platform.sensors, {
        url: config.mqttUrl,
        clientId: config.mqttClientId,
        shareGroup: config.mqttShareGroup,
        sessionExpirySec: config.mqttSessionExpirySec,
        log,
      })
      mqtt.ready.then(
        () => log(`MQTT: ingesting from ${config.mqttUrl} as ${config.mqttClientId} (shared subscription)`),
        (e: unknown) => log(`MQTT: cannot subscribe at ${config.mqttUrl}: ${(e as Error).message}`),
      )
    } else {
      broker = await startEmbeddedBroker(platform.sensors, { port: config.mqttPort, log })
    }
    if (o.simulate) {
      simulation = await startDeviceSimulation(platform)
    }
  }
  if (roles.includes('jobs')) {
    const purge = () =>
      platform.sensing.purge(platform.clock()).then(
        (n) => {
          if (n.readings + n.rollups > 0) {
            log(`retention: deleted ${n.readings} readings, ${n.rollups} rollups`)
          }
        },
        (e: unknown) => log(`retention: ${(e as Error).message}`),
      )
    void purge()
    retention = setInterval(() => void purge(), HOUR)
    retention.unref()
  }
  return {
    async stop() {
      if (retention) {
        clearInterval(retention)
      }
      await simulation?.stop()
      if (mqtt) {
        const m = mqtt.stats
        log(`MQTT: received ${m.received}, acknowledged ${m.acked}, withheld ${m.stale} (connection lost)`)
        await mqtt.close()
      }
      await broker?.close()
      await platform.sensors.stop()
    },
  }
}

export interface SimulateSensorsOptions {
  readonly replay: string
  readonly device: string
  readonly speed: number
  readonly mqtt: string
  readonly quantities?: readonly string[]
  readonly qos?: 0 | 1
}

/**
 * `onegrid simulate sensors`: publish a recorded series (Beijing air quality CSV or the Rangsit
 * water-level JSON) as one device through MQTT, retimed to now, so the alarms arise from real data.
 */
export async function simulateSensors(o: SimulateSensorsOptions): Promise<string> {
  const client = await connectAsync(o.mqtt, { clientId: `onegrid-replay-${o.device}-${process.pid}` })
  const topic = `onegrid/${o.device}/readings`
  try {
    // the readings of one row (pm25, pm10 … of one hour) travel as one message; a quantity seen again
    // starts the next row. Each message gets a later ts than the one before, so fast replays (speed 0
    // stamps many rows within one millisecond) never collide on the readings' primary key.
    let pending: { ts: number; values: Record<string, number> } | undefined
    let messages = 0
    let lastTs = 0
    const flush = async () => {
      if (!pending) {
        return
      }
      lastTs = Math.max(pending.ts, lastTs + 1)
      const body = JSON.stringify({ ts: lastTs, ...pending.values })
      pending = undefined
      messages++
      await client.publishAsync(topic, body, { qos: o.qos ?? 1 })
    }
    const stats = await replay(
      readReplayFile(o.replay, o.device, o.quantities ? { quantities: o.quantities } : {}),
      o.speed,
      async (r) => {
        if (pending && Object.hasOwn(pending.values, r.quantity)) {
          await flush()
        }
        pending ??= { ts: r.ts, values: {} }
        pending.values[r.quantity] = r.value
      },
      { retime: true },
    )
    await flush()
    return `replayed ${stats.published} readings in ${messages} messages to ${topic} in ${(stats.wallMs / 1000).toFixed(1)} s`
  } finally {
    await client.endAsync()
  }
}
