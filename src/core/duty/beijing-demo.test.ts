import { describe, expect, it } from 'vitest'
import demoJson from '../../../data/duty/beijing-demo.json' with { type: 'json' }
import catalogJson from '../../../data/catalog/default.json' with { type: 'json' }
import type { DutyRuleSet } from './duty.types.ts'
import { lintDuty } from './lint.ts'
import { parseDutyRules } from './parse.ts'
import { resolveDuty } from './resolve.ts'

// The 5 MB region file is loaded at run time so the type checker does not have to infer its type.
const REGIONS_PATH = '../../../data/regions/beijing.json'

interface RegionFeature {
  properties: { code: string; name: string; level: string; parentCode?: string }
}

async function beijingStreets(): Promise<{ code: string; name: string; districtCode: string }[]> {
  const geo = (await import(REGIONS_PATH, { with: { type: 'json' } })) as {
    default: { features: RegionFeature[] }
  }
  return geo.default.features
    .filter((f) => f.properties.level === 'street')
    .map((f) => ({
      code: f.properties.code,
      name: f.properties.name,
      districtCode: f.properties.code.slice(0, 6),
    }))
}

function demo(): DutyRuleSet {
  const parsed = parseDutyRules(demoJson)
  if (!parsed.ok) {
    throw new Error(parsed.error.message)
  }
  return parsed.value
}

const office = (street: string) => `${street}-office`
const SHICHAHAI = '110102012'
const WANGJING = '110105026'

describe('the Beijing demo responsibility list', () => {
  it('parses, names only catalog classes, and lints with no overlaps', async () => {
    const rules = demo()
    const classIds = new Set(catalogJson.classes.map((c) => c.id))
    const majors = new Set(catalogJson.classes.map((c) => c.id.slice(0, 3)))
    const named = rules.rules.flatMap((r) => (r.classIds === '*' ? [] : r.classIds))
    expect(named.filter((id) => !(id.length === 5 ? classIds.has(id) : majors.has(id)))).toEqual([])
    const streets = await beijingStreets()
    expect(streets).toHaveLength(349)
    const result = lintDuty(rules, catalogJson.classes, streets)
    expect(result.overlaps).toEqual([])
    // every gap is a class the street office owns by fallback; the count is reported in docs/duty.md
    expect(result.gaps.length).toBeGreaterThan(0)
  })

  it('sends typical cases where a Beijing dispatcher would', () => {
    const rules = demo()
    const at = (classId: string, street: string, extra = {}) => {
      const r = resolveDuty(rules, { classId, regionCodes: { street }, ...extra }, office)
      if (!r.ok) {
        throw new Error(r.error.message)
      }
      return [r.value.responsibleUnitId, ...r.value.cooperatingUnitIds]
    }
    expect(at('E0403', WANGJING)).toEqual(['city-rq'])
    expect(at('E0402', SHICHAHAI)).toEqual(['city-zls'])
    expect(at('E0405', WANGJING, { assetOwner: 'heat' })).toEqual(['city-rl'])
    expect(at('E0405', WANGJING)).toEqual([`${WANGJING}-office`]) // owner unknown: 属地兜底
    expect(at('E0103', WANGJING)).toEqual(['110105-hw'])
    expect(at('E0501', SHICHAHAI)).toEqual([`${SHICHAHAI}-office`, '110102-zf'])
    expect(at('C0403', WANGJING)).toEqual(['110105-yl'])
    expect(at('C0202', WANGJING)).toEqual(['110105-jg'])
    expect(at('C0210', SHICHAHAI, { roadGrade: 'main' })).toEqual(['110102-jt'])
    expect(at('C0210', SHICHAHAI, { roadGrade: 'alley' })).toEqual([`${SHICHAHAI}-office`, '110102-jt'])
    expect(at('E0301', WANGJING, { localMinuteOfDay: 23 * 60 })).toEqual(['110105-zf'])
    expect(at('E0301', WANGJING, { localMinuteOfDay: 10 * 60 })).toEqual(['110105-zj', '110105-zf'])
  })
})
