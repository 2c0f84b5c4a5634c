import type { Kysely } from 'kysely'
import type { Actor, Case, GeoPoint, Priority, Satisfaction } from '../core/case/case.types.ts'
import { AppError } from '../core/errors.ts'
import type { Instant } from '../core/time.ts'
import type { Database } from '../store/database.ts'
import * as hotline from '../store/hotline.repository.ts'
import type { CaseService } from './case.service.ts'
import type { IntakeResult, IntakeService } from './intake.service.ts'
import type { Clock, Principal } from './ports.ts'

/** A 12345 call-centre work order (工单), as the call centre hands it over. */
export interface HotlineOrder {
  /** the call centre's ticket number: the idempotency key and external id */
  readonly ticketNo: string
  readonly callTime: Instant
  readonly text: string
  readonly callerName?: string
  readonly callbackNumber?: string
  readonly address?: string
  readonly urgency?: Priority
  readonly location?: GeoPoint
  /** the call-taker's classification, when the call centre makes one */
  readonly classId?: string
}

/** One row's outcome in a batch import. */
export interface ImportOutcome {
  readonly row: number
  readonly ticketNo?: string
  readonly status: 'created' | 'attached' | 'duplicate' | 'rejected'
  readonly caseId?: string
  readonly column?: string
  readonly reason?: string
}

/** A callback (回访) to the reporter after close. */
export interface CallbackInput {
  readonly caseId: string
  readonly reached: boolean
  readonly resolved?: boolean
  readonly satisfaction?: Satisfaction
  readonly note?: string
}

export interface CallbackResult {
  readonly case: Case
  /** unreachable attempts so far */
  readonly unreachable: number
  /** how the case was evaluated by this call, if it was */
  readonly evaluated?: 'callback' | 'auto'
}

export interface HotlineService {
  submit(order: HotlineOrder): Promise<IntakeResult>
  /** Commit each valid row on its own; rows already refused by the parser are reported as given. */
  importRows(
    rows: readonly ({ row: number; order: HotlineOrder } | Omit<ImportOutcome, 'status'>)[],
  ): Promise<ImportOutcome[]>
  callback(p: Principal, input: CallbackInput): Promise<CallbackResult>
}

/** After this many unreachable callback attempts the case is evaluated by rule. */
export const UNREACHABLE_LIMIT = 3

const SYSTEM: Principal = {
  actor: { id: 'system', role: 'system', name: 'OneGrid' } satisfies Actor,
  username: 'system',
  displayName: 'OneGrid',
}

/** The 12345 hotline channel: work orders, batch import, callbacks. */
export function createHotlineService(deps: {
  readonly db: Kysely<Database>
  readonly clock: Clock
  readonly intake: IntakeService
  readonly cases: CaseService
  readonly unreachableLimit?: number
}): HotlineService {
  const limit = deps.unreachableLimit ?? UNREACHABLE_LIMIT

  function submit(o: HotlineOrder): Promise<IntakeResult> {
    return deps.intake.intake({
      channel: 'hotline',
      text: o.text,
      receivedAt: o.callTime,
      idempotencyKey: `hotline:${o.ticketNo}`,
      externalId: o.ticketNo,
      ...(o.callerName ? { reporterName: o.callerName } : {}),
      ...(o.callbackNumber ? { reporterPhone: o.callbackNumber } : {}),
      ...(o.address ? { address: o.address } : {}),
      ...(o.location ? { location: o.location } : {}),
      ...(o.urgency ? { priority: o.urgency } : {}),
      ...(o.classId ? { classId: o.classId } : {}),
    })
  }

  return {
    submit,

    async importRows(rows) {
      const out: ImportOutcome[] = []
      // one by one, in file order: a later row may repeat an earlier one and must find its case
      for (const r of rows) {
        if (!('order' in r)) {
          out.push({ ...r, status: 'rejected' })
          continue
        }
        try {
          const res = await submit(r.order)
          const status = res.replayed ? 'duplicate' : res.attached ? 'attached' : 'created'
          out.push({ row: r.row, ticketNo: r.order.ticketNo, status, caseId: res.case.id })
        } catch (e) {
          const err = e instanceof AppError ? e : new AppError('INTERNAL', 'the row could not be stored')
          out.push({
            row: r.row,
            ticketNo: r.order.ticketNo,
            status: 'rejected',
            ...(err.field ? { column: err.field } : {}),
            reason: `row ${r.row}: ${err.message}`,
          })
        }
      }
      return out
    },

    async callback(p, input) {
      const now = deps.clock()
      const c = await deps.cases.get(p, input.caseId)
      if (c.stage !== 'closed') {
        throw new AppError(
          'CASE_ILLEGAL_ACTION',
          `case ${c.id} is ${c.stage}: callbacks are made once it is closed`,
          'caseId',
        )
      }
      if (input.reached) {
        if (input.satisfaction === undefined || input.resolved === undefined) {
          throw new AppError(
            'VALIDATION_FAILED',
            'a reached callback needs satisfaction and resolved',
            input.satisfaction === undefined ? 'satisfaction' : 'resolved',
          )
        }
        const next = await deps.cases.act(p, c.id, {
          type: 'evaluate',
          satisfaction: input.satisfaction,
          resolved: input.resolved,
          source: 'callback',
          ...(input.note ? { note: input.note } : {}),
        })
        await hotline.recordCallback(deps.db, { ...input, at: now, actorId: p.actor.id })
        return {
          case: next,
          unreachable: await hotline.unreachableCount(deps.db, c.id),
          evaluated: 'callback',
        }
      }
      await hotline.recordCallback(deps.db, {
        caseId: c.id,
        reached: false,
        at: now,
        actorId: p.actor.id,
        ...(input.note ? { note: input.note } : {}),
      })
      const unreachable = await hotline.unreachableCount(deps.db, c.id)
      if (unreachable < limit) {
        return { case: c, unreachable }
      }
      // Rule: after N unreachable calls the case is evaluated automatically as 'basically', resolved as
      // verification found it. An automatic evaluation counts in no satisfaction rate (evaluation metrics).
      const next = await deps.cases.act(SYSTEM, c.id, {
        type: 'evaluate',
        satisfaction: 'basically',
        resolved: c.resolved ?? true,
        source: 'auto',
        note: `回访${unreachable}次未接通，按规则自动评价`,
      })
      return { case: next, unreachable, evaluated: 'auto' }
    },
  }
}
