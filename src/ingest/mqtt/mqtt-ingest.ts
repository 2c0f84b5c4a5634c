import { connect, type IClientOptions, type MqttClient, type Packet } from 'mqtt'
import type { IngestChannel, SubmitCallback, SubmitOutcome } from '../sensors/sensor-ingest.ts'

/** Where device messages are published: `onegrid/<deviceId>/readings`. */
export const READINGS_TOPIC = 'onegrid/+/readings'
/** The shared-subscription group every ingest worker joins: the broker hands each message to one of them. */
export const DEFAULT_SHARE_GROUP = 'onegrid'

/** The one thing the embedded broker needs from the ingest. */
export interface ReadingSink {
  submit(deviceId: string, raw: unknown, channel: IngestChannel): Promise<SubmitOutcome>
}

/** What the external-broker ingest needs: the same submit, answered by callback (no promise per message). */
export interface StreamingReadingSink {
  accept(deviceId: string, raw: unknown, channel: IngestChannel, done: SubmitCallback): void
}

const TOPIC_PREFIX = 'onegrid/'
const TOPIC_SUFFIX = '/readings'

/** The device id in a readings topic, or undefined for any other topic. */
export function deviceIdOfTopic(topic: string): string | undefined {
  if (!topic.startsWith(TOPIC_PREFIX) || !topic.endsWith(TOPIC_SUFFIX)) {
    return undefined
  }
  const id = topic.slice(TOPIC_PREFIX.length, topic.length - TOPIC_SUFFIX.length)
  return id.length > 0 && !id.includes('/') ? id : undefined
}

/** The message body: JSON, or the text as-is (validation then counts it as `malformed`). */
function bodyOf(payload: Buffer): unknown {
  const text = payload.toString('utf8')
  try {
    return JSON.parse(text) as unknown
  } catch {
    return text
  }
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
  return sink.submit(deviceId, bodyOf(payload), 'mqtt')
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

/** PUBACK fixed header: packet type 4, remaining length 2 (MQTT 5 §3.4.2.1: reason code 0 omitted). */
const PUBACK = 0x40
const PUBACK_LENGTH = 2

/**
 * Ingest from an external broker through a shared subscription (`$share/<group>/onegrid/+/readings`,
 * MQTT 5), QoS 1, with each PUBACK sent only after the reading is committed.
 *
 * Why the PUBACK is held by hand: mqtt.js handles incoming packets one at a time and sends the PUBACK
 * from inside that pipeline (`customHandleAcks`, `handleMessage`); acking after a commit through those
 * hooks would stall the connection for a commit per message — no group commit, a few hundred
 * messages/s. So the client's own PUBACKs are suppressed, the pipeline moves on at once, and the
 * adapter acknowledges each message itself when the batch holding its readings has committed: the
 * PUBACKs of one commit go out together, 4 bytes each, in one socket write. A PUBACK that belongs to
 * a connection since lost is not sent: the broker redelivers the message on the resumed session
 * (clean start off, session expiry set) and the readings' primary key absorbs the repeat. A worker
 * that dies before its commit never acked: the broker redelivers to it when it restarts.
 */
export function connectMqttIngest(sink: StreamingReadingSink, o: MqttIngestOptions): MqttIngest {
  const log = o.log ?? (() => {})
  const options: IClientOptions = {
    protocolVersion: 5,
    clientId: o.clientId,
    clean: false,
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
    // room for many unacked messages in flight: they are what a group commit batches
    properties: { sessionExpiryInterval: o.sessionExpirySec ?? 24 * 3600, receiveMaximum: 65535 },
    // mqtt.js calls its debug logger about fifteen times per packet even when DEBUG is off (5 % of the
    // ingest's CPU in the benchmark); what an operator needs is logged below
    log: () => {},
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
  let failed = -1
  let acks: number[] = []
  let ackQueued = false
  client.on('close', () => {
    connection++
    stats.stale += acks.length
    acks = []
  })
  client.on('error', (e) => log(`MQTT ${o.url}: ${e.message}`))

  function writeAcks(): void {
    ackQueued = false
    const ids = acks
    acks = []
    if (ids.length === 0) {
      return
    }
    if (!client.connected || client.stream.destroyed) {
      stats.stale += ids.length
      return
    }
    const buf = Buffer.allocUnsafe(4 * ids.length)
    for (let i = 0; i < ids.length; i++) {
      buf[4 * i] = PUBACK
      buf[4 * i + 1] = PUBACK_LENGTH
      buf.writeUInt16BE(ids[i], 4 * i + 2)
    }
    client.stream.write(buf)
    stats.acked += ids.length
  }

  function ack(messageId: number, seen: number): void {
    if (seen !== connection) {
      stats.stale++
      return
    }
    acks.push(messageId)
    if (!ackQueued) {
      ackQueued = true
      // the callbacks of one commit run together: their PUBACKs leave in one write
      process.nextTick(writeAcks)
    }
  }

  client.handleMessage = (packet, done) => {
    if (packet.cmd !== 'publish') {
      return done()
    }
    stats.received++
    const seen = connection
    const { messageId, qos } = packet
    const deviceId = deviceIdOfTopic(packet.topic)
    if (!deviceId) {
      if (qos === 1 && messageId !== undefined) {
        ack(messageId, seen)
      }
      return done()
    }
    sink.accept(deviceId, bodyOf(packet.payload as Buffer), 'mqtt', (e) => {
      if (e !== undefined) {
        // not stored: no PUBACK; drop the connection so the broker redelivers on the resumed session
        if (failed !== seen) {
          failed = seen
          log(`MQTT ingest: ${(e as Error).message}; reconnecting for redelivery`)
          client.stream.destroy()
        }
        return
      }
      if (qos === 1 && messageId !== undefined) {
        ack(messageId, seen)
      }
    })
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
