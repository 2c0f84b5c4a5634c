import { sql } from 'kysely'
import type { CaseAction, Channel, Satisfaction } from '../core/case/case.types.ts'
import { DAY, MINUTE } from '../core/time.ts'
import { seededRng, type Rng } from '../geo/prng.ts'
import type { Platform } from '../platform.ts'
import type { WorkCalendar } from '../core/calendar/calendar.types.ts'
import { localClock } from '../services/city.service.ts'
import { upsertUnits } from '../store/user.repository.ts'
import { cityUnits } from './demo-units.ts'
import { seedDevices } from './devices.ts'
import { demoTeams } from './demo-teams.ts'
import { CITY_INSPECTOR, demoActors, handlerOf, pick, placeOf } from './actors.ts'
import { loadDemoAppeals } from './demo-appeals.ts'

export interface SeedOptions {
  readonly cases: number
  readonly password: string
  /** moves the platform's clock (seeding writes history over the last 30 days); undefined = real time again */
  readonly setTime: (t: number | undefined) => void
}

/** Whether the database has no users yet (a fresh install). */
export async function isEmpty(p: Platform): Promise<boolean> {
  const { rows } = await sql<{ n: number | string }>`select count(*) as n from users`.execute(p.db.kysely)
  return Number(rows[0]?.n ?? 0) === 0
}

const DEMO_USERS = [
  { username: 'operator', role: 'operator', displayName: '话务员 王芳' },
  { username: 'dispatcher', role: 'dispatcher', displayName: '派遣员 李强' },
  { username: 'handler', role: 'handler', displayName: '处置人员 张伟', unitId: '110102-hw' },
  { username: 'inspector', role: 'inspector', displayName: '监督员 刘洋', regionCode: '110102' },
  { username: 'leader', role: 'leader', displayName: '指挥长 陈静' },
  { username: 'admin', role: 'admin', displayName: '系统管理员' },
] as const

/** How far along the loop a seeded case goes: the share of cases stopping at each stage. */
const TARGETS: readonly [stage: string, share: number][] = [
  ['reported', 0.04],
  ['accepted', 0.03],
  ['registered', 0.04],
  ['dispatched', 0.1],
  ['handling', 0.16],
  ['suspended', 0.02],
  ['handled', 0.08],
  ['closed', 0.2],
  ['evaluated', 0.27],
  ['rejected', 0.03],
  ['merged', 0.03],
]

/** Where the intake pipeline may already have taken a case: the seed continues from there. */
const FIRST_STEP: Record<string, number> = { reported: 0, accepted: 1, registered: 2, dispatched: 3 }

/**
 * Seed the demo city through the real services: every unit of the region tree, field teams, one
 * user per role, and `cases` appeals placed, classified and routed by the real intake pipeline,
 * whose histories are spread over the last 30 days and every stage of the loop.
 */
export async function seedDemo(p: Platform, o: SeedOptions): Promise<string> {
  const db = p.db.kysely
  await upsertUnits(db, cityUnits(p.city.regions))
  await p.city.reloadUnits()
  for (const u of DEMO_USERS) {
    await p.auth.addUser({ ...u, password: o.password })
  }
  const teams = demoTeams(p)
  for (const team of teams) {
    await p.city.saveTeam(team)
  }
  const sensing = await seedDevices(p)

  const rnd = seededRng('onegrid-demo-seed')
  const end = p.clock()
  const actors = await demoActors(p)
  const counts = new Map<string, number>()
  const open: string[] = []
  const failures = new Map<string, number>()
  const appeals = await loadDemoAppeals(p.catalog)
  const starts = reportTimes(o.cases, end, rnd, p.calendar)
  try {
    for (const reportedAt of starts) {
      o.setTime(reportedAt)
      const appeal = appeals[Math.floor(rnd() * appeals.length)]
      const channel = pick<Channel>(
        [
          ['hotline', 0.6],
          ['patrol', 0.3],
          ['open311', 0.1],
        ],
        rnd,
      )
      const where = placeOf(p, appeal.text, rnd)
      const r = await p.intake.intake({
        channel,
        text: appeal.text,
        ...where,
        reporterName: channel === 'patrol' ? '监督员' : '市民',
        reporterPhone: `13${Math.floor(100000000 + rnd() * 899999999)}`,
        // the class an operator would pick when the model is unsure
        ...(channel === 'patrol' ? { classId: appeal.classId } : {}),
      })
      const target = pick(TARGETS, rnd)
      const mergeTarget = open.length > 0 ? open[Math.floor(rnd() * open.length)] : undefined
      const steps = plan(target, appeal.classId, mergeTarget, rnd).slice(FIRST_STEP[r.case.stage] ?? 0)
      let c = r.case
      let t = reportedAt
      for (const [role, action] of steps) {
        t += Math.floor((5 + rnd() * 240) * MINUTE)
        if (t >= end) {
          break
        }
        o.setTime(t)
        const unitId = c.unitId ?? fallbackUnit(c.region.districtCode)
        const act = action.type === 'dispatch' ? { ...action, unitId } : action
        const actor =
          role === 'handler' ? handlerOf(unitId) : role === 'inspector' ? CITY_INSPECTOR : actors[role]
        const next = await p.cases.act(actor, c.id, act, c.version).catch((e: Error) => {
          failures.set(e.message.slice(0, 80), (failures.get(e.message.slice(0, 80)) ?? 0) + 1)
          return undefined
        })
        if (!next) {
          break
        }
        c = next
      }
      if (!['closed', 'evaluated', 'rejected', 'merged'].includes(c.stage)) {
        open.push(c.id)
      }
      if (c.stage === 'merged') {
        open.splice(open.indexOf(c.id), 1)
      }
      counts.set(c.stage, (counts.get(c.stage) ?? 0) + 1)
    }
    await p.intake.drain()
  } finally {
    o.setTime(undefined)
  }
  if (failures.size > 0) {
    console.warn('seed: actions refused:', Object.fromEntries(failures))
  }
  const byStage = [...counts].map(([s, n]) => `${s} ${n}`).join(', ')
  return `seeded ${p.city.units().length} units, ${teams.length} teams, ${DEMO_USERS.length} users (password "${o.password}"), ${o.cases} cases: ${byStage}; ${sensing}`
}

function fallbackUnit(districtCode: string | undefined): string {
  return `${districtCode ?? '110102'}-cgw`
}

/** How many days of history the demo city has: enough for a weekly forecast to learn from. */
const HISTORY_DAYS = 84

/**
 * When the demo's appeals were reported: over the last HISTORY_DAYS, fewer on weekends (as the
 * 12345 line sees), more in the daytime, slowly rising — a series a forecast can learn a week from.
 */
function reportTimes(n: number, end: number, rnd: Rng, calendar: WorkCalendar): number[] {
  const out: number[] = []
  while (out.length < n) {
    const ago = rnd() * HISTORY_DAYS * DAY
    const t = end - Math.floor(ago)
    const { minute, weekday } = localClock(calendar, t)
    const weekend = weekday >= 6
    const hour = Math.floor(minute / 60)
    const weight =
      (weekend ? 0.6 : 1) * (hour >= 7 && hour <= 21 ? 1 : 0.25) * (1 - (0.4 * ago) / (HISTORY_DAYS * DAY))
    if (rnd() < weight) {
      out.push(t)
    }
  }
  return out.sort((a, b) => a - b)
}

type SeedRole = 'operator' | 'dispatcher' | 'inspector' | 'handler'

/** The actions that take a new case to `target`, with the role that performs each. */
function plan(
  target: string,
  classId: string,
  mergeTarget: string | undefined,
  rnd: Rng,
): [SeedRole, CaseAction][] {
  if (target === 'rejected') {
    return [['operator', { type: 'reject', reason: '不属于城市管理范围，已告知市民向相关部门反映' }]]
  }
  if (target === 'merged' && mergeTarget) {
    return [['operator', { type: 'merge', targetCaseId: mergeTarget, reason: '同一问题重复反映' }]]
  }
  const satisfaction: Satisfaction = rnd() < 0.78 ? 'satisfied' : rnd() < 0.6 ? 'basically' : 'unsatisfied'
  const rework = rnd() < 0.12
  const steps: [SeedRole, CaseAction][] = [
    ['operator', { type: 'accept' }],
    ['dispatcher', { type: 'register', classId }],
    ['dispatcher', { type: 'dispatch', unitId: '', reason: '按区域职责派遣' }],
    ['handler', { type: 'receive' }],
    ...(target === 'suspended'
      ? ([['dispatcher', { type: 'suspend', reason: '需协调产权单位，长期整改' }]] as [
          SeedRole,
          CaseAction,
        ][])
      : []),
    ['handler', { type: 'report', note: '已到场处置完毕，现场已恢复。', photos: [] }],
    ...(rework
      ? ([
          ['inspector', { type: 'verify', passed: false, note: '现场核查仍未处理到位，返工' }],
          ['handler', { type: 'receive' }],
          ['handler', { type: 'report', note: '已返工处理完毕。' }],
        ] as [SeedRole, CaseAction][])
      : []),
    ['inspector', { type: 'verify', passed: true, note: '现场核查已处置到位' }],
    ['operator', { type: 'evaluate', satisfaction, resolved: satisfaction !== 'unsatisfied' || rnd() < 0.5 }],
  ]
  const stop: Record<string, number> = {
    reported: 0,
    accepted: 1,
    registered: 2,
    dispatched: 3,
    handling: 4,
    suspended: 5,
    handled: steps.findIndex(([, a]) => a.type === 'verify'),
    closed: steps.length - 1,
    evaluated: steps.length,
    merged: 0,
  }
  return steps.slice(0, stop[target] ?? 0)
}
