import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BIN_REPORTS, SHICHAHAI, offset } from '../../src/core/triage/duplicates.fixtures.ts'
import { cityUnits } from '../../src/sim/demo-units.ts'
import { noticesOf } from '../../src/store/notice.repository.ts'
import { upsertUnits } from '../../src/store/user.repository.ts'
import { DATABASES } from '../helpers/databases.ts'
import { startTestPlatform, type TestPlatform } from '../helpers/platform.ts'

const iso = (t: number) => new Date(t).toISOString()

describe.each(DATABASES)('duplicates across channels on $dialect', (d) => {
  let t: TestPlatform
  beforeAll(async () => {
    // the fixtures start at 09:00 Beijing on 2 March; the clock stands just after the last report
    t = await startTestPlatform(d, { start: '2026-03-02T10:00:00+08:00' })
    await upsertUnits(t.platform.db.kysely, cityUnits(t.platform.city.regions))
    await t.platform.city.reloadUnits()
  })
  afterAll(() => t?.close())

  async function post(user: string, url: string, payload: object) {
    const r = await t.app.inject({ method: 'POST', url, headers: await t.as(user), payload })
    expect(r.statusCode, r.body).toBeLessThan(300)
    return r.json()
  }

  /** One report through its channel's real entry point; returns { id, attached }. */
  async function report(
    r: (typeof BIN_REPORTS)[number],
    i: number,
  ): Promise<{ id: string; attached: boolean }> {
    if (r.channel === 'hotline') {
      const c = await post('operator', '/api/v1/hotline/orders', {
        ticketNo: `12345-20260302-${i}`,
        callTime: iso(r.at),
        text: r.text,
        callerName: `市民${i}`,
        callbackNumber: `1380000000${i}`,
        lon: r.location!.lon,
        lat: r.location!.lat,
      })
      return { id: c.id, attached: c.attached }
    }
    if (r.channel === 'patrol') {
      const c = await post('inspector', '/api/v1/patrol/reports', {
        clientId: randomUUID(),
        clientTime: iso(r.at),
        text: r.text,
        lon: r.location!.lon,
        lat: r.location!.lat,
        classId: 'E0109',
      })
      return { id: c.id, attached: c.attached }
    }
    // an Open311-like third-party app: straight into the intake service with its service code
    const res = await t.platform.intake.intake({
      channel: 'open311',
      text: r.text,
      classId: 'E0109',
      location: r.location!,
      receivedAt: r.at,
      externalId: `o311-${i}`,
    })
    return { id: res.case.id, attached: res.attached }
  }

  it('ten reports of one overflowing bin from three channels within an hour end as ONE case with ten appeals', async () => {
    const results = []
    for (const [i, r] of BIN_REPORTS.entries()) {
      results.push(await report(r, i))
    }
    const ids = new Set(results.map((r) => r.id))
    expect(ids.size).toBe(1)
    expect(results.filter((r) => r.attached)).toHaveLength(9)
    const [id] = ids
    const c = (await t.app.inject({ url: `/api/v1/cases/${id}`, headers: await t.as('operator') })).json()
    expect(c.counters.appeals).toBe(10)
    expect(c.appeals).toHaveLength(10)
    expect(new Set(c.appeals.map((a: { channel: string }) => a.channel))).toEqual(
      new Set(['hotline', 'patrol', 'open311']),
    )
    const tl = (
      await t.app.inject({ url: `/api/v1/cases/${id}/timeline`, headers: await t.as('operator') })
    ).json().items
    const appeals = tl.filter((e: { action: string }) => e.action === 'appeal')
    expect(appeals).toHaveLength(9)
    for (const e of appeals) {
      expect(e.payload.score).toBeGreaterThanOrEqual(0.75)
      expect(['hotline', 'patrol', 'open311']).toContain(e.payload.channel)
      expect(e.payload.reasons.join(' ')).toContain('same class E0109')
    }
    const events = await t.platform.db.kysely
      .selectFrom('outbox')
      .select('type')
      .where('case_id', '=', id)
      .where('type', '=', 'case.appeal-added')
      .execute()
    expect(events).toHaveLength(9)
  })

  it('ten reports arriving at once (before any is committed) still end as one case with ten appeals', async () => {
    // 2 km east of the first bin, so the store holds nothing near: only the batch itself can match
    const moved = BIN_REPORTS.map((r) => ({
      ...r,
      location: offset(r.location!, 0, 2000),
    }))
    const results = await Promise.all(
      moved.map((r, i) =>
        t.platform.intake.intake({
          channel: r.channel,
          text: r.text,
          classId: 'E0109',
          location: r.location,
          receivedAt: r.at,
          externalId: `burst-${i}`,
        }),
      ),
    )
    const ids = new Set(results.map((r) => r.case.id))
    expect(ids.size).toBe(1)
    expect(results.filter((r) => r.attached)).toHaveLength(9)
    const [id] = ids
    const c = (await t.app.inject({ url: `/api/v1/cases/${id}`, headers: await t.as('operator') })).json()
    expect(c.counters.appeals).toBe(10)
    expect(c.appeals).toHaveLength(10)
    const tl = (
      await t.app.inject({ url: `/api/v1/cases/${id}/timeline`, headers: await t.as('operator') })
    ).json().items as { action: string; seq: number; payload: { reasons?: string[] } }[]
    const joined = tl.filter((e) => e.action === 'appeal')
    expect(joined).toHaveLength(9)
    // the store could not show them to each other's plans: the commit compared them
    expect(
      joined.some((e) =>
        e.payload.reasons?.some(
          (r) => r === 'reported in the same group commit' || r.startsWith('reported while'),
        ),
      ),
    ).toBe(true)
    expect(tl.map((e) => e.seq)).toEqual(tl.map((_, i) => i + 1))
  })

  it('keeps a broken street light 20 m from the bin a case of its own', async () => {
    const bin = await report(BIN_REPORTS[1], 101)
    const light = await post('inspector', '/api/v1/patrol/reports', {
      clientId: randomUUID(),
      clientTime: iso(t.clock()),
      text: '什刹海前海西街路灯不亮了，晚上走路很黑',
      ...offset(SHICHAHAI, 20, 0),
      classId: 'C0111',
    })
    expect(light.attached).toBe(false)
    expect(light.id).not.toBe(bin.id)
  })

  it('keeps the same problem 300 m away separate, and suggests a merge for a bin 40 m away', async () => {
    const far = await post('inspector', '/api/v1/patrol/reports', {
      clientId: randomUUID(),
      clientTime: iso(t.clock()),
      text: '前海西街北口垃圾桶满溢，垃圾散落',
      ...offset(SHICHAHAI, 300, 0),
      classId: 'E0109',
    })
    expect(far.attached).toBe(false)
    expect(far.counters.appeals).toBe(1)
    const dup = (
      await t.app.inject({ url: `/api/v1/cases/${far.id}/duplicates`, headers: await t.as('operator') })
    ).json()
    expect(dup.items).toEqual([])

    const near = await post('inspector', '/api/v1/patrol/reports', {
      clientId: randomUUID(),
      clientTime: iso(t.clock()),
      text: '前海西街北侧垃圾桶满了',
      ...offset(SHICHAHAI, 40, 0),
      classId: 'E0109',
    })
    expect(near.attached).toBe(false)
    const tl = (
      await t.app.inject({ url: `/api/v1/cases/${near.id}/timeline`, headers: await t.as('operator') })
    ).json()
    expect(tl.items[0].payload.duplicates.decision).toBe('suggest')
    const s = (
      await t.app.inject({ url: `/api/v1/cases/${near.id}/duplicates`, headers: await t.as('operator') })
    ).json()
    expect(s.atIntake.length).toBeGreaterThan(0)
    expect(s.items[0]).toMatchObject({ stage: expect.any(String), title: expect.any(String) })
    expect(s.items[0].score).toBeLessThan(0.75)
    expect(s.items[0].reasons.join(' ')).toMatch(/m apart/)
  })

  it('tells every reporter of the bin case when it closes (one outbox note per appeal)', async () => {
    const first = await report(BIN_REPORTS[0], 0) // replay of ticket 0: the bin case
    const id = first.id
    const act = async (user: string, action: string, body: object = {}) => {
      const r = await t.app.inject({
        method: 'POST',
        url: `/api/v1/cases/${id}/actions/${action}`,
        headers: await t.as(user),
        payload: body,
      })
      expect(r.statusCode, `${action}: ${r.body}`).toBe(200)
      return r.json()
    }
    let c = await act('operator', 'accept')
    c = await act('dispatcher', 'register', { classId: 'E0109' })
    c = await act('dispatcher', 'dispatch', { unitId: 'u-xc-cgw', reason: '测试' })
    c = await act('handler', 'receive')
    c = await act('handler', 'report', { note: '已清运' })
    c = await act('inspector', 'verify', { passed: true })
    expect(c.stage).toBe('closed')
    const notes = await noticesOf(t.platform.db.kysely, id)
    expect(notes).toHaveLength(c.counters.appeals)
    expect(notes.filter((n) => (n.payload.to as { phone?: string }).phone)).toHaveLength(4)
    expect(notes.every((n) => n.type === 'notification.case-closed')).toBe(true)
  })
})
