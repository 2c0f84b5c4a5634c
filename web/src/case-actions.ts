/**
 * Which actions this user may take on this case now, and what each asks for.
 *
 * Mirrors the lifecycle's transition table (DESIGN.md §3, src/core/case/lifecycle.ts): the stage
 * allows the action, the role may, and for unit-bound actions the user's unit is the case's.
 * The server re-checks everything; this only keeps the desk from offering what would be refused.
 */
import type { ActionType, ApiCase, Role, Stage, User } from './api/types.ts'

/** A form field an action needs. `kind` picks the input. */
export interface FieldSpec {
  readonly name: string
  readonly kind:
    | 'text'
    | 'textarea'
    | 'class'
    | 'unit'
    | 'units'
    | 'case'
    | 'limit'
    | 'passed'
    | 'satisfaction'
    | 'resolved'
    | 'priority'
    | 'photos'
    | 'decision'
  readonly required: boolean
}

export interface ActionSpec {
  readonly type: ActionType
  readonly fields: readonly FieldSpec[]
  /** red button, confirmation wording */
  readonly tone: 'primary' | 'normal' | 'danger'
}

type UnitCheck = 'assigned' | 'assigned-if-handler' | 'summoned'

interface Rule {
  readonly roles: readonly Role[]
  readonly unit?: UnitCheck
}

const RULES: Readonly<Record<ActionType, Rule>> = {
  accept: { roles: ['operator'] },
  reject: { roles: ['operator'] },
  merge: { roles: ['operator'] },
  register: { roles: ['dispatcher'] },
  dispatch: { roles: ['dispatcher'] },
  reassign: { roles: ['dispatcher'] },
  receive: { roles: ['handler'], unit: 'assigned' },
  return: { roles: ['handler'], unit: 'assigned' },
  extend: { roles: ['handler', 'dispatcher'], unit: 'assigned-if-handler' },
  suspend: { roles: ['dispatcher'] },
  resume: { roles: ['dispatcher'] },
  report: { roles: ['handler'], unit: 'assigned' },
  verify: { roles: ['inspector', 'operator', 'dispatcher'] },
  evaluate: { roles: ['operator'] },
  reopen: { roles: ['operator'] },
  urge: { roles: ['dispatcher', 'leader'] },
  supervise: { roles: ['dispatcher', 'leader'] },
  instruct: { roles: ['leader'] },
  escalate: { roles: ['dispatcher'] },
  whistle: { roles: ['handler', 'dispatcher'], unit: 'assigned-if-handler' },
  'report-in': { roles: ['handler'], unit: 'summoned' },
}

const OVERSIGHT: readonly ActionType[] = ['urge', 'supervise', 'instruct', 'escalate']
const SUMMONS: readonly ActionType[] = ['whistle', 'report-in']

/** What may happen in each stage, main path first (the order buttons appear in). */
const BY_STAGE: Readonly<Record<Stage, readonly ActionType[]>> = {
  reported: ['accept', 'reject', 'merge', ...OVERSIGHT],
  accepted: ['register', 'merge', ...OVERSIGHT],
  registered: ['dispatch', 'merge', ...OVERSIGHT],
  dispatched: ['receive', 'return', 'reassign', ...SUMMONS, ...OVERSIGHT],
  handling: ['report', 'extend', 'suspend', 'reassign', ...SUMMONS, ...OVERSIGHT],
  suspended: ['resume', ...OVERSIGHT],
  handled: ['verify', ...OVERSIGHT],
  closed: ['evaluate', 'reopen'],
  evaluated: ['reopen'],
  rejected: [],
  merged: [],
}

const f = (name: string, kind: FieldSpec['kind'], required = true): FieldSpec => ({ name, kind, required })

const FIELDS: Readonly<Record<ActionType, readonly FieldSpec[]>> = {
  accept: [f('note', 'textarea', false)],
  reject: [f('reason', 'textarea')],
  merge: [f('targetCaseId', 'case'), f('reason', 'textarea', false)],
  register: [f('classId', 'class'), f('priority', 'priority', false), f('note', 'textarea', false)],
  dispatch: [f('unitId', 'unit'), f('teamId', 'text', false), f('reason', 'textarea', false)],
  reassign: [f('unitId', 'unit'), f('reason', 'textarea')],
  receive: [f('note', 'textarea', false)],
  return: [f('reason', 'textarea')],
  extend: [f('limit', 'limit'), f('reason', 'textarea')],
  suspend: [f('reason', 'textarea')],
  resume: [f('note', 'textarea', false)],
  report: [f('note', 'textarea'), f('photos', 'photos', false)],
  verify: [f('passed', 'passed'), f('note', 'textarea', false)],
  evaluate: [f('satisfaction', 'satisfaction'), f('resolved', 'resolved'), f('note', 'textarea', false)],
  reopen: [f('reason', 'textarea')],
  urge: [f('note', 'textarea', false)],
  supervise: [f('note', 'textarea')],
  instruct: [f('note', 'textarea')],
  escalate: [f('reason', 'textarea')],
  whistle: [f('unitIds', 'units'), f('reason', 'textarea')],
  'report-in': [f('note', 'textarea', false)],
}

const TONE: Partial<Record<ActionType, ActionSpec['tone']>> = {
  accept: 'primary',
  register: 'primary',
  dispatch: 'primary',
  receive: 'primary',
  report: 'primary',
  verify: 'primary',
  evaluate: 'primary',
  resume: 'primary',
  'report-in': 'primary',
  reject: 'danger',
  return: 'danger',
  escalate: 'danger',
}

function unitAllows(check: UnitCheck | undefined, c: ApiCase, u: User): boolean {
  switch (check) {
    case undefined:
      return true
    case 'assigned':
      return u.unitId !== undefined && u.unitId === c.unitId
    case 'assigned-if-handler':
      return u.role !== 'handler' || (u.unitId !== undefined && u.unitId === c.unitId)
    case 'summoned':
      return (
        u.unitId !== undefined && c.summons.some((s) => s.unitId === u.unitId && s.reportedAt === undefined)
      )
  }
}

/** Actions `user` may take on `c` in its current stage, each with the fields its form needs. */
export function availableActions(c: ApiCase, user: User): readonly ActionSpec[] {
  const out: ActionSpec[] = []
  for (const type of BY_STAGE[c.stage]) {
    const rule = RULES[type]
    // admin passes role checks (not unit checks), as in the core.
    if (user.role !== 'admin' && !rule.roles.includes(user.role)) {
      continue
    }
    if (!unitAllows(rule.unit, c, user)) {
      continue
    }
    if (type === 'supervise' && c.supervised) {
      continue
    }
    out.push({ type, fields: fieldsFor(type, c, user), tone: TONE[type] ?? 'normal' })
  }
  return out
}

/** A dispatcher answers a pending extension request with a decision instead of a new limit. */
function fieldsFor(type: ActionType, c: ApiCase, user: User): readonly FieldSpec[] {
  if (type === 'extend' && user.role !== 'handler' && c.extensionRequest) {
    return [f('decision', 'decision')]
  }
  return FIELDS[type]
}
