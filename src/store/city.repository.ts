import type { Kysely } from 'kysely'
import type { DutyRuleSet } from '../core/duty/duty.types.ts'
import type { Team, TeamShift, TeamStatus } from '../core/dispatch/dispatch.types.ts'
import type { Database, TeamTable } from './database.ts'

function teamToRow(t: Team, now: number): TeamTable {
  return {
    id: t.id,
    unit_id: t.unitId,
    name: t.name,
    skills: JSON.stringify(t.skills),
    lon: t.position.lon,
    lat: t.position.lat,
    shift: JSON.stringify(t.shift),
    status: t.status,
    load: t.load,
    capacity: t.capacity,
    updated_at: now,
  }
}

function rowToTeam(r: TeamTable): Team {
  return {
    id: r.id,
    unitId: r.unit_id,
    name: r.name,
    skills: JSON.parse(r.skills) as string[],
    position: { lon: r.lon, lat: r.lat },
    shift: JSON.parse(r.shift) as TeamShift | 'always',
    status: r.status as TeamStatus,
    load: r.load,
    capacity: r.capacity,
  }
}

/** Insert or replace teams. */
export async function upsertTeams(db: Kysely<Database>, teams: readonly Team[], now: number): Promise<void> {
  for (const t of teams) {
    const row = teamToRow(t, now)
    const { id: _id, ...rest } = row
    await db
      .insertInto('teams')
      .values(row)
      .onConflict((oc) => oc.column('id').doUpdateSet(rest))
      .execute()
  }
}

/** All teams. */
export async function listTeams(db: Kysely<Database>): Promise<Team[]> {
  return (await db.selectFrom('teams').selectAll().orderBy('id').execute()).map(rowToTeam)
}

/** Store a rule set version (inactive until activated). */
export async function insertDutyRuleSet(
  db: Kysely<Database>,
  set: DutyRuleSet,
  by: string,
  now: number,
): Promise<void> {
  await db
    .insertInto('duty_rule_sets')
    .values({ version: set.version, rules: JSON.stringify(set), created_at: now, created_by: by, active: 0 })
    .execute()
}

/** Make one version the active one (and only it). */
export async function activateDutyRuleSet(db: Kysely<Database>, version: string): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const r = await tx
      .updateTable('duty_rule_sets')
      .set({ active: 1 })
      .where('version', '=', version)
      .executeTakeFirst()
    if (Number(r.numUpdatedRows) !== 1) {
      return false
    }
    await tx.updateTable('duty_rule_sets').set({ active: 0 }).where('version', '!=', version).execute()
    return true
  })
}

/** The active rule set, if any. */
export async function activeDutyRuleSet(db: Kysely<Database>): Promise<DutyRuleSet | undefined> {
  const row = await db.selectFrom('duty_rule_sets').select('rules').where('active', '=', 1).executeTakeFirst()
  return row ? (JSON.parse(row.rules) as DutyRuleSet) : undefined
}

/** Every stored version, newest first, without the rules. */
export async function listDutyRuleSets(
  db: Kysely<Database>,
): Promise<{ version: string; createdAt: number; createdBy: string; active: boolean }[]> {
  const rows = await db
    .selectFrom('duty_rule_sets')
    .select(['version', 'created_at', 'created_by', 'active'])
    .orderBy('created_at', 'desc')
    .execute()
  return rows.map((r) => ({
    version: r.version,
    createdAt: r.created_at,
    createdBy: r.created_by,
    active: r.active === 1,
  }))
}

/** One stored version. */
export async function findDutyRuleSet(
  db: Kysely<Database>,
  version: string,
): Promise<DutyRuleSet | undefined> {
  const row = await db
    .selectFrom('duty_rule_sets')
    .select('rules')
    .where('version', '=', version)
    .executeTakeFirst()
  return row ? (JSON.parse(row.rules) as DutyRuleSet) : undefined
}
