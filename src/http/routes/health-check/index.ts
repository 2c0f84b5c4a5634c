import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Role } from '../../../core/case/case.types.ts'
import { reportCsv, reportHtml } from '../../../core/health-check/index.ts'
import type { HealthCheckService } from '../../../services/health-check.service.ts'
import { whistle, type WhistleDeps } from '../../../services/whistle.service.ts'
import type { AppDeps } from '../../app.ts'
import { authenticate, principalOf } from '../../auth.ts'
import { HealthCheckQuery, WhistleQuery } from './schema.ts'

export interface HealthCheckRouteDeps extends Pick<AppDeps, 'auth'> {
  readonly healthCheck: HealthCheckService
  readonly whistle: WhistleDeps
}

/** Leaders, dispatchers and admins read the health check; region-scoped users only their region. */
const READERS: readonly Role[] = ['leader', 'dispatcher', 'admin']

/** GET /api/v1/health-check (JSON, CSV, HTML) and GET /api/v1/metrics/whistle. For AppDeps.plugins. */
export function healthCheckRoutes(deps: HealthCheckRouteDeps): FastifyPluginAsyncTypebox {
  const routes: FastifyPluginAsyncTypebox = async (app) => {
    const readers = authenticate(deps.auth, READERS)

    app.get(
      '/health-check',
      {
        schema: {
          tags: ['metrics'],
          summary: '城市管理体检: recurring problems, slow classes, rework, 吹哨报到, uninspected cells',
          querystring: HealthCheckQuery,
        },
        preHandler: readers,
      },
      async (req, reply) => {
        const { format, ...q } = req.query
        const report = await deps.healthCheck.report(principalOf(req), q)
        const name = `health-check-${report.region.code}`
        if (format === 'csv') {
          return reply
            .type('text/csv; charset=utf-8')
            .header('content-disposition', `attachment; filename="${name}.csv"`)
            .send(reportCsv(report))
        }
        if (format === 'html') {
          return reply.type('text/html; charset=utf-8').send(reportHtml(report))
        }
        return report
      },
    )

    app.get(
      '/metrics/whistle',
      {
        schema: {
          tags: ['metrics'],
          summary: '吹哨报到 attendance per summoned unit: on time, late, absent',
          querystring: WhistleQuery,
        },
        preHandler: readers,
      },
      async (req) => whistle(deps.whistle, principalOf(req), req.query),
    )
  }
  return async (app) => {
    await app.register(routes, { prefix: '/api/v1' })
  }
}
