import type { CaseEvent } from '../core/case/case.types.ts'
import type { EventPublisher } from '../services/ports.ts'

export type Listener = (events: readonly CaseEvent[]) => void

/**
 * In-process fan-out of committed events to subscribers (SSE, ledger, rollups). Cross-node delivery
 * (NATS) subscribes here and republishes; a slow or failing listener never blocks the publisher.
 */
export class LocalBus implements EventPublisher {
  readonly #listeners = new Set<Listener>()

  publish(events: readonly CaseEvent[]): void {
    if (events.length === 0) {
      return
    }
    for (const l of this.#listeners) {
      try {
        l(events)
      } catch {
        // a listener's failure is its own: the commit already happened
      }
    }
  }

  /** Subscribe; returns the unsubscribe function. */
  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }
}
