import { Type } from 'typebox'
import { Point } from '../cases/schema.ts'

/** Where the incident is: a region code, a circle, or a drawn GeoJSON polygon (WGS84). */
export const Area = Type.Union([
  Type.Object(
    {
      kind: Type.Literal('region'),
      code: Type.String({ pattern: '^[0-9]{6}([0-9]{3}){0,3}$' }),
      name: Type.Optional(Type.String({ maxLength: 100 })),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      kind: Type.Literal('circle'),
      center: Point,
      radiusM: Type.Number({ exclusiveMinimum: 0, maximum: 100_000 }),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      kind: Type.Literal('polygon'),
      polygon: Type.Object(
        {
          type: Type.Union([Type.Literal('Polygon'), Type.Literal('MultiPolygon')]),
          coordinates: Type.Array(Type.Unknown(), { minItems: 1 }),
        },
        { additionalProperties: false },
      ),
      name: Type.Optional(Type.String({ maxLength: 100 })),
    },
    { additionalProperties: false },
  ),
])

const Ids = Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 200 })

/**
 * One POST for every step, as the cockpit sends it: `action` says which; each action reads only
 * its own fields (start: title, area; instruct: text, unitIds and/or teamIds; update: title, area,
 * note; stop: note; acknowledge: instructionId, unitId, note).
 */
export const CommandBody = Type.Object(
  {
    action: Type.Union([
      Type.Literal('start'),
      Type.Literal('instruct'),
      Type.Literal('acknowledge'),
      Type.Literal('update'),
      Type.Literal('stop'),
    ]),
    title: Type.Optional(Type.String({ maxLength: 200 })),
    area: Type.Optional(Area),
    text: Type.Optional(Type.String({ maxLength: 2000 })),
    unitIds: Type.Optional(Ids),
    teamIds: Type.Optional(Ids),
    instructionId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    unitId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    note: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
)

export const AckBody = Type.Object(
  {
    /** the acknowledging unit; default the user's own (admins must name one) */
    unitId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    note: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
)

export const InstructionParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) })

export const SituationQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 2000 })),
    teams: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
  },
  { additionalProperties: false },
)
