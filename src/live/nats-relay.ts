import { randomUUID } from 'node:crypto'
import { connect, type NatsConnection } from '@nats-io/transport-node'
import type { CaseEvent } from '../core/case/case.types.ts'
import type { LiveEvent } from './live-hub.ts'
import type { LocalBus } from './local-bus.ts'

const SUBJECT = 'onegrid.live'

interface Envelope {
  readonly origin: string
  readonly events: readonly (CaseEvent | LiveEvent)[]
}

export interface NatsRelay {
  readonly nodeId: string
  close(): Promise<void>
}

/**
 * Carries committed events between nodes, so a cockpit attached to any node sees the whole city.
 * Local bus events go out on NATS; events from other nodes go to `deliver` (the node's SSE hub),
 * never back onto the bus, so nothing loops. Live events are a view: the durable record is the
 * outbox table, so plain NATS pub/sub (at most once) is enough here.
 */
export async function startNatsRelay(
  url: string,
  bus: LocalBus,
  deliver: (events: readonly (CaseEvent | LiveEvent)[]) => void,
): Promise<NatsRelay> {
  const nodeId = randomUUID()
  const nc: NatsConnection = await connect({ servers: url, name: `onegrid-${nodeId.slice(0, 8)}` })
  const sub = nc.subscribe(SUBJECT)
  void (async () => {
    for await (const m of sub) {
      try {
        const env = m.json<Envelope>()
        if (env.origin !== nodeId) {
          deliver(env.events)
        }
      } catch {
        // a malformed message from elsewhere is not ours to crash on
      }
    }
  })()
  const unsubscribe = bus.subscribe((events) =>
    nc.publish(SUBJECT, JSON.stringify({ origin: nodeId, events } satisfies Envelope)),
  )
  return {
    nodeId,
    async close() {
      unsubscribe()
      await nc.drain()
    },
  }
}
