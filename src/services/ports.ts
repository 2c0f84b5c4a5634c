import type { Actor, CaseEvent } from '../core/case/case.types.ts'
import type { Instant } from '../core/time.ts'

/** The only clock services read. Tests pass a fake one. */
export type Clock = () => Instant

/** Where committed events go: the live SSE fan-out, the ledger processor, NATS relay … */
export interface EventPublisher {
  publish(events: readonly CaseEvent[]): void
}

/**
 * The authenticated user behind a request: the lifecycle actor plus the region scope.
 * `regionCode` is a prefix (district 6, street 9, community 12 or grid 15 digits); none = whole city.
 */
export interface Principal {
  readonly actor: Actor
  readonly username: string
  readonly displayName: string
  readonly regionCode?: string
}
