import { readFile } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cityUnits } from '../../src/sim/demo-units.ts'
import { upsertUnits } from '../../src/store/user.repository.ts'
import { DATABASES } from '../helpers/databases.ts'
import { startTestPlatform, type TestPlatform } from '../helpers/platform.ts'

interface Row {
  line: number
  status: string
  caseId?: string
  clusterId?: string
  field?: string
  code?: string
}

describe.each(DATABASES)('public opinion and leader instructions on $dialect', (d) => {
  let t: TestPlatform
  beforeAll(async () => {
    // the sample feed covers 26 November 2026 (Beijing); the clock stands the next morning
    t = await startTestPlatform(d, { start: '2026-11-27T08:00:00+08:00' })
    await upsertUnits(t.platform.db.kysely, cityUnits(t.platform.city.regions))
    await t.platform.city.reloadUnits()
  })
  afterAll(() => t?.close())

  async function feed(body: string | Buffer, user = 'operator') {
    return t.app.inject({
      method: 'POST',
      url: '/api/v1/opinion/posts',
      headers: { ...(await t.as(user)), 'content-type': 'application/x-ndjson' },
      payload: body,
    })
  }

  it('turns the sample feed into cases where a topic crosses 5 posts in 6 hours in one place; later posts join them', async () => {
    const sample = await readFile('data/opinion/sample.jsonl')
    const r = await feed(sample)
    expect(r.statusCode, r.body).toBe(200)
    const { rows, summary } = r.json<{ rows: Row[]; summary: Record<string, number> }>()
    expect(summary.rejected).toBe(0)
    // 什刹海 bins, 望京 bicycles, 中关村 night works, 回龙观 flooding; 三里屯 barbecues stop at 4 posts
    expect(summary.casesCreated).toBe(4)
    expect(summary.attached).toBeGreaterThanOrEqual(5)
    const created = rows.filter((x) => x.status === 'case-created')
    const cases = await Promise.all(
      created.map(async (x) =>
        (await t.app.inject({ url: `/api/v1/cases/${x.caseId}`, headers: await t.as('operator') })).json(),
      ),
    )
    for (const c of cases) {
      expect(c.channel).toBe('opinion')
      expect(c.stage).toBe('dispatched')
      expect(c.unitId).toBeTruthy()
    }
    const streets = cases.map((c) => c.region.streetCode).sort()
    expect(streets).toEqual(['110102012', '110105026', '110108011', '110114011'])
    const bins = cases.find((c) => c.region.streetCode === '110102012')
    expect(bins.classId).toBe('E0109')
    // the posts after the threshold are appeals of the case
    expect(bins.appeals.length).toBe(
      1 + rows.filter((x) => x.status === 'attached' && x.caseId === bins.id).length,
    )
    expect(bins.appeals.length).toBeGreaterThanOrEqual(4)
    const clusters = (
      await t.app.inject({ url: '/api/v1/opinion/clusters', headers: await t.as('operator') })
    ).json()
    expect(
      clusters.items.some(
        (k: { topic: string; posts: number; caseId?: string }) =>
          k.topic === 'E0507' && k.posts === 4 && !k.caseId,
      ),
    ).toBe(true)

    // the feed delivered twice: every post is a duplicate, no new case
    const again = (await feed(sample)).json()
    expect(again.summary).toMatchObject({ casesCreated: 0, attached: 0 })
    expect(again.rows.every((x: Row) => x.status === 'duplicate')).toBe(true)
  })

  it('refuses a feed that is not UTF-8 (naming the line) or is XML, and rejects a future post naming the field', async () => {
    const bad = Buffer.concat([
      Buffer.from('{"id":"x1","source":"weibo","time":"2026-11-26T08:00:00+08:00","text":"ok"}\n'),
      Buffer.from([0x7b, 0xb7, 0xb5, 0x7d, 0x0a]),
    ])
    const r1 = await feed(bad)
    expect(r1.statusCode).toBe(400)
    expect(r1.json().error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'line 2' })

    const r2 = await feed('<posts><post id="1">垃圾桶满了</post></posts>')
    expect(r2.statusCode).toBe(400)
    expect(r2.json().error.code).toBe('BAD_JSON')

    const r3 = await feed(
      [
        '{"id":"f1","source":"weibo","time":"2026-11-28T08:00:00+08:00","text":"什刹海垃圾桶满了"}',
        '{"id":"f2","source":"weibo","text":"没有时间"}',
        'not json',
      ].join('\n'),
    )
    expect(r3.statusCode).toBe(200)
    const rows = r3.json().rows as Row[]
    expect(rows[0]).toMatchObject({ status: 'rejected', code: 'VALIDATION_FAILED', field: 'time' })
    expect(rows[1]).toMatchObject({ status: 'rejected', field: 'time' })
    expect(rows[2]).toMatchObject({ status: 'rejected', code: 'BAD_JSON', line: 3 })
  })

  it('makes a leader instruction without a case an urgent, supervised, dispatched case', async () => {
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/v1/instructions',
      headers: await t.as('leader'),
      payload: { text: '请西城区立即排查什刹海街道道路积水隐患，确保游客安全。' },
    })
    expect(r.statusCode, r.body).toBe(201)
    const c = r.json()
    expect(c).toMatchObject({
      channel: 'instruction',
      priority: 'urgent',
      supervised: true,
      stage: 'dispatched',
    })
    expect(c.counters.supervisions).toBe(1)
    expect(c.region.streetCode).toBe('110102012')
  })

  it('records an instruction on an existing case, and refuses anyone but a leader', async () => {
    const target = (
      await t.app.inject({ url: '/api/v1/cases?channel=opinion', headers: await t.as('leader') })
    ).json().items[0]
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/v1/instructions',
      headers: await t.as('leader'),
      payload: { text: '网民反映集中，请加快处置并回复。', caseId: target.id },
    })
    expect(r.statusCode, r.body).toBe(200)
    expect(r.json().counters.instructions).toBe(1)
    const tl = (
      await t.app.inject({ url: `/api/v1/cases/${target.id}/timeline`, headers: await t.as('leader') })
    ).json()
    expect(tl.items.at(-1)).toMatchObject({ action: 'instruct', role: 'leader' })

    const denied = await t.app.inject({
      method: 'POST',
      url: '/api/v1/instructions',
      headers: await t.as('dispatcher'),
      payload: { text: '试试' },
    })
    expect(denied.statusCode).toBe(403)
  })
})
