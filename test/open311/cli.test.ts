import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { program } from '../../src/cli/main.ts'
import { buildApp } from '../../src/http/app.ts'
import { createPlatform, type Platform } from '../../src/platform.ts'
import { DATABASES } from '../helpers/databases.ts'

const CHICAGO = resolve('../shared/data/open311-real/chicago_service_requests_fixture.json')

describe.each(DATABASES)('onegrid open311 key add and import open311 on $dialect', (d) => {
  const saved = { ...process.env }
  let printed: string[]
  beforeAll(() => {
    const { url, schema } = d.fresh()
    process.env.DATABASE_URL = url
    if (schema) {
      process.env.DATABASE_SCHEMA = schema
    }
    process.env.DATA_DIR = mkdtempSync(join(tmpdir(), 'onegrid-cli-'))
  })
  afterAll(() => {
    process.env = saved
  })
  afterEach(() => vi.restoreAllMocks())

  async function cli(...args: string[]): Promise<string[]> {
    printed = []
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void printed.push(a.join(' ')))
    vi.spyOn(console, 'error').mockImplementation(() => undefined)
    await program().parseAsync(['node', 'onegrid', ...args])
    vi.restoreAllMocks()
    return printed
  }

  async function withApp<T>(fn: (p: Platform, app: Awaited<ReturnType<typeof buildApp>>) => Promise<T>) {
    const p = await createPlatform({
      databaseUrl: process.env.DATABASE_URL!,
      ...(process.env.DATABASE_SCHEMA ? { databaseSchema: process.env.DATABASE_SCHEMA } : {}),
      catalogFile: 'data/catalog/default.json',
      calendarFile: 'data/calendars/cn-beijing.json',
      regionsFile: 'data/regions/beijing.json',
      dutyFile: 'data/duty/beijing-demo.json',
    })
    const app = await buildApp(p.appDeps())
    try {
      return await fn(p, app)
    } finally {
      await app.close()
      await p.close()
    }
  }

  it('prints a key that the Open311 POST accepts, and stores only its hash', async () => {
    const [key] = await cli('open311', 'key', 'add', '--name', 'Neighbourhood app')
    expect(key).toMatch(/^og311_[\w-]{20,}$/)
    const listed = (await cli('open311', 'key', 'list')).join('\n')
    expect(listed).toContain('Neighbourhood app')
    expect(listed).not.toContain(key)

    await withApp(async (p, app) => {
      const stored = await p.db.kysely.selectFrom('open311_keys').select('key_hash').execute()
      expect(stored.map((r) => r.key_hash)).not.toContain(key)
      const r = await app.inject({
        method: 'POST',
        url: '/open311/v2/requests.json',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({
          api_key: key,
          service_code: 'E0601',
          lat: '39.9405',
          long: '116.3849',
          description: '楼下酒吧每晚噪声扰民到凌晨',
        }).toString(),
      })
      expect(r.statusCode, r.body).toBe(201)
    })
  })

  it('imports a real Open311 file and prints what it imported and skipped', async () => {
    const out = (await cli('import', 'open311', CHICAGO)).join('\n')
    expect(out).toContain(
      'chicago_service_requests_fixture.json (open311-json, source chicago): 2 rows — imported 1',
    )
    expect(out).toContain('skipped 1: unmapped service "Building Violation"')
    const again = (await cli('import', 'open311', CHICAGO)).join('\n')
    expect(again).toContain('imported 0 (0 new cases, 0 joined an open case), already imported 1')
  })
})
