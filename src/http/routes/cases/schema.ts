import { Type, type TSchema } from 'typebox'
import { CHANNELS, STAGES, type ActionType } from '../../../core/case/case.types.ts'

const text = (max: number, min = 1) => Type.String({ minLength: min, maxLength: max })
const reason = text(2000)
const note = text(4000)

export const Point = Type.Object(
  {
    lon: Type.Number({ minimum: -180, maximum: 180 }),
    lat: Type.Number({ minimum: -90, maximum: 90 }),
  },
  { additionalProperties: false },
)

export const TimeLimitSchema = Type.Object(
  {
    amount: Type.Number({ exclusiveMinimum: 0, maximum: 10_000 }),
    unit: Type.Union([Type.Literal('clock-hours'), Type.Literal('work-hours'), Type.Literal('work-days')]),
  },
  { additionalProperties: false },
)

export const IntakeBody = Type.Object(
  {
    channel: Type.Union(CHANNELS.map((c) => Type.Literal(c))),
    text: text(10_000),
    title: Type.Optional(text(200)),
    location: Type.Optional(Point),
    /** coordinates as sent by the device; GCJ-02 (Chinese web maps, most phones) is converted to WGS84 */
    coordSystem: Type.Optional(Type.Union([Type.Literal('wgs84'), Type.Literal('gcj02')])),
    address: Type.Optional(text(500)),
    reporter: Type.Optional(
      Type.Object(
        {
          name: Type.Optional(text(100)),
          phone: Type.Optional(Type.String({ pattern: '^[0-9+\\- ]{3,20}$' })),
        },
        { additionalProperties: false },
      ),
    ),
    classId: Type.Optional(Type.String({ pattern: '^[CE][0-9]{4}$' })),
    priority: Type.Optional(Type.Union([Type.Literal('normal'), Type.Literal('urgent')])),
    externalId: Type.Optional(text(200)),
    idempotencyKey: Type.Optional(text(200)),
    /** when the reporter reported it, RFC 3339; not in the future */
    receivedAt: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
)

export const ListQuery = Type.Object(
  {
    stage: Type.Optional(Type.Array(Type.Union(STAGES.map((s) => Type.Literal(s))), { maxItems: 11 })),
    class: Type.Optional(Type.String({ pattern: '^[CE][0-9]{4}$' })),
    level: Type.Optional(
      Type.Union([Type.Literal('street'), Type.Literal('district'), Type.Literal('city')]),
    ),
    region: Type.Optional(Type.String({ pattern: '^[0-9]{2,15}$' })),
    unit: Type.Optional(text(100)),
    channel: Type.Optional(Type.Union(CHANNELS.map((c) => Type.Literal(c)))),
    overdue: Type.Optional(Type.Boolean()),
    q: Type.Optional(text(100)),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(text(200)),
  },
  { additionalProperties: false },
)

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) })

/** `version`: the case version the client acted on; a stale one is refused with 409. */
const version = { version: Type.Optional(Type.Integer({ minimum: 1 })) }

function action(props: Record<string, TSchema>) {
  return Type.Object({ ...props, ...version }, { additionalProperties: false })
}

/** Body schema of each action, keyed by the `:action` path segment. */
export const ACTION_BODIES: Record<ActionType, TSchema> = {
  accept: action({ note: Type.Optional(note) }),
  reject: action({ reason }),
  merge: action({ targetCaseId: text(64), reason: Type.Optional(reason) }),
  register: action({
    classId: Type.String({ pattern: '^[CE][0-9]{4}$' }),
    priority: Type.Optional(Type.Union([Type.Literal('normal'), Type.Literal('urgent')])),
    note: Type.Optional(note),
  }),
  dispatch: action({
    unitId: text(100),
    teamId: Type.Optional(text(100)),
    level: Type.Optional(
      Type.Union([Type.Literal('street'), Type.Literal('district'), Type.Literal('city')]),
    ),
    reason: Type.Optional(reason),
  }),
  reassign: action({ unitId: text(100), teamId: Type.Optional(text(100)), reason }),
  receive: action({ note: Type.Optional(note) }),
  return: action({ reason }),
  extend: action({
    limit: Type.Optional(TimeLimitSchema),
    reason: Type.Optional(reason),
    decision: Type.Optional(Type.Union([Type.Literal('grant'), Type.Literal('deny')])),
  }),
  suspend: action({ reason }),
  resume: action({ note: Type.Optional(note) }),
  report: action({
    note,
    photos: Type.Optional(Type.Array(text(500), { maxItems: 20 })),
    position: Type.Optional(Point),
  }),
  verify: action({
    passed: Type.Boolean(),
    note: Type.Optional(note),
    photos: Type.Optional(Type.Array(text(500), { maxItems: 20 })),
  }),
  evaluate: action({
    satisfaction: Type.Union([
      Type.Literal('satisfied'),
      Type.Literal('basically'),
      Type.Literal('unsatisfied'),
    ]),
    resolved: Type.Boolean(),
    note: Type.Optional(note),
  }),
  reopen: action({ reason }),
  urge: action({ note: Type.Optional(note) }),
  supervise: action({ note }),
  instruct: action({ note }),
  escalate: action({ reason }),
  whistle: action({
    unitIds: Type.Array(text(100), { minItems: 1, maxItems: 20 }),
    reason,
    limit: Type.Optional(TimeLimitSchema),
  }),
  'report-in': action({ note: Type.Optional(note) }),
}
