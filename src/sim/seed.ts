import { sql } from 'kysely'
import type { Actor, CaseAction, Channel, Satisfaction } from '../core/case/case.types.ts'
import type { CatalogClass } from '../core/catalog/catalog.types.ts'
import { DAY, MINUTE } from '../core/time.ts'
import { seededRng, type Rng } from '../geo/prng.ts'
import type { Platform } from '../platform.ts'
import { createCaseService } from '../services/case.service.ts'
import { createIntakeService } from '../services/intake.service.ts'
import type { Principal } from '../services/ports.ts'
import type { UnitTable } from '../store/database.ts'
import { listUnits, upsertUnits } from '../store/user.repository.ts'
import { demoUnits, type StreetRef } from './demo-units.ts'
import { DEMO_PLACES, jitter } from './places.ts'
import { loadDemoAppeals } from './demo-appeals.ts'

export interface SeedOptions {
  readonly cases: number
  readonly password: string
  readonly districts?: readonly { code: string; name: string }[]
  readonly streets?: readonly StreetRef[]
}

/** Whether the database has no users yet (a fresh install). */
export async function isEmpty(p: Platform): Promise<boolean> {
  const { rows } = await sql<{ n: number | string }>`select count(*) as n from users`.execute(p.db.kysely)
  return Number(rows[0]?.n ?? 0) === 0
}

const DEMO_USERS = [
  { username: 'operator', role: 'operator', displayName: '话务员 王芳' },
  { username: 'dispatcher', role: 'dispatcher', displayName: '派遣员 李强' },
  { username: 'handler', role: 'handler', displayName: '处置人员 张伟', unitId: '110102-cgw' },
  { username: 'inspector', role: 'inspector', displayName: '监督员 刘洋', regionCode: '110102' },
  { username: 'leader', role: 'leader', displayName: '指挥长 陈静' },
  { username: 'admin', role: 'admin', displayName: '系统管理员' },
] as const

/** How far along the loop a seeded case goes: the share of cases stopping at each stage. */
const TARGETS: readonly [stage: string, share: number][] = [
  ['reported', 0.05],
  ['accepted', 0.04],
  ['registered', 0.06],
  ['dispatched', 0.1],
  ['handling', 0.15],
  ['suspended', 0.02],
  ['handled', 0.08],
  ['closed', 0.2],
  ['evaluated', 0.25],
  ['rejected', 0.03],
  ['merged', 0.02],
]

/**
 * Seed the demo city through the real services: units, one user per role, and `cases` cases whose
 * appeals, places and histories are spread over the last 30 days and every stage of the loop.
 */
export async function seedDemo(p: Platform, o: SeedOptions): Promise<string> {
  const db = p.db.kysely
  const districts = o.districts ?? [
    { code: '110101', name: '东城区' },
    { code: '110102', name: '西城区' },
  ]
  await upsertUnits(db, demoUnits(districts, o.streets ?? []))
  for (const u of DEMO_USERS) await p.auth.addUser({ ...u, password: o.password })
  const units = await listUnits(db)

  const rnd = seededRng('onegrid-demo-seed')
  const end = p.clock()
  let t = end
  const clock = () => t
  const events = p.bus
  const cases = createCaseService({ db, clock, env: p.env, events })
  const intake = createIntakeService({ db, clock, env: p.env, events })
  const actors = await demoActors(p)
  const classes = p.catalog.classes
  const counts = new Map<string, number>()
  let previous: string | undefined

  const appeals = await loadDemoAppeals(p.catalog)
  for (let i = 0; i < o.cases; i++) {
    const appeal = appeals[Math.floor(rnd() * appeals.length)]
    const cls = classes.find((c) => c.id === appeal.classId)!
    const channel = pick<Channel>(
      [
        ['hotline', 0.6],
        ['patrol', 0.3],
        ['open311', 0.1],
      ],
      rnd,
    )
    const place = DEMO_PLACES[Math.floor(rnd() * DEMO_PLACES.length)]
    t = end - Math.floor(rnd() * 30 * DAY)
    const r = await intake.intake({
      channel,
      text: appeal.text,
      location: jitter(place.point, 250, rnd),
      address: place.address,
      reporterName: channel === 'patrol' ? '监督员' : '市民',
      reporterPhone: `13${Math.floor(100000000 + rnd() * 899999999)}`,
    })
    const target = pick(TARGETS, rnd)
    const districtCode = place.address.startsWith('东城') ? '110101' : '110102'
    const unit = unitFor(units, cls, districtCode)
    const steps = plan(target, cls, unit.id, previous, rnd)
    let version = r.case.version
    for (const [role, action] of steps) {
      const step = t + Math.floor((5 + rnd() * 180) * MINUTE)
      if (step >= end) break
      t = step
      const actor = role === 'handler' ? handlerOf(unit.id) : actors[role]
      const next = await cases.act(actor, r.case.id, action, version)
      version = next.version
    }
    previous = r.case.id
    const stage = (await cases.get(actors.admin, r.case.id)).stage
    counts.set(stage, (counts.get(stage) ?? 0) + 1)
  }
  await intake.drain()
  const byStage = [...counts].map(([s, n]) => `${s} ${n}`).join(', ')
  return `seeded ${units.length} units, ${DEMO_USERS.length} users (password "${o.password}"), ${o.cases} cases: ${byStage}`
}

type SeedRole = 'operator' | 'dispatcher' | 'inspector' | 'admin' | 'handler'

async function demoActors(p: Platform): Promise<Record<Exclude<SeedRole, 'handler'>, Principal>> {
  const byName = async (username: string) => {
    const row = await p.db.kysely
      .selectFrom('users')
      .selectAll()
      .where('username', '=', username)
      .executeTakeFirstOrThrow()
    const actor: Actor = { id: row.id, role: row.role as Actor['role'], name: row.display_name }
    return { actor, username, displayName: row.display_name }
  }
  return {
    operator: await byName('operator'),
    dispatcher: await byName('dispatcher'),
    inspector: await byName('inspector'),
    admin: await byName('admin'),
  }
}

function handlerOf(unitId: string): Principal {
  return {
    actor: { id: `handler@${unitId}`, role: 'handler', unitId, name: '处置人员' },
    username: `handler@${unitId}`,
    displayName: '处置人员',
  }
}

/** The district unit of the class's responsible type, else the district's urban-management commission. */
function unitFor(units: readonly UnitTable[], cls: CatalogClass, districtCode: string): UnitTable {
  return (
    units.find((u) => u.type === cls.responsibleUnitType && u.region_code === districtCode) ??
    units.find((u) => u.id === `${districtCode}-cgw`) ??
    units[0]
  )
}

function pick<T>(weighted: readonly [T, number][], rnd: Rng): T {
  let x = rnd()
  for (const [v, w] of weighted) {
    if ((x -= w) <= 0) return v
  }
  return weighted.at(-1)![0]
}

/** The actions that take a new case to `target`, with the role that performs each. */
function plan(
  target: string,
  cls: CatalogClass,
  unitId: string,
  previous: string | undefined,
  rnd: Rng,
): [SeedRole, CaseAction][] {
  if (target === 'rejected') {
    return [['operator', { type: 'reject', reason: '不属于城市管理范围，已告知市民向相关部门反映' }]]
  }
  if (target === 'merged' && previous) {
    return [['operator', { type: 'merge', targetCaseId: previous, reason: '同一问题重复反映' }]]
  }
  const satisfaction: Satisfaction = rnd() < 0.78 ? 'satisfied' : rnd() < 0.6 ? 'basically' : 'unsatisfied'
  const rework = rnd() < 0.12
  const steps: [SeedRole, CaseAction][] = [
    ['operator', { type: 'accept' }],
    ['dispatcher', { type: 'register', classId: cls.id }],
    ['dispatcher', { type: 'dispatch', unitId, explanation: '按责任清单派遣至主责单位' }],
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
