import type { Kysely } from 'kysely'
import type { Case, GeoPoint } from '../core/case/case.types.ts'
import { haversineM } from '../core/dispatch/index.ts'
import { AppError } from '../core/errors.ts'
import type { Instant } from '../core/time.ts'
import type { Database } from '../store/database.ts'
import * as photos from '../store/photo.repository.ts'
import type { CaseService } from './case.service.ts'
import type { IntakeResult, IntakeService } from './intake.service.ts'
import type { Clock, Principal } from './ports.ts'

/** Where photos live: content-addressed, so the same photo sent twice is stored once. */
export interface PhotoStore {
  /** store bytes; resolves to the relative path `YYYY/MM/<sha256>.<ext>` */
  put(bytes: Uint8Array, ext: PhotoType['ext'], at: Instant): Promise<{ path: string; sha256: string }>
  get(path: string): Promise<Uint8Array | undefined>
}

export interface PhotoType {
  readonly mime: 'image/jpeg' | 'image/png' | 'image/webp'
  readonly ext: 'jpg' | 'png' | 'webp'
}

export const MAX_PHOTO_BYTES = 5 * 1024 * 1024
export const MAX_PHOTOS = 6

/** A stored photo path as the API accepts it. */
export const PHOTO_PATH = /^\d{4}\/\d{2}\/[0-9a-f]{64}\.(jpg|png|webp)$/

/** The image type from the first bytes, whatever the file name or declared type says. */
export function sniffImage(b: Uint8Array): PhotoType | undefined {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) {
    return { mime: 'image/jpeg', ext: 'jpg' }
  }
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
  if (b.length >= 8 && png.every((x, i) => b[i] === x)) {
    return { mime: 'image/png', ext: 'png' }
  }
  const ascii = (from: number, to: number) => String.fromCharCode(...b.subarray(from, to))
  if (b.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') {
    return { mime: 'image/webp', ext: 'webp' }
  }
  return undefined
}

/** A grid inspector's report from the patrol app. */
export interface PatrolReport {
  /** UUID the app made when the inspector saved the report: the idempotency key */
  readonly clientId: string
  /** when the inspector saved it (the app may upload hours later) */
  readonly clientTime: Instant
  readonly text: string
  /** WGS84 (converted at the boundary) */
  readonly location: GeoPoint
  readonly classId?: string
  readonly photos?: readonly string[]
}

export interface PatrolService {
  /** Check and store one photo; `field` (the multipart field) and `filename` name it in errors. */
  storePhoto(
    p: Principal,
    bytes: Uint8Array,
    field: string,
    filename?: string,
  ): Promise<{ path: string; sha256: string; mime: string; bytes: number }>
  readPhoto(path: string): Promise<{ bytes: Uint8Array; mime: string }>
  report(p: Principal, r: PatrolReport): Promise<IntakeResult>
  /** Cases waiting for verification in the inspector's scope, nearest first when `near` is given. */
  tasks(p: Principal, near?: GeoPoint, limit?: number): Promise<(Case & { distanceM?: number })[]>
}

/** The grid patrol channel. */
export function createPatrolService(deps: {
  readonly db: Kysely<Database>
  readonly clock: Clock
  readonly intake: IntakeService
  readonly cases: CaseService
  readonly photos: PhotoStore
}): PatrolService {
  return {
    async storePhoto(p, bytes, field, filename) {
      const label = filename ? `${field} (${filename})` : field
      if (bytes.length > MAX_PHOTO_BYTES) {
        throw new AppError('BODY_TOO_LARGE', `${label}: a photo may be at most 5 MB`, field)
      }
      const type = sniffImage(bytes)
      if (!type) {
        throw new AppError(
          'UNSUPPORTED_MEDIA_TYPE',
          `${label}: the file is not a JPEG, PNG or WebP image (checked by its content, not its name or declared type)`,
          field,
        )
      }
      const now = deps.clock()
      const stored = await deps.photos.put(bytes, type.ext, now)
      await photos.savePhoto(deps.db, {
        path: stored.path,
        sha256: stored.sha256,
        mime: type.mime,
        bytes: bytes.length,
        uploadedBy: p.actor.id,
        at: now,
      })
      return { ...stored, mime: type.mime, bytes: bytes.length }
    },

    async readPhoto(path) {
      const meta = PHOTO_PATH.test(path) ? await photos.findPhoto(deps.db, path) : undefined
      const bytes = meta ? await deps.photos.get(path) : undefined
      if (!meta || !bytes) {
        throw new AppError('NOT_FOUND', `no photo ${path}`, 'path')
      }
      return { bytes, mime: meta.mime }
    },

    async report(p, r) {
      for (const path of r.photos ?? []) {
        if (!PHOTO_PATH.test(path) || !(await photos.findPhoto(deps.db, path))) {
          throw new AppError('VALIDATION_FAILED', `photo ${path} was never uploaded`, 'photos')
        }
      }
      return deps.intake.intake({
        channel: 'patrol',
        text: r.text,
        location: r.location,
        receivedAt: r.clientTime,
        idempotencyKey: `patrol:${r.clientId}`,
        externalId: r.clientId,
        reporterName: p.displayName,
        ...(r.classId ? { classId: r.classId } : {}),
        ...(r.photos?.length ? { photos: r.photos } : {}),
      })
    },

    async tasks(p, near, limit = 50) {
      const page = await deps.cases.list(p, { stage: ['handled'] }, 200)
      const withDistance = page.items.map((c) => ({
        ...c,
        ...(near && c.location
          ? { distanceM: Math.round(haversineM(near.lon, near.lat, c.location.lon, c.location.lat)) }
          : {}),
      }))
      if (near) {
        withDistance.sort((a, b) => (a.distanceM ?? Infinity) - (b.distanceM ?? Infinity))
      }
      return withDistance.slice(0, limit)
    },
  }
}
