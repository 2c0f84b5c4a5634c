import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import type { WorkCalendar } from './core/calendar/calendar.types.ts'
import { parseCalendar } from './core/calendar/calendar.ts'
import type { Catalog } from './core/catalog/catalog.types.ts'
import { parseCatalog } from './core/catalog/catalog.ts'
import type { CaseEvent, LifecycleEnv } from './core/case/case.types.ts'
import type { DomainError } from './core/errors.ts'
import type { AppDeps } from './http/app.ts'
import { LocalBus } from './live/local-bus.ts'
import { LiveHub } from './live/live-hub.ts'
import { startNatsRelay } from './live/nats-relay.ts'
import { createEmergencyService, type EmergencyService } from './services/emergency.service.ts'
import { createTrendService, type TrendService } from './services/trend.service.ts'
import { createAuthService, type AuthService } from './services/auth.service.ts'
import { createCaseService, type CaseService } from './services/case.service.ts'
import {
  createEvaluationProcessor,
  createEvaluationService,
  type EvaluationService,
} from './services/evaluation.service.ts'
import { createSweepService, type SweepService } from './services/sweep.service.ts'
import { createMetricsService } from './services/metrics.service.ts'
import { hostname } from 'node:os'
import { createLedgerService, type LedgerService } from './services/ledger.service.ts'
import { FileAnchor } from './ledger/anchor.ts'
import { UnitKeyStore } from './ledger/keys.ts'
import { createIntakeService, type IntakePipeline, type IntakeService } from './services/intake.service.ts'
import { createCityService, type CityService } from './services/city.service.ts'
import { createIntakePipeline } from './services/intake-pipeline.ts'
import {
  createOpen311Service,
  parseOpen311Definitions,
  type Open311Service,
} from './services/open311.service.ts'
import { createChannelServices, type ChannelServices } from './services/channels.ts'
import { closureNoticeProcessor } from './services/closure-notice.service.ts'
import { createDuplicateService } from './services/duplicates.service.ts'
import { channelRoutes } from './http/routes/channels.ts'
import { FileSystemPhotoStore } from './ingest/patrol/fs-photo-store.ts'
import { loadClassifier } from './triage/model-classifier.ts'
import { findClass } from './core/catalog/catalog.ts'
import { parseDutyRules } from './core/duty/index.ts'
import { loadRegions } from './geo/load-regions.ts'
import { buildLifecycleEnv } from './services/lifecycle-env.ts'
import type { Clock } from './services/ports.ts'
import { openDatabase, type Db } from './store/db.ts'
import {
  createSensingService,
  type RetentionPolicy,
  type SensingService,
} from './services/sensing.service.ts'
import { createSensorIngest, type SensorIngest } from './ingest/sensors/sensor-ingest.ts'
import { createAlarmCases } from './ingest/sensors/alarm-cases.ts'
import { kyselyReadingWriter, sqliteReadingWriter } from './store/sensing.repository.ts'
import { migrateToLatest } from './store/migrate.ts'
import { createHealthCheckService, type HealthCheckService } from './services/health-check.service.ts'
import { healthCheckRoutes } from './http/routes/health-check/index.ts'

/** Everything one OneGrid process runs on, wired once. */
export interface Platform {
  readonly db: Db
  readonly clock: Clock
  readonly catalog: Catalog
  readonly calendar: WorkCalendar
  readonly env: LifecycleEnv
  readonly bus: LocalBus
  readonly auth: AuthService
  readonly cases: CaseService
  readonly intake: IntakeService
  readonly city: CityService
  /** hotline, patrol, public opinion, duplicate detection */
  readonly channels: ChannelServices
  readonly ledger: LedgerService
  readonly evaluation: EvaluationService
  readonly sweep: SweepService
  readonly live: LiveHub
  /** emergency command mode: server state every node and cockpit shares */
  readonly emergency: EmergencyService
  /** daily case counts with a Holt-Winters forecast band */
  readonly trend: TrendService
  /** device registry, rules, readings, alarms */
  readonly sensing: SensingService
  /** validate → store → rules → alarm cases; network adapters (MQTT, HTTP, NGSI-LD) feed it */
  readonly sensors: SensorIngest
  /** Open311 GeoReport v2: keys, services, requests */
  readonly open311: Open311Service
  /** 城市管理体检: the on-demand health-check report of a district or street */
  readonly healthCheck: HealthCheckService
  /** the dependencies buildApp takes */
  appDeps(): AppDeps
  close(): Promise<void>
}

export interface PlatformOptions {
  readonly databaseUrl: string
  readonly databaseSchema?: string
  /** NATS for live events across nodes; none = this node's events only */
  readonly natsUrl?: string
  /** how long raw readings (and 1-minute rollups) and 1-hour rollups are kept */
  readonly readingsRetention?: RetentionPolicy
  readonly catalogFile: string
  readonly calendarFile: string
  readonly regionsFile: string
  readonly dutyFile: string
  readonly clock?: Clock
  /** replaces the default pipeline (placement, classification, routing) */
  readonly pipeline?: IntakePipeline
  /** a trained triage model file; none = appeals wait for an operator to classify them */
  readonly modelFile?: string
  /** route confidently classified, placed appeals to their owner without a person (default true) */
  readonly autoDispatch?: boolean
  readonly migrate?: boolean
  /** photos go to `${dataDir}/uploads`; none = a throwaway temporary folder (tests) */
  readonly dataDir?: string
  /** ledger key folder; none = keys in memory (tests) */
  readonly ledgerKeysDir?: string
  /** FileAnchor path for checkpoints; none = not anchored */
  readonly ledgerAnchorFile?: string
  readonly ledgerCheckpointEvery?: number
  readonly ledgerCheckpointSeconds?: number
  readonly ledgerSigning?: 'batch' | 'entry'
  /** Open311 service-definition attributes (default data/open311/attributes.json) */
  readonly open311AttributesFile?: string
}

/** Read and validate a data file; a bad one is refused with every problem listed. */
export async function loadData<T>(
  path: string,
  parse: (json: unknown) => { ok: true; value: T } | { ok: false; error: DomainError },
): Promise<T> {
  let json: unknown
  try {
    json = JSON.parse(await readFile(path, 'utf8'))
  } catch (e) {
    throw new Error(`${path}: cannot be read as JSON: ${(e as Error).message}`, { cause: e })
  }
  const r = parse(json)
  if (!r.ok) {
    const problems = Array.isArray(r.error.details)
      ? (r.error.details as unknown[]).map((d) => `  - ${JSON.stringify(d)}`)
      : []
    throw new Error([`${path}: ${r.error.message}`, ...problems].join('\n'))
  }
  return r.value
}

/** The composition root: open the database, load the city's data, build the services. */
export async function createPlatform(o: PlatformOptions): Promise<Platform> {
  const [catalog, calendar, defaultDuty, regions] = await Promise.all([
    loadData(o.catalogFile, parseCatalog),
    loadData(o.calendarFile, parseCalendar),
    loadData(o.dutyFile, parseDutyRules),
    loadRegions(o.regionsFile),
  ])
  const open311Definitions = await loadData(
    o.open311AttributesFile ?? 'data/open311/attributes.json',
    (json) => parseOpen311Definitions(json, catalog),
  )
  const db = await openDatabase(o.databaseUrl, o.databaseSchema ? { schema: o.databaseSchema } : {})
  if (o.migrate !== false) {
    await migrateToLatest(db)
  }
  const clock = o.clock ?? (() => Date.now())
  const env = buildLifecycleEnv(catalog, calendar)
  const bus = new LocalBus()
  const live = new LiveHub(bus)
  const relay = o.natsUrl ? await startNatsRelay(o.natsUrl, bus, (events) => live.push(events)) : undefined
  const auth = createAuthService({ db: db.kysely, clock })
  const ledger = await createLedgerService({
    db: db.kysely,
    clock,
    keys: o.ledgerKeysDir ? await UnitKeyStore.open(o.ledgerKeysDir) : UnitKeyStore.inMemory(),
    ...(o.ledgerAnchorFile ? { anchor: new FileAnchor(o.ledgerAnchorFile, clock) } : {}),
    ...(o.ledgerSigning ? { signing: o.ledgerSigning } : {}),
    ...(o.ledgerCheckpointEvery ? { checkpointEvery: o.ledgerCheckpointEvery } : {}),
    ...(o.ledgerCheckpointSeconds ? { checkpointIntervalMs: o.ledgerCheckpointSeconds * 1000 } : {}),
  })
  // what must happen inside every action's transaction: the ledger entry and the rollup delta
  const evaluationProcessor = createEvaluationProcessor()
  const processors = [ledger.processor, evaluationProcessor]
  const cases = createCaseService({
    db: db.kysely,
    clock,
    env,
    events: bus,
    processors: [...processors, closureNoticeProcessor()],
  })
  const evaluation = createEvaluationService({ db: db.kysely, clock })
  const sweep = createSweepService({
    db: db.kysely,
    clock,
    env,
    events: bus,
    processors,
    holder: `${hostname()}:${process.pid}`,
  })
  const triage = o.modelFile ? await loadClassifier(o.modelFile) : undefined
  const city = await createCityService({ db: db.kysely, clock, calendar, catalog, regions, defaultDuty })
  const duplicates = createDuplicateService({ db: db.kysely, cases })
  const pipeline =
    o.pipeline ??
    createIntakePipeline({
      city,
      duplicates,
      classExists: (id) => findClass(catalog, id) !== undefined,
      ...(triage ? { classifier: triage.classifier } : {}),
      options: {
        autoDispatch: o.autoDispatch ?? true,
        confidenceThreshold: triage?.threshold ?? 1,
        autoChannels: new Set(['patrol', 'sensor', 'open311', 'opinion', 'instruction', 'self']),
      },
    })
  const intake = createIntakeService({ db: db.kysely, clock, env, events: bus, pipeline, processors })
  const open311 = createOpen311Service({
    db: db.kysely,
    clock,
    catalog,
    intake,
    definitions: open311Definitions,
    utcOffsetMinutes: calendar.utcOffsetMinutes,
  })
  const channels = createChannelServices({
    db: db.kysely,
    clock,
    cases,
    intake,
    city,
    duplicates,
    photos: new FileSystemPhotoStore(
      o.dataDir ? join(o.dataDir, 'uploads') : await mkdtemp(join(tmpdir(), 'onegrid-uploads-')),
    ),
    ...(triage ? { classifier: triage.classifier } : {}),
  })
  const classExists = (id: string) => findClass(catalog, id) !== undefined
  const sensing = createSensingService({
    db: db.kysely,
    clock,
    city,
    classExists,
    retention: o.readingsRetention ?? { rawDays: 30, rollupDays: 400 },
  })
  const alarmCases = createAlarmCases({
    db: db.kysely,
    clock,
    intake,
    cases,
    classExists,
    // the bus is typed for case events; its listeners (live hub, relays) carry any live event
    publish: (events) => bus.publish(events as unknown as CaseEvent[]),
    log: (m) => console.error(m),
  })
  bus.subscribe((events) => alarmCases.onCaseEvents(events))
  const sensors = createSensorIngest({
    writer: db.sqlite
      ? sqliteReadingWriter(db.kysely, db.sqlite, db.durable)
      : kyselyReadingWriter(db.kysely),
    clock,
    registry: () => sensing.registry(),
    sink: alarmCases,
    restore: sensing,
    log: (m) => console.error(m),
  })
  sensing.onChange(() =>
    sensors.reload().catch((e: unknown) => console.error(`sensor registry: ${String(e)}`)),
  )
  const emergency = createEmergencyService({
    db: db.kysely,
    clock,
    calendar,
    city,
    // the bus is typed for case events; the live hub forwards any event with type/at/payload
    events: { publish: (events) => bus.publish(events as unknown as CaseEvent[]) },
    // instructions and acknowledgements cross unit boundaries: they go on the hand-off ledger
    ledger,
  })
  const metrics = createMetricsService({ db: db.kysely, clock, calendar, city, evaluation })
  const trend = createTrendService({ db: db.kysely, clock, calendar })
  const utcOffsetMinutes = calendar.utcOffsetMinutes
  const healthCheck = createHealthCheckService({ db: db.kysely, clock, utcOffsetMinutes, city, catalog })
  const whistleDeps = { db: db.kysely, clock, utcOffsetMinutes, names: healthCheck.names }
  return {
    db,
    clock,
    catalog,
    calendar,
    env,
    bus,
    auth,
    cases,
    intake,
    city,
    ledger,
    evaluation,
    sweep,
    live,
    emergency,
    trend,
    sensing,
    sensors,
    channels,
    open311,
    healthCheck,
    appDeps: () => ({
      auth,
      cases,
      intake,
      catalog,
      clock,
      city,
      ledger,
      live,
      emergency,
      trend,
      sensing,
      sensors,
      open311,
      metrics,
      plugins: [
        channelRoutes({ auth, cases, intake, clock, ...channels }),
        healthCheckRoutes({ auth, healthCheck, whistle: whistleDeps }),
      ],
      ping: async () => {
        await sql`select 1`.execute(db.kysely)
      },
    }),
    async close() {
      live.close()
      await relay?.close()
      await sensors.stop()
      await alarmCases.idle()
      await intake.drain()
      await db.close()
    },
  }
}
