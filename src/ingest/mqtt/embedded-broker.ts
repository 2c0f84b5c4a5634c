import { createServer, type Server } from 'node:net'
import { Aedes } from 'aedes'
import { deviceIdOfTopic, submitMessage, type ReadingSink } from './mqtt-ingest.ts'

export interface EmbeddedBroker {
  readonly port: number
  close(): Promise<void>
}

export interface EmbeddedBrokerOptions {
  readonly port: number
  readonly host?: string
  /** one line per event worth a person's attention */
  readonly log: (line: string) => void
}

/**
 * The embedded broker (aedes) for a one-box install. Readings are ingested in aedes' publish
 * authorisation step, which runs before aedes acknowledges or forwards a client's PUBLISH: a QoS 1
 * device gets its PUBACK only after the reading is committed, and retries anything not stored.
 *
 * A port already in use is reported in one line and the broker stays off (undefined); the rest of
 * the process (API, HTTP and NGSI-LD ingest) starts as usual.
 */
export async function startEmbeddedBroker(
  sink: ReadingSink,
  o: EmbeddedBrokerOptions,
): Promise<EmbeddedBroker | undefined> {
  const aedes = await Aedes.createBroker({
    // runs before aedes stores, forwards or acknowledges a client's PUBLISH: the PUBACK waits for the commit
    authorizePublish: (client, packet, done) => {
      if (!client || !deviceIdOfTopic(packet.topic)) {
        return done(null)
      }
      submitMessage(sink, packet.topic, packet.payload as Buffer).then(
        () => done(null),
        // not stored: aedes refuses the publish (no PUBACK), so the device sends it again
        (e: unknown) => done(e as Error),
      )
    },
  })
  const server: Server = createServer(aedes.handle)
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(o.port, o.host ?? '0.0.0.0', () => {
        server.off('error', reject)
        resolve()
      })
    })
  } catch (e) {
    const err = e as NodeJS.ErrnoException
    const why =
      err.code === 'EADDRINUSE'
        ? `port ${o.port} is already in use (another MQTT broker?)`
        : `cannot listen on port ${o.port}: ${err.message}`
    o.log(
      `MQTT: ${why}; the embedded broker is off — set MQTT_PORT to a free port, or MQTT_URL=mqtt://host:${o.port} to ingest from that broker. HTTP and NGSI-LD ingest still run.`,
    )
    await new Promise<void>((resolve) => aedes.close(() => resolve()))
    return undefined
  }
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : o.port
  o.log(`MQTT: embedded broker listening on port ${port} (topics onegrid/<deviceId>/readings)`)
  return {
    port,
    close: async () => {
      await new Promise<void>((resolve) => aedes.close(() => resolve()))
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
