import type { ServerResponse } from 'node:http'
import type { CaseEvent } from '../core/case/case.types.ts'
import type { Principal } from '../services/ports.ts'
import type { LocalBus } from './local-bus.ts'

/** Anything the live channel carries: case events, sensor alarms, emergency steps, metrics. */
export interface LiveEvent {
  readonly type: string
  readonly at?: number
  readonly caseId?: string
  readonly unitId?: string
  readonly payload?: Readonly<Record<string, unknown>>
}

interface Client {
  readonly res: ServerResponse
  /** undefined = sees everything (city-level users) */
  readonly filter?: (e: LiveEvent) => boolean
}

export interface LiveHubOptions {
  /** how often buffered events go out, ms: the coalescing window */
  readonly flushMs?: number
  /** a client whose socket holds more than this many unsent bytes is dropped (it reconnects) */
  readonly maxBacklogBytes?: number
  readonly heartbeatMs?: number
}

/** Figures the live benchmark and the operations page read. */
export interface LiveStats {
  clients: number
  batches: number
  eventsSent: number
  dropped: number
}

/**
 * SSE fan-out. Events from the bus are buffered and written out every `flushMs` as one chunk,
 * serialised once for all clients that see everything, so a burst costs one write per client per
 * window rather than one per event per client.
 */
export class LiveHub {
  readonly #clients = new Set<Client>()
  #buffer: LiveEvent[] = []
  readonly #timer: NodeJS.Timeout
  readonly #heartbeat: NodeJS.Timeout
  readonly #maxBacklog: number
  readonly stats: LiveStats = { clients: 0, batches: 0, eventsSent: 0, dropped: 0 }
  readonly #unsubscribe: () => void

  constructor(bus: LocalBus, o: LiveHubOptions = {}) {
    this.#maxBacklog = o.maxBacklogBytes ?? 8 * 1024 * 1024
    this.#unsubscribe = bus.subscribe((events) => this.push(events))
    this.#timer = setInterval(() => this.flush(), o.flushMs ?? 250)
    this.#heartbeat = setInterval(() => this.#broadcastRaw(': keep-alive\n\n'), o.heartbeatMs ?? 15_000)
    this.#timer.unref()
    this.#heartbeat.unref()
  }

  /** Queue events for the next flush (from the bus, or relayed from another node). */
  push(events: readonly (CaseEvent | LiveEvent)[]): void {
    for (const e of events) {
      this.#buffer.push(e)
    }
  }

  /** Attach an SSE response; it is detached when the client goes away. */
  attach(res: ServerResponse, principal: Principal): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    })
    res.write('retry: 3000\n\n')
    const filter = scopeOf(principal)
    const client: Client = filter ? { res, filter } : { res }
    this.#clients.add(client)
    this.stats.clients = this.#clients.size
    res.on('close', () => {
      this.#clients.delete(client)
      this.stats.clients = this.#clients.size
    })
  }

  /** Write everything buffered to every client now. */
  flush(): void {
    if (this.#buffer.length === 0) {
      return
    }
    const events = this.#buffer
    this.#buffer = []
    this.stats.batches++
    // framed once for every unscoped client, and not at all while nobody listens
    let all: string | undefined
    for (const c of this.#clients) {
      const chunk = c.filter
        ? events.filter(c.filter).map(frame).join('')
        : (all ??= events.map(frame).join(''))
      if (chunk) {
        this.#write(c, chunk)
      }
    }
    this.stats.eventsSent += events.length
  }

  #broadcastRaw(chunk: string): void {
    for (const c of this.#clients) {
      this.#write(c, chunk)
    }
  }

  #write(c: Client, chunk: string): void {
    if (c.res.writableLength > this.#maxBacklog) {
      this.stats.dropped++
      c.res.destroy()
      return
    }
    c.res.write(chunk)
  }

  close(): void {
    clearInterval(this.#timer)
    clearInterval(this.#heartbeat)
    this.#unsubscribe()
    for (const c of this.#clients) {
      c.res.end()
    }
    this.#clients.clear()
  }
}

function frame(e: LiveEvent): string {
  return `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`
}

/** What a user may see live: handlers their unit's events, region-scoped users their region's. */
function scopeOf(p: Principal): ((e: LiveEvent) => boolean) | undefined {
  const { role, unitId } = p.actor
  if (role === 'admin' || role === 'leader') {
    return undefined
  }
  if (role === 'handler') {
    return (e) => e.unitId === unitId
  }
  const region = p.regionCode
  if (!region) {
    return undefined
  }
  return (e) => {
    const code = (e.payload?.streetCode ?? e.payload?.districtCode) as string | undefined
    return code === undefined || code.startsWith(region) || region.startsWith(code)
  }
}
