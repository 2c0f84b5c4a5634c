import type { Kysely } from 'kysely'
import type { Case, CaseEvent, LifecycleEnv } from '../core/case/case.types.ts'
import { OPEN_STAGES } from '../core/case/case.types.ts'
import { AppError } from '../core/errors.ts'
import { DAY } from '../core/time.ts'
import type { SweepKind, SweepPolicy } from '../core/evaluation/sweep.ts'
import { DEFAULT_SWEEP_POLICY, SWEEPER, applySweepStep, sweepDecision } from '../core/evaluation/sweep.ts'
import * as cases from '../store/case.repository.ts'
import type { Database } from '../store/database.ts'
import { caseIdsDueBy, releaseLease, tryAcquireLease } from '../store/rollup.repository.ts'
import type { ActionProcessor } from './case.service.ts'
import type { Clock, EventPublisher, Principal } from './ports.ts'

export interface SweepServiceDeps {
  readonly db: Kysely<Database>
  readonly clock: Clock
  readonly env: LifecycleEnv
  readonly events: EventPublisher
  /** the same processors the case service runs (evaluation rollups, ledger …) */
  readonly processors?: readonly ActionProcessor[]
  readonly policy?: SweepPolicy
  /** this node's name in the lease */
  readonly holder: string
  /** how long a pass may hold the lease; another node takes over after it lapses */
  readonly leaseMs?: number
  /**
   * how far ahead of a deadline cases are looked at (for the warning before expiry); 14 days covers
   * 80 % of a 10-working-day limit across Spring Festival
   */
  readonly lookaheadMs?: number
  readonly pageSize?: number
}

/** What one pass did. */
export interface SweepReport {
  /** false when another node holds the lease */
  readonly ran: boolean
  readonly examined: number
  readonly steps: Readonly<Record<SweepKind, number>>
  /** cases skipped because someone acted on them during the pass (the next pass sees them again) */
  readonly conflicts: number
}

export interface SweepService {
  /** One pass over every open case near or past its stage deadline. Safe to call on every node. */
  sweepOnce(): Promise<SweepReport>
}

const LEASE = 'sla-sweep'
const SWEPT_STAGES = OPEN_STAGES.filter((s) => s !== 'suspended')

/**
 * The SLA sweeper: under a lease (one node sweeps at a time), asks the pure `sweepDecision` about
 * each candidate case and applies its steps in one transaction per case, with the same timeline,
 * outbox and processors as a person's action. Run it from the jobs role every minute or so.
 */
export function createSweepService(deps: SweepServiceDeps): SweepService {
  const { db, clock, env, events } = deps
  const policy = deps.policy ?? DEFAULT_SWEEP_POLICY
  const principal: Principal = {
    actor: SWEEPER,
    username: SWEEPER.id,
    displayName: SWEEPER.name ?? SWEEPER.id,
  }

  /** Apply every step due now to one case; the events to publish, or undefined on a lost race. */
  async function sweepCase(id: string, now: number, counts: Record<SweepKind, number>) {
    const done: Record<SweepKind, number> = { warn: 0, urge: 0, supervise: 0, escalate: 0 }
    try {
      const published = await db.transaction().execute((tx) => sweepInTx(tx, id, now, done))
      for (const k of Object.keys(done) as SweepKind[]) {
        counts[k] += done[k]
      }
      return published
    } catch (e) {
      // someone acted on the case meanwhile: everything of this case rolled back; the next pass decides anew
      if (e instanceof AppError && e.code === 'CASE_VERSION_CONFLICT') {
        return undefined
      }
      throw e
    }
  }

  async function sweepInTx(tx: Kysely<Database>, id: string, now: number, counts: Record<SweepKind, number>) {
    const first = await cases.findCase(tx, id)
    if (!first) {
      return []
    }
    const steps = sweepDecision(first, now, policy, env)
    let c: Case = first
    const published: CaseEvent[] = []
    for (const step of steps) {
      const r = applySweepStep(c, step, now, env)
      // a lifecycle guard said no (e.g. already at city level): leave the rest for a person
      if (!r.ok) {
        break
      }
      const applied = r.value
      if (!(await cases.updateCase(tx, applied.case, c.version, now))) {
        throw new AppError('CASE_VERSION_CONFLICT', `case ${id} changed during the sweep`)
      }
      await cases.insertTimeline(tx, [{ ...applied.entry, seq: applied.case.version }])
      await cases.insertOutbox(tx, applied.events)
      for (const proc of deps.processors ?? []) {
        await proc.onApplied(tx, c, applied, principal)
      }
      published.push(...applied.events)
      counts[step.kind]++
      c = applied.case
    }
    return published
  }

  return {
    async sweepOnce() {
      const now = clock()
      const holder = deps.holder
      const steps: Record<SweepKind, number> = { warn: 0, urge: 0, supervise: 0, escalate: 0 }
      if (!(await tryAcquireLease(db, LEASE, holder, now, deps.leaseMs ?? 5 * 60_000))) {
        return { ran: false, examined: 0, steps, conflicts: 0 }
      }
      let examined = 0
      let conflicts = 0
      try {
        const until = now + (deps.lookaheadMs ?? 14 * DAY)
        let after: { due: number; id: string } | undefined
        for (;;) {
          const page = await caseIdsDueBy(db, SWEPT_STAGES, until, deps.pageSize ?? 500, after)
          if (page.length === 0) {
            break
          }
          for (const { id } of page) {
            examined++
            const published = await sweepCase(id, now, steps)
            if (published === undefined) {
              conflicts++
            } else {
              events.publish(published)
            }
          }
          after = page[page.length - 1]
        }
      } finally {
        await releaseLease(db, LEASE, holder)
      }
      return { ran: true, examined, steps, conflicts }
    },
  }
}
