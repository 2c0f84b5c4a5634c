import Fastify, { type FastifyInstance, type FastifyPluginAsync } from 'fastify'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import formbody from '@fastify/formbody'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { Catalog } from '../core/catalog/catalog.types.ts'
import type { AuthService } from '../services/auth.service.ts'
import type { CaseService } from '../services/case.service.ts'
import type { IntakeService } from '../services/intake.service.ts'
import type { Clock } from '../services/ports.ts'
import type { CityService } from '../services/city.service.ts'
import type { LedgerService } from '../services/ledger.service.ts'
import { errorHandler } from './errors.ts'
import { authRoutes } from './routes/auth/index.ts'
import { caseRoutes } from './routes/cases/index.ts'
import { catalogRoutes } from './routes/catalog/index.ts'
import { healthRoutes } from './routes/health/index.ts'
import { ledgerRoutes } from './routes/ledger/index.ts'
import { dutyRoutes } from './routes/duty/index.ts'
import { regionRoutes } from './routes/regions/index.ts'
import { teamRoutes } from './routes/teams/index.ts'
import { unitRoutes } from './routes/units/index.ts'
import { liveRoutes } from './routes/live/index.ts'
import { webRoutes } from './routes/web/index.ts'
import { emergencyRoutes } from './routes/emergency/index.ts'
import { trendRoutes } from './routes/trend/index.ts'
import type { EmergencyService } from '../services/emergency.service.ts'
import type { TrendService } from '../services/trend.service.ts'
import type { LiveHub } from '../live/live-hub.ts'
import type { MetricsService } from '../services/metrics.service.ts'
import { metricsRoutes } from './routes/metrics/index.ts'
import type { SensingService } from '../services/sensing.service.ts'
import type { SensorIngest } from '../ingest/sensors/sensor-ingest.ts'
import { deviceRoutes } from './routes/devices/index.ts'
import { readingRoutes } from './routes/readings/index.ts'
import { alarmRoutes } from './routes/alarms/index.ts'
import { ngsiLdRoutes } from './routes/ngsi-ld/index.ts'
import type { Open311Service } from '../services/open311.service.ts'
import { open311Routes } from './routes/open311/index.ts'
import { open311KeyRoutes } from './routes/open311/keys.ts'

/** Everything the HTTP layer calls. Built by the composition root (src/platform.ts) or a test. */
export interface AppDeps {
  readonly auth: AuthService
  readonly cases: CaseService
  readonly intake: IntakeService
  readonly catalog: Catalog
  readonly clock: Clock
  readonly city: CityService
  /** the hand-off ledger; absent = its routes are not served */
  readonly ledger?: LedgerService
  readonly live: LiveHub
  /** emergency command mode (应急指挥模式); absent = its routes are not served */
  readonly emergency?: EmergencyService
  /** daily case trend with forecast; absent = not served */
  readonly trend?: TrendService
  /** sensing: device registry and readings; absent = its routes are not served */
  readonly sensing?: SensingService
  readonly sensors?: SensorIngest
  /** Open311 GeoReport v2 at /open311/v2 and its keys at /api/v1/open311/keys; absent = not served */
  readonly open311?: Open311Service
  /** resolves when the database answers */
  readonly metrics?: MetricsService
  readonly ping: () => Promise<void>
  /** extra route plugins from other slices (ingest channels, live, cockpit …) */
  readonly plugins?: readonly FastifyPluginAsync[]
}

export interface BuildOptions {
  readonly logger?: boolean | { level: string }
  /** largest JSON body accepted, bytes */
  readonly bodyLimit?: number
}

/** Build the Fastify app. It never listens: src/cli/serve.ts does, tests use inject(). */
export async function buildApp(deps: AppDeps, options: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? 256 * 1024,
    genReqId: () => crypto.randomUUID(),
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>()

  app.setErrorHandler(errorHandler)
  app.setNotFoundHandler((req, reply) => {
    void reply.status(404).send({
      error: { code: 'NOT_FOUND', message: `no route ${req.method} ${req.url}`, requestId: String(req.id) },
    })
  })

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'OneGrid API',
        version: '1',
        description: 'OneGrid (一网统管) city operations platform',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  })
  await app.register(swaggerUi, { routePrefix: '/docs' })
  await app.register(formbody)
  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger())

  await app.register(healthRoutes(deps))
  await app.register(authRoutes(deps), { prefix: '/api/v1/auth' })
  await app.register(caseRoutes(deps), { prefix: '/api/v1/cases' })
  await app.register(catalogRoutes(deps), { prefix: '/api/v1/catalog' })
  await app.register(regionRoutes(deps), { prefix: '/api/v1/regions' })
  await app.register(unitRoutes(deps), { prefix: '/api/v1/units' })
  await app.register(teamRoutes(deps), { prefix: '/api/v1/teams' })
  await app.register(dutyRoutes(deps), { prefix: '/api/v1/duty-rules' })
  await app.register(liveRoutes(deps), { prefix: '/api/v1/live' })
  if (deps.metrics) {
    await app.register(metricsRoutes({ auth: deps.auth, metrics: deps.metrics }), { prefix: '/api/v1' })
  }
  await app.register(webRoutes())
  if (deps.emergency) {
    await app.register(emergencyRoutes({ ...deps, emergency: deps.emergency }), {
      prefix: '/api/v1/emergency',
    })
  }
  if (deps.trend) {
    await app.register(trendRoutes({ ...deps, trend: deps.trend }), { prefix: '/api/v1/metrics/trend' })
  }
  if (deps.ledger) {
    await app.register(ledgerRoutes({ ...deps, ledger: deps.ledger }), { prefix: '/api/v1' })
  }
  if (deps.sensing && deps.sensors) {
    const sensing = { ...deps, sensing: deps.sensing, sensors: deps.sensors }
    await app.register(deviceRoutes(sensing), { prefix: '/api/v1/devices' })
    await app.register(readingRoutes(sensing), { prefix: '/api/v1' })
    await app.register(alarmRoutes(sensing), { prefix: '/api/v1' })
    await app.register(ngsiLdRoutes(sensing), { prefix: '/ngsi-ld/v1' })
  }
  if (deps.open311) {
    const open311 = { ...deps, open311: deps.open311 }
    await app.register(open311Routes(open311), { prefix: '/open311/v2' })
    await app.register(open311KeyRoutes(open311), { prefix: '/api/v1/open311/keys' })
  }
  for (const plugin of deps.plugins ?? []) {
    await app.register(plugin)
  }
  await app.ready()
  return app
}
