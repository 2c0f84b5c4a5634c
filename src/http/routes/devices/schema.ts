import { Type } from 'typebox'
import { DEVICE_KIND_IDS } from '../../../core/sensing/sensing.types.ts'
import { Point } from '../cases/schema.ts'

const Kind = Type.Union(DEVICE_KIND_IDS.map((k) => Type.Literal(k)))
const Instant = Type.String({ format: 'date-time', description: 'RFC 3339 with offset' })

export const DeviceBody = Type.Object(
  {
    kind: Kind,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    /** WGS84 */
    location: Point,
    ownerUnitId: Type.String({ minLength: 1, maxLength: 100 }),
    componentId: Type.Optional(Type.String({ pattern: '^[0-9]{16}$' })),
    expectedIntervalSec: Type.Integer({ minimum: 1, maximum: 7 * 86400 }),
    installedAt: Type.Optional(Instant),
  },
  { additionalProperties: false },
)

export const DeviceId = Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9._:-]{1,100}$' }) })

export const DeviceListQuery = Type.Object(
  {
    kind: Type.Optional(Kind),
    region: Type.Optional(Type.String({ pattern: '^[0-9]{6,15}$' })),
    owner: Type.Optional(Type.String({ maxLength: 100 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    cursor: Type.Optional(Type.String({ maxLength: 100 })),
  },
  { additionalProperties: false },
)

export const ReadingsQuery = Type.Object(
  {
    from: Type.Optional(Instant),
    to: Type.Optional(Instant),
    resolution: Type.Optional(Type.Union([Type.Literal('raw'), Type.Literal('1m'), Type.Literal('1h')])),
    quantity: Type.Optional(Type.String({ maxLength: 50 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50_000 })),
  },
  { additionalProperties: false },
)
