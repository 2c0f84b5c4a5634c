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
}
