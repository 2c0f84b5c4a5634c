/**
 * Turns batches of live events into what the cockpit draws: feed lines and map markers.
 * Pure, so the coalescing model is testable without a browser.
 */
import type { ApiCase, GeoPoint, LiveEvent } from '../api/types.ts'
import type { MapMarker } from './city-map.tsx'

export interface FeedItem {
  readonly key: string
  readonly at: number
  readonly kind: 'case' | 'urgent' | 'alarm' | 'oversight' | 'emergency' | 'progress'
  /** event type, e.g. case.reported, for the label */
  readonly type: string
  readonly caseId?: string
  readonly title?: string
  readonly place?: string
  readonly channel?: string
  readonly location?: GeoPoint
}

export const FEED_MAX = 40
/** markers fade from the map after this long */
export const MARKER_TTL_MS = 10 * 60_000

const OVERSIGHT = new Set([
  'case.urge',
  'case.supervise',
  'case.instruct',
  'case.escalate',
  'case.whistle',
  'case.warned',
])
/** Events the feed shows; the rest (receive, register, …) only refresh the numbers. */
const FEED_TYPES = new Set([
  'case.reported',
  'case.appeal-added',
  'case.reopen',
  'case.verify',
  'case.evaluate',
  'sensor.alarm',
  ...OVERSIGHT,
])

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v ? v : undefined
}

function point(v: unknown): GeoPoint | undefined {
  const p = v as Partial<GeoPoint> | undefined
  return p && typeof p.lon === 'number' && typeof p.lat === 'number' ? { lon: p.lon, lat: p.lat } : undefined
}

/** One feed line from one event, if the feed shows that kind of event. */
export function feedItem(e: LiveEvent, seq: number): FeedItem | undefined {
  if (!FEED_TYPES.has(e.type) && !e.type.startsWith('emergency.')) {
    return undefined
  }
  const d = e.data
  const payload = (d.payload ?? {}) as Record<string, unknown>
  const at = typeof d.at === 'number' ? d.at : e.receivedAt
  const location = point(d.location) ?? point(payload.location)
  const urgent = d.priority === 'urgent' || payload.priority === 'urgent'
  const kind: FeedItem['kind'] =
    e.type === 'sensor.alarm'
      ? 'alarm'
      : e.type.startsWith('emergency.')
        ? 'emergency'
        : OVERSIGHT.has(e.type)
          ? 'oversight'
          : e.type === 'case.reported'
            ? urgent
              ? 'urgent'
              : 'case'
            : 'progress'
  const title =
    str(d.title) ??
    str(payload.title) ??
    str(d.message) ??
    str(payload.note) ??
    str(payload.reason) ??
    str(d.text)
  const place = str(d.address) ?? str(payload.address) ?? str(d.deviceId)
  const caseId = str(d.caseId)
  const channel = str(d.channel) ?? str(payload.channel)
  return {
    key: `${e.type}-${caseId ?? str(d.deviceId) ?? ''}-${at}-${seq}`,
    at,
    kind,
    type: e.type,
    ...(caseId ? { caseId } : {}),
    ...(title ? { title } : {}),
    ...(place ? { place } : {}),
    ...(channel ? { channel } : {}),
    ...(location ? { location } : {}),
  }
}

/** A feed line for a case already in the store (the feed's first lines before any event arrives). */
export function feedItemOfCase(c: ApiCase): FeedItem {
  return {
    key: `case-${c.id}`,
    at: c.times.reportedAt,
    kind: c.priority === 'urgent' ? 'urgent' : 'case',
    type: 'case.reported',
    caseId: c.id,
    title: c.title,
    ...(c.address ? { place: c.address } : {}),
    channel: c.channel,
    ...(c.location ? { location: c.location } : {}),
  }
}

/** Newest first, without duplicates, at most FEED_MAX. */
export function mergeFeed(old: readonly FeedItem[], fresh: readonly FeedItem[]): readonly FeedItem[] {
  const seen = new Set<string>()
  const out: FeedItem[] = []
  for (const f of [...fresh].sort((a, b) => b.at - a.at).concat(old)) {
    if (seen.has(f.key)) {
      continue
    }
    seen.add(f.key)
    out.push(f)
    if (out.length >= FEED_MAX) {
      break
    }
  }
  return out
}

/** Static dots for open cases already known (the live pulses come from the feed). */
export function openMarkers(cases: readonly ApiCase[]): readonly MapMarker[] {
  return cases
    .filter((c) => c.location && !['closed', 'evaluated', 'rejected', 'merged'].includes(c.stage))
    .map((c) => ({ id: c.id, at: c.location!, kind: 'open', label: c.title }))
}

/** Map markers for feed lines that have a position and are recent enough. */
export function markersOf(feed: readonly FeedItem[], now: number): readonly MapMarker[] {
  return feed
    .filter(
      (f) =>
        f.location &&
        now - f.at < MARKER_TTL_MS &&
        (f.kind === 'case' || f.kind === 'urgent' || f.kind === 'alarm'),
    )
    .map((f) => ({
      id: f.key,
      at: f.location!,
      kind: f.kind === 'alarm' ? 'alarm' : f.kind === 'urgent' ? 'urgent' : 'new',
      label: f.title ?? f.caseId ?? '',
    }))
}
