import type { TimeLimit } from '../../../core/calendar/calendar.types.ts'
import type { Case, Stage } from '../../../core/case/case.types.ts'
import { DEFAULT_STAGE_LIMITS, findClass, limitsFor } from '../../../core/catalog/catalog.ts'
import type { Catalog } from '../../../core/catalog/catalog.types.ts'
import type { CityService } from '../../../services/city.service.ts'
import type {
  Lang,
  Open311Attribute,
  Open311RequestView,
  Open311ServiceInfo,
  Open311UpdateView,
} from '../../../services/open311.service.ts'
import { w3c } from './format.ts'

/** What presenting needs besides the thing presented. */
export interface PresentContext {
  readonly lang: Lang
  readonly catalog: Catalog
  readonly city: Pick<CityService, 'unit' | 'index'>
  readonly utcOffsetMinutes: number
}

export const SPECIFICATION = 'http://wiki.open311.org/GeoReport_v2'

/** GET discovery: one endpoint, this one. */
export function presentDiscovery(o: {
  readonly url: string
  readonly changeset: string
  readonly type: 'production' | 'test'
  readonly contact: string
  readonly keyService: string
}) {
  return {
    changeset: o.changeset,
    contact: o.contact,
    key_service: o.keyService,
    endpoints: [
      {
        specification: SPECIFICATION,
        url: o.url,
        changeset: o.changeset,
        type: o.type,
        formats: ['text/xml', 'application/json'],
      },
    ],
  }
}

/** One catalog class as a GeoReport v2 service. */
export function presentService(s: Open311ServiceInfo, lang: Lang) {
  const c = s.cls
  const conditions = c.registration.join(lang === 'zh' ? '；' : '; ')
  return {
    service_code: c.id,
    service_name: lang === 'zh' ? c.name : c.nameEn,
    description:
      lang === 'zh' ? `立案条件：${conditions}` : `${c.nameEn}. Registered when (in Chinese): ${conditions}`,
    metadata: s.attributes.length > 0,
    type: 'realtime',
    keywords: c.keywords.join(', '),
    group: lang === 'zh' ? s.major.name : s.major.nameEn,
  }
}

/** GET services/{code}: the attributes a client should ask the reporter for. */
export function presentDefinition(s: Open311ServiceInfo, lang: Lang) {
  return {
    service_code: s.cls.id,
    attributes: s.attributes.map((a: Open311Attribute, i) => ({
      variable: true,
      code: a.code,
      datatype: a.datatype,
      required: a.required,
      datatype_description: a.datatypeDescription?.[lang] ?? null,
      order: i + 1,
      description: a.description[lang],
      ...(a.values ? { values: a.values.map((v) => ({ key: v.key, name: v.name[lang] })) } : {}),
    })),
  }
}

const LIMIT_UNIT: Readonly<Record<TimeLimit['unit'], Readonly<Record<Lang, string>>>> = {
  'clock-hours': { zh: '小时', en: 'hours, around the clock' },
  'work-hours': { zh: '个工作小时', en: 'working hours' },
  'work-days': { zh: '个工作日', en: 'working days' },
}

/** What the city promises for a service: its handling limit, in words. */
export function serviceNotice(
  catalog: Catalog,
  classId: string | undefined,
  lang: Lang,
  attached = false,
): string {
  const handle = limitsFor(catalog, classId, DEFAULT_STAGE_LIMITS).handle
  const unit = LIMIT_UNIT[handle.unit][lang]
  const promise =
    lang === 'zh'
      ? `派遣后${handle.amount}${unit}内处置。`
      : `Handled within ${handle.amount} ${unit} of dispatch.`
  if (!attached) {
    return promise
  }
  return lang === 'zh'
    ? `该问题已有人反映，您的诉求已并入同一案件。${promise}`
    : `This problem had already been reported: your report joined that case. ${promise}`
}

function unitName(ctx: PresentContext, id: string | undefined): string | null {
  const u = id ? ctx.city.unit(id) : undefined
  if (!u) {
    return id ?? null
  }
  return ctx.lang === 'en' ? (u.name_en ?? u.name) : u.name
}

const NOTES: Readonly<Record<Stage, Readonly<Record<Lang, (c: Case, unit: string) => string>>>> = {
  reported: { zh: () => '已收到，等待受理', en: () => 'Received, waiting to be accepted' },
  accepted: { zh: () => '已受理，等待立案', en: () => 'Accepted, waiting to be registered' },
  registered: { zh: () => '已立案，等待派遣', en: () => 'Registered, waiting to be dispatched' },
  dispatched: { zh: (_c, u) => `已派遣至${u}`, en: (_c, u) => `Dispatched to ${u}` },
  handling: { zh: (_c, u) => `${u}正在处置`, en: (_c, u) => `${u} is working on it` },
  suspended: { zh: () => '长期处置中（挂账）', en: () => 'Long-term work: on hold' },
  handled: { zh: () => '已处置，等待核查', en: () => 'Handled, waiting for verification' },
  closed: { zh: () => '已核查结案', en: () => 'Verified and closed' },
  evaluated: { zh: () => '已结案并回访', en: () => 'Closed; the reporter has been called back' },
  rejected: {
    zh: (c) => `不予受理：${c.rejectReason ?? ''}`,
    en: (c) => `Not accepted: ${c.rejectReason ?? ''}`,
  },
  merged: {
    zh: (c) => `已并入案件 ${c.mergedInto ?? ''}`,
    en: (c) => `Merged into case ${c.mergedInto ?? ''}`,
  },
}

/** The status note for a case's stage, in words. */
export function statusNotes(ctx: PresentContext, c: Case): string {
  return NOTES[c.stage][ctx.lang](c, unitName(ctx, c.unitId) ?? '')
}

/** One request in the spec's field order; `extensions` adds our stage and place. */
export function presentRequest(ctx: PresentContext, r: Open311RequestView, extensions: boolean) {
  const c = r.case
  const cls = findClass(ctx.catalog, r.serviceCode)
  const at = (t: number | undefined) => (t === undefined ? null : w3c(t, ctx.utcOffsetMinutes))
  const region = (code: string | undefined) => (code ? (ctx.city.index.byCode.get(code)?.name ?? null) : null)
  return {
    service_request_id: r.id,
    status: r.status,
    status_notes: statusNotes(ctx, c),
    service_name: cls ? (ctx.lang === 'zh' ? cls.name : cls.nameEn) : null,
    service_code: r.serviceCode,
    description: r.description ?? null,
    agency_responsible: unitName(ctx, c.unitId),
    service_notice: serviceNotice(ctx.catalog, r.serviceCode, ctx.lang),
    requested_datetime: at(r.requestedAt),
    updated_datetime: at(r.updatedAt),
    expected_datetime: r.status === 'open' ? at(r.expectedAt) : null,
    address: r.address ?? null,
    address_id: r.addressId ?? null,
    zipcode: r.zipcode ?? null,
    lat: r.location?.lat ?? null,
    long: r.location?.lon ?? null,
    media_url: r.mediaUrl ?? null,
    ...(extensions
      ? {
          extended_attributes: {
            case_id: c.id,
            stage: c.stage,
            class_id: c.classId ?? null,
            version: c.version,
            priority: c.priority,
            level: c.level,
            grid_code: c.region.gridCode ?? null,
            street_code: c.region.streetCode ?? null,
            street_name: region(c.region.streetCode),
            district_code: c.region.districtCode ?? null,
            district_name: region(c.region.districtCode),
          },
        }
      : {}),
  }
}

const ACTION_WORDS: Readonly<Record<string, Readonly<Record<Lang, string>>>> = {
  intake: { zh: '已收到', en: 'Received' },
  accept: { zh: '已受理', en: 'Accepted' },
  reject: { zh: '不予受理', en: 'Not accepted' },
  merge: { zh: '已合并', en: 'Merged' },
  register: { zh: '已立案', en: 'Registered' },
  dispatch: { zh: '已派遣', en: 'Dispatched' },
  reassign: { zh: '已改派', en: 'Reassigned' },
  receive: { zh: '已签收，处置中', en: 'Received by the unit, in hand' },
  return: { zh: '已退回，待重新派遣', en: 'Returned, to be dispatched again' },
  suspend: { zh: '挂账（长期处置）', en: 'On hold (long-term work)' },
  resume: { zh: '恢复处置', en: 'Resumed' },
  report: { zh: '已处置', en: 'Handled' },
  verify: { zh: '已核查', en: 'Verified' },
  evaluate: { zh: '已回访', en: 'Called back' },
  reopen: { zh: '已重新立案', en: 'Reopened' },
}

/** One stage change as a FixMyStreet-style request update. */
export function presentUpdate(ctx: PresentContext, u: Open311UpdateView) {
  const words = ACTION_WORDS[u.action]?.[ctx.lang] ?? u.action
  const unit = u.action === 'dispatch' || u.action === 'reassign' ? unitName(ctx, u.unitId) : null
  const sep = ctx.lang === 'zh' ? '：' : ': '
  const description = [unit ? `${words}${ctx.lang === 'zh' ? '至' : ' to '}${unit}` : words, u.note]
    .filter(Boolean)
    .join(sep)
  return {
    update_id: u.id,
    service_request_id: u.serviceRequestId,
    status: u.status,
    updated_datetime: w3c(u.at, ctx.utcOffsetMinutes),
    description,
    media_url: u.mediaUrl ?? null,
    external_status_code: u.stage,
  }
}
