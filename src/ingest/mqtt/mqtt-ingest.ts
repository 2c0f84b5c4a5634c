import { connect, type IClientOptions, type MqttClient, type Packet } from 'mqtt'
import type { IngestChannel, SubmitOutcome } from '../sensors/sensor-ingest.ts'

/** Where device messages are published: `onegrid/<deviceId>/readings`. */
export const READINGS_TOPIC = 'onegrid/+/readings'
/** The shared-subscription group every ingest worker joins: the broker hands each message to one of them. */
export const DEFAULT_SHARE_GROUP = 'onegrid'

/** The one thing the MQTT adapters need from the ingest. */
export interface ReadingSink {
  submit(deviceId: string, raw: unknown, channel: IngestChannel): Promise<SubmitOutcome>
}

/** The device id in a readings topic, or undefined for any other topic. */
export function deviceIdOfTopic(topic: string): string | undefined {
  const parts = topic.split('/')
  return parts.length === 3 && parts[0] === 'onegrid' && parts[2] === 'readings' && parts[1]
    ? parts[1]
    : undefined
}

/**
 * Hand one MQTT message to the ingest. Resolves when it is committed (or dropped and counted);
 * a payload that is not JSON goes through validation as-is, so it is counted as `malformed`.
 */
export async function submitMessage(
  sink: ReadingSink,
  topic: string,
  payload: Buffer,
): Promise<SubmitOutcome | undefined> {
  const deviceId = deviceIdOfTopic(topic)
  if (!deviceId) {
    return undefined
  }
  let body: unknown
  try {
    body = JSON.parse(payload.toString('utf8'))
  } catch {
    body = payload.toString('utf8')
  }
  return sink.submit(deviceId, body, 'mqtt')
}

export interface MqttIngestOptions {
  readonly url: string
  /** stable per worker: the broker keeps its session (unacked messages) across a restart */
  readonly clientId: string
  readonly shareGroup?: string
  /** how long the broker keeps this worker's session after it drops (default a day) */
  readonly sessionExpirySec?: number
  readonly log?: (msg: string) => void
}

export interface MqttIngest {
  readonly client: MqttClient
  /** Resolves once subscribed. */
  readonly ready: Promise<void>
  /** messages taken in, PUBACKs sent, PUBACKs withheld because their connection was gone */
  readonly stats: { received: number; acked: number; stale: number }
  close(): Promise<void>
}

interface ClientInternals {
  _sendPacket(packet: Packet, cb?: (err?: Error) => void, ...rest: unknown[]): void
}

/**
 * Ingest from an external broker through a shared subscription (`$share/<group>/onegrid/+/readings`,
 * MQTT 5), QoS 1, with each PUBACK sent only after the reading is committed.
 *
 * Why the PUBACK is held by hand: mqtt.js handles incoming packets one at a time and sends the PUBACK
 * from inside that pipeline (`customHandleAcks`, `handleMessage`); acking after a commit through those
 * hooks would stall the connection for a commit per message — no group commit, a few hundred
 * messages/s. So the client's own PUBACKs are suppressed, the pipeline moves on at once, and the
 * adapter sends each PUBACK itself when the batch holding that reading has committed. A PUBACK that
 * belongs to a connection since lost is not sent: the broker redelivers the message on the resumed
 * session (clean start off, session expiry set) and the readings' primary key absorbs the repeat.
 * A worker that dies before its commit never acked: the broker redelivers to it when it restarts.
 */
export function connectMqttIngest(sink: ReadingSink, o: MqttIngestOptions): MqttIngest {
  const log = o.log ?? (() => {})
  const options: IClientOptions = {
    protocolVersion: 5,
    clientId: o.clientId,
    clean: false,
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
    // room for many unacked messages in flight: they are what a group commit batches
    properties: { sessionExpiryInterval: o.sessionExpirySec ?? 24 * 3600, receiveMaximum: 65535 },
  }
  const client = connect(o.url, options)
  const internals = client as unknown as ClientInternals
  const send = internals._sendPacket.bind(client)
  internals._sendPacket = (packet, cb, ...rest) => {
    if (packet.cmd === 'puback') {
      cb?.()
      return
    }
    send(packet, cb, ...rest)
  }
  const stats = { received: 0, acked: 0, stale: 0 }
  let connection = 0
  client.on('close', () => connection++)
  client.on('error', (e) => log(`MQTT ${o.url}: ${e.message}`))

  client.handleMessage = (packet, done) => {
    if (packet.cmd !== 'publish') {
      return done()
    }
    const seen = connection
    const { messageId, qos } = packet
    stats.received++
    submitMessage(sink, packet.topic, packet.payload as Buffer).then(
      () => {
        if (qos === 0 || messageId === undefined) {
          return
        }
        if (seen === connection && client.connected) {
          send({ cmd: 'puback', messageId, reasonCode: 0 })
          stats.acked++
        } else {
          stats.stale++
        }
      },
      (e: unknown) => {
        // not stored: no PUBACK; drop the connection so the broker redelivers on the resumed session
        log(`MQTT ingest: ${(e as Error).message}; reconnecting for redelivery`)
        client.stream.destroy()
      },
    )
    done()
  }

  const topic = `$share/${o.shareGroup ?? DEFAULT_SHARE_GROUP}/${READINGS_TOPIC}`
  const ready = new Promise<void>((resolve, reject) => {
    client.once('connect', (connack) => {
      // a resumed session keeps its subscription; subscribing again is harmless and covers a new one
      client.subscribe(topic, { qos: 1 }, (err) => (err ? reject(err) : resolve()))
      if (connack.sessionPresent) {
        log(`MQTT ${o.url}: resumed session ${o.clientId}`)
      }
    })
  })
  return {
    client,
    ready,
    stats,
    close: () => client.endAsync().then(() => undefined),
  }
}
