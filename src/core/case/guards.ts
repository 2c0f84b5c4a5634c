import type { TimeLimit, TimeUnit } from '../calendar/calendar.types.ts'
import { domainError } from '../errors.ts'
import type { DomainError, ErrorCode } from '../errors.ts'
import type { Instant } from '../time.ts'
import type {
  ActionOf,
  ActionType,
  Actor,
  Case,
  CaseKind,
  HandlingLevel,
  LifecycleEnv,
  Priority,
  Satisfaction,
  Summons,
} from './case.types.ts'
import type { Guard } from './lifecycle.ts'

/**
 * What each action needs beyond stage, role and unit (those `apply` checks from the table):
 * a valid payload, then the business conditions. Actions without an entry need nothing more.
 * Payloads are checked here as well as by the route schemas because the core also serves the
 * sweeper, the simulator and ingest, which bypass HTTP.
 */
export const GUARDS: { readonly [T in ActionType]?: Guard<T> } = {
  reject: (_c, a) => text(a.reason, 'reason', a.type),
  merge: (c, a) =>
    text(a.targetCaseId, 'targetCaseId', a.type) ??
    optionalText(a.reason, 'reason') ??
    (a.targetCaseId === c.id
      ? domainError('CASE_MERGE_TARGET_INVALID', `case ${c.id} cannot be merged into itself`, 'targetCaseId')
      : undefined),
  register: (_c, a, _actor, _now, env) =>
    text(a.classId, 'classId', a.type) ??
    optionalOneOf(a.priority, PRIORITIES, 'priority') ??
    (env.classExists(a.classId) && kindOf(a.classId)
      ? undefined
      : domainError('CATALOG_CLASS_UNKNOWN', `class ${a.classId} is not in the catalog`, 'classId')),
  dispatch: (_c, a) =>
    text(a.unitId, 'unitId', a.type) ??
    optionalText(a.teamId, 'teamId') ??
    optionalOneOf(a.level, LEVELS, 'level') ??
    optionalText(a.reason, 'reason'),
  reassign: (c, a) =>
    text(a.unitId, 'unitId', a.type) ??
    optionalText(a.teamId, 'teamId') ??
    text(a.reason, 'reason', a.type) ??
    (a.unitId === c.unitId && a.teamId === c.teamId
      ? invalid('unitId', `case ${c.id} is already assigned to unit ${a.unitId}; name another unit or team`)
      : undefined),
  return: (c, a, _actor, now, env) =>
    text(a.reason, 'reason', a.type) ??
    windowOpen(c.times.dispatchedAt, env.policy.returnWindow, now, env, 'CASE_RETURN_WINDOW_CLOSED', {
      what: 'returned',
      since: 'dispatch',
      otherwise: 'ask the dispatcher to reassign it',
    }),
  extend: (c, a, actor) => {
    const mode = extendMode(a, actor)
    if (mode === 'decide') {
      if (actor.role === 'handler') {
        return domainError('FORBIDDEN_ROLE', 'role handler may not decide an extension; a dispatcher does')
      }
      return (
        oneOf(a.decision, ['grant', 'deny'], 'decision') ??
        optionalLimit(a.limit, 'limit') ??
        (c.extensionRequest
          ? undefined
          : domainError(
              'CASE_NO_EXTENSION_PENDING',
              `case ${c.id} has no extension request to ${a.decision}`,
            ))
      )
    }
    return (
      limit(a.limit, 'limit', a.type) ??
      text(a.reason, 'reason', a.type) ??
      (c.extensionRequest
        ? domainError(
            'CASE_ILLEGAL_ACTION',
            `case ${c.id} already has an extension request pending; it must be granted or denied first`,
            undefined,
            { stage: c.stage, action: a.type, pending: c.extensionRequest },
          )
        : undefined)
    )
  },
  suspend: (_c, a) => text(a.reason, 'reason', a.type),
  report: (_c, a) => text(a.note, 'note', a.type) ?? photos(a.photos) ?? position(a.position),
  verify: (_c, a) => bool(a.passed, 'passed', a.type) ?? photos(a.photos),
  evaluate: (_c, a) =>
    oneOf(a.satisfaction, SATISFACTIONS, 'satisfaction') ??
    bool(a.resolved, 'resolved', a.type) ??
    optionalOneOf(a.source, ['callback', 'auto'], 'source'),
  reopen: (c, a, _actor, now, env) =>
    text(a.reason, 'reason', a.type) ??
    windowOpen(c.times.closedAt, env.policy.reopenWindow, now, env, 'CASE_REOPEN_WINDOW_CLOSED', {
      what: 'reopened',
      since: 'closing',
      otherwise: 'take the report as a new case',
    }),
  supervise: (_c, a) => text(a.note, 'note', a.type),
  instruct: (_c, a) => text(a.note, 'note', a.type),
  // State refusals that are not about the payload (top level reached, a request already pending,
  // a unit already reported in) share CASE_ILLEGAL_ACTION: like an action the stage does not allow,
  // the client should reload and not offer the button; `details` says which state.
  escalate: (c, a) =>
    text(a.reason, 'reason', a.type) ??
    (nextLevel(c.level)
      ? undefined
      : domainError(
          'CASE_ILLEGAL_ACTION',
          `escalate is not allowed: case ${c.id} is already at city level`,
          undefined,
          {
            stage: c.stage,
            action: a.type,
            level: c.level,
          },
        )),
  whistle: (c, a) =>
    summonable(c, a.unitIds) ?? text(a.reason, 'reason', a.type) ?? optionalLimit(a.limit, 'limit'),
  'report-in': (c, a, actor) =>
    pendingSummons(c, actor.unitId)
      ? undefined
      : domainError(
          'CASE_ILLEGAL_ACTION',
          `unit ${actor.unitId} has already reported in to case ${c.id}`,
          undefined,
          {
            stage: c.stage,
            action: a.type,
          },
        ),
}

/** How an `extend` is meant: a handler asks; a decision answers the pending request; anyone else extends directly. */
export function extendMode(a: ActionOf<'extend'>, actor: Actor): 'request' | 'decide' | 'direct' {
  if (a.decision !== undefined) {
    return 'decide'
  }
  return actor.role === 'handler' ? 'request' : 'direct'
}

/** The unit's summons that still awaits its report-in, if any. */
export function pendingSummons(c: Case, unitId: string | undefined): Summons | undefined {
  return c.summons.find((s) => s.unitId === unitId && s.reportedAt === undefined)
}

/** 'C0101' → component, 'E0101' → event (DESIGN.md §4); anything else → undefined. */
export function kindOf(classId: string): CaseKind | undefined {
  if (classId.startsWith('C')) {
    return 'component'
  }
  if (classId.startsWith('E')) {
    return 'event'
  }
  return undefined
}

/** The level above, or undefined at the top. */
export function nextLevel(level: HandlingLevel): HandlingLevel | undefined {
  return LEVELS[LEVELS.indexOf(level) + 1]
}

const LEVELS: readonly HandlingLevel[] = ['street', 'district', 'city']
const PRIORITIES: readonly Priority[] = ['normal', 'urgent']
const SATISFACTIONS: readonly Satisfaction[] = ['satisfied', 'basically', 'unsatisfied']
/** A Record so the compiler tells us when calendar.types.ts gains a unit. */
const TIME_UNITS: Readonly<Record<TimeUnit, true>> = {
  'clock-hours': true,
  'work-hours': true,
  'work-days': true,
}

function summonable(c: Case, unitIds: unknown): DomainError | undefined {
  if (!Array.isArray(unitIds) || unitIds.length === 0) {
    return invalid('unitIds', 'name at least one unit to summon')
  }
  const seen = new Set<unknown>()
  for (const unitId of unitIds as unknown[]) {
    if (!isText(unitId)) {
      return invalid('unitIds', 'each unit to summon must be a unit id')
    }
    if (seen.has(unitId)) {
      return invalid('unitIds', `unit ${unitId} is named twice`)
    }
    seen.add(unitId)
    if (unitId === c.unitId) {
      return invalid('unitIds', `unit ${unitId} already handles case ${c.id}`)
    }
    if (pendingSummons(c, unitId)) {
      return invalid('unitIds', `unit ${unitId} is already summoned and has not reported in yet`)
    }
  }
  return undefined
}

function windowOpen(
  since: Instant | undefined,
  window: TimeLimit,
  now: Instant,
  env: LifecycleEnv,
  code: ErrorCode,
  words: { what: string; since: string; otherwise: string },
): DomainError | undefined {
  const closesAt = since === undefined ? undefined : env.addLimit(since, window)
  if (closesAt !== undefined && now <= closesAt) {
    return undefined
  }
  return domainError(
    code,
    `a case may be ${words.what} only within ${window.amount} ${window.unit} of ${words.since}; this window has closed, ${words.otherwise}`,
    undefined,
    { closesAt },
  )
}

function invalid(field: string, message: string): DomainError {
  return domainError('CASE_PAYLOAD_INVALID', message, field)
}

function isText(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== ''
}

function text(value: unknown, field: string, action: ActionType): DomainError | undefined {
  return isText(value)
    ? undefined
    : invalid(field, `${field} is required to ${action} a case (non-empty text)`)
}

function optionalText(value: unknown, field: string): DomainError | undefined {
  return value === undefined || isText(value)
    ? undefined
    : invalid(field, `${field}, when given, must be non-empty text`)
}

function bool(value: unknown, field: string, action: ActionType): DomainError | undefined {
  return typeof value === 'boolean'
    ? undefined
    : invalid(field, `${field} (true or false) is required to ${action} a case`)
}

function oneOf(value: unknown, options: readonly string[], field: string): DomainError | undefined {
  return typeof value === 'string' && options.includes(value)
    ? undefined
    : invalid(field, `${field} must be one of ${options.join(', ')}`)
}

function optionalOneOf(value: unknown, options: readonly string[], field: string): DomainError | undefined {
  return value === undefined ? undefined : oneOf(value, options, field)
}

function limit(value: unknown, field: string, action: ActionType): DomainError | undefined {
  return isLimit(value)
    ? undefined
    : invalid(field, `${field} ${LIMIT_SHAPE} is required to ${action} a case`)
}

function optionalLimit(value: unknown, field: string): DomainError | undefined {
  return value === undefined || isLimit(value)
    ? undefined
    : invalid(field, `${field}, when given, must be ${LIMIT_SHAPE}`)
}

const LIMIT_SHAPE = '{ amount > 0, unit: clock-hours | work-hours | work-days }'

function isLimit(value: unknown): value is TimeLimit {
  const l = value as Partial<TimeLimit> | null | undefined
  return (
    typeof l === 'object' &&
    l !== null &&
    typeof l.amount === 'number' &&
    Number.isFinite(l.amount) &&
    l.amount > 0 &&
    typeof l.unit === 'string' &&
    Object.hasOwn(TIME_UNITS, l.unit)
  )
}

function photos(value: unknown): DomainError | undefined {
  if (value === undefined) {
    return undefined
  }
  return Array.isArray(value) && (value as unknown[]).every(isText)
    ? undefined
    : invalid('photos', 'photos, when given, must be a list of photo references')
}

function position(value: unknown): DomainError | undefined {
  if (value === undefined) {
    return undefined
  }
  const valid =
    typeof value === 'object' &&
    value !== null &&
    'lon' in value &&
    'lat' in value &&
    typeof value.lon === 'number' &&
    typeof value.lat === 'number' &&
    Math.abs(value.lon) <= 180 &&
    Math.abs(value.lat) <= 90
  return valid
    ? undefined
    : invalid('position', 'position, when given, must be { lon, lat } in degrees (WGS84)')
}
