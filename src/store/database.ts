import type { Generated } from 'kysely'

/**
 * Row types of every table, as the database sees them. Times are epoch milliseconds (BIGINT),
 * booleans are 0/1 integers and structured values are JSON text, so SQLite and PostgreSQL store
 * the same thing. Only repositories see these; services see domain objects.
 */
export interface CaseTable {
  id: string
  version: number
  stage: string
  channel: string
  kind: string | null
  class_id: string | null
  priority: string
  level: string
  unit_id: string | null
  team_id: string | null
  /** finest region code known (grid > community > street > district): prefix queries select a subtree */
  region_code: string | null
  district_code: string | null
  street_code: string | null
  grid_code: string | null
  lon: number | null
  lat: number | null
  title: string
  /** the deadline governing the current stage (core `stageDue`), for the sweeper's (stage, due_next) index */
  due_next: number | null
  supervised: number
  merged_into: string | null
  reported_at: number
  closed_at: number | null
  updated_at: number
  /** the whole domain Case as JSON: the columns above are its indexed projection */
  doc: string
}

export interface AppealTable {
  id: string
  case_id: string
  channel: string
  text: string
  reporter_name: string | null
  reporter_phone: string | null
  lon: number | null
  lat: number | null
  address: string | null
  received_at: number
  external_id: string | null
  idempotency_key: string | null
}

export interface TimelineTable {
  id: Generated<number>
  case_id: string
  seq: number
  action: string
  from_stage: string | null
  to_stage: string
  actor_id: string
  role: string
  unit_id: string | null
  at: number
  payload: string
}

export interface OutboxTable {
  id: Generated<number>
  type: string
  case_id: string | null
  at: number
  payload: string
}

export interface UserTable {
  id: string
  username: string
  display_name: string
  password_hash: string
  role: string
  unit_id: string | null
  region_code: string | null
  created_at: number
}

export interface SessionTable {
  token_hash: string
  user_id: string
  created_at: number
  expires_at: number
}

export interface UnitTable {
  id: string
  name: string
  name_en: string | null
  type: string
  level: string
  region_code: string | null
  parent_id: string | null
  phone: string | null
}

export interface TeamTable {
  id: string
  unit_id: string
  name: string
  /** JSON array of class ids or major prefixes */
  skills: string
  lon: number
  lat: number
  /** JSON: 'always' or { days, from, to } */
  shift: string
  status: string
  load: number
  capacity: number
  updated_at: number
}

export interface DutyRuleSetTable {
  version: string
  /** the whole DutyRuleSet as JSON */
  rules: string
  created_at: number
  created_by: string
  active: number
}

export interface LedgerEntryTable {
  seq: number
  case_id: string
  case_version: number | null
  action: string
  from_unit_id: string | null
  to_unit_id: string | null
  actor_id: string
  unit_id: string
  at: number
  state_hash: string
  payload_hash: string | null
  key_id: string
  leaf_hash: string
  signature: string | null
  /** canonical JSON of the case after the action; state_hash covers it with the timeline row */
  state_doc: string | null
}

export interface LedgerCheckpointTable {
  tree_size: number
  root_hash: string
  at: number
  platform_key_id: string
  platform_sig: string
  /** JSON array of witness signatures */
  witnesses: string
  /** JSON array of hex hashes: the Merkle frontier at tree_size */
  frontier: string
}

export interface LedgerKeyTable {
  key_id: string
  unit_id: string
  public_key: string
  valid_from: number
  valid_until: number | null
}

export interface LedgerHeadTable {
  name: string
  next_seq: number
}

/** One 12345 callback (回访) attempt. */
export interface HotlineCallbackTable {
  id: Generated<number>
  case_id: string
  at: number
  reached: number
  resolved: number | null
  satisfaction: string | null
  actor_id: string
  note: string | null
}

/** Posts about one topic in one place within a time window; a case once it crosses the threshold. */
export interface OpinionClusterTable {
  id: string
  /** catalog class id the classifier gave the posts */
  topic: string
  /** street (else district) code */
  place_code: string
  first_at: number
  last_at: number
  posts: number
  case_id: string | null
}

export interface OpinionPostTable {
  source: string
  post_id: string
  text: string
  at: number
  lon: number | null
  lat: number | null
  place: string | null
  topic: string | null
  confidence: number | null
  place_code: string | null
  cluster_id: string | null
  received_at: number
}

/** A stored photo (content-addressed: the path holds its SHA-256). */
export interface PhotoTable {
  path: string
  sha256: string
  mime: string
  bytes: number
  uploaded_by: string
  uploaded_at: number
}

/** A registered sensing device (src/core/sensing Device). */
export interface DeviceTable {
  id: string
  kind: string
  name: string
  lon: number
  lat: number
  grid_code: string | null
  /** finest region code known (grid, else community/street/district): prefix filters select a subtree */
  region_code: string | null
  owner_unit_id: string
  component_id: string | null
  expected_interval_sec: number
  installed_at: number
  updated_at: number
}

export interface AlarmRuleTable {
  id: string
  /** the AlarmRule as JSON */
  doc: string
  updated_at: number
}

/** One accepted reading; primary key (device_id, quantity, ts): a redelivery is a no-op. */
export interface ReadingTable {
  device_id: string
  quantity: string
  ts: number
  value: number
}

/** 1-minute and 1-hour aggregates, upserted with every batch of new readings. */
export interface ReadingRollupTable {
  device_id: string
  quantity: string
  resolution: string
  bucket: number
  min: number
  max: number
  sum: number
  count: number
}

/** One alarm episode: raised (and repeated) while its case is open, cleared with evidence. */
export interface AlarmTable {
  id: string
  key: string
  rule_id: string
  class_id: string
  severity: string
  device_id: string
  /** grid cell (atomic rules) or combination place: alarms at one place share a case */
  place: string | null
  quantity: string | null
  value: number | null
  state: string
  raised_at: number
  last_raised_at: number
  repeats: number
  cleared_at: number | null
  clear_value: number | null
  case_id: string | null
  updated_at: number
}

/** Ingest counters per channel: every DropReason, plus 'accepted' and 'duplicate' readings. */
export interface IngestDropTable {
  channel: string
  reason: string
  count: number
}

/** An Open311 API key: only its SHA-256 is kept; the key itself is shown once, when issued. */
export interface Open311KeyTable {
  id: string
  name: string
  key_hash: string
  /** the key's last 4 characters, so an admin can tell keys apart in a list */
  key_hint: string
  created_at: number
  created_by: string
  revoked_at: number | null
}

/** One GeoReport v2 service request: the appeal it became plus what only Open311 carries. */
export interface Open311RequestTable {
  /** the appeal (and service_request_id); the appeal's case_id says which case it is in now */
  appeal_id: string
  token: string
  key_id: string | null
  /** 'api' (POST /open311/v2/requests) or 'import' (onegrid import open311) */
  via: string
  service_code: string
  /** JSON object: attribute code → value (string, or string array for multivaluelist) */
  attributes: string
  /** the description as sent (the appeal's text adds the attributes for the people handling it) */
  description: string | null
  email: string | null
  device_id: string | null
  account_id: string | null
  first_name: string | null
  last_name: string | null
  media_url: string | null
  address_id: string | null
  zipcode: string | null
  requested_at: number
  created_at: number
}

/** The city's one emergency-mode row: the active incident, if any (20261127114000_emergency). */
export interface EmergencyHeadTable {
  name: string
  incident_id: string | null
  version: number
}

export interface EmergencyIncidentTable {
  id: string
  title: string
  /** JSON IncidentArea */
  area: string
  started_at: number
  started_by: string
  started_by_name: string | null
  stopped_at: number | null
  stopped_by: string | null
}

export interface EmergencyInstructionTable {
  id: string
  incident_id: string
  text: string
  at: number
  actor_id: string
  actor_name: string | null
  actor_unit_id: string | null
  /** JSON string arrays */
  unit_ids: string
  team_ids: string
  addressees: string
}

/** Primary key (instruction_id, unit_id): a unit acknowledges once. */
export interface EmergencyAckTable {
  instruction_id: string
  unit_id: string
  at: number
  actor_id: string
  actor_name: string | null
  note: string | null
}

/** The command log: append-only (triggers refuse UPDATE and DELETE). */
export interface EmergencyLogTable {
  seq: Generated<number>
  incident_id: string
  at: number
  kind: string
  actor_id: string
  actor_name: string | null
  role: string
  unit_id: string | null
  text: string
  /** JSON string array */
  unit_ids: string | null
  instruction_id: string | null
}

export interface Database {
  cases: CaseTable
  appeals: AppealTable
  timeline: TimelineTable
  outbox: OutboxTable
  users: UserTable
  sessions: SessionTable
  units: UnitTable
  teams: TeamTable
  duty_rule_sets: DutyRuleSetTable
  ledger_entries: LedgerEntryTable
  ledger_checkpoints: LedgerCheckpointTable
  ledger_keys: LedgerKeyTable
  ledger_head: LedgerHeadTable
  hotline_callbacks: HotlineCallbackTable
  opinion_clusters: OpinionClusterTable
  opinion_posts: OpinionPostTable
  photos: PhotoTable
  devices: DeviceTable
  alarm_rules: AlarmRuleTable
  readings: ReadingTable
  reading_rollups: ReadingRollupTable
  alarms: AlarmTable
  ingest_drops: IngestDropTable
  open311_keys: Open311KeyTable
  open311_requests: Open311RequestTable
  emergency_head: EmergencyHeadTable
  emergency_incidents: EmergencyIncidentTable
  emergency_instructions: EmergencyInstructionTable
  emergency_acks: EmergencyAckTable
  emergency_log: EmergencyLogTable
}
