/**
 * Configuration, parsed once at boot into a frozen object. Nothing else reads process.env.
 * Every problem is listed at once; the caller prints them and exits 1.
 */
export interface Config {
  readonly port: number
  readonly host: string
  readonly databaseUrl: string
  /** PostgreSQL schema to use instead of the default search path */
  readonly databaseSchema?: string
  /** external MQTT broker; none = the embedded broker on `mqttPort` */
  readonly mqttUrl?: string
  readonly mqttPort: number
  /** this ingest worker's MQTT client id: stable, so the broker keeps its session across restarts */
  readonly mqttClientId: string
  /** the shared-subscription group ingest workers join (`$share/<group>/onegrid/+/readings`) */
  readonly mqttShareGroup: string
  /** how long the broker keeps a dead worker's session (its unacked readings) for its restart */
  readonly mqttSessionExpirySec: number
  /** raw readings (and 1-minute rollups) are kept `rawDays`, 1-hour rollups `rollupDays` */
  readonly readingsRetention: { readonly rawDays: number; readonly rollupDays: number }
  readonly natsUrl?: string
  readonly dataDir: string
  readonly catalogFile: string
  readonly calendarFile: string
  readonly regionsFile: string
  readonly dutyFile: string
  readonly modelFile: string
  readonly demoPassword: string
  readonly logLevel: string
  /** simulated appeals per minute in demo mode (0 = off) */
  readonly simulationRate: number
  /** ledger unit keys: private PEMs and the public directory */
  readonly ledgerKeysDir: string
  /** where checkpoints are anchored (FileAnchor, JSON lines) */
  readonly ledgerAnchorFile: string
  /** a checkpoint after this many ledger entries … */
  readonly ledgerCheckpointEvery: number
  /** … or after this many seconds with entries not yet checkpointed */
  readonly ledgerCheckpointSeconds: number
  /** `batch`: sign checkpoints only (default); `entry`: every entry too */
  readonly ledgerSigning: 'batch' | 'entry'
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: string[] }

/** Parse configuration from an environment map (process.env in main; a literal in tests). */
export function parseConfig(env: Readonly<Record<string, string | undefined>>): ConfigResult {
  const problems: string[] = []
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name]
    if (raw === undefined || raw === '') {
      return fallback
    }
    const n = Number(raw)
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`)
      return fallback
    }
    return n
  }
  const dataDir = env.DATA_DIR || './data'
  const databaseUrl = env.DATABASE_URL || `sqlite:${dataDir}/onegrid.db`
  if (!/^(sqlite:|postgres(ql)?:\/\/)/.test(databaseUrl)) {
    problems.push(`DATABASE_URL must be sqlite:PATH or postgres://… (got "${databaseUrl}")`)
  }
  if (env.DATABASE_SCHEMA && !/^[a-z_][a-z0-9_]{0,62}$/.test(env.DATABASE_SCHEMA)) {
    problems.push(`DATABASE_SCHEMA must be a lower-case SQL identifier (got "${env.DATABASE_SCHEMA}")`)
  }
  const mqttUrl = env.MQTT_URL || undefined
  if (mqttUrl && !/^(mqtts?|wss?|tcp):\/\//.test(mqttUrl)) {
    problems.push(`MQTT_URL must be mqtt://host:port (got "${mqttUrl}")`)
  }
  const natsUrl = env.NATS_URL || undefined
  if (natsUrl && !/^(nats|tls):\/\//.test(natsUrl)) {
    problems.push(`NATS_URL must be nats://host:port (got "${natsUrl}")`)
  }
  const ledgerSigning = env.LEDGER_SIGNING || 'batch'
  if (ledgerSigning !== 'batch' && ledgerSigning !== 'entry') {
    problems.push(`LEDGER_SIGNING must be batch or entry (got "${ledgerSigning}")`)
  }
  const logLevel = env.LOG_LEVEL || 'info'
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    problems.push(
      `LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "${logLevel}")`,
    )
  }
  const config: Config = Object.freeze({
    port: int('PORT', 8080, 0, 65535),
    host: env.HOST || '0.0.0.0',
    databaseUrl,
    ...(env.DATABASE_SCHEMA ? { databaseSchema: env.DATABASE_SCHEMA } : {}),
    ...(mqttUrl ? { mqttUrl } : {}),
    mqttPort: int('MQTT_PORT', 1883, 0, 65535),
    mqttClientId: env.MQTT_CLIENT_ID || `onegrid-ingest-${env.HOSTNAME || 'local'}`,
    mqttShareGroup: env.MQTT_SHARE_GROUP || 'onegrid',
    mqttSessionExpirySec: int('MQTT_SESSION_EXPIRY_SEC', 86_400, 0, 4_294_967_295),
    readingsRetention: Object.freeze({
      rawDays: int('READINGS_RAW_DAYS', 30, 1, 3650),
      rollupDays: int('READINGS_ROLLUP_DAYS', 400, 1, 36500),
    }),
    ...(natsUrl ? { natsUrl } : {}),
    dataDir,
    catalogFile: env.CATALOG_FILE || 'data/catalog/default.json',
    calendarFile: env.CALENDAR_FILE || 'data/calendars/cn-beijing.json',
    regionsFile: env.REGIONS_FILE || 'data/regions/beijing.json',
    dutyFile: env.DUTY_FILE || 'data/duty/beijing-demo.json',
    modelFile: env.MODEL_FILE || 'data/triage/model.json',
    demoPassword: env.ONEGRID_DEMO_PASSWORD || 'demo',
    logLevel,
    simulationRate: int('SIMULATION_RATE', 30, 0, 100_000),
    ledgerKeysDir: env.LEDGER_KEYS_DIR || `${dataDir}/keys`,
    ledgerAnchorFile: env.LEDGER_ANCHOR_FILE || `${dataDir}/anchors/checkpoints.jsonl`,
    ledgerCheckpointEvery: int('LEDGER_CHECKPOINT_EVERY', 1000, 1, 10_000_000),
    ledgerCheckpointSeconds: int('LEDGER_CHECKPOINT_SECONDS', 60, 1, 86_400),
    ledgerSigning: ledgerSigning === 'entry' ? 'entry' : 'batch',
  })
  return problems.length ? { ok: false, problems } : { ok: true, config }
}
