import { createHash, randomBytes } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Case, GeoPoint, Stage } from '../core/case/case.types.ts'
import { STAGES } from '../core/case/case.types.ts'
import { findMajor } from '../core/catalog/catalog.ts'
import type { Catalog } from '../core/catalog/catalog.types.ts'
import { AppError } from '../core/errors.ts'
import { DAY, type Instant } from '../core/time.ts'
import type { Database, Open311KeyTable, Open311RequestTable } from '../store/database.ts'
import { newId } from '../store/ids.ts'
import * as repo from '../store/open311.repository.ts'
import type { IntakeService } from './intake.service.ts'
import {
  appliesTo,
  checkSubmission,
  type Open311Definitions,
  type Open311ServiceInfo,
  type Open311Submission,
} from './open311-submission.ts'
import type { Clock } from './ports.ts'

export type {
  AttributeDatatype,
  Lang,
  Open311Attribute,
  Open311Definitions,
  Open311ServiceInfo,
  Open311Submission,
  Texts,
} from './open311-submission.ts'
export { parseOpen311Definitions } from './open311-submission.ts'

/** Who hands a request in: an API client with its key, or the importer with the original's identity. */
export interface SubmitVia {
  readonly via: 'api' | 'import'
  readonly keyId?: string
  readonly externalId?: string
  readonly idempotencyKey?: string
  readonly receivedAt?: Instant
}

export interface Submitted {
  readonly serviceRequestId: string
  readonly token: string
  readonly case: Case
  readonly accountId?: string
  /** the appeal joined an open case that already had this problem */
  readonly attached: boolean
  /** the idempotency key had been seen: nothing new was stored */
  readonly replayed: boolean
}

/** A key as an admin sees it (never the key itself). */
export interface Open311KeyInfo {
  readonly id: string
  readonly name: string
  readonly hint: string
  readonly createdAt: Instant
  readonly createdBy: string
  readonly revokedAt?: Instant
}

/** One service request as Open311 shows it; names and notes are the presenter's job. */
export interface Open311RequestView {
  readonly id: string
  readonly token: string
  readonly case: Case
  readonly status: 'open' | 'closed'
  readonly serviceCode: string
  readonly description?: string
  readonly requestedAt: Instant
  readonly updatedAt: Instant
  readonly expectedAt?: Instant
  readonly address?: string
  readonly addressId?: string
  readonly zipcode?: string
  readonly location?: GeoPoint
  readonly mediaUrl?: string
}

/** A stage change of a request's case (servicerequestupdates). */
export interface Open311UpdateView {
  readonly id: string
  readonly serviceRequestId: string
  readonly status: 'open' | 'closed'
  readonly stage: Stage
  readonly action: string
  readonly at: Instant
  /** the unit a dispatch or reassign sent the case to */
  readonly unitId?: string
  readonly note?: string
  readonly mediaUrl?: string
}

export interface RequestQuery {
  readonly ids?: readonly string[]
  readonly serviceCodes?: readonly string[]
  readonly statuses?: readonly ('open' | 'closed')[]
  readonly start?: Instant
  readonly end?: Instant
}

export interface Open311Service {
  /** the city calendar's offset from UTC: Open311 times are shown in it */
  readonly utcOffsetMinutes: number
  issueKey(name: string, by: string): Promise<{ key: string; info: Open311KeyInfo }>
  listKeys(): Promise<Open311KeyInfo[]>
  revokeKey(id: string): Promise<void>
  /** the key's record, or AUTH_REQUIRED / AUTH_INVALID naming api_key */
  checkKey(apiKey: string | undefined): Promise<Open311KeyInfo>
  services(): readonly Open311ServiceInfo[]
  /** CATALOG_CLASS_UNKNOWN when no class has this code */
  service(code: string): Open311ServiceInfo
  submit(s: Open311Submission, via: SubmitVia): Promise<Submitted>
  find(ids: readonly string[]): Promise<Open311RequestView[]>
  search(q: RequestQuery): Promise<Open311RequestView[]>
  byToken(token: string): Promise<{ token: string; serviceRequestId: string }>
  updates(start?: Instant, end?: Instant): Promise<Open311UpdateView[]>
}

export interface Open311ServiceDeps {
  readonly db: Kysely<Database>
  readonly clock: Clock
  readonly catalog: Catalog
  readonly definitions: Open311Definitions
  readonly intake: Pick<IntakeService, 'intake'>
  readonly utcOffsetMinutes: number
}

/** Stages in which Open311 says `closed`: the city owes the reporter nothing more. */
export const CLOSED_STAGES: readonly Stage[] = ['closed', 'evaluated', 'rejected', 'merged']

/** GeoReport v2 status of one of our stages. */
export function statusOf(stage: Stage): 'open' | 'closed' {
  return CLOSED_STAGES.includes(stage) ? 'closed' : 'open'
}

/** Longest window and most results one GET returns (GeoReport v2: 90 days, 1000 requests). */
export const WINDOW_MS = 90 * DAY
export const MAX_RESULTS = 1000

/** Build the Open311 use cases over their ports. */
export function createOpen311Service(deps: Open311ServiceDeps): Open311Service {
  const { db, clock, catalog } = deps
  const infos = catalog.classes.map((cls): Open311ServiceInfo => ({
    cls,
    major: findMajor(catalog, cls.kind, cls.majorCode)!,
    attributes: deps.definitions.attributes.filter((a) => appliesTo(a, cls.id)),
  }))
  const byCode = new Map(infos.map((i) => [i.cls.id, i]))
  const writeRequest = groupWriter<Open311RequestTable>((rows) => repo.insertRequests(db, rows))

  function service(code: string): Open311ServiceInfo {
    const info = byCode.get(code)
    if (!info) {
      throw new AppError(
        'CATALOG_CLASS_UNKNOWN',
        `service_code ${code} is not a service here: GET services.json lists them`,
        'service_code',
      )
    }
    return info
  }

  function view(r: repo.Open311Record): Open311RequestView {
    const c = r.case
    const point =
      r.appeal.lon != null && r.appeal.lat != null ? { lon: r.appeal.lon, lat: r.appeal.lat } : c.location
    return {
      id: r.request.appeal_id,
      token: r.request.token,
      case: c,
      status: statusOf(c.stage),
      serviceCode: c.classId ?? r.request.service_code,
      requestedAt: r.appeal.receivedAt,
      updatedAt: Math.max(r.caseUpdatedAt, r.appeal.receivedAt),
      ...(r.request.description != null ? { description: r.request.description } : {}),
      ...(c.due.handle !== undefined ? { expectedAt: c.due.handle } : {}),
      ...(r.appeal.address != null ? { address: r.appeal.address } : {}),
      ...(r.request.address_id != null ? { addressId: r.request.address_id } : {}),
      ...(r.request.zipcode != null ? { zipcode: r.request.zipcode } : {}),
      ...(point ? { location: point } : {}),
      ...(r.request.media_url != null ? { mediaUrl: r.request.media_url } : {}),
    }
  }

  /** [start, end] of a query: given bounds, else 90 days ending now (or starting at `start`). */
  function window(start: Instant | undefined, end: Instant | undefined): [Instant, Instant] {
    const to = end ?? (start !== undefined ? start + WINDOW_MS : clock())
    const from = start ?? to - WINDOW_MS
    if (from > to) {
      throw new AppError('VALIDATION_FAILED', 'start_date is after end_date', 'start_date')
    }
    return [from, to]
  }

  return {
    utcOffsetMinutes: deps.utcOffsetMinutes,

    async issueKey(name, by) {
      const clean = name.trim()
      if (!clean || clean.length > 100) {
        throw new AppError('VALIDATION_FAILED', 'name: 1 to 100 characters naming the client', 'name')
      }
      const key = `og311_${randomBytes(24).toString('base64url')}`
      const row: Open311KeyTable = {
        id: newId('K', clock()),
        name: clean,
        key_hash: hashKey(key),
        key_hint: key.slice(-4),
        created_at: clock(),
        created_by: by,
        revoked_at: null,
      }
      await repo.insertKey(db, row)
      return { key, info: keyInfo(row) }
    },

    async listKeys() {
      return (await repo.listKeys(db)).map(keyInfo)
    },

    async revokeKey(id) {
      if (!(await repo.revokeKey(db, id, clock()))) {
        throw new AppError('NOT_FOUND', `no Open311 key has id ${id}`, 'id')
      }
    },

    async checkKey(apiKey) {
      if (!apiKey) {
        throw new AppError(
          'AUTH_REQUIRED',
          'api_key is required to create a request: ask the city for a key (key_service in discovery)',
          'api_key',
        )
      }
      const row = await repo.keyByHash(db, hashKey(apiKey))
      if (!row || row.revoked_at != null) {
        throw new AppError(
          'AUTH_INVALID',
          'api_key is not valid: it is unknown or has been revoked',
          'api_key',
        )
      }
      return keyInfo(row)
    },

    services: () => infos,
    service,

    async submit(s, via) {
      const createdAt = clock()
      const input = checkSubmission(s, service)
      const requestedAt = Math.min(via.receivedAt ?? createdAt, createdAt)
      const r = await deps.intake.intake({
        channel: 'open311',
        text: input.text,
        ...(input.location ? { location: input.location } : {}),
        ...(s.address_string?.trim() ? { address: s.address_string.trim() } : {}),
        ...(input.reporterName ? { reporterName: input.reporterName } : {}),
        ...(s.phone?.trim() ? { reporterPhone: s.phone.trim() } : {}),
        classId: input.info.cls.id,
        ...(input.priority ? { priority: input.priority } : {}),
        ...(via.externalId ? { externalId: via.externalId } : {}),
        ...(via.idempotencyKey ? { idempotencyKey: via.idempotencyKey } : {}),
        receivedAt: requestedAt,
      })
      const appealId =
        r.appealId ||
        (via.idempotencyKey ? await repo.appealByIdempotencyKey(db, via.idempotencyKey) : undefined)
      if (!appealId) {
        throw new AppError('INTERNAL', `intake of an Open311 request returned no appeal`)
      }
      const token = randomBytes(12).toString('base64url')
      await writeRequest({
        appeal_id: appealId,
        token,
        key_id: via.keyId ?? null,
        via: via.via,
        service_code: input.info.cls.id,
        attributes: JSON.stringify(s.attributes ?? {}),
        description: s.description?.trim() || null,
        email: s.email?.trim() || null,
        device_id: s.device_id?.trim() || null,
        account_id: s.account_id?.trim() || null,
        first_name: s.first_name?.trim() || null,
        last_name: s.last_name?.trim() || null,
        media_url: s.media_url?.trim() || null,
        address_id: s.address_id?.trim() || null,
        zipcode: s.zipcode?.trim() || null,
        requested_at: requestedAt,
        created_at: createdAt,
      })
      // a replay keeps the token the first submission got
      const stored = r.replayed ? (await repo.findRequests(db, [appealId]))[0] : undefined
      return {
        serviceRequestId: appealId,
        token: stored?.request.token ?? token,
        case: r.case,
        ...(s.account_id?.trim() ? { accountId: s.account_id.trim() } : {}),
        attached: r.attached,
        replayed: r.replayed,
      }
    },

    async find(ids) {
      return (await repo.findRequests(db, ids)).map(view)
    },

    async search(q) {
      if (q.ids?.length) {
        return (await repo.findRequests(db, q.ids.slice(0, MAX_RESULTS))).map(view)
      }
      const [from, to] = window(q.start, q.end)
      const statuses = new Set(q.statuses ?? [])
      const stages = statuses.size === 1 ? STAGES.filter((s) => statuses.has(statusOf(s))) : undefined
      const records = await repo.searchRequests(db, {
        requestedFrom: from,
        requestedTo: to,
        ...(stages ? { stages } : {}),
        ...(q.serviceCodes?.length ? { classIds: q.serviceCodes } : {}),
        limit: MAX_RESULTS,
      })
      return records.map(view)
    },

    async byToken(token) {
      const id = await repo.appealByToken(db, token)
      if (!id) {
        throw new AppError('NOT_FOUND', `token ${token} is not known here`, 'token')
      }
      return { token, serviceRequestId: id }
    },

    async updates(start, end) {
      const [from, to] = window(start, end)
      const rows = await repo.stageChanges(db, from, to, MAX_RESULTS)
      return rows.map((u): Open311UpdateView => {
        const note = [u.payload.reason, u.payload.note].find((v): v is string => typeof v === 'string')
        const photos = u.payload.photos
        const media = Array.isArray(photos) && typeof photos[0] === 'string' ? photos[0] : undefined
        return {
          id: `${u.appealId}-${u.seq}`,
          serviceRequestId: u.appealId,
          status: statusOf(u.to),
          stage: u.to,
          action: u.action,
          at: u.at,
          ...(typeof u.payload.unitId === 'string' ? { unitId: u.payload.unitId } : {}),
          ...(note && (u.action === 'reject' || u.action === 'report') ? { note } : {}),
          ...(media && /^https?:\/\//.test(media) ? { mediaUrl: media } : {}),
        }
      })
    },
  }
}

/**
 * Group commit for request rows, as the intake does for cases: rows arriving while a commit runs
 * go together in the next one, and each caller is answered after its own row is committed.
 */
function groupWriter<T>(write: (rows: readonly T[]) => Promise<void>): (row: T) => Promise<void> {
  let queue: { row: T; resolve: () => void; reject: (e: unknown) => void }[] = []
  let running: Promise<void> | undefined
  function schedule(): void {
    if (running) {
      return
    }
    running = new Promise<void>((resolve) => setImmediate(resolve))
      .then(async () => {
        const batch = queue
        queue = []
        try {
          await write(batch.map((b) => b.row))
          for (const b of batch) {
            b.resolve()
          }
        } catch (e) {
          for (const b of batch) {
            b.reject(e)
          }
        }
      })
      .finally(() => {
        running = undefined
        if (queue.length > 0) {
          schedule()
        }
      })
  }
  return (row) =>
    new Promise<void>((resolve, reject) => {
      queue.push({ row, resolve, reject })
      schedule()
    })
}

function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex')
}

function keyInfo(r: Open311KeyTable): Open311KeyInfo {
  return {
    id: r.id,
    name: r.name,
    hint: r.key_hint,
    createdAt: r.created_at,
    createdBy: r.created_by,
    ...(r.revoked_at != null ? { revokedAt: r.revoked_at } : {}),
  }
}
