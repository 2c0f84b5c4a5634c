/**
 * Every endpoint the web app calls, typed. Endpoints marked "coming" are being built by other
 * engineers; callers wrap them in `optional()` and show an honest "unavailable" state.
 */
import type { ActionType } from '../../../src/core/case/case.types.ts'
import { getToken, http, optional } from './client.ts'
import type {
  ApiCase,
  CaseDetail,
  CaseQuery,
  Catalog,
  Channel,
  Device,
  EmergencyCommand,
  EmergencyState,
  GeoPoint,
  Overview,
  Page,
  Rankings,
  RegionCollection,
  RegionLevel,
  Session,
  Team,
  TimelineEntry,
  Trend,
  Unit,
  User,
} from './types.ts'

export interface IntakeInput {
  readonly channel: Channel
  readonly text: string
  readonly title?: string
  readonly location?: GeoPoint
  readonly address?: string
  readonly reporter?: { readonly name?: string; readonly phone?: string }
  readonly classId?: string
}

export const api = {
  login: (username: string, password: string) => http.post<Session>('/auth/login', { username, password }),
  me: () => http.get<User>('/auth/me'),

  cases: (q: CaseQuery, signal?: AbortSignal) =>
    http.get<Page<ApiCase>>('/cases', { ...q, stage: q.stage }, signal),
  case: (id: string) => http.get<CaseDetail>(`/cases/${encodeURIComponent(id)}`),
  timeline: (id: string) =>
    http.get<{ items: readonly TimelineEntry[] }>(`/cases/${encodeURIComponent(id)}/timeline`),
  intake: (input: IntakeInput) => http.post<ApiCase>('/cases', input),
  /** `version` is the case version the user saw: a stale one is refused with CASE_VERSION_CONFLICT. */
  act: (id: string, action: ActionType, body: Readonly<Record<string, unknown>>, version?: number) =>
    http.post<ApiCase>(
      `/cases/${encodeURIComponent(id)}/actions/${action}`,
      version === undefined ? body : { ...body, version },
    ),

  catalog: () => http.get<Catalog>('/catalog'),

  // coming: regions, metrics, rankings, emergency, units, teams, devices, attachments
  regions: (level: RegionLevel, parent?: string) =>
    optional(http.get<RegionCollection>('/regions', { level, parent })),
  overview: () => optional(http.get<Overview>('/metrics/overview')),
  trend: (days: number) => optional(http.get<Trend>('/metrics/trend', { days })),
  rankings: (period: 'week' | 'month' | 'quarter', level: 'district' | 'street' | 'unit') =>
    optional(http.get<Rankings>('/rankings', { period, level })),
  emergency: () => optional(http.get<EmergencyState>('/emergency')),
  emergencyCommand: (cmd: EmergencyCommand) => http.post<EmergencyState>('/emergency', cmd),
  units: () => optional(http.get<{ items: readonly Unit[] } | readonly Unit[]>('/units').then(items)),
  /** All teams, or the 8 nearest to `near` (the server lists teams with `position`; distance is ours). */
  teams: (near?: GeoPoint) =>
    optional(
      http
        .get<{ items: readonly ServerTeam[] } | readonly ServerTeam[]>('/teams')
        .then(items)
        .then((list) => nearest(list.map(teamOf), near, 8)),
    ),
  devices: () => optional(http.get<{ items: readonly Device[] } | readonly Device[]>('/devices').then(items)),
  /** Uploads one photo (multipart) and returns the reference to put in `report.photos`. */
  uploadPhoto: async (file: File): Promise<string | undefined> => {
    const form = new FormData()
    form.append('file', file)
    const t = getToken()
    const res = await fetch('/api/v1/attachments', {
      method: 'POST',
      body: form,
      headers: t ? { authorization: `Bearer ${t}` } : {},
    })
    if (res.status === 404) {
      return undefined
    }
    if (!res.ok) {
      throw new Error(`upload failed: HTTP ${res.status}`)
    }
    const body = (await res.json()) as { url?: string; id?: string }
    return body.url ?? body.id
  },
}

/** List endpoints may answer `{items}` or a bare array; the app wants the array. */
function items<T>(r: { items: readonly T[] } | readonly T[]): readonly T[] {
  return Array.isArray(r) ? (r as readonly T[]) : (r as { items: readonly T[] }).items
}

/** A team as `GET /teams` sends it: `position` where the app says `location`. */
type ServerTeam = Team & { readonly position?: GeoPoint }

function teamOf(t: ServerTeam): Team {
  const { position, ...rest } = t
  const location = t.location ?? position
  return location ? { ...rest, location } : rest
}

function nearest(list: readonly Team[], near: GeoPoint | undefined, n: number): readonly Team[] {
  if (!near) {
    return list
  }
  const rad = Math.PI / 180
  const metres = (p: GeoPoint) => {
    const x = (p.lon - near.lon) * rad * Math.cos(((p.lat + near.lat) / 2) * rad)
    const y = (p.lat - near.lat) * rad
    return Math.sqrt(x * x + y * y) * 6_371_000
  }
  return list
    .flatMap((t) => (t.location ? [{ ...t, distance: metres(t.location) }] : []))
    .sort((a, b) => a.distance - b.distance)
    .slice(0, n)
}
