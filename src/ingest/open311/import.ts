import { basename } from 'node:path'
import { AppError } from '../../core/errors.ts'
import type { Open311Service, Open311Submission } from '../../services/open311.service.ts'
import { classFor, sourceOf, type ServiceMapping } from './mapping.ts'
import { readRequestsFile, type ForeignRequest, type ReadResult } from './sources.ts'

export interface ImportDeps {
  /** the function POST /open311/v2/requests uses */
  readonly open311: Pick<Open311Service, 'submit'>
  readonly mapping: ServiceMapping
}

export interface ImportOptions {
  /** the name ids are unique in (default: from the mapping's `files`, else the file name) */
  readonly source?: string
  /** zone of times without an offset (default: from the mapping's `files`, else UTC) */
  readonly timeZone?: string
  /** import at most this many rows of the file */
  readonly limit?: number
  /** requests in flight at once: they share the intake's group commits */
  readonly concurrency?: number
}

/** What happened to one file's rows. */
export interface ImportSummary {
  readonly file: string
  readonly format: ReadResult['format']
  readonly source: string
  readonly rows: number
  /** stored now: new cases plus reports that joined an open case */
  readonly imported: number
  readonly newCases: number
  readonly joined: number
  /** seen in an earlier import (same source and id): nothing new stored */
  readonly alreadyImported: number
  /** reason → rows */
  readonly skipped: Readonly<Record<string, number>>
}

/**
 * Feed every request of a file to the Open311 POST use case, mapped to our classes, keeping the
 * original id (externalId, idempotency key `open311-import:<source>:<id>`), time and coordinates.
 */
export async function importOpen311File(
  path: string,
  deps: ImportDeps,
  o: ImportOptions = {},
): Promise<ImportSummary> {
  const from = sourceOf(deps.mapping, path)
  const source = o.source ?? from.source
  const read = await readRequestsFile(path, o.timeZone ?? from.timeZone)
  const requests = o.limit === undefined ? read.requests : read.requests.slice(0, o.limit)
  const skipped: Record<string, number> = {}
  const skip = (reason: string) => {
    skipped[reason] = (skipped[reason] ?? 0) + 1
  }
  for (const u of read.unreadable) {
    skip(`unreadable row (${u.reason})`)
  }
  let newCases = 0
  let joined = 0
  let alreadyImported = 0

  await pool(requests, o.concurrency ?? 64, async (r) => {
    const classId = classFor(deps.mapping, r.table, r.type, r.descriptor)
    if (!classId) {
      return skip(`unmapped service "${r.type}"`)
    }
    const submission = toSubmission(r, classId)
    if (!submission) {
      return skip('no location (no coordinates, no address)')
    }
    try {
      const done = await deps.open311.submit(submission, {
        via: 'import',
        externalId: r.id,
        idempotencyKey: `open311-import:${source}:${r.id}`,
        ...(r.requestedAt !== undefined ? { receivedAt: r.requestedAt } : {}),
      })
      if (done.replayed) {
        alreadyImported++
      } else if (done.attached) {
        joined++
      } else {
        newCases++
      }
    } catch (e) {
      if (!(e instanceof AppError) || e.code !== 'VALIDATION_FAILED') {
        throw e
      }
      skip(`refused: ${e.field ?? 'request'} invalid`)
    }
  })
  return {
    file: basename(path),
    format: read.format,
    source,
    rows: read.requests.length + read.unreadable.length,
    imported: newCases + joined,
    newCases,
    joined,
    alreadyImported,
    skipped,
  }
}

/** The request as our Open311 POST takes it; undefined when it says nowhere where the problem is. */
function toSubmission(r: ForeignRequest, classId: string): Open311Submission | undefined {
  // 0,0 is how Bloomington and San Francisco say "no point"
  const point = r.lat !== undefined && r.long !== undefined && (r.lat !== 0 || r.long !== 0)
  const address = r.address?.replace(/\s+,/g, ',').trim()
  if (!point && !address) {
    return undefined
  }
  const description = r.description ?? r.type
  return {
    service_code: classId,
    ...(point ? { lat: String(r.lat), long: String(r.long) } : {}),
    ...(address ? { address_string: address.slice(0, 500) } : {}),
    ...(r.zipcode && r.zipcode !== '0' ? { zipcode: r.zipcode.slice(0, 20) } : {}),
    description: description.slice(0, 4000),
    ...(r.mediaUrl && /^https?:\/\//.test(r.mediaUrl) ? { media_url: r.mediaUrl } : {}),
  }
}

async function pool<T>(items: readonly T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      await fn(items[next++])
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, items.length)) }, worker))
}

/** The summary as the CLI prints it: counts, and every reason for skipping with its rows. */
export function formatSummary(s: ImportSummary): string {
  const reasons = Object.entries(s.skipped).sort((a, b) => b[1] - a[1])
  const skippedTotal = reasons.reduce((n, [, c]) => n + c, 0)
  const lines = [
    `${s.file} (${s.format}, source ${s.source}): ${s.rows} rows — imported ${s.imported} ` +
      `(${s.newCases} new cases, ${s.joined} joined an open case), already imported ${s.alreadyImported}, ` +
      `skipped ${skippedTotal}`,
    ...reasons.slice(0, 15).map(([r, c]) => `  skipped ${c}: ${r}`),
  ]
  if (reasons.length > 15) {
    const rest = reasons.slice(15).reduce((n, [, c]) => n + c, 0)
    lines.push(`  skipped ${rest}: ${reasons.length - 15} more reasons (mostly unmapped services)`)
  }
  return lines.join('\n')
}
