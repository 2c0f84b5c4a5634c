import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { DIMENSION_KINDS, FIGURES, PERIOD_KINDS } from '../../../core/evaluation/evaluation.types.ts'
import type { MetricsService } from '../../../services/metrics.service.ts'
import type { AppDeps } from '../../app.ts'
import { authenticate, principalOf } from '../../auth.ts'
import { IdParams } from '../cases/schema.ts'

const literals = <T extends string>(xs: readonly T[]) => Type.Union(xs.map((x) => Type.Literal(x)))
const Row = Type.Object(
  {
    period: Type.Optional(literals(PERIOD_KINDS)),
    key: Type.Optional(Type.String({ pattern: '^[0-9W-]{4,10}$' })),
    dim: Type.Optional(literals(DIMENSION_KINDS)),
    value: Type.Optional(Type.String({ maxLength: 100 })),
  },
  { additionalProperties: false },
)
const Reason = Type.Object(
  { reason: Type.String({ minLength: 2, maxLength: 2000 }) },
  { additionalProperties: false },
)

type Deps = Pick<AppDeps, 'auth'> & { readonly metrics: MetricsService }

/** /api/v1/metrics and /api/v1/rankings: the cockpit's counts, the six rates, rankings and drill-down. */
export function metricsRoutes(deps: Deps): FastifyPluginAsyncTypebox {
  const { metrics } = deps
  const ev = metrics.evaluation
  return async (app) => {
    const anyone = authenticate(deps.auth)

    app.get(
      '/metrics/overview',
      { schema: { tags: ['metrics'], summary: 'The cockpit’s vital signs now' }, preHandler: anyone },
      async (req) => metrics.overview(principalOf(req)),
    )

    app.get(
      '/metrics',
      {
        schema: {
          tags: ['metrics'],
          summary: 'The six rates and the score of one period and place/unit',
          querystring: Row,
        },
        preHandler: anyone,
      },
      async (req) => {
        const q = metrics.row(req.query)
        return { ...q, metrics: await ev.metrics(principalOf(req), q) }
      },
    )

    app.get(
      '/metrics/cases',
      {
        schema: {
          tags: ['metrics'],
          summary: 'Drill-down: the cases behind one figure’s numerator and denominator',
          querystring: Type.Object(
            { ...Row.properties, figure: literals(FIGURES) },
            { additionalProperties: false },
          ),
        },
        preHandler: anyone,
      },
      async (req) =>
        ev.casesBehind(principalOf(req), { ...metrics.row(req.query), figure: req.query.figure }),
    )

    app.get(
      '/metrics/exclusions',
      {
        schema: {
          tags: ['metrics'],
          summary: 'Cases left out of the figures, with who and why',
          querystring: Row,
        },
        preHandler: anyone,
      },
      async (req) => ({ items: await ev.exclusions(principalOf(req), metrics.row(req.query)) }),
    )

    app.post(
      '/cases/:id/exclusion',
      {
        schema: {
          tags: ['metrics'],
          summary: 'Leave a case out of every figure (reason required; reported)',
          params: IdParams,
          body: Reason,
        },
        preHandler: anyone,
      },
      async (req) => ev.exclude(principalOf(req), req.params.id, req.body.reason),
    )
    app.post(
      '/cases/:id/exclusion/revoke',
      { schema: { tags: ['metrics'], params: IdParams, body: Reason }, preHandler: anyone },
      async (req) => ev.revokeExclusion(principalOf(req), req.params.id, req.body.reason),
    )

    app.get(
      '/rankings',
      {
        schema: {
          tags: ['metrics'],
          summary: 'Streets, districts or units ranked by composite score for a period',
          querystring: Type.Object(
            {
              period: Type.Optional(
                Type.Union([Type.Literal('week'), Type.Literal('month'), Type.Literal('quarter')]),
              ),
              level: Type.Optional(
                Type.Union([Type.Literal('district'), Type.Literal('street'), Type.Literal('unit')]),
              ),
              key: Type.Optional(Type.String({ pattern: '^[0-9W-]{4,10}$' })),
            },
            { additionalProperties: false },
          ),
        },
        preHandler: anyone,
      },
      // a quarter is not rolled up: the month is the longest period the rankings publish
      async (req) =>
        metrics.ranking(principalOf(req), {
          period: req.query.period === 'week' ? 'week' : 'month',
          level: req.query.level ?? 'street',
          ...(req.query.key ? { key: req.query.key } : {}),
        }),
    )
  }
}
