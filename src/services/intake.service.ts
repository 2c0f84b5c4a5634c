import type { Kysely } from 'kysely'
import type {
  Applied,
  Actor,
  Case,
  CaseAction,
  CaseEvent,
  Channel,
  GeoPoint,
  LifecycleEnv,
  Priority,
  RegionRef,
} from '../core/case/case.types.ts'
import { OPEN_STAGES } from '../core/case/case.types.ts'
import { apply, openCase } from '../core/case/lifecycle.ts'
import { AppError } from '../core/errors.ts'
import type { Instant } from '../core/time.ts'
import { CandidateIndex } from '../core/triage/duplicates.ts'
import type { CandidateSource, DuplicateProbe } from '../core/triage/duplicates.ts'
import * as cases from '../store/case.repository.ts'
import type { StoredAppeal, TimelineEntry } from '../store/case.repository.ts'
import type { Database } from '../store/database.ts'
import { newId } from '../store/ids.ts'
import type { ActionProcessor } from './case.service.ts'
import { runProcessors } from './case.service.ts'
import type { Clock, EventPublisher, Principal } from './ports.ts'

/** One appeal as a channel hands it over. */
export interface IntakeInput {
  readonly channel: Channel
  readonly text: string
  readonly title?: string
  readonly location?: GeoPoint
  readonly address?: string
  readonly reporterName?: string
  readonly reporterPhone?: string
  readonly classId?: string
  readonly priority?: Priority
  readonly externalId?: string
  /** the same key twice returns the same case */
  readonly idempotencyKey?: string
  /** when the reporter reported it (a late patrol upload); default now */
  readonly receivedAt?: Instant
  /** stored photo paths (PhotoStore) sent with the appeal, recorded on its timeline entry */
  readonly photos?: readonly string[]
  /** a channel that already knows the case (an opinion cluster's case): attach there, no pipeline */
  readonly attachToCaseId?: string
}

/** The open case an appeal repeats, and why the pipeline thinks so. */
export interface AttachTarget {
  readonly caseId: string
  /** duplicate confidence, 0..1 */
  readonly score: number
  readonly reasons: readonly string[]
}

/** What the intake pipeline (triage, geocoding, routing) decided for one appeal. */
export interface IntakePlan {
  readonly region?: RegionRef
  readonly classId?: string
  readonly title?: string
  /** actions the platform applies at once, in order (accept, register, dispatch); stops at the first refusal */
  readonly actions?: readonly CaseAction[]
  /** why: classification, geocoding and routing explanations, recorded on the intake timeline entry */
  readonly explanation?: Readonly<Record<string, unknown>>
  /** one more report of an open case: no new case, the appeal joins this one */
  readonly attachTo?: AttachTarget
  /** how duplicate detection saw this appeal: later appeals of the same group commit are compared with it */
  readonly probe?: DuplicateProbe
}

/** Classify, geocode and route an appeal before it is committed. */
export interface IntakePipeline {
  plan(input: IntakeInput, now: Instant): IntakePlan | Promise<IntakePlan>
  /**
   * Whether an appeal repeats one of the new cases committed with it. Plans are made before the
   * commit, so appeals arriving together cannot see each other's cases in the store; the group
   * commit asks here, in arrival order, with the probes of the new cases before it.
   */
  repeats?(probe: DuplicateProbe, earlier: CandidateSource): AttachTarget | undefined
}

export interface IntakeResult {
  readonly case: Case
  readonly appealId: string
  /** true when the idempotency key had been seen: nothing new was stored */
  readonly replayed: boolean
  /** true when the appeal joined an open case as one more report of it */
  readonly attached: boolean
}

export interface IntakeServiceDeps {
  readonly db: Kysely<Database>
  readonly clock: Clock
  readonly env: LifecycleEnv
  readonly events: EventPublisher
  readonly pipeline?: IntakePipeline
  /** most appeals committed in one transaction (group commit) */
  readonly maxBatch?: number
  /**
   * run inside the intake transaction for every action the pipeline applied (accept, register,
   * dispatch): the same processors as the case service's, so a case routed at intake is on the
   * ledger and in the rollups like one routed by hand
   */
  readonly processors?: readonly ActionProcessor[]
}

export interface IntakeService {
  /** Store one appeal as a new case; resolves only after the commit. */
  intake(input: IntakeInput): Promise<IntakeResult>
  /** Resolve once everything queued so far is committed. */
  drain(): Promise<void>
}

/** A reporter's clock may run this far ahead before its timestamp is refused. */
const FUTURE_TOLERANCE_MS = 5 * 60_000

const SYSTEM_PRINCIPAL: Principal = {
  actor: { id: 'system', role: 'system', name: 'OneGrid' },
  username: 'system',
  displayName: 'OneGrid',
}

const SYSTEM: Actor = { id: 'system', role: 'system', name: 'OneGrid' }

/** Most event-loop turns a commit waits for plans in progress to join it. */
const MAX_GATHER_TURNS = 64

/** Times one appeal is retried when the case it joins moved under it. */
const MAX_ATTACH_RETRIES = 3

/** Landed group commits whose new cases later appeals are compared with (their plans may predate them). */
const RECENT_BATCHES = 2

interface Pending {
  readonly input: IntakeInput
  readonly plan: IntakePlan
  readonly resolve: (r: IntakeResult) => void
  readonly reject: (e: unknown) => void
}

/**
 * Intake with group commit: appeals arriving while a commit is running wait, then all of them go
 * in the next transaction (multi-row INSERTs). Every caller is answered after its own commit, so an
 * acknowledged appeal is durable; throughput comes from sharing fsyncs, not from answering early.
 */
export function createIntakeService(deps: IntakeServiceDeps): IntakeService {
  const maxBatch = deps.maxBatch ?? 512
  let queue: Pending[] = []
  let running: Promise<void> | undefined
  const recent = new RecentCases()

  async function planned(pipeline: IntakePipeline, input: IntakeInput): Promise<IntakePlan> {
    planning++
    try {
      return await pipeline.plan(input, deps.clock())
    } finally {
      planning--
    }
  }

  // appeals whose pipeline plan is still running (it may query the database: duplicate candidates)
  let planning = 0

  /**
   * One group commit at a time. Two in flight (the next running its statements while the previous
   * waits for its WAL fsync) were 5–10 % faster over HTTP, but on PostgreSQL their appeals met
   * duplicate detection in an order further from their arrival, and a burst of reports of one
   * problem split into two cases in about one run in four.
   */
  function schedule(): void {
    if (running || queue.length === 0) {
      return
    }
    running = gather()
      .then(async () => {
        const batch = queue.slice(0, maxBatch)
        queue = queue.slice(batch.length)
        await flush(deps, batch, recent)
      })
      .finally(() => {
        running = undefined
        schedule()
      })
  }

  /**
   * Flush on the next turn of the event loop, not at once: better-sqlite3 answers synchronously,
   * so a flush started in the same turn would commit each appeal alone before the requests already
   * waiting on their sockets could join it. Then wait for the plans in progress to join the batch:
   * they queue for the same connection as the commit, so flushing as soon as the first is ready
   * would commit them one by one. And while each turn brings more appeals (requests still arriving
   * on their sockets), take one more turn: a commit costs about the same for 30 appeals as for 60,
   * since it writes whole WAL pages. Bounded in event-loop turns (not clock time, which tests fake)
   * so a steady stream still flushes.
   */
  async function gather(): Promise<void> {
    let turns = 0
    let before: number
    do {
      before = queue.length
      await new Promise<void>((resolve) => setImmediate(resolve))
    } while ((planning > 0 || queue.length > before) && queue.length < maxBatch && ++turns < MAX_GATHER_TURNS)
  }

  return {
    async intake(input) {
      if (input.receivedAt !== undefined && input.receivedAt > deps.clock() + FUTURE_TOLERANCE_MS) {
        throw new AppError(
          'VALIDATION_FAILED',
          'receivedAt lies in the future: check the reporting device clock',
          'receivedAt',
        )
      }
      const plan: IntakePlan = input.attachToCaseId
        ? {
            attachTo: {
              caseId: input.attachToCaseId,
              score: 1,
              reasons: [`named by the ${input.channel} channel`],
            },
          }
        : deps.pipeline
          ? await planned(deps.pipeline, input)
          : {}
      return new Promise<IntakeResult>((resolve, reject) => {
        queue.push({ input, plan, resolve, reject })
        schedule()
      })
    },
    async drain() {
      while (running) {
        await running
      }
    },
  }
}

interface Built {
  readonly pending: Pending
  /** as committed: after the pipeline's actions and any appeal of the same batch that joined it */
  case: Case
  /** later appeals of the same group commit that repeat this new case */
  readonly joined: Attached[]
  readonly appeal: StoredAppeal
  readonly entries: TimelineEntry[]
  readonly events: CaseEvent[]
  /** the pipeline's actions, each with the case before it, for the processors */
  readonly steps: { readonly before: Case; readonly applied: Applied }[]
}

async function flush(
  deps: IntakeServiceDeps,
  batch: readonly Pending[],
  recent: RecentCases,
  attempt = 0,
): Promise<void> {
  const now = deps.clock()
  try {
    const keys = batch.flatMap((p) => (p.input.idempotencyKey ? [p.input.idempotencyKey] : []))
    const known = await cases.casesByIdempotencyKeys(deps.db, keys)
    const fresh: Built[] = []
    const replays: { pending: Pending; caseId: string }[] = []
    const inBatch = new Map<string, string>()
    // what the new cases of this batch looked like to duplicate detection, for the appeals after them
    const batchCandidates = new CandidateIndex()
    const attaching: Pending[] = []
    for (const p of batch) {
      const key = p.input.idempotencyKey
      const seen = key ? known.get(key) : undefined
      if (seen) {
        replays.push({ pending: p, caseId: seen })
        continue
      }
      const twin = key ? inBatch.get(key) : undefined
      if (twin) {
        replays.push({ pending: p, caseId: twin })
        continue
      }
      if (p.plan.attachTo) {
        attaching.push(p)
        // one more report of that case: later appeals may be as close to this one as to its first
        if (p.plan.probe) {
          batchCandidates.add({ ...p.plan.probe, caseId: p.plan.attachTo.caseId })
        }
        if (key) {
          inBatch.set(key, p.plan.attachTo.caseId)
        }
        continue
      }
      const probe = p.plan.probe
      const host = sameBatchHost(deps.pipeline, probe, fresh, recent.with(batchCandidates))
      if (host && !host.built) {
        // a case of a commit that landed while this appeal's plan was reading the store
        const target = {
          ...host.target,
          reasons: [...host.target.reasons, 'reported while that case was committed'],
        }
        attaching.push({ ...p, plan: { ...p.plan, attachTo: target } })
        batchCandidates.add({ ...probe!, caseId: target.caseId })
        if (key) {
          inBatch.set(key, host.target.caseId)
        }
        continue
      }
      if (host?.built) {
        const target = {
          ...host.target,
          reasons: [...host.target.reasons, 'reported in the same group commit'],
        }
        const joined = attach(host.built.case, { ...p, plan: { ...p.plan, attachTo: target } }, now)
        host.built.case = joined.case
        host.built.joined.push(joined)
        batchCandidates.add({ ...probe!, caseId: joined.case.id })
        if (key) {
          inBatch.set(key, joined.case.id)
        }
        continue
      }
      const built = build(deps.env, p, now)
      fresh.push(built)
      if (probe) {
        batchCandidates.add({ ...probe, caseId: built.case.id })
      }
      if (key) {
        inBatch.set(key, built.case.id)
      }
    }
    const targets = new Map(
      (await cases.findCases(deps.db, [...new Set(attaching.map((p) => p.plan.attachTo!.caseId))])).map(
        (c) => [c.id, c],
      ),
    )
    const attached: Attached[] = []
    for (const p of attaching) {
      const target = targets.get(p.plan.attachTo!.caseId)
      if (target && OPEN_STAGES.includes(target.stage)) {
        const a = attach(target, p, now)
        targets.set(target.id, a.case)
        attached.push(a)
      } else {
        // the case closed (or vanished) since the pipeline looked: this report starts a new case
        const { attachTo, ...plan } = p.plan
        fresh.push(
          build(
            deps.env,
            { ...p, plan: { ...plan, explanation: { ...plan.explanation, attachRefused: attachTo } } },
            now,
          ),
        )
      }
    }
    const updated = [...new Map(attached.map((a) => [a.case.id, a])).values()]

    if (fresh.length > 0 || attached.length > 0) {
      await deps.db.transaction().execute(async (tx) => {
        for (const a of updated) {
          const before = attached.find((x) => x.case.id === a.case.id)!.before
          if (!(await cases.updateCase(tx, a.case, before.version, now))) {
            throw new AppError('CASE_VERSION_CONFLICT', `case ${a.case.id} changed while an appeal joined it`)
          }
        }
        await cases.insertCases(
          tx,
          fresh.map((b) => b.case),
          now,
        )
        await cases.insertAppeals(tx, [
          ...fresh.flatMap((b) => [b.appeal, ...b.joined.map((j) => j.appeal)]),
          ...attached.map((a) => a.appeal),
        ])
        await cases.insertTimeline(tx, [
          ...fresh.flatMap((b) => [...b.entries, ...b.joined.map((j) => j.entry)]),
          ...attached.map((a) => a.entry),
        ])
        await cases.insertOutbox(tx, [...fresh.flatMap(eventsOf), ...attached.map((a) => a.event)])
        await runProcessors(
          tx,
          deps.processors ?? [],
          fresh.flatMap((b) => b.steps.map((s) => ({ ...s, actor: SYSTEM_PRINCIPAL }))),
        )
      })
      deps.events.publish([...fresh.flatMap(eventsOf), ...attached.map((a) => a.event)])
      recent.landed(batchCandidates)
    }
    for (const b of fresh) {
      b.pending.resolve({ case: b.case, appealId: b.appeal.id, replayed: false, attached: false })
      for (const j of b.joined) {
        j.pending.resolve({ case: b.case, appealId: j.appeal.id, replayed: false, attached: true })
      }
    }
    for (const a of attached) {
      // every caller sees the case as it stands after the whole batch
      const latest = targets.get(a.case.id) ?? a.case
      a.pending.resolve({ case: latest, appealId: a.appeal.id, replayed: false, attached: true })
    }
    if (replays.length > 0) {
      const found = new Map(
        (
          await cases.findCases(
            deps.db,
            replays.map((r) => r.caseId),
          )
        ).map((c) => [c.id, c]),
      )
      for (const r of replays) {
        const c = found.get(r.caseId)
        if (c) {
          r.pending.resolve({ case: c, appealId: '', replayed: true, attached: false })
        } else {
          r.pending.reject(new AppError('INTERNAL', `idempotent replay lost case ${r.caseId}`))
        }
      }
    }
  } catch (e) {
    // A concurrent commit (another node) may have taken an
    // idempotency key between our read and our insert, or moved a case an appeal joins: retry each
    // appeal on its own so one conflict cannot fail the others; a moved case is read afresh.
    if (batch.length > 1) {
      for (const p of batch) {
        await flush(deps, [p], recent)
      }
    } else if (e instanceof AppError && e.code === 'CASE_VERSION_CONFLICT' && attempt < MAX_ATTACH_RETRIES) {
      await flush(deps, batch, recent, attempt + 1)
    } else {
      batch[0]?.reject(e)
    }
  }
}

interface Attached {
  readonly pending: Pending
  readonly before: Case
  readonly case: Case
  readonly appeal: StoredAppeal
  readonly entry: TimelineEntry
  readonly event: CaseEvent
}

/** One more report of an open case: the appeal, the case with one more appeal counted, its timeline entry. */
function attach(target: Case, p: Pending, now: Instant): Attached {
  const { input } = p
  const how = p.plan.attachTo!
  const appeal = appealOf(input, target.id, now)
  const next: Case = {
    ...target,
    version: target.version + 1,
    counters: { ...target.counters, appeals: target.counters.appeals + 1 },
  }
  const payload = {
    channel: input.channel,
    appealId: appeal.id,
    score: how.score,
    reasons: how.reasons,
    ...(input.photos?.length ? { photos: input.photos } : {}),
  }
  return {
    pending: p,
    before: target,
    case: next,
    appeal,
    entry: {
      caseId: target.id,
      seq: next.version,
      action: 'appeal',
      from: target.stage,
      to: target.stage,
      actorId: SYSTEM.id,
      role: 'system',
      at: now,
      payload,
    },
    event: {
      type: 'case.appeal-added',
      caseId: target.id,
      at: now,
      stage: target.stage,
      ...(target.unitId ? { unitId: target.unitId } : {}),
      payload: { channel: input.channel, appealId: appeal.id, score: how.score },
    },
  }
}

function appealOf(input: IntakeInput, caseId: string, now: Instant): StoredAppeal {
  return {
    id: newId('A', now),
    caseId,
    channel: input.channel,
    text: input.text,
    receivedAt: Math.min(input.receivedAt ?? now, now),
    ...(input.reporterName ? { reporterName: input.reporterName } : {}),
    ...(input.reporterPhone ? { reporterPhone: input.reporterPhone } : {}),
    ...(input.location ? { location: input.location } : {}),
    ...(input.address ? { address: input.address } : {}),
    ...(input.externalId ? { externalId: input.externalId } : {}),
    ...(input.idempotencyKey ? { idempotencyKey: input.idempotencyKey } : {}),
  }
}

function build(env: LifecycleEnv, p: Pending, now: Instant): Built {
  const { input, plan } = p
  const id = newId('C', now)
  const reportedAt = Math.min(input.receivedAt ?? now, now)
  const title = plan.title ?? input.title ?? summarize(input.text)
  let c = openCase(
    {
      id,
      channel: input.channel,
      title,
      description: input.text,
      reportedAt,
      ...(input.location ? { location: input.location } : {}),
      ...(input.address ? { address: input.address } : {}),
      ...(plan.region ? { region: plan.region } : {}),
      ...(input.priority ? { priority: input.priority } : {}),
    },
    env,
  )
  const appeal = appealOf(input, id, now)
  const entries: TimelineEntry[] = [
    {
      caseId: id,
      seq: c.version,
      action: 'intake',
      from: null,
      to: c.stage,
      actorId: SYSTEM.id,
      role: 'system',
      at: now,
      payload: {
        channel: input.channel,
        appealId: appeal.id,
        ...(input.photos?.length ? { photos: input.photos } : {}),
        ...(plan.explanation ?? {}),
      },
    },
  ]
  const events: CaseEvent[] = [
    {
      type: 'case.reported',
      caseId: id,
      at: now,
      stage: c.stage,
      // enough for a cockpit to draw a marker without asking for the case
      payload: {
        channel: input.channel,
        title,
        priority: c.priority,
        ...(c.location ? { location: c.location } : {}),
        ...(c.address ? { address: c.address } : {}),
        ...(c.region.districtCode ? { districtCode: c.region.districtCode } : {}),
        ...(c.region.streetCode ? { streetCode: c.region.streetCode } : {}),
      },
    },
  ]
  const steps: Built['steps'][number][] = []
  for (const action of plan.actions ?? []) {
    const r = apply(c, action, SYSTEM, now, env)
    if (!r.ok) {
      break
    }
    steps.push({ before: c, applied: r.value })
    c = r.value.case
    entries.push({ ...r.value.entry, seq: c.version })
    events.push(...r.value.events)
  }
  return { pending: p, case: c, joined: [], appeal, entries, events, steps }
}

function eventsOf(b: Built): CaseEvent[] {
  return [...b.events, ...b.joined.map((j) => j.event)]
}

/** The new case of this batch an appeal repeats, if the pipeline says it repeats one. */
function sameBatchHost(
  pipeline: IntakePipeline | undefined,
  probe: DuplicateProbe | undefined,
  fresh: readonly Built[],
  candidates: CandidateSource,
): { built?: Built; target: AttachTarget } | undefined {
  const target = probe ? pipeline?.repeats?.(probe, candidates) : undefined
  if (!target) {
    return undefined
  }
  const built = fresh.find((b) => b.case.id === target.caseId)
  return built ? { built, target } : { target }
}

/**
 * The new cases of the last group commits, as duplicate detection saw them. An appeal's plan reads
 * the store while an earlier commit may still be landing, so the commit that takes it also compares
 * it with these.
 */
class RecentCases {
  #batches: CandidateIndex[] = []

  /** these commits' new cases and the batch being built, as one source */
  with(batch: CandidateIndex): CandidateSource {
    const sources = [...this.#batches, batch]
    return { near: (probe, r, w) => sources.flatMap((s) => s.near(probe, r, w)) }
  }

  landed(batch: CandidateIndex): void {
    if (batch.size > 0) {
      this.#batches = [...this.#batches, batch].slice(-RECENT_BATCHES)
    }
  }
}

/** A title for lists: the first clause of the text, at most 40 characters. */
function summarize(text: string): string {
  const first = text.trim().split(/[。！？!?\n]/)[0] ?? ''
  return first.length > 40 ? `${first.slice(0, 40)}…` : first || text.slice(0, 40)
}
