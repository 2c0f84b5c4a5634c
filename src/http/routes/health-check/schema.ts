import { Type } from 'typebox'
import { PERIOD_KINDS } from '../../../core/evaluation/evaluation.types.ts'

const literals = <T extends string>(xs: readonly T[]) => Type.Union(xs.map((x) => Type.Literal(x)))
const When = Type.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}(T.+)?$',
  description: 'a local date (2026-03-01; `to` is inclusive) or an RFC 3339 instant',
})

export const HealthCheckQuery = Type.Object(
  {
    region: Type.Optional(
      Type.String({
        pattern: '^\\d{6}(\\d{3})?$',
        description: 'district (6 digits) or street (9 digits) code',
      }),
    ),
    from: Type.Optional(When),
    to: Type.Optional(When),
    format: Type.Optional(literals(['json', 'csv', 'html'] as const)),
  },
  { additionalProperties: false },
)

export const WhistleQuery = Type.Object(
  {
    period: Type.Optional(literals(PERIOD_KINDS)),
    key: Type.Optional(Type.String({ pattern: '^[0-9W-]{4,10}$' })),
    unit: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  },
  { additionalProperties: false },
)
