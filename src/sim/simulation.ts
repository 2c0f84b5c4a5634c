import type { Case, CaseAction, Channel, Satisfaction, Stage } from '../core/case/case.types.ts'
import { seededRng, type Rng } from '../geo/prng.ts'
import type { Platform } from '../platform.ts'
import type { Principal } from '../services/ports.ts'
import { CITY_INSPECTOR, demoActors, handlerOf, pick, placeOf } from './actors.ts'
import { loadDemoAppeals, type DemoAppeal } from './demo-appeals.ts'
import { jitter } from './places.ts'

export interface SimulationOptions {
  /** new appeals per minute (Beijing's 12345 takes about 40 a minute) */
  readonly ratePerMinute: number
  /** how often the city moves, ms */
  readonly tickMs?: number
  readonly seed?: string
}

export interface Simulation {
  /** figures for the live benchmark and the log */
  readonly stats: { appeals: number; actions: number; refused: number; moves: number }
  stop(): Promise<void>
}

/** What the demo city's people do to a case in each stage, and who does it. */
function nextStep(
  c: Case,
  rnd: Rng,
): [who: 'operator' | 'dispatcher' | 'handler' | 'inspector', action: CaseAction] | undefined {
  const satisfaction: Satisfaction = rnd() < 0.8 ? 'satisfied' : rnd() < 0.6 ? 'basically' : 'unsatisfied'
  const steps: Partial<Record<Stage, () => ReturnType<typeof nextStep>>> = {
    reported: () => ['operator', { type: 'accept' }],
    dispatched: () => ['handler', { type: 'receive' }],
    handling: () => ['handler', { type: 'report', note: '已到场处置完毕，现场恢复正常。' }],
    handled: () => ['inspector', { type: 'verify', passed: rnd() < 0.9, note: '现场核查' }],
    closed: () => ['operator', { type: 'evaluate', satisfaction, resolved: satisfaction !== 'unsatisfied' }],
  }
  return steps[c.stage]?.()
}

/**
 * The demo city's life: appeals arrive from the hotline, patrols and apps at `ratePerMinute`,
 * through the real intake pipeline; operators accept, handlers receive and report, inspectors
 * verify, callbacks evaluate; teams move. Everything goes through the services, so the cockpit,
 * rollups and ledger see a real flow.
 */
export async function startSimulation(p: Platform, o: SimulationOptions): Promise<Simulation> {
  const rnd = seededRng(o.seed ?? 'onegrid-sim')
  const actors = await demoActors(p)
  const appeals: DemoAppeal[] = await loadDemoAppeals(p.catalog)
  const classOf = new Map<string, string>()
  const tickMs = o.tickMs ?? 1000
  const stats = { appeals: 0, actions: 0, refused: 0, moves: 0 }
  let carry = 0
  let running: Promise<void> = Promise.resolve()
  let stopped = false

  async function arrive(): Promise<void> {
    carry += (o.ratePerMinute * tickMs) / 60_000
    const n = Math.floor(carry)
    carry -= n
    await Promise.all(
      Array.from({ length: n }, async () => {
        const appeal = appeals[Math.floor(rnd() * appeals.length)]
        const channel = pick<Channel>(
          [
            ['hotline', 0.55],
            ['patrol', 0.3],
            ['open311', 0.1],
            ['self', 0.05],
          ],
          rnd,
        )
        const r = await p.intake.intake({
          channel,
          text: appeal.text,
          ...placeOf(p, appeal.text, rnd),
          reporterName: channel === 'patrol' ? '监督员' : '市民',
          reporterPhone: `13${Math.floor(100000000 + rnd() * 899999999)}`,
        })
        classOf.set(r.case.id, appeal.classId)
        stats.appeals++
      }),
    )
  }

  async function progress(): Promise<void> {
    // a few cases of each working stage move on each tick, oldest first
    const page = await p.cases.list(
      actors.admin,
      { stage: ['reported', 'accepted', 'registered', 'dispatched', 'handling', 'handled', 'closed'] },
      40,
    )
    for (const c of page.items) {
      if (rnd() > 0.15) {
        continue
      }
      const step = registerOrDispatch(c) ?? nextStep(c, rnd)
      if (!step) {
        continue
      }
      const [who, action] = step
      const actor: Principal =
        who === 'handler' ? handlerOf(c.unitId ?? '') : who === 'inspector' ? CITY_INSPECTOR : actors[who]
      try {
        await p.cases.act(actor, c.id, action, c.version)
        stats.actions++
      } catch {
        stats.refused++
      }
    }
  }

  function registerOrDispatch(c: Case): ReturnType<typeof nextStep> {
    if (c.stage === 'accepted') {
      const classId = classOf.get(c.id) ?? p.catalog.classes[Math.floor(rnd() * p.catalog.classes.length)].id
      return ['dispatcher', { type: 'register', classId }]
    }
    if (c.stage === 'registered' && c.classId) {
      try {
        const owner = p.city.resolve(c.classId, c.region, p.clock())
        return [
          'dispatcher',
          { type: 'dispatch', unitId: owner.responsibleUnitId, explanation: owner.explanation },
        ]
      } catch {
        return undefined
      }
    }
    return undefined
  }

  async function move(): Promise<void> {
    const teams = p.city.teams()
    for (let i = 0; i < Math.min(3, teams.length); i++) {
      const team = teams[Math.floor(rnd() * teams.length)]
      if (team.status === 'off') {
        continue
      }
      await p.city.saveTeam({
        ...team,
        position: jitter(team.position, 150, rnd),
        status: rnd() < 0.7 ? 'available' : 'en-route',
      })
      stats.moves++
    }
  }

  const timer = setInterval(() => {
    running = running.then(async () => {
      if (stopped) {
        return
      }
      try {
        await arrive()
        await progress()
        await move()
      } catch (e) {
        console.warn(`simulation: ${(e as Error).message}`)
      }
    })
  }, tickMs)

  return {
    stats,
    async stop() {
      stopped = true
      clearInterval(timer)
      await running
    },
  }
}
