import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { importOpen311File, type ImportSummary } from '../../src/ingest/open311/import.ts'
import { loadMappings, type ServiceMapping } from '../../src/ingest/open311/mapping.ts'
import { DATABASES } from '../helpers/databases.ts'
import { startTestPlatform, type TestPlatform } from '../helpers/platform.ts'

const SHARED = resolve('../shared/data')
const OPEN311 = `${SHARED}/open311-real`
const NYC = `${SHARED}/nyc311`

const skippedTotal = (s: ImportSummary) => Object.values(s.skipped).reduce((a, b) => a + b, 0)

describe.skipIf(!existsSync(OPEN311) || !existsSync(NYC)).each(DATABASES)(
  'importing real Open311 and NYC 311 requests through the Open311 POST on $dialect',
  (d) => {
    let t: TestPlatform
    let mapping: ServiceMapping
    beforeAll(async () => {
      t = await startTestPlatform(d)
      mapping = await loadMappings('data/open311/mappings.json', t.platform.catalog)
    })
    afterAll(() => t?.close())

    const run = (file: string, o: { limit?: number } = {}) =>
      importOpen311File(file, { open311: t.platform.open311, mapping }, o)
    const list = async (q: string) => (await t.app.inject({ url: `/open311/v2/requests.json?${q}` })).json()

    it('imports Bloomington, Chicago and San Francisco, skipping and counting the services we do not have', async () => {
      const bloomington = await run(`${OPEN311}/bloomington_requests.json`)
      expect(bloomington).toMatchObject({
        format: 'open311-json',
        source: 'bloomington',
        rows: 21,
        imported: 15,
      })
      expect(bloomington.skipped).toMatchObject({ 'unmapped service "Brain Monitor"': 1 })
      expect(skippedTotal(bloomington)).toBe(6)

      const chicago = await run(`${OPEN311}/chicago_service_requests_fixture.json`)
      expect(chicago).toMatchObject({
        rows: 2,
        imported: 1,
        skipped: { 'unmapped service "Building Violation"': 1 },
      })

      const sf = await run(`${OPEN311}/san_francisco_requests.xml`)
      expect(sf).toMatchObject({ format: 'open311-xml', source: 'san-francisco', rows: 56, imported: 35 })
      expect(skippedTotal(sf)).toBe(21)
      expect(sf.newCases + sf.joined).toBe(35)
    })

    it('keeps the original id, time (San Francisco local time without an offset) and coordinates, with no grid cell', async () => {
      // <service_request_id>1129792 … Illegal_Dumping … 2012-05-22 22:43:22.44 (PDT) … 37.77944, -122.404434
      const found = await list('start_date=2012-05-22&end_date=2012-05-25&extensions=true')
      const r = found.find((x: { lat: number }) => x.lat === 37.77944)
      expect(r).toMatchObject({
        service_code: 'E0102',
        requested_datetime: '2012-05-23T13:43:22+08:00',
        long: -122.404434,
        address: 'INTERSECTION of FALMOUTH ST and FOLSOM ST',
        status: 'open',
      })
      expect(r.extended_attributes.grid_code).toBeNull()
      const c = await t.app.inject({
        url: `/api/v1/cases/${r.extended_attributes.case_id}`,
        headers: await t.as('operator'),
      })
      expect(c.json()).toMatchObject({ channel: 'open311', location: { lon: -122.404434, lat: 37.77944 } })
      expect(c.json().appeals[0].externalId).toBe('1129792')

      // Bloomington's own offset (-04:00) is kept; its 0,0 means "no point": the address stands in
      const weeds = found.filter((x: { service_code: string }) => x.service_code === 'C0403')
      expect(
        weeds.some(
          (x: { lat: number | null; address: string }) => x.lat === null && x.address === '612 W Coolidge DR',
        ),
      ).toBe(true)
      const graffiti = found.find((x: { description: string }) => x.description === 'Graffiti on mailboxes')
      expect(graffiti.requested_datetime).toBe('2012-05-24T03:35:08+08:00')
    })

    it('imports NYC 311 (SODA JSON), and its CSV twin only once', async () => {
      const json = await run(`${NYC}/nyc311_soda_2024_1000rows.json`)
      expect(json).toMatchObject({ format: 'nyc311-json', source: 'nyc311', rows: 1000, imported: 947 })
      expect(skippedTotal(json)).toBe(53)
      expect(json.skipped['unmapped service "Illegal Fireworks"']).toBe(20)

      const twin = await run(`${NYC}/nyc311_soda_2024_1000rows.csv`)
      expect(twin).toMatchObject({ format: 'nyc311-csv', rows: 1000, imported: 0, alreadyImported: 947 })

      const b = await run(`${NYC}/nyc311_soda_2024_1000rows_b.csv`)
      expect(b).toMatchObject({ rows: 1000, imported: 960 })
      expect(b.skipped['no location (no coordinates, no address)']).toBe(2)
    }, 120_000)

    it('reads the NYC portal export and its "MM/DD/YYYY hh:mm:ss PM" New York times', async () => {
      const s = await run(`${NYC}/nyc311_2023-02-28_4999rows.csv`, { limit: 400 })
      expect(s.format).toBe('nyc311-csv')
      expect(s.imported + skippedTotal(s)).toBe(400)
      expect(s.imported).toBeGreaterThan(300)
      // 56923577, Traffic Signal Condition, 02/28/2023 11:45:00 PM (EST)
      const found = await list('start_date=2023-03-01T12:45:00%2B08:00&end_date=2023-03-01T12:45:00%2B08:00')
      expect(found).toEqual([
        expect.objectContaining({ service_code: 'C0202', lat: 40.74821053178345, long: -74.00748519439084 }),
      ])
    }, 120_000)
  },
)
