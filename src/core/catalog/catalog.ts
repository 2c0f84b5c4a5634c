import { ok } from '../errors.ts'
import type { Result } from '../errors.ts'
import type { TimeLimit } from '../calendar/calendar.types.ts'
import { checkTimeLimit } from '../calendar/time-limit.ts'
import { checkKnownKeys, failWithProblems, isRecord } from '../calendar/validation-problem.ts'
import type { ValidationProblem } from '../calendar/validation-problem.ts'
import type { CaseKind, StageLimits } from '../case/case.types.ts'
import { UNIT_TYPES } from './catalog.types.ts'
import type { Catalog, CatalogClass, CatalogLimits, CatalogMajor, UnitType } from './catalog.types.ts'

/**
 * Platform defaults for the stages a class does not set, in working time because ordinary cases are
 * worked by day staff:
 * - accept 2 work-hours: an operator screens a report within the morning or afternoon it arrives;
 * - dispatch 1 work-hour and receive (签收, the response limit) 1 work-hour: routing and acknowledging
 *   are desk work, and a fast response is what the response rate measures;
 * - handle 3 work-days: the common limit of ordinary 城管 minor classes — classes set their own;
 * - verify 1 work-day: an inspector re-checks on the next working day's patrol;
 * - callback 3 work-days: the reporter is called back while the case is still fresh.
 * A city changes them in its configuration; see docs/catalog.md.
 */
export const DEFAULT_STAGE_LIMITS: StageLimits = Object.freeze({
  accept: Object.freeze({ amount: 2, unit: 'work-hours' }),
  dispatch: Object.freeze({ amount: 1, unit: 'work-hours' }),
  receive: Object.freeze({ amount: 1, unit: 'work-hours' }),
  handle: Object.freeze({ amount: 3, unit: 'work-days' }),
  verify: Object.freeze({ amount: 1, unit: 'work-days' }),
  callback: Object.freeze({ amount: 3, unit: 'work-days' }),
})

/** The stages a class may limit, in lifecycle order. */
export const STAGE_LIMIT_KEYS: readonly (keyof StageLimits)[] = [
  'accept',
  'dispatch',
  'receive',
  'handle',
  'verify',
  'callback',
]

/**
 * Validate a catalog document (e.g. data/catalog/default.json), listing every problem at once
 * (CATALOG_INVALID, details = [{ field, message }]): missing or empty fields and conditions, ids that do not
 * match kind + major + minor, duplicate ids, duplicate names within a major, unknown majors, unknown unit
 * types, bad limit units or amounts, a missing handle limit, unknown fields.
 */
export function parseCatalog(json: unknown): Result<Catalog> {
  const problems: ValidationProblem[] = []
  if (!isRecord(json)) {
    return failWithProblems('CATALOG_INVALID', 'catalog', [{ field: '', message: 'must be a JSON object' }])
  }
  checkKnownKeys(json, ['version', 'majors', 'classes'], '', problems)
  const version = text(json.version, 'version', problems)

  const majors: CatalogMajor[] = []
  if (!Array.isArray(json.majors) || json.majors.length === 0) {
    problems.push({ field: 'majors', message: 'must be a non-empty array' })
  } else {
    json.majors.forEach((m: unknown, i) => {
      const major = checkMajor(m, `majors[${i}]`, problems)
      if (!major) {
        return
      }
      if (majors.some((x) => x.kind === major.kind && x.code === major.code)) {
        problems.push({
          field: `majors[${i}].code`,
          message: `${major.kind} major ${major.code} is defined twice`,
        })
      } else {
        majors.push(major)
      }
    })
  }

  const classes: CatalogClass[] = []
  if (!Array.isArray(json.classes) || json.classes.length === 0) {
    problems.push({ field: 'classes', message: 'must be a non-empty array' })
  } else {
    const seenIds = new Map<string, number>()
    const seenNames = new Map<string, number>()
    json.classes.forEach((c: unknown, i) => {
      const field = `classes[${i}]`
      const cls = checkClass(c, field, majors, problems)
      const id = isRecord(c) && typeof c.id === 'string' ? c.id : undefined
      if (id !== undefined) {
        const first = seenIds.get(id)
        if (first !== undefined) {
          problems.push({ field: `${field}.id`, message: `${id} duplicates classes[${first}]` })
        } else {
          seenIds.set(id, i)
        }
      }
      if (!cls) {
        return
      }
      const nameKey = `${cls.kind}/${cls.majorCode}/${cls.name}`
      const sameName = seenNames.get(nameKey)
      if (sameName !== undefined) {
        problems.push({
          field: `${field}.name`,
          message: `${cls.name} is already the name of classes[${sameName}] in the same major`,
        })
      } else {
        seenNames.set(nameKey, i)
      }
      classes.push(cls)
    })
  }

  if (problems.length > 0) {
    return failWithProblems('CATALOG_INVALID', 'catalog', problems)
  }
  return ok(
    Object.freeze({ version: version!, majors: Object.freeze(majors), classes: Object.freeze(classes) }),
  )
}

/** The class with this id, or undefined. */
export function findClass(catalog: Catalog, classId: string): CatalogClass | undefined {
  return indexOf(catalog).get(classId)
}

/** The major class of a kind and code, or undefined. */
export function findMajor(catalog: Catalog, kind: CaseKind, majorCode: string): CatalogMajor | undefined {
  return catalog.majors.find((m) => m.kind === kind && m.code === majorCode)
}

/** The minor classes of one major class, in catalog order. */
export function classesByMajor(catalog: Catalog, kind: CaseKind, majorCode: string): readonly CatalogClass[] {
  return catalog.classes.filter((c) => c.kind === kind && c.majorCode === majorCode)
}

/**
 * The full per-stage limits of a class: its own, with `defaults` for the stages it does not set.
 * No class, or an id the catalog does not know, gives `defaults` (a case not yet classified still has deadlines).
 */
export function limitsFor(catalog: Catalog, classId: string | undefined, defaults: StageLimits): StageLimits {
  const cls = classId === undefined ? undefined : findClass(catalog, classId)
  return cls ? { ...defaults, ...cls.limits } : defaults
}

const CLASS_KEYS = [
  'id',
  'kind',
  'majorCode',
  'minorCode',
  'name',
  'nameEn',
  'registration',
  'closing',
  'authorityUnitType',
  'responsibleUnitType',
  'legalBasis',
  'limits',
  'keywords',
  'urgent',
]
const KINDS: readonly CaseKind[] = ['component', 'event']
const TWO_DIGITS = /^\d{2}$/

const INDEXES = new WeakMap<Catalog, Map<string, CatalogClass>>()

function indexOf(catalog: Catalog): Map<string, CatalogClass> {
  let ix = INDEXES.get(catalog)
  if (!ix) {
    ix = new Map(catalog.classes.map((c) => [c.id, c]))
    INDEXES.set(catalog, ix)
  }
  return ix
}

function checkMajor(value: unknown, field: string, problems: ValidationProblem[]): CatalogMajor | undefined {
  if (!isRecord(value)) {
    problems.push({ field, message: 'must be an object { kind, code, name, nameEn }' })
    return undefined
  }
  const before = problems.length
  checkKnownKeys(value, ['kind', 'code', 'name', 'nameEn'], field, problems)
  const kind = checkKind(value.kind, `${field}.kind`, problems)
  const code = value.code
  if (typeof code !== 'string' || !TWO_DIGITS.test(code) || code === '00') {
    problems.push({
      field: `${field}.code`,
      message: `must be two digits 01..99 (got ${JSON.stringify(code)})`,
    })
  }
  const name = text(value.name, `${field}.name`, problems)
  const nameEn = text(value.nameEn, `${field}.nameEn`, problems)
  if (problems.length > before) {
    return undefined
  }
  return Object.freeze({ kind: kind!, code: code as string, name: name!, nameEn: nameEn! })
}

function checkClass(
  value: unknown,
  field: string,
  majors: readonly CatalogMajor[],
  problems: ValidationProblem[],
): CatalogClass | undefined {
  if (!isRecord(value)) {
    problems.push({ field, message: 'must be an object' })
    return undefined
  }
  const before = problems.length
  checkKnownKeys(value, CLASS_KEYS, field, problems)

  const kind = checkKind(value.kind, `${field}.kind`, problems)
  const { id, majorCode, minorCode } = value
  const majorOk = typeof majorCode === 'string' && TWO_DIGITS.test(majorCode)
  const minorOk = typeof minorCode === 'string' && TWO_DIGITS.test(minorCode) && minorCode !== '00'
  if (!majorOk) {
    problems.push({
      field: `${field}.majorCode`,
      message: `must be two digits (got ${JSON.stringify(majorCode)})`,
    })
  }
  if (!minorOk) {
    problems.push({
      field: `${field}.minorCode`,
      message: `must be two digits 01..99 (got ${JSON.stringify(minorCode)})`,
    })
  }
  if (typeof id !== 'string' || !/^[CE]\d{4}$/.test(id)) {
    problems.push({
      field: `${field}.id`,
      message: `must be 'C' or 'E' followed by 4 digits, e.g. C0101 (got ${JSON.stringify(id)})`,
    })
  } else if (kind && majorOk && minorOk) {
    const expected = `${kind === 'component' ? 'C' : 'E'}${majorCode}${minorCode}`
    if (id !== expected) {
      problems.push({
        field: `${field}.id`,
        message: `${id} does not match kind ${kind}, major ${majorCode}, minor ${minorCode} (expected ${expected})`,
      })
    }
  }
  if (kind && majorOk && !majors.some((m) => m.kind === kind && m.code === majorCode)) {
    problems.push({ field: `${field}.majorCode`, message: `no ${kind} major ${majorCode} in majors` })
  }

  const name = text(value.name, `${field}.name`, problems)
  const nameEn = text(value.nameEn, `${field}.nameEn`, problems)
  const registration = textList(value.registration, `${field}.registration`, problems)
  const closing = text(value.closing, `${field}.closing`, problems)
  const authority = checkUnitType(value.authorityUnitType, `${field}.authorityUnitType`, problems)
  const responsible = checkUnitType(value.responsibleUnitType, `${field}.responsibleUnitType`, problems)
  let legalBasis: string | undefined
  if (value.legalBasis !== undefined) {
    legalBasis = text(value.legalBasis, `${field}.legalBasis`, problems)
  }
  const limits = checkLimits(value.limits, `${field}.limits`, problems)
  const keywords = textList(value.keywords, `${field}.keywords`, problems)
  if (value.urgent !== undefined && typeof value.urgent !== 'boolean') {
    problems.push({ field: `${field}.urgent`, message: 'must be true or false' })
  }

  if (problems.length > before) {
    return undefined
  }
  return Object.freeze({
    id: id as string,
    kind: kind!,
    majorCode: majorCode as string,
    minorCode: minorCode as string,
    name: name!,
    nameEn: nameEn!,
    registration: Object.freeze(registration!),
    closing: closing!,
    authorityUnitType: authority!,
    responsibleUnitType: responsible!,
    ...(legalBasis ? { legalBasis } : {}),
    limits: limits!,
    keywords: Object.freeze(keywords!),
    ...(value.urgent === true ? { urgent: true } : {}),
  })
}

function checkKind(value: unknown, field: string, problems: ValidationProblem[]): CaseKind | undefined {
  if ((KINDS as readonly unknown[]).includes(value)) {
    return value as CaseKind
  }
  problems.push({ field, message: `must be component or event (got ${JSON.stringify(value)})` })
  return undefined
}

function checkUnitType(value: unknown, field: string, problems: ValidationProblem[]): UnitType | undefined {
  if ((UNIT_TYPES as readonly unknown[]).includes(value)) {
    return value as UnitType
  }
  problems.push({
    field,
    message: `unknown unit type ${JSON.stringify(value)} (known: ${UNIT_TYPES.join(', ')})`,
  })
  return undefined
}

function checkLimits(
  value: unknown,
  field: string,
  problems: ValidationProblem[],
): CatalogLimits | undefined {
  if (!isRecord(value)) {
    problems.push({
      field,
      message:
        'must be an object with at least a handle limit, e.g. { "handle": { "amount": 3, "unit": "work-days" } }',
    })
    return undefined
  }
  const before = problems.length
  checkKnownKeys(value, STAGE_LIMIT_KEYS, field, problems)
  if (value.handle === undefined) {
    problems.push({ field: `${field}.handle`, message: 'is required' })
  }
  const limits: Partial<Record<keyof StageLimits, TimeLimit>> = {}
  for (const key of STAGE_LIMIT_KEYS) {
    if (value[key] === undefined) {
      continue
    }
    const limit = checkTimeLimit(value[key], `${field}.${key}`, problems)
    if (limit) {
      limits[key] = Object.freeze(limit)
    }
  }
  return problems.length === before ? (Object.freeze(limits) as CatalogLimits) : undefined
}

function text(value: unknown, field: string, problems: ValidationProblem[]): string | undefined {
  if (typeof value === 'string' && value.trim() !== '') {
    return value
  }
  problems.push({ field, message: 'must be a non-empty string' })
  return undefined
}

function textList(value: unknown, field: string, problems: ValidationProblem[]): string[] | undefined {
  if (!Array.isArray(value) || value.length === 0) {
    problems.push({ field, message: 'must be a non-empty array of strings' })
    return undefined
  }
  const before = problems.length
  value.forEach((v: unknown, i) => {
    if (typeof v !== 'string' || v.trim() === '') {
      problems.push({ field: `${field}[${i}]`, message: 'must be a non-empty string' })
    }
  })
  return problems.length === before ? (value as string[]) : undefined
}
