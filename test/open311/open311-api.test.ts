import { XMLParser } from 'fast-xml-parser'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DAY, MINUTE } from '../../src/core/time.ts'
import { DATABASES } from '../helpers/databases.ts'
import { startTestPlatform, type TestPlatform } from '../helpers/platform.ts'

// WGS84 points in 西城区 (110102), a kilometre or more apart so no report repeats another
const SHICHAHAI = { lon: 116.3849, lat: 39.9405 }
const XINJIEKOU = { lon: 116.3672, lat: 39.9401 }
const FINANCIAL_STREET = { lon: 116.3567, lat: 39.9152 }

const xml = new XMLParser({
  parseTagValue: false,
  isArray: (name) =>
    ['service', 'request', 'error', 'attribute', 'value', 'format', 'endpoint', 'request_update'].includes(
      name,
    ),
})
const FORM = { 'content-type': 'application/x-www-form-urlencoded' }
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString()

describe.each(DATABASES)('Open311 GeoReport v2 on $dialect', (d) => {
  let t: TestPlatform
  let key: string
  let keyId: string

  beforeAll(async () => {
    t = await startTestPlatform(d)
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/v1/open311/keys',
      headers: await t.as('admin'),
      payload: { name: 'Test app' },
    })
    expect(r.statusCode, r.body).toBe(201)
    key = r.json().key
    keyId = r.json().id
  })
  afterAll(() => t?.close())

  const get = (url: string, headers: Record<string, string> = {}) => t.app.inject({ url, headers })
  async function post(fields: Record<string, string>, format = 'json') {
    return t.app.inject({
      method: 'POST',
      url: `/open311/v2/requests.${format}`,
      headers: FORM,
      payload: form(fields),
    })
  }
  async function create(fields: Record<string, string>) {
    const r = await post({ api_key: key, ...fields })
    expect(r.statusCode, r.body).toBe(201)
    return r.json()[0] as {
      service_request_id: string
      token: string
      service_notice: string
      account_id: string | null
    }
  }
  async function one(id: string, query = '') {
    const r = await get(`/open311/v2/requests/${id}.json${query}`)
    expect(r.statusCode, r.body).toBe(200)
    return r.json()[0]
  }
  async function act(user: string, id: string, action: string, body: object = {}) {
    const r = await t.app.inject({
      method: 'POST',
      url: `/api/v1/cases/${id}/actions/${action}`,
      headers: await t.as(user),
      payload: body,
    })
    expect(r.statusCode, `${action}: ${r.body}`).toBe(200)
  }

  it('discovery in JSON names the GeoReport v2 endpoint and its formats', async () => {
    const r = await get('/open311/v2/discovery.json')
    expect(r.statusCode).toBe(200)
    expect(r.headers['content-type']).toMatch(/^application\/json/)
    const body = r.json()
    expect(body.changeset).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/)
    expect(body.key_service).toContain('open311 key add')
    expect(body.endpoints).toEqual([
      {
        specification: 'http://wiki.open311.org/GeoReport_v2',
        url: expect.stringMatching(/\/open311\/v2$/),
        changeset: body.changeset,
        type: 'production',
        formats: ['text/xml', 'application/json'],
      },
    ])
  })

  it('discovery in XML uses the spec element names', async () => {
    const r = await get('/open311/v2/discovery.xml')
    expect(r.headers['content-type']).toMatch(/^text\/xml/)
    expect(r.body.startsWith('<?xml version="1.0" encoding="utf-8"?>')).toBe(true)
    const doc = xml.parse(r.body)
    expect(Object.keys(doc).filter((k) => k !== '?xml')).toEqual(['discovery'])
    const d = doc.discovery
    expect(Object.keys(d)).toEqual(['changeset', 'contact', 'key_service', 'endpoints'])
    expect(d.endpoints.endpoint[0]).toMatchObject({
      specification: 'http://wiki.open311.org/GeoReport_v2',
      type: 'production',
      formats: { format: ['text/xml', 'application/json'] },
    })
  })

  it('lists every catalog class as a service, in Chinese by default and in English on request', async () => {
    const zh = (await get('/open311/v2/services.json')).json()
    expect(zh).toHaveLength(t.platform.catalog.classes.length)
    const light = zh.find((s: { service_code: string }) => s.service_code === 'C0111')
    expect(light).toEqual({
      service_code: 'C0111',
      service_name: '路灯',
      description: expect.stringMatching(/^立案条件：/),
      metadata: true,
      type: 'realtime',
      keywords: expect.stringContaining('路灯'),
      group: '公用设施',
    })
    // a power outage is area-wide: no attributes to ask for
    expect(zh.find((s: { service_code: string }) => s.service_code === 'E0605').metadata).toBe(false)

    const en = (await get('/open311/v2/services.json?lang=en')).json()
    expect(en.find((s: { service_code: string }) => s.service_code === 'C0111')).toMatchObject({
      service_name: 'Street light',
      group: 'Public utilities',
    })
    const byHeader = (
      await get('/open311/v2/services.json', { 'accept-language': 'en-US,en;q=0.9,zh;q=0.5' })
    ).json()
    expect(byHeader[0].service_name).toBe(t.platform.catalog.classes[0].nameEn)

    const doc = xml.parse((await get('/open311/v2/services.xml')).body)
    expect(doc.services.service).toHaveLength(zh.length)
    expect(Object.keys(doc.services.service[0])).toEqual([
      'service_code',
      'service_name',
      'description',
      'metadata',
      'type',
      'keywords',
      'group',
    ])
  })

  it('defines a service with a string attribute and a single-value list', async () => {
    const def = (await get('/open311/v2/services/C0111.json')).json()
    expect(def.service_code).toBe('C0111')
    expect(def.attributes.map((a: { code: string }) => a.code)).toEqual(['location_detail', 'severity'])
    expect(def.attributes[0]).toMatchObject({ variable: true, datatype: 'string', required: false, order: 1 })
    expect(def.attributes[1]).toMatchObject({ datatype: 'singlevaluelist', order: 2 })
    expect(def.attributes[1].values.map((v: { key: string }) => v.key)).toEqual([
      'minor',
      'serious',
      'dangerous',
    ])

    const doc = xml.parse((await get('/open311/v2/services/C0111.xml?lang=en')).body)
    const severity = doc.service_definition.attributes.attribute[1]
    expect(severity.code).toBe('severity')
    expect(severity.values.value[2]).toEqual({ key: 'dangerous', name: 'Dangerous: it could hurt someone' })
  })

  it('answers an unknown service with 404 in the spec error format, JSON and XML', async () => {
    const r = await get('/open311/v2/services/X9999.json')
    expect(r.statusCode).toBe(404)
    expect(r.json()).toEqual([{ code: 404, description: expect.stringContaining('X9999') }])
    const x = await get('/open311/v2/services/X9999.xml')
    expect(x.statusCode).toBe(404)
    const doc = xml.parse(x.body)
    expect(doc.errors.error[0].code).toBe('404')
  })

  it('refuses a POST without a valid api_key with 403', async () => {
    const fields = { service_code: 'C0111', lat: String(SHICHAHAI.lat), long: String(SHICHAHAI.lon) }
    const none = await post(fields)
    expect(none.statusCode).toBe(403)
    expect(none.json()[0]).toEqual({ code: 403, description: expect.stringContaining('api_key') })
    const wrong = await post({ ...fields, api_key: 'og311_not-a-key' }, 'xml')
    expect(wrong.statusCode).toBe(403)
    expect(xml.parse(wrong.body).errors.error[0].code).toBe('403')
  })

  it('takes a form-urlencoded request in as an open311 case, placed, routed and visible in /api/v1/cases', async () => {
    const created = await create({
      service_code: 'C0111',
      lat: String(SHICHAHAI.lat),
      long: String(SHICHAHAI.lon),
      address_string: '西城区前海西街18号',
      description: '前海西街路灯一整排都不亮，晚上很黑',
      first_name: '晓明',
      last_name: '王',
      phone: '13900001111',
      email: 'wang@example.com',
      account_id: 'acct-7',
      media_url: 'https://photos.example.com/light.jpg',
      'attribute[location_detail]': '18号院门口',
      'attribute[severity]': 'dangerous',
    })
    expect(created.service_request_id).toMatch(/^A/)
    expect(created.account_id).toBe('acct-7')
    expect(created.service_notice).toMatch(/处置/)

    const r = await one(created.service_request_id, '?extensions=true')
    expect(r).toMatchObject({
      service_request_id: created.service_request_id,
      status: 'open',
      service_code: 'C0111',
      service_name: '路灯',
      description: '前海西街路灯一整排都不亮，晚上很黑',
      address: '西城区前海西街18号',
      lat: SHICHAHAI.lat,
      long: SHICHAHAI.lon,
      media_url: 'https://photos.example.com/light.jpg',
      requested_datetime: '2026-03-02T09:00:00+08:00',
    })
    expect(Object.keys(r).slice(0, 17)).toEqual([
      'service_request_id',
      'status',
      'status_notes',
      'service_name',
      'service_code',
      'description',
      'agency_responsible',
      'service_notice',
      'requested_datetime',
      'updated_datetime',
      'expected_datetime',
      'address',
      'address_id',
      'zipcode',
      'lat',
      'long',
      'media_url',
    ])
    const ext = r.extended_attributes
    expect(ext).toMatchObject({
      stage: 'dispatched',
      class_id: 'C0111',
      district_code: '110102',
      priority: 'urgent',
    })
    expect(ext.grid_code).toMatch(/^110102\d{9}$/)
    expect(ext.street_name).toBeTruthy()
    expect(r.expected_datetime).toMatch(/\+08:00$/)
    expect(r.agency_responsible).toBeTruthy()

    const c = await t.app.inject({ url: `/api/v1/cases/${ext.case_id}`, headers: await t.as('operator') })
    expect(c.statusCode, c.body).toBe(200)
    const kase = c.json()
    expect(kase).toMatchObject({
      channel: 'open311',
      classId: 'C0111',
      priority: 'urgent',
      stage: 'dispatched',
    })
    expect(kase.appeals[0]).toMatchObject({
      id: created.service_request_id,
      channel: 'open311',
      reporterName: '晓明 王',
      reporterPhone: '13900001111',
    })
    // the attributes reach the people handling it
    expect(kase.description).toContain('18号院门口')
    expect(kase.description).toContain('危险')
  })

  it('takes a JSON body too, and answers in XML when asked', async () => {
    const r = await t.app.inject({
      method: 'POST',
      url: '/open311/v2/requests.xml',
      headers: { 'content-type': 'application/json' },
      payload: {
        api_key: key,
        service_code: 'E0503',
        lat: XINJIEKOU.lat,
        long: XINJIEKOU.lon,
        description: '新街口南大街人行道上堆满了装修垃圾袋',
        attribute: { location_detail: '公交站北侧' },
      },
    })
    expect(r.statusCode, r.body).toBe(201)
    const doc = xml.parse(r.body)
    expect(doc.service_requests.request[0].service_request_id).toMatch(/^A/)
    expect(doc.service_requests.request[0].token).toBeTruthy()
  })

  it('maps a token back to its service_request_id', async () => {
    const created = await create({
      service_code: 'E0504',
      lat: String(FINANCIAL_STREET.lat),
      long: String(FINANCIAL_STREET.lon),
      description: '金融街路口有车辆长时间违停',
    })
    const r = await get(`/open311/v2/tokens/${created.token}.json`)
    expect(r.statusCode).toBe(200)
    expect(r.json()).toEqual([{ service_request_id: created.service_request_id, token: created.token }])
    expect((await get('/open311/v2/tokens/nope.json')).statusCode).toBe(404)
  })

  it('names the field it refuses, with 400', async () => {
    const at = { lat: String(XINJIEKOU.lat), long: String(XINJIEKOU.lon) }
    const cases: [Record<string, string>, string][] = [
      [{ ...at }, 'service_code'],
      [{ ...at, service_code: 'Z0000' }, 'service_code'],
      [{ service_code: 'C0111' }, 'lat'],
      [{ service_code: 'C0111', lat: '39.9' }, 'long'],
      [{ service_code: 'C0111', lat: 'north', long: '116.3' }, 'lat'],
      [{ ...at, service_code: 'C0111', 'attribute[severity]': 'apocalyptic' }, 'attribute[severity]'],
      [{ ...at, service_code: 'C0111', 'attribute[colour]': 'red' }, 'attribute[colour]'],
      [{ ...at, service_code: 'C0111', email: 'not-an-address' }, 'email'],
      [{ ...at, service_code: 'C0111', media_url: 'ftp://x/y.jpg' }, 'media_url'],
    ]
    for (const [fields, field] of cases) {
      const r = await post({ api_key: key, ...fields })
      expect(r.statusCode, JSON.stringify(fields)).toBe(400)
      const [err] = r.json()
      expect(err.code).toBe(400)
      expect(err.description.startsWith(field), `${err.description} names ${field}`).toBe(true)
    }
  })

  it('refuses XML sent as JSON, malformed form data and other content types with 400', async () => {
    const asJson = await t.app.inject({
      method: 'POST',
      url: '/open311/v2/requests.json',
      headers: { 'content-type': 'application/json' },
      payload: `<?xml version="1.0"?><request><service_code>C0111</service_code></request>`,
    })
    expect(asJson.statusCode).toBe(400)
    expect(asJson.json()[0].description).toMatch(/declared application\/json but is XML/)

    const badForm = await t.app.inject({
      method: 'POST',
      url: '/open311/v2/requests.xml',
      headers: FORM,
      payload: `api_key=${key}&service_code=C0111&description=%E8%B7%Z`,
    })
    expect(badForm.statusCode).toBe(400)
    expect(xml.parse(badForm.body).errors.error[0].description).toMatch(/form data is malformed/)

    const xmlBody = await t.app.inject({
      method: 'POST',
      url: '/open311/v2/requests.json',
      headers: { 'content-type': 'text/xml' },
      payload: '<request/>',
    })
    expect(xmlBody.statusCode).toBe(400)
    expect(xmlBody.json()[0].description).toMatch(/text\/xml is not accepted/)

    // the platform's own API keeps its own error format
    const api = await t.app.inject({
      method: 'POST',
      url: '/api/v1/cases',
      headers: { ...(await t.as('operator')), 'content-type': 'application/json' },
      payload: '<xml/>',
    })
    expect(api.statusCode).toBe(400)
    expect(api.json().error.code).toBe('BAD_JSON')
    const missing = await get('/open311/v2/nothing-here.json')
    expect(missing.statusCode).toBe(404)
    expect(missing.json()[0].code).toBe(404)
  })

  it('lists requests with the spec filters and follows the case to closed', async () => {
    const a = await create({
      service_code: 'C0402',
      lat: '39.9250',
      long: '116.3700',
      description: '行道树枯死了一棵',
    })
    const { case_id: caseId } = (await one(a.service_request_id, '?extensions=true')).extended_attributes

    const list = async (q: string) =>
      (await get(`/open311/v2/requests.json?${q}`))
        .json<{ service_request_id: string }[]>()
        .map((r) => r.service_request_id)
    expect(await list('status=open')).toContain(a.service_request_id)
    expect(await list('status=closed')).not.toContain(a.service_request_id)
    expect(await list('service_code=C0402')).toEqual([a.service_request_id])
    expect(await list('service_code=E0601,E0602')).toEqual([])
    expect(await list('start_date=2026-03-02T09:30:00%2B08:00')).toEqual([])
    expect(await list('end_date=2026-03-01')).toEqual([])
    expect(await list('start_date=2026-03-02&end_date=2026-03-03')).toContain(a.service_request_id)

    // through the loop: reassigned to a unit of the test city, received, handled, verified
    t.clock.advance(30 * MINUTE)
    await act('dispatcher', caseId, 'reassign', { unitId: 'u-xc-cgw', reason: '由城管委统一处理' })
    await act('handler', caseId, 'receive')
    await act('handler', caseId, 'report', { note: '已补种新树' })
    await act('inspector', caseId, 'verify', { passed: true })

    const closed = await one(a.service_request_id, '?extensions=true&lang=en')
    expect(closed).toMatchObject({
      status: 'closed',
      status_notes: 'Verified and closed',
      expected_datetime: null,
    })
    expect(closed.extended_attributes.stage).toBe('closed')
    expect(closed.updated_datetime).toBe('2026-03-02T09:30:00+08:00')
    expect(await list('status=closed')).toEqual([a.service_request_id])
    expect(await list('status=open,closed')).toContain(a.service_request_id)

    const ids = await list(`service_request_id=${a.service_request_id},nope`)
    expect(ids).toEqual([a.service_request_id])

    const updates = (
      await get('/open311/v2/servicerequestupdates.json?start_date=2026-03-02T09:15:00%2B08:00')
    ).json()
    expect(
      updates.map((u: { status: string; external_status_code: string }) => [
        u.status,
        u.external_status_code,
      ]),
    ).toEqual([
      ['open', 'dispatched'],
      ['open', 'handling'],
      ['open', 'handled'],
      ['closed', 'closed'],
    ])
    expect(updates[2].description).toContain('已补种新树')
    expect(updates[3]).toMatchObject({
      service_request_id: a.service_request_id,
      updated_datetime: '2026-03-02T09:30:00+08:00',
    })
    const ux = xml.parse(
      (await get('/open311/v2/servicerequestupdates.xml?start_date=2026-03-02T09:15:00%2B08:00')).body,
    )
    expect(ux.service_request_updates.request_update).toHaveLength(4)
    expect(Object.keys(ux.service_request_updates.request_update[0])).toEqual(
      expect.arrayContaining([
        'update_id',
        'service_request_id',
        'status',
        'updated_datetime',
        'description',
        'media_url',
      ]),
    )
  })

  it('joins a repeated report to the open case, with its own service_request_id', async () => {
    const first = await create({
      service_code: 'E0101',
      lat: '39.9330',
      long: '116.3950',
      description: '西四北大街路边有一大堆暴露垃圾没人清理',
    })
    const second = await create({
      service_code: 'E0101',
      lat: '39.93301',
      long: '116.39501',
      description: '西四北大街路边一大堆暴露垃圾，没人清理',
    })
    expect(second.service_request_id).not.toBe(first.service_request_id)
    expect(second.service_notice).toMatch(/已有人反映/)
    const [a, b] = [
      await one(first.service_request_id, '?extensions=true'),
      await one(second.service_request_id, '?extensions=true'),
    ]
    expect(b.extended_attributes.case_id).toBe(a.extended_attributes.case_id)
    expect(b.description).toBe('西四北大街路边一大堆暴露垃圾，没人清理')
  })

  it('answers XML lists and single requests with the spec element names', async () => {
    const doc = xml.parse((await get('/open311/v2/requests.xml?extensions=true')).body)
    const first = doc.service_requests.request[0]
    expect(first.status).toMatch(/^(open|closed)$/)
    expect(first.extended_attributes.stage).toBeTruthy()
    const id = first.service_request_id
    const single = xml.parse((await get(`/open311/v2/requests/${id}.xml`)).body)
    expect(single.service_requests.request).toHaveLength(1)
    expect(single.service_requests.request[0].extended_attributes).toBeUndefined()
    const unknown = await get('/open311/v2/requests/A-none.xml')
    expect(unknown.statusCode).toBe(404)
    expect(xml.parse(unknown.body).errors.error[0].code).toBe('404')
  })

  it('shows only the last 90 days by default', async () => {
    const before = (await get('/open311/v2/requests.json')).json().length
    expect(before).toBeGreaterThan(0)
    t.clock.advance(91 * DAY)
    expect((await get('/open311/v2/requests.json')).json()).toEqual([])
    expect((await get('/open311/v2/requests.json?start_date=2026-03-01')).json()).toHaveLength(before)
  })

  it('lets an admin list and revoke keys; a revoked key is refused', async () => {
    const list = await t.app.inject({ url: '/api/v1/open311/keys', headers: await t.as('admin') })
    expect(list.json().items).toEqual([
      expect.objectContaining({ id: keyId, name: 'Test app', revokedAt: null }),
    ])
    expect(JSON.stringify(list.json())).not.toContain(key)
    const denied = await t.app.inject({ url: '/api/v1/open311/keys', headers: await t.as('operator') })
    expect(denied.statusCode).toBe(403)
    expect(denied.json().error.code).toBe('FORBIDDEN_ROLE')

    const del = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/open311/keys/${keyId}`,
      headers: await t.as('admin'),
    })
    expect(del.statusCode).toBe(204)
    const r = await post({ api_key: key, service_code: 'C0111', lat: '39.95', long: '116.38' })
    expect(r.statusCode).toBe(403)
    expect(r.json()[0].description).toMatch(/revoked/)
    const gone = await t.app.inject({
      method: 'DELETE',
      url: '/api/v1/open311/keys/K-none',
      headers: await t.as('admin'),
    })
    expect(gone.statusCode).toBe(404)
    expect(gone.json().error.code).toBe('NOT_FOUND')
  })
})
