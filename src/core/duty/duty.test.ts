import { describe, expect, it } from 'vitest'
import type { DutyQuery, DutyRule, DutyRuleSet } from './duty.types.ts'
import { formatLintTable, lintDuty } from './lint.ts'
import { parseDutyRules } from './parse.ts'
import { replayDuty } from './replay.ts'
import { resolveDuty } from './resolve.ts'

const SHICHAHAI = '110102012' // 西城区什刹海街道
const JINRONGJIE = '110102011' // 西城区金融街街道
const DONGHUAMEN = '110101001' // 东城区东华门街道
const NAMES: Record<string, string> = {
  '110102': '西城区',
  [SHICHAHAI]: '什刹海街道',
  [JINRONGJIE]: '金融街街道',
}
const names = { regionName: (code: string) => NAMES[code] }
const office = (street: string) => `${street}-office`

function set(...rules: DutyRule[]): DutyRuleSet {
  return { version: 'test', rules }
}

function q(classId: string, street: string | undefined, extra: Partial<DutyQuery> = {}): DutyQuery {
  return { classId, regionCodes: street ? { district: street.slice(0, 6), street } : {}, ...extra }
}

function unit(rules: DutyRuleSet, query: DutyQuery): string {
  const r = resolveDuty(rules, query, office, names)
  if (!r.ok) {
    throw new Error(r.error.message)
  }
  return r.value.responsibleUnitId
}

const RULES = set(
  { id: 'R3', classIds: ['E01'], scope: '110000', responsibleUnitId: 'city-cgw' },
  { id: 'R4', classIds: ['E0102'], scope: '110000', responsibleUnitId: 'city-hw' },
  { id: 'R5', classIds: ['E0102'], scope: '110102', responsibleUnitId: '110102-hw' },
  {
    id: 'R12',
    classIds: ['E0102'],
    scope: SHICHAHAI,
    responsibleUnitId: `${SHICHAHAI}-office`,
    cooperatingUnitIds: ['110102-zf'],
  },
  {
    id: 'R20',
    classIds: '*',
    scope: '110000',
    responsibleUnitId: 'city-jdzx',
    conditions: { kind: 'component' },
  },
  { id: 'R30', classIds: ['C0210'], scope: '110000', responsibleUnitId: 'district-jt' },
  {
    id: 'R31',
    classIds: ['C0210'],
    scope: '110000',
    responsibleUnitId: 'street-office',
    conditions: { roadGrade: ['alley'] },
  },
  { id: 'R40', classIds: ['E0301'], scope: '110000', responsibleUnitId: 'city-zj' },
  {
    id: 'R41',
    classIds: ['E0301'],
    scope: '110000',
    responsibleUnitId: 'district-zf',
    conditions: { timeWindow: { from: '22:00', to: '06:00' } },
  },
)

describe('resolveDuty: precedence', () => {
  it('a minor class beats its major class, and the explanation says so in words', () => {
    const r = resolveDuty(RULES, q('E0102', DONGHUAMEN), office, names)
    expect(r.ok && r.value.ruleId).toBe('R4')
    if (!r.ok) {
      return
    }
    expect(r.value.explanation).toContain('规则 R4（小类 E0102 · 全市）比规则 R3（大类 E01 · 全市）更具体')
    expect(r.value.candidates.map((c) => [c.ruleId, c.lostBecause?.criterion])).toEqual([
      ['R4', undefined],
      ['R3', 'class'],
    ])
  })

  it('street beats district beats city for the same class', () => {
    expect(unit(RULES, q('E0102', SHICHAHAI))).toBe(`${SHICHAHAI}-office`)
    expect(unit(RULES, q('E0102', JINRONGJIE))).toBe('110102-hw')
    expect(unit(RULES, q('E0102', DONGHUAMEN))).toBe('city-hw')
    const r = resolveDuty(RULES, q('E0102', SHICHAHAI), office, names)
    if (!r.ok) {
      throw new Error('expected a resolution')
    }
    expect(r.value.cooperatingUnitIds).toEqual(['110102-zf'])
    expect(r.value.explanation).toContain(
      '规则 R12（小类 E0102 · 西城区什刹海街道）比规则 R5（小类 E0102 · 西城区）范围更细',
    )
  })

  it('a grid code alone places the case in its street', () => {
    expect(unit(RULES, { classId: 'E0102', regionCodes: { grid: `${SHICHAHAI}001002` } })).toBe(
      `${SHICHAHAI}-office`,
    )
  })

  it('a major prefix covers every minor class of that major only', () => {
    expect(unit(RULES, q('E0109', DONGHUAMEN))).toBe('city-cgw')
    expect(unit(RULES, q('E0501', DONGHUAMEN))).toBe(office(DONGHUAMEN))
  })

  it("'*' with a kind condition covers components, not events", () => {
    expect(unit(RULES, q('C0401', DONGHUAMEN))).toBe('city-jdzx')
    expect(unit(RULES, q('E0601', DONGHUAMEN))).toBe(office(DONGHUAMEN))
  })

  it('explicit priority breaks a tie that would otherwise be an overlap', () => {
    const tied = set(
      { id: 'A1', classIds: ['E0501'], scope: '110000', responsibleUnitId: 'u-a' },
      { id: 'A2', classIds: ['E0501'], scope: '110000', responsibleUnitId: 'u-b', priority: 1 },
    )
    const r = resolveDuty(tied, q('E0501', DONGHUAMEN), office)
    expect(r.ok && [r.value.responsibleUnitId, r.value.overlap]).toEqual(['u-b', false])
  })

  it('a true tie goes to the lower id (R3 before R12) and is flagged as an overlap', () => {
    const tied = set(
      { id: 'R12', classIds: ['E0501'], scope: '110000', responsibleUnitId: 'u-12' },
      { id: 'R3', classIds: ['E0501'], scope: '110000', responsibleUnitId: 'u-3' },
    )
    const r = resolveDuty(tied, q('E0501', DONGHUAMEN), office)
    if (!r.ok) {
      throw new Error('expected a resolution')
    }
    expect(r.value.responsibleUnitId).toBe('u-3')
    expect(r.value.overlap).toBe(true)
    expect(r.value.explanation).toContain('重叠')
  })
})

describe('resolveDuty: conditions', () => {
  it('road damage in an alley goes to the alley rule, elsewhere to the general one', () => {
    expect(unit(RULES, q('C0210', DONGHUAMEN, { roadGrade: 'alley' }))).toBe('street-office')
    expect(unit(RULES, q('C0210', DONGHUAMEN, { roadGrade: 'main' }))).toBe('district-jt')
    // an unknown road grade cannot satisfy the alley rule
    expect(unit(RULES, q('C0210', DONGHUAMEN))).toBe('district-jt')
  })

  it('a 22:00–06:00 window wraps midnight', () => {
    const at = (h: number, m = 0) => unit(RULES, q('E0301', DONGHUAMEN, { localMinuteOfDay: h * 60 + m }))
    expect(at(23)).toBe('district-zf')
    expect(at(0, 30)).toBe('district-zf')
    expect(at(5, 59)).toBe('district-zf')
    expect(at(6)).toBe('city-zj')
    expect(at(21, 59)).toBe('city-zj')
    expect(at(14)).toBe('city-zj')
  })
})

describe('resolveDuty: territorial fallback', () => {
  it('with no matching rule the street office owns the case', () => {
    const r = resolveDuty(RULES, q('E0601', SHICHAHAI), office, names)
    if (!r.ok) {
      throw new Error('expected a resolution')
    }
    expect(r.value.ruleId).toBe('fallback')
    expect(r.value.responsibleUnitId).toBe(`${SHICHAHAI}-office`)
    expect(r.value.explanation).toContain('属地兜底')
    expect(r.value.explanation).toContain('西城区什刹海街道')
  })

  it('fails with DUTY_NO_OWNER when no street is known', () => {
    const r = resolveDuty(RULES, q('E0601', undefined), office)
    expect(!r.ok && r.error.code).toBe('DUTY_NO_OWNER')
    const district = resolveDuty(RULES, { classId: 'E0601', regionCodes: { district: '110102' } }, office)
    expect(!district.ok && district.error.code).toBe('DUTY_NO_OWNER')
  })

  it('fails with DUTY_NO_OWNER when the street has no office', () => {
    const r = resolveDuty(RULES, q('E0601', SHICHAHAI), () => undefined)
    expect(!r.ok && r.error.code).toBe('DUTY_NO_OWNER')
  })

  it('a city-wide rule still applies when the place is unknown', () => {
    expect(unit(RULES, q('E0109', undefined))).toBe('city-cgw')
  })
})

describe('lintDuty', () => {
  const classes = [{ id: 'E0501' }, { id: 'E0502' }, { id: 'E0301' }]
  const streets = [
    { code: SHICHAHAI, name: '什刹海街道', districtCode: '110102' },
    { code: JINRONGJIE, name: '金融街街道', districtCode: '110102' },
    { code: DONGHUAMEN, name: '东华门街道', districtCode: '110101' },
  ]
  const seeded = set(
    { id: 'L1', classIds: ['E05'], scope: '110000', responsibleUnitId: 'city-zf' },
    // seeded overlap: same class, same district, no conditions on either
    { id: 'L2', classIds: ['E0501'], scope: '110102', responsibleUnitId: '110102-zf' },
    { id: 'L3', classIds: ['E0501', 'E0502'], scope: '110102', responsibleUnitId: '110102-cgw' },
    // not overlaps: disjoint windows; a finer scope; a conditional specialisation
    {
      id: 'L4',
      classIds: ['E0301'],
      scope: '110101',
      responsibleUnitId: 'a',
      conditions: { timeWindow: { from: '22:00', to: '06:00' } },
    },
    {
      id: 'L5',
      classIds: ['E0301'],
      scope: '110101',
      responsibleUnitId: 'b',
      conditions: { timeWindow: { from: '06:00', to: '22:00' } },
    },
    { id: 'L6', classIds: ['E0501'], scope: SHICHAHAI, responsibleUnitId: 'c' },
    {
      id: 'L7',
      classIds: ['E0501'],
      scope: '110102',
      responsibleUnitId: 'd',
      conditions: { roadGrade: ['alley'] },
    },
  )

  it('finds the seeded overlap and nothing else', () => {
    const { overlaps } = lintDuty(seeded, classes, streets)
    expect(overlaps.map((o) => [o.ruleIds, o.classPattern, o.scope, o.winnerRuleId])).toEqual([
      [['L2', 'L3'], 'E0501', '110102', 'L2'],
    ])
  })

  it('reports the overlap of two night windows that intersect', () => {
    const nights = set(
      {
        id: 'N1',
        classIds: ['E0301'],
        scope: '110000',
        responsibleUnitId: 'a',
        conditions: { timeWindow: { from: '22:00', to: '06:00' } },
      },
      {
        id: 'N2',
        classIds: ['E0301'],
        scope: '110000',
        responsibleUnitId: 'b',
        conditions: { timeWindow: { from: '05:00', to: '07:00' } },
      },
    )
    expect(lintDuty(nights, [], []).overlaps).toHaveLength(1)
  })

  it('finds the seeded gap: night-only construction noise in Xicheng is a gap, partly covered in Dongcheng', () => {
    const { gaps } = lintDuty(seeded, classes, streets)
    const e0301 = gaps.filter((g) => g.classId === 'E0301').map((g) => [g.streetCode, g.partial])
    expect(e0301).toEqual([
      [SHICHAHAI, false],
      [JINRONGJIE, false],
      [DONGHUAMEN, true],
    ])
    // E05xx is covered city-wide by L1
    expect(gaps.filter((g) => g.classId !== 'E0301')).toEqual([])
    expect(formatLintTable({ overlaps: [], gaps })).toContain('空缺')
  })

  it('is fast enough for 100 classes × 349 streets × 2,000 rules', () => {
    const manyClasses = Array.from({ length: 100 }, (_, i) => ({
      id: `E${String(1 + (i % 6)).padStart(2, '0')}${String(1 + Math.floor(i / 6)).padStart(2, '0')}`,
    }))
    const manyStreets = Array.from({ length: 349 }, (_, i) => ({
      code: `1101${String(1 + (i % 16)).padStart(2, '0')}${String(i).padStart(3, '0')}`,
      name: `s${i}`,
      districtCode: `1101${String(1 + (i % 16)).padStart(2, '0')}`,
    }))
    const rules: DutyRule[] = Array.from({ length: 2000 }, (_, i) => ({
      id: `X${i}`,
      classIds: [manyClasses[i % 100].id],
      scope: manyStreets[i % 349].code,
      responsibleUnitId: `u${i}`,
    }))
    const t = performance.now()
    const result = lintDuty(set(...rules), manyClasses, manyStreets)
    expect(performance.now() - t).toBeLessThan(2000)
    expect(result.gaps.length).toBe(100 * 349 - 2000)
  })
})

describe('replayDuty', () => {
  const current = set(
    { id: 'P1', classIds: ['E0501'], scope: '110000', responsibleUnitId: 'city-zf' },
    { id: 'P2', classIds: ['E0502'], scope: '110102', responsibleUnitId: '110102-zf' },
  )
  const proposed = set(
    { id: 'P1', classIds: ['E0501'], scope: '110000', responsibleUnitId: 'city-zf' },
    { id: 'P2', classIds: ['E0502'], scope: '110102', responsibleUnitId: '110102-zf' },
    // 街乡吹哨: shop-front business in 什刹海 moves to the street office
    { id: 'P3', classIds: ['E0502'], scope: SHICHAHAI, responsibleUnitId: `${SHICHAHAI}-office` },
  )
  const cases = [
    { caseId: 'c1', query: q('E0502', SHICHAHAI), actualUnitId: '110102-zf' },
    { caseId: 'c2', query: q('E0502', JINRONGJIE), actualUnitId: '110102-zf' },
    { caseId: 'c3', query: q('E0501', SHICHAHAI), actualUnitId: 'city-zf' },
    { caseId: 'c4', query: q('E0502', `${SHICHAHAI.slice(0, 6)}013`), actualUnitId: '110102-zf' },
    {
      caseId: 'c5',
      query: { classId: 'E0502', regionCodes: { grid: `${SHICHAHAI}002001` } },
      actualUnitId: `${SHICHAHAI}-office`,
    },
  ]

  it('lists exactly the cases that would go elsewhere, with before and after', () => {
    const r = replayDuty(current, proposed, cases, office, names)
    expect(r.changed.map((c) => [c.caseId, c.from, c.to, c.toRuleId])).toEqual([
      ['c1', '110102-zf', `${SHICHAHAI}-office`, 'P3'],
      ['c5', '110102-zf', `${SHICHAHAI}-office`, 'P3'],
    ])
    expect(r.changed[0].why).toContain('拟议清单')
    expect(r.summary).toEqual({ cases: 5, changed: 2, matchedActualBefore: 4, matchedActualAfter: 4 })
  })

  it('an identical list changes nothing', () => {
    expect(replayDuty(current, current, cases, office).changed).toEqual([])
  })
})

describe('parseDutyRules', () => {
  it('accepts a valid list', () => {
    const r = parseDutyRules({
      version: '1',
      rules: [
        {
          id: 'R1',
          classIds: ['E0102', 'E01'],
          scope: '110102012',
          responsibleUnitId: 'x',
          conditions: { timeWindow: { from: '22:00', to: '06:00' } },
        },
      ],
    })
    expect(r.ok).toBe(true)
  })

  it('lists every problem with the rule id', () => {
    const r = parseDutyRules({
      version: '1',
      rules: [
        { id: 'R1', classIds: ['X0102', 'E1'], scope: '1101', responsibleUnitId: 'x' },
        {
          id: 'R2',
          classIds: '*',
          scope: '110000',
          responsibleUnitId: 'x',
          conditions: { weather: 'rain', timeWindow: { from: '25:00', to: '6:00' } },
        },
        { id: 'R2', classIds: ['E0102'], scope: '110000', responsibleUnitId: '' },
        {
          id: 'R4',
          classIds: ['C01'],
          scope: '110000',
          responsibleUnitId: 'x',
          conditions: { roadGrade: ['highway'], kind: 'event' },
        },
      ],
    })
    if (r.ok) {
      throw new Error('expected problems')
    }
    expect(r.error.code).toBe('DUTY_RULES_INVALID')
    const fields = (r.error.details as { field: string }[]).map((p) => p.field)
    expect(fields).toEqual([
      'rules[R1].classIds[0]',
      'rules[R1].classIds[1]',
      'rules[R1].scope',
      'rules[R2].conditions.weather',
      'rules[R2].conditions.timeWindow.from',
      'rules[R2].conditions.timeWindow.to',
      'rules[R2].responsibleUnitId',
      'rules[R4].conditions.roadGrade',
      'rules[R4].conditions.kind',
    ])
  })
})
