import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DATABASES } from '../helpers/databases.ts'
import { startTestPlatform, type TestPlatform } from '../helpers/platform.ts'

const appeal = {
  channel: 'hotline',
  text: '西单北大街地铁口共享单车乱停乱放，堵住了盲道。',
  location: { lon: 116.3736, lat: 39.9075 },
  reporter: { phone: '13900001111' },
}

describe.each(DATABASES)('errors and authorization on $dialect', (d) => {
  let t: TestPlatform
  let caseId: string
  beforeAll(async () => {
    t = await startTestPlatform(d)
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/v1/cases',
      headers: await t.as('operator'),
      payload: appeal,
    })
    caseId = r.json().id
  })
  afterAll(() => t?.close())

  const post = async (
    url: string,
    user: string | undefined,
    payload: unknown,
    headers: Record<string, string> = {},
  ) =>
    t.app.inject({
      method: 'POST',
      url,
      headers: { ...(user ? await t.as(user) : {}), 'content-type': 'application/json', ...headers },
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    })

  it('refuses bad JSON with BAD_JSON and a request id', async () => {
    const r = await post('/api/v1/cases', 'operator', '{"channel": "hotline", "text": ')
    expect(r.statusCode).toBe(400)
    expect(r.json().error).toMatchObject({ code: 'BAD_JSON', requestId: expect.any(String) })
  })

  it('names an unknown field', async () => {
    const r = await post('/api/v1/cases', 'operator', { ...appeal, colour: 'red' })
    expect(r.statusCode).toBe(400)
    expect(r.json().error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'colour' })
    expect(r.json().error.message).toContain('colour')
  })

  it('names a missing field and a bad value', async () => {
    const missing = await post('/api/v1/cases', 'operator', { channel: 'hotline' })
    expect(missing.json().error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'text' })
    const bad = await post('/api/v1/cases', 'operator', { ...appeal, location: { lon: 916.4, lat: 39.9 } })
    expect(bad.json().error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'location.lon' })
  })

  it('refuses an oversize body with 413', async () => {
    const r = await post('/api/v1/cases', 'operator', { ...appeal, text: '垃圾'.repeat(200_000) })
    expect(r.statusCode).toBe(413)
    expect(r.json().error.code).toBe('BODY_TOO_LARGE')
  })

  it('refuses a timestamp in the future', async () => {
    const r = await post('/api/v1/cases', 'operator', { ...appeal, receivedAt: '2030-01-01T00:00:00Z' })
    expect(r.statusCode).toBe(400)
    expect(r.json().error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'receivedAt' })
  })

  it('requires a token, and refuses a bad one', async () => {
    expect((await post('/api/v1/cases', undefined, appeal)).json().error.code).toBe('AUTH_REQUIRED')
    const r = await post('/api/v1/cases', undefined, appeal, { authorization: 'Bearer nope' })
    expect(r.statusCode).toBe(401)
    expect(r.json().error.code).toBe('AUTH_INVALID')
    const login = await post('/api/v1/auth/login', undefined, { username: 'operator', password: 'wrong' })
    expect(login.statusCode).toBe(401)
  })

  it('refuses an illegal transition naming the stage and the action', async () => {
    const r = await post(`/api/v1/cases/${caseId}/actions/evaluate`, 'operator', {
      satisfaction: 'satisfied',
      resolved: true,
    })
    expect(r.statusCode).toBe(409)
    expect(r.json().error.code).toBe('CASE_ILLEGAL_ACTION')
    expect(r.json().error.message).toMatch(/evaluate.*reported|reported.*evaluate/)
  })

  it('refuses the wrong role', async () => {
    const r = await post(`/api/v1/cases/${caseId}/actions/accept`, 'handler', {})
    expect(r.statusCode).toBe(403)
    expect(r.json().error.code).toBe('FORBIDDEN_ROLE')
  })

  it('refuses a case outside the user’s scope', async () => {
    // a handler sees only its unit's cases; this one is not dispatched to anybody yet
    const r = await t.app.inject({ url: `/api/v1/cases/${caseId}`, headers: await t.as('handler2') })
    expect(r.statusCode).toBe(403)
    expect(r.json().error.code).toBe('FORBIDDEN_SCOPE')
  })

  it('refuses an action against a stale version with 409', async () => {
    const ok = await post(`/api/v1/cases/${caseId}/actions/urge`, 'dispatcher', {
      note: '请尽快受理',
      version: 1,
    })
    expect(ok.statusCode).toBe(200)
    const stale = await post(`/api/v1/cases/${caseId}/actions/accept`, 'operator', { version: 1 })
    expect(stale.statusCode).toBe(409)
    expect(stale.json().error).toMatchObject({ code: 'CASE_VERSION_CONFLICT', field: 'version' })
  })

  it('answers the same idempotency key with the same case', async () => {
    const body = { ...appeal, idempotencyKey: 'hotline-20260302-0001' }
    const a = await post('/api/v1/cases', 'operator', body)
    const b = await post('/api/v1/cases', 'operator', body)
    expect(a.statusCode).toBe(201)
    expect(b.statusCode).toBe(200)
    expect(b.json()).toMatchObject({ id: a.json().id, replayed: true })
  })

  it('masks reporters’ phone numbers for roles that do not call back', async () => {
    const asDispatcher = await t.app.inject({
      url: `/api/v1/cases/${caseId}`,
      headers: await t.as('dispatcher'),
    })
    expect(asDispatcher.json().appeals[0].reporterPhone).toBe('139****1111')
    const asOperator = await t.app.inject({ url: `/api/v1/cases/${caseId}`, headers: await t.as('operator') })
    expect(asOperator.json().appeals[0].reporterPhone).toBe('13900001111')
  })

  it('lists with filters and cursor pagination', async () => {
    for (let i = 0; i < 5; i++) {
      t.clock.advance(1000)
      // far enough apart (≈ 400 m) that duplicate detection keeps them separate cases
      const location = { lon: appeal.location.lon + i * 0.005, lat: appeal.location.lat }
      await post('/api/v1/cases', 'operator', {
        ...appeal,
        location,
        channel: 'patrol',
        text: `巡查发现第${i}处问题`,
      })
    }
    const headers = await t.as('dispatcher')
    const first = await t.app.inject({ url: '/api/v1/cases?channel=patrol&limit=3', headers })
    expect(first.json().items).toHaveLength(3)
    expect(first.json().items.every((c: { channel: string }) => c.channel === 'patrol')).toBe(true)
    const second = await t.app.inject({
      url: `/api/v1/cases?channel=patrol&limit=3&cursor=${first.json().nextCursor}`,
      headers,
    })
    expect(second.json().items).toHaveLength(2)
    expect(second.json().nextCursor).toBeUndefined()
    const reported = await t.app.inject({ url: '/api/v1/cases?stage=reported&stage=accepted', headers })
    expect(reported.statusCode).toBe(200)
  })

  it('serves health, OpenAPI and docs', async () => {
    expect((await t.app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' })
    const spec = (await t.app.inject({ url: '/openapi.json' })).json()
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining(['/api/v1/cases/', '/api/v1/cases/{id}/actions/dispatch']),
    )
    expect((await t.app.inject({ url: '/docs/' })).statusCode).toBeLessThan(400)
  })
})
