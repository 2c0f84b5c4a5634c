import type { TimeLimit } from '../calendar/calendar.types.ts'
import type { CaseKind, StageLimits } from '../case/case.types.ts'

/**
 * Kinds of unit a class can name as its authority (主管) or responsible (责任/处置) unit. The responsibility
 * list (core/duty) maps a type plus a place to an actual unit.
 */
export const UNIT_TYPES = [
  'street-office', // 街道办事处 / 乡镇政府 (属地)
  'community', // 社区居委会 / 村委会
  'city-management', // 城管执法
  'municipal-sanitation', // 城市管理委员会: 市政市容、环卫
  'landscaping', // 园林绿化
  'transport', // 交通委 / 公路
  'traffic-police', // 公安交管
  'public-security', // 公安 (治安、社会生活噪声)
  'fire-rescue', // 消防救援
  'water', // 水务
  'housing', // 住房和城乡建设
  'environment', // 生态环境
  'market', // 市场监管
  'planning', // 规划和自然资源
  'emergency', // 应急管理
  'civil-affairs', // 民政
  'utility-water', // 自来水、排水集团
  'utility-power', // 电力公司
  'utility-gas', // 燃气集团
  'utility-heat', // 热力集团
  'telecom', // 通信运营商
  'property-manager', // 物业服务企业
  'bike-share-operator', // 共享单车运营企业
] as const
export type UnitType = (typeof UNIT_TYPES)[number]

/** A major class (大类): 2-digit code, unique within its kind. */
export interface CatalogMajor {
  readonly kind: CaseKind
  readonly code: string
  readonly name: string
  readonly nameEn: string
}

/** A class's own limits: handling is required, the other stages fall back to platform defaults. */
export type CatalogLimits = Partial<StageLimits> & { readonly handle: TimeLimit }

/** A minor class (小类) of the catalog. */
export interface CatalogClass {
  /** 'C' (component) or 'E' (event) + majorCode + minorCode, e.g. 'C0101' = 公用设施/上水井盖 */
  readonly id: string
  readonly kind: CaseKind
  readonly majorCode: string
  readonly minorCode: string
  readonly name: string
  readonly nameEn: string
  /** 立案条件: any one of them makes a report registrable */
  readonly registration: readonly string[]
  /** 结案条件 */
  readonly closing: string
  /** 主管部门 */
  readonly authorityUnitType: UnitType
  /** 责任 / 处置单位 (first candidate; the responsibility list decides the actual unit) */
  readonly responsibleUnitType: UnitType
  /** laws and regulations that make this a public duty */
  readonly legalBasis?: string
  readonly limits: CatalogLimits
  /** Chinese words that signal this class in a citizen's text (used by triage) */
  readonly keywords: readonly string[]
  /** safety-critical: handled 24×7 in clock hours, shown first */
  readonly urgent?: boolean
}

/** The city's component/event catalog: data a city edits (data/catalog/default.json). */
export interface Catalog {
  readonly version: string
  readonly majors: readonly CatalogMajor[]
  readonly classes: readonly CatalogClass[]
}
