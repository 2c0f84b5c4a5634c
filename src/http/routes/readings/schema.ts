import { Type } from 'typebox'

/** One device message plus its device id; the rest is checked by the sensing core (validateReading). */
export const ReadingItem = Type.Object(
  { deviceId: Type.String({ minLength: 1, maxLength: 100 }) },
  { additionalProperties: true },
)

export const ReadingBatch = Type.Union([
  Type.Array(ReadingItem, { minItems: 1, maxItems: 10_000 }),
  Type.Object(
    { readings: Type.Array(ReadingItem, { minItems: 1, maxItems: 10_000 }) },
    { additionalProperties: false },
  ),
])
