/**
 * The live channel: one EventSource on /api/v1/live, its events handed to listeners in batches.
 *
 * EventSource cannot send headers, so the bearer token rides as `?token=`. Events are buffered
 * and flushed at most every FLUSH_MS: a busy city emits hundreds of events a second, and the
 * cockpit should re-render about twice a second, not per event.
 */
import { apiUrl, getToken } from './client.ts'
import type { LiveEvent } from './types.ts'

const FLUSH_MS = 500

/** Named SSE events we listen for; EventSource has no wildcard, so the `case.*` family is listed. */
const EVENT_NAMES = [
  'case.reported',
  'case.appeal-added',
  'case.warned',
  'case.accept',
  'case.reject',
  'case.merge',
  'case.register',
  'case.dispatch',
  'case.reassign',
  'case.receive',
  'case.return',
  'case.extend',
  'case.suspend',
  'case.resume',
  'case.report',
  'case.verify',
  'case.evaluate',
  'case.reopen',
  'case.urge',
  'case.supervise',
  'case.instruct',
  'case.escalate',
  'case.whistle',
  'case.report-in',
  'sensor.alarm',
  'emergency.started',
  'emergency.instructed',
  'emergency.acknowledged',
  'emergency.updated',
  'emergency.stopped',
  'metrics',
] as const

export type LiveStatus = 'connecting' | 'open' | 'retrying' | 'unavailable'

export interface LiveHandlers {
  readonly onBatch: (events: readonly LiveEvent[]) => void
  readonly onStatus: (s: LiveStatus) => void
}

/** Opens the live channel; returns a function that closes it. */
export function connectLive(h: LiveHandlers): () => void {
  let buffer: LiveEvent[] = []
  let timer: ReturnType<typeof setTimeout> | undefined
  let source: EventSource | undefined
  let closed = false
  let everOpened = false
  let failures = 0

  const flush = () => {
    timer = undefined
    if (!buffer.length) {
      return
    }
    const batch = buffer
    buffer = []
    h.onBatch(batch)
  }
  const push = (type: string, raw: string) => {
    let data: Record<string, unknown>
    try {
      const parsed: unknown = JSON.parse(raw)
      data = parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : { value: parsed }
    } catch {
      data = { text: raw }
    }
    // Servers may send unnamed events with the type inside the payload.
    const named = type === 'message' && typeof data.type === 'string' ? data.type : type
    buffer.push({ type: named, data, receivedAt: Date.now() })
    timer ??= setTimeout(flush, FLUSH_MS)
  }

  const open = () => {
    if (closed) {
      return
    }
    h.onStatus(everOpened ? 'retrying' : 'connecting')
    const t = getToken()
    source = new EventSource(apiUrl('/live', t ? { token: t } : {}))
    source.onopen = () => {
      everOpened = true
      failures = 0
      h.onStatus('open')
    }
    source.onmessage = (e: MessageEvent<string>) => push('message', e.data)
    for (const name of EVENT_NAMES) {
      source.addEventListener(name, (e) => push(name, (e as MessageEvent<string>).data))
    }
    source.onerror = () => {
      // The browser retries on its own while the stream was once open; a stream that never opened
      // (404 before the endpoint exists, 401) closes for good, so we probe again slowly.
      if (source?.readyState === EventSource.CLOSED) {
        source.close()
        failures++
        h.onStatus(everOpened ? 'retrying' : 'unavailable')
        setTimeout(open, Math.min(60_000, 3_000 * 2 ** Math.min(failures, 4)))
      } else {
        h.onStatus('retrying')
      }
    }
  }
  open()

  return () => {
    closed = true
    source?.close()
    if (timer) {
      clearTimeout(timer)
    }
  }
}
