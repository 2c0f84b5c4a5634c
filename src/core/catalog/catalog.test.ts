import { describe, expect, it } from 'vitest'
import defaultJson from '../../../data/catalog/default.json' with { type: 'json' }
import type { ValidationProblem } from '../calendar/validation-problem.ts'
import {
  DEFAULT_STAGE_LIMITS,
  classesByMajor,
  findClass,
  findMajor,
  limitsFor,
  parseCatalog,
} from './catalog.ts'
import type { Catalog } from './catalog.types.ts'

const parsed = parseCatalog(defaultJson)
if (!parsed.ok) {
  throw new Error(parsed.error.message)
}
const catalog: Catalog = parsed.value

/** A deep copy of the shipped catalog to break on purpose. */
function shippedCopy(): { version: string; majors: any[]; classes: any[] } {
  return JSON.parse(JSON.stringify(defaultJson))
}

function problemsOf(json: unknown): ValidationProblem[] {
  const result = parseCatalog(json)
  if (result.ok) {
    throw new Error('expected the catalog to be refused')
  }
  expect(result.error.code).toBe('CATALOG_INVALID')
  return result.error.details as ValidationProblem[]
}

describe('the shipped default catalog', () => {
  it('parses, with at least 80 minor classes and unique ids', () => {
    expect(catalog.classes.length).toBeGreaterThanOrEqual(80)
    expect(new Set(catalog.classes.map((c) => c.id)).size).toBe(catalog.classes.length)
  })

  it('has the six component and six event majors of GB/T 30428.2, each with classes', () => {
    for (const kind of ['component', 'event'] as const) {
      for (const code of ['01', '02', '03', '04', '05', '06']) {
        expect(findMajor(catalog, kind, code)).toBeDefined()
        expect(classesByMajor(catalog, kind, code).length).toBeGreaterThan(0)
      }
    }
  })

  it('gives every class conditions, a handle limit, keywords and an English name', () => {
    for (const c of catalog.classes) {
      expect(c.registration.length, c.id).toBeGreaterThan(0)
      expect(c.closing.length, c.id).toBeGreaterThan(0)
      expect(c.limits.handle.amount, c.id).toBeGreaterThan(0)
      expect(c.keywords.length, c.id).toBeGreaterThan(0)
      expect(c.nameEn, c.id).not.toBe('')
    }
  })

  it('handles safety-critical classes around the clock', () => {
    for (const id of ['E0401', 'E0403', 'E0405']) {
      const c = findClass(catalog, id)!
      expect(c.urgent).toBe(true)
      expect(c.limits.handle.unit).toBe('clock-hours')
      expect(c.limits.handle.amount).toBeLessThanOrEqual(2)
    }
    for (const c of catalog.classes.filter((x) => x.urgent)) {
      expect(c.limits.handle.unit, c.id).toBe('clock-hours')
    }
  })

  it('finds classes and fills missing stage limits from the defaults', () => {
    expect(findClass(catalog, 'C0101')?.name).toBe('上水井盖')
    expect(findClass(catalog, 'X9999')).toBeUndefined()
    const limits = limitsFor(catalog, 'E0101', DEFAULT_STAGE_LIMITS)
    expect(limits.handle).toEqual(findClass(catalog, 'E0101')!.limits.handle)
    expect(limits.callback).toEqual(DEFAULT_STAGE_LIMITS.callback)
    expect(limitsFor(catalog, undefined, DEFAULT_STAGE_LIMITS)).toEqual(DEFAULT_STAGE_LIMITS)
    expect(limitsFor(catalog, 'E9999', DEFAULT_STAGE_LIMITS)).toEqual(DEFAULT_STAGE_LIMITS)
  })
})

describe('parseCatalog refuses invalid catalogs', () => {
  it('lists every problem in one answer', () => {
    const doc = shippedCopy()
    doc.classes[1].id = doc.classes[0].id // duplicate id (and no longer matching its codes)
    doc.classes[2].registration = [] // empty registration conditions
    doc.classes[3].authorityUnitType = 'ministry-of-magic' // unknown unit type
    doc.classes[4].limits = { handle: { amount: -1, unit: 'fortnights' } } // bad limit
    doc.classes[5].majorCode = '09' // unknown major
    doc.classes[6].closing = ' ' // empty closing condition
    delete doc.classes[7].limits.handle // no handle limit
    doc.classes[8].id = 'E0101' // kind component, id says event
    const problems = problemsOf(doc)
    const fields = problems.map((p) => p.field)
    expect(fields).toEqual(
      expect.arrayContaining([
        'classes[1].id',
        'classes[2].registration',
        'classes[3].authorityUnitType',
        'classes[4].limits.handle.amount',
        'classes[4].limits.handle.unit',
        'classes[5].majorCode',
        'classes[6].closing',
        'classes[7].limits.handle',
        'classes[8].id',
      ]),
    )
    expect(
      problems.find((p) => p.field === 'classes[1].id' && p.message.includes('duplicates')),
    ).toBeDefined()
    expect(problems.find((p) => p.field === 'classes[5].majorCode')?.message).toContain(
      'no component major 09',
    )
  })

  it('refuses fractional work-days, unknown fields and broken majors', () => {
    const doc = shippedCopy()
    doc.classes[0].limits.verify = { amount: 1.5, unit: 'work-days' }
    doc.classes[0].colour = 'red'
    doc.majors[1].code = '1'
    doc.majors.push({ ...doc.majors[0] })
    const fields = problemsOf(doc).map((p) => p.field)
    expect(fields).toEqual(
      expect.arrayContaining([
        'classes[0].limits.verify.amount',
        'classes[0].colour',
        'majors[1].code',
        `majors[${doc.majors.length - 1}].code`,
      ]),
    )
  })

  it('refuses a document that is not a catalog', () => {
    expect(problemsOf([]).length).toBe(1)
    expect(problemsOf({}).map((p) => p.field)).toEqual(['version', 'majors', 'classes'])
  })
})
