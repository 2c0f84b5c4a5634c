import type { FastifyRequest } from 'fastify'
import { XMLParser } from 'fast-xml-parser'
import { describe, expect, it } from 'vitest'
import { parseForm, parseJsonBody, toSubmission } from '../../src/http/routes/open311/body.ts'
import { langOf, parseW3c, toXml, w3c } from '../../src/http/routes/open311/format.ts'
import { foreignTime } from '../../src/ingest/open311/sources.ts'

const BEIJING = 480

describe('W3C date-times in the city offset', () => {
  it('writes an instant with +08:00', () => {
    expect(w3c(Date.parse('2026-03-02T01:00:00Z'), BEIJING)).toBe('2026-03-02T09:00:00+08:00')
    expect(w3c(Date.parse('2026-03-01T20:30:05Z'), BEIJING)).toBe('2026-03-02T04:30:05+08:00')
    expect(w3c(Date.parse('2026-03-02T01:00:00Z'), -300)).toBe('2026-03-01T20:00:00-05:00')
  })

  it('reads every W3C precision; no offset means city time', () => {
    const at = Date.parse('2026-03-02T01:00:00Z')
    expect(parseW3c('2026-03-02T09:00:00+08:00', BEIJING)).toBe(at)
    expect(parseW3c('2026-03-02T01:00:00Z', BEIJING)).toBe(at)
    expect(parseW3c('2026-03-02T01:00Z', BEIJING)).toBe(at)
    expect(parseW3c('2026-03-02T09:00:00.000', BEIJING)).toBe(at)
    expect(parseW3c('2026-03-02', BEIJING)).toBe(Date.parse('2026-03-01T16:00:00Z'))
    expect(parseW3c('2026-03', BEIJING)).toBe(Date.parse('2026-02-28T16:00:00Z'))
    expect(parseW3c('2026-03-01T20:00:00-0500', BEIJING)).toBe(at)
  })

  it('refuses what is not a real date-time', () => {
    for (const bad of [
      'yesterday',
      '2026-02-30',
      '2026-03-02T24:00:00Z',
      '2026-03-02T10:00:60Z',
      '02/03/2026',
      '',
    ]) {
      expect(parseW3c(bad, BEIJING), bad).toBeUndefined()
    }
  })
})

describe('foreign timestamps', () => {
  it("reads San Francisco's offset-less times as Pacific time, daylight saving included", () => {
    expect(foreignTime('2012-05-22 23:57:23.97', 'America/Los_Angeles')).toBe(
      Date.parse('2012-05-23T06:57:23.970Z'),
    )
    expect(foreignTime('2012-01-22 23:57:23', 'America/Los_Angeles')).toBe(Date.parse('2012-01-23T07:57:23Z'))
  })

  it("reads the NYC portal's 12-hour times and SODA's ISO local times as New York time", () => {
    expect(foreignTime('02/28/2023 11:45:00 PM', 'America/New_York')).toBe(Date.parse('2023-03-01T04:45:00Z'))
    expect(foreignTime('07/04/2023 12:05:00 AM', 'America/New_York')).toBe(Date.parse('2023-07-04T04:05:00Z'))
    expect(foreignTime('2024-05-27T02:08:51.000', 'America/New_York')).toBe(
      Date.parse('2024-05-27T06:08:51Z'),
    )
  })

  it('keeps an offset the timestamp carries', () => {
    expect(foreignTime('2012-05-23T15:55:28-04:00', 'UTC')).toBe(Date.parse('2012-05-23T19:55:28Z'))
    expect(foreignTime('not a time', 'UTC')).toBeUndefined()
  })
})

describe('GeoReport v2 XML', () => {
  const parser = new XMLParser({ parseTagValue: false })

  it('wraps lists in the spec elements, leaves empty elements for absent values, and strips what XML cannot hold', () => {
    const out = toXml('service_requests', [
      { service_request_id: 'A1', address: null, description: 'a\u0001b <c> & d' },
    ])
    expect(out.startsWith('<?xml version="1.0" encoding="utf-8"?>\n<service_requests>')).toBe(true)
    expect(out).toContain('<address/>')
    expect(parser.parse(out).service_requests.request).toEqual({
      service_request_id: 'A1',
      address: '',
      description: 'ab <c> & d',
    })
    expect(toXml('services', [])).toMatch(/<services\/>|<services><\/services>/)
  })
})

describe('request bodies', () => {
  it('reads form fields strictly, with repeated fields as lists', () => {
    expect(
      parseForm(
        'service_code=C0111&attribute%5Bk%5D%5B%5D=a&attribute%5Bk%5D%5B%5D=b&description=%E8%B7%AF+%E7%81%AF',
      ),
    ).toEqual({
      service_code: 'C0111',
      'attribute[k][]': ['a', 'b'],
      description: '路 灯',
    })
    expect(() => parseForm('description=%E8%B7')).toThrow(/malformed/)
    expect(() => parseForm('{"service_code":"C0111"}')).toThrow(/looks like JSON/)
    expect(() => parseForm('<request/>')).toThrow(/looks like XML/)
    expect(() => parseJsonBody('<request/>')).toThrow(/declared application\/json but is XML/)
    expect(() => parseJsonBody('[1]')).toThrow(/one object/)
  })

  it('collects attributes from attribute[code] fields or a JSON object', () => {
    expect(
      toSubmission({
        service_code: 'C0111',
        lat: 39.9,
        'attribute[severity]': 'minor',
        'attribute[tags][]': ['a', 'b'],
      }),
    ).toEqual({
      service_code: 'C0111',
      lat: '39.9',
      attributes: { severity: 'minor', tags: ['a', 'b'] },
    })
    expect(toSubmission({ attribute: { severity: 'serious' } }).attributes).toEqual({ severity: 'serious' })
    expect(() => toSubmission({ service_code: ['C0111', 'C0112'] })).toThrow(/service_code is given 2 times/)
  })
})

describe('answer language', () => {
  const req = (query: object, acceptLanguage?: string) =>
    ({
      query,
      headers: acceptLanguage ? { 'accept-language': acceptLanguage } : {},
    }) as unknown as FastifyRequest

  it('takes ?lang first, then the best of Accept-Language, else Chinese', () => {
    expect(langOf(req({ lang: 'en' }, 'zh-CN'))).toBe('en')
    expect(langOf(req({ lang: 'zh-CN' }, 'en'))).toBe('zh')
    expect(langOf(req({}, 'fr;q=1, en;q=0.8, zh;q=0.5'))).toBe('en')
    expect(langOf(req({}, 'zh-CN,zh;q=0.9,en;q=0.8'))).toBe('zh')
    expect(langOf(req({}))).toBe('zh')
  })
})
