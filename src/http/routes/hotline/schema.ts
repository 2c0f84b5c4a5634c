import { Type } from 'typebox'

const text = (max: number, min = 1) => Type.String({ minLength: min, maxLength: max })
const phone = Type.String({ pattern: '^[0-9+\\- ]{3,20}$' })

/** A 12345 work order (工单) from the call-centre system. */
export const OrderBody = Type.Object(
  {
    /** the call centre's ticket number: sending it twice returns the same case */
    ticketNo: text(64),
    /** when the call came in, RFC 3339; not in the future */
    callTime: Type.String({ format: 'date-time' }),
    text: text(10_000),
    callerName: Type.Optional(text(100)),
    callbackNumber: Type.Optional(phone),
    address: Type.Optional(text(500)),
    urgency: Type.Optional(Type.Union([Type.Literal('normal'), Type.Literal('urgent')])),
    lon: Type.Optional(Type.Number({ minimum: -180, maximum: 180 })),
    lat: Type.Optional(Type.Number({ minimum: -90, maximum: 90 })),
    coordSystem: Type.Optional(Type.Union([Type.Literal('wgs84'), Type.Literal('gcj02')])),
    classId: Type.Optional(Type.String({ pattern: '^[CE][0-9]{4}$' })),
  },
  { additionalProperties: false },
)

/** A callback (回访) result. */
export const CallbackBody = Type.Object(
  {
    caseId: text(64),
    reached: Type.Boolean(),
    resolved: Type.Optional(Type.Boolean()),
    satisfaction: Type.Optional(
      Type.Union([Type.Literal('satisfied'), Type.Literal('basically'), Type.Literal('unsatisfied')]),
    ),
    note: Type.Optional(text(2000)),
  },
  { additionalProperties: false },
)
