import type { RegionSet } from '../core/geo/geo.types.ts'
import type { UnitTable } from '../store/database.ts'

/** City-level bureaus and utilities of the demo city (Beijing). Ids are stable: users and duty rules name them. */
const CITY_UNITS: readonly [id: string, name: string, nameEn: string, type: string][] = [
  ['city-cgw', '北京市城市管理委员会', 'Beijing Municipal Commission of Urban Management', 'city-management'],
  [
    'city-zf',
    '北京市城市管理综合行政执法局',
    'Beijing Urban Management Law Enforcement Bureau',
    'city-management',
  ],
  ['city-sw', '北京市水务局', 'Beijing Water Authority', 'water'],
  ['city-yl', '北京市园林绿化局', 'Beijing Landscaping and Greening Bureau', 'landscaping'],
  ['city-jt', '北京市交通委员会', 'Beijing Municipal Commission of Transport', 'transport'],
  ['city-jg', '北京市公安局公安交通管理局', 'Beijing Traffic Management Bureau', 'traffic-police'],
  ['city-hb', '北京市生态环境局', 'Beijing Ecology and Environment Bureau', 'environment'],
  ['city-sj', '北京市市场监督管理局', 'Beijing Administration for Market Regulation', 'market'],
  [
    'city-zj',
    '北京市住房和城乡建设委员会',
    'Beijing Commission of Housing and Urban-Rural Development',
    'housing',
  ],
  [
    'city-gh',
    '北京市规划和自然资源委员会',
    'Beijing Commission of Planning and Natural Resources',
    'planning',
  ],
  ['city-yj', '北京市应急管理局', 'Beijing Emergency Management Bureau', 'emergency'],
  ['city-zls', '北京市自来水集团', 'Beijing Waterworks Group', 'utility-water'],
  ['city-dl', '国网北京市电力公司', 'State Grid Beijing Electric Power', 'utility-power'],
  ['city-rq', '北京市燃气集团', 'Beijing Gas Group', 'utility-gas'],
  ['city-rl', '北京市热力集团', 'Beijing District Heating Group', 'utility-heat'],
  ['city-tx', '北京通信管线运维中心', 'Beijing Telecom Duct Maintenance Centre', 'telecom'],
  [
    'city-jdzx',
    '北京市城市管理监督指挥中心',
    'Beijing Urban Management Supervision and Command Centre',
    'city-management',
  ],
]

/** District bureaus created in every district: [suffix, name suffix, English, unit type]. */
const DISTRICT_BUREAUS: readonly [string, string, string, string][] = [
  ['cgw', '城市管理委员会', 'Urban Management Commission', 'city-management'],
  ['zf', '城市管理综合行政执法局', 'Urban Management Law Enforcement Bureau', 'city-management'],
  ['hw', '环境卫生服务中心', 'Sanitation Service Centre', 'municipal-sanitation'],
  ['yl', '园林绿化局', 'Landscaping Bureau', 'landscaping'],
  ['sw', '水务局', 'Water Bureau', 'water'],
  ['jt', '交通委员会（路政）', 'Transport Commission (roads)', 'transport'],
  ['jg', '公安交通支队', 'Traffic Police Detachment', 'traffic-police'],
  ['hb', '生态环境局', 'Ecology and Environment Bureau', 'environment'],
  ['sj', '市场监督管理局', 'Market Regulation Bureau', 'market'],
  ['zj', '住房和城市建设委员会', 'Housing and Construction Commission', 'housing'],
  ['jdzx', '城市管理监督指挥中心', 'Urban Management Supervision Centre', 'city-management'],
]

export interface StreetRef {
  readonly code: string
  readonly name: string
  readonly districtCode: string
  readonly districtName: string
}

/** Units of the demo city: city bureaus, each district's bureaus, and every street office. */
export function demoUnits(
  districts: readonly { code: string; name: string }[],
  streets: readonly StreetRef[],
): UnitTable[] {
  const units: UnitTable[] = CITY_UNITS.map(([id, name, nameEn, type]) => ({
    id,
    name,
    name_en: nameEn,
    type,
    level: 'city',
    region_code: '110000',
    parent_id: null,
    phone: null,
  }))
  for (const d of districts) {
    for (const [suffix, name, nameEn, type] of DISTRICT_BUREAUS) {
      units.push({
        id: `${d.code}-${suffix}`,
        name: `${d.name}${name}`,
        name_en: `${d.name} ${nameEn}`,
        type,
        level: 'district',
        region_code: d.code,
        parent_id: null,
        phone: null,
      })
    }
  }
  for (const s of streets) {
    const office = /(街道|地区)$/.test(s.name) ? '办事处' : '人民政府'
    units.push({
      id: `${s.code}-office`,
      name: `${s.districtName}${s.name}${office}`,
      name_en: `${s.name} street office`,
      type: 'street-office',
      level: 'street',
      region_code: s.code,
      parent_id: null,
      phone: null,
    })
  }
  return units
}

/** The demo units for a whole region tree: every district's bureaus and every street's office. */
export function cityUnits(regions: RegionSet): UnitTable[] {
  const districtName = new Map(regions.districts.map((d) => [d.code, d.name]))
  return demoUnits(
    regions.districts.map((d) => ({ code: d.code, name: d.name })),
    regions.streets.map((s) => {
      const districtCode = s.parentCode ?? s.code.slice(0, 6)
      return { code: s.code, name: s.name, districtCode, districtName: districtName.get(districtCode) ?? '' }
    }),
  )
}
