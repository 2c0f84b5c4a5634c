import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../src/http/app.ts'
import { createPlatform, type Platform, type PlatformOptions } from '../../src/platform.ts'
import type { IntakePipeline } from '../../src/services/intake.service.ts'
import { upsertUnits } from '../../src/store/user.repository.ts'
import type { UnitTable } from '../../src/store/database.ts'
import type { TestDatabase } from './databases.ts'

/** A fake clock tests move by hand. */
export interface FakeClock {
  (): number
  set(t: number | string): void
  advance(ms: number): void
}

/** A clock starting at `start` (an instant or an RFC 3339 string) that only moves when told. */
export function fakeClock(start: number | string): FakeClock {
  let t = typeof start === 'string' ? Date.parse(start) : start
  const clock = (() => t) as FakeClock
  clock.set = (v) => {
    t = typeof v === 'string' ? Date.parse(v) : v
  }
  clock.advance = (ms) => {
    t += ms
  }
  return clock
}

export const TEST_UNITS: UnitTable[] = [
  {
    id: 'u-xc-cgw',
    name: '西城区城市管理委员会',
    name_en: null,
    type: 'city-management',
    level: 'district',
    region_code: '110102',
    parent_id: null,
    phone: null,
  },
  {
    id: 'u-xc-hw',
    name: '西城区环境卫生服务中心',
    name_en: null,
    type: 'municipal-sanitation',
    level: 'district',
    region_code: '110102',
    parent_id: null,
    phone: null,
  },
  {
    id: 'u-dc-cgw',
    name: '东城区城市管理委员会',
    name_en: null,
    type: 'city-management',
    level: 'district',
    region_code: '110101',
    parent_id: null,
    phone: null,
  },
  {
    id: 'u-city-sw',
    name: '北京市水务局',
    name_en: null,
    type: 'water',
    level: 'city',
    region_code: '110000',
    parent_id: null,
    phone: null,
  },
]

/** Users every API test can log in as (password 'test-pw'). */
export const TEST_USERS = [
  { username: 'operator', role: 'operator' },
  { username: 'dispatcher', role: 'dispatcher' },
  { username: 'handler', role: 'handler', unitId: 'u-xc-cgw' },
  { username: 'handler2', role: 'handler', unitId: 'u-xc-hw' },
  { username: 'inspector', role: 'inspector', regionCode: '110102' },
  { username: 'leader', role: 'leader' },
  { username: 'admin', role: 'admin' },
  { username: 'dc-operator', role: 'operator', regionCode: '110101' },
] as const

export interface TestPlatform {
  readonly platform: Platform
  readonly app: FastifyInstance
  readonly clock: FakeClock
  /** log in and return the Authorization header */
  as(username: string): Promise<{ authorization: string }>
  close(): Promise<void>
}

/** A migrated platform on a fresh database, with test units and users, and its app. */
export async function startTestPlatform(
  db: TestDatabase,
  options: {
    start?: string
    pipeline?: IntakePipeline
    units?: UnitTable[]
    autoDispatch?: boolean
    /** ledger key folder, anchor file, signing mode … (default: keys in memory, no anchor) */
    ledger?: Pick<
      PlatformOptions,
      'ledgerKeysDir' | 'ledgerAnchorFile' | 'ledgerSigning' | 'ledgerCheckpointEvery'
    >
  } = {},
): Promise<TestPlatform> {
  const { url, schema } = db.fresh()
  const clock = fakeClock(options.start ?? '2026-03-02T09:00:00+08:00')
  const platform = await createPlatform({
    databaseUrl: url,
    catalogFile: 'data/catalog/default.json',
    calendarFile: 'data/calendars/cn-beijing.json',
    regionsFile: 'data/regions/beijing.json',
    dutyFile: 'data/duty/beijing-demo.json',
    modelFile: 'data/triage/model.json',
    clock,
    ...(schema ? { databaseSchema: schema } : {}),
    ...(options.pipeline ? { pipeline: options.pipeline } : {}),
    ...(options.autoDispatch !== undefined ? { autoDispatch: options.autoDispatch } : {}),
    ...options.ledger,
  })
  await upsertUnits(platform.db.kysely, options.units ?? TEST_UNITS)
  await platform.city.reloadUnits()
  for (const u of TEST_USERS) {
    await platform.auth.addUser({ ...u, password: 'test-pw' })
  }
  const app = await buildApp(platform.appDeps())
  // sessions last 12 hours of the fake clock: log in again when the clock has moved on
  const tokens = new Map<string, { token: string; at: number }>()
  return {
    platform,
    app,
    clock,
    async as(username) {
      let session = tokens.get(username)
      if (!session || clock() - session.at > 6 * 3600_000) {
        const r = await app.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          payload: { username, password: 'test-pw' },
        })
        if (r.statusCode !== 200) {
          throw new Error(`login ${username}: ${r.body}`)
        }
        session = { token: r.json<{ token: string }>().token, at: clock() }
        tokens.set(username, session)
      }
      return { authorization: `Bearer ${session.token}` }
    },
    async close() {
      await app.close()
      await platform.close()
    },
  }
}
