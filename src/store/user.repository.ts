import type { Kysely } from 'kysely'
import type { Database, UnitTable, UserTable } from './database.ts'

export type { UnitTable, UserTable }

/** A user row by username. */
export async function findUserByName(db: Kysely<Database>, username: string): Promise<UserTable | undefined> {
  return db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst()
}

/** Insert or replace a user (by username). */
export async function upsertUser(db: Kysely<Database>, u: UserTable): Promise<void> {
  await db
    .insertInto('users')
    .values(u)
    .onConflict((oc) =>
      oc.column('username').doUpdateSet({
        display_name: u.display_name,
        password_hash: u.password_hash,
        role: u.role,
        unit_id: u.unit_id,
        region_code: u.region_code,
      }),
    )
    .execute()
}

/** Store a session (the token itself is never stored, only its hash). */
export async function insertSession(
  db: Kysely<Database>,
  s: { token_hash: string; user_id: string; created_at: number; expires_at: number },
): Promise<void> {
  await db.insertInto('sessions').values(s).execute()
}

/** The user behind a live session. */
export async function findSessionUser(
  db: Kysely<Database>,
  tokenHash: string,
  now: number,
): Promise<UserTable | undefined> {
  return db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .selectAll('users')
    .where('sessions.token_hash', '=', tokenHash)
    .where('sessions.expires_at', '>', now)
    .executeTakeFirst()
}

/** Insert units, replacing any with the same id. */
export async function upsertUnits(db: Kysely<Database>, units: readonly UnitTable[]): Promise<void> {
  for (const u of units) {
    await db
      .insertInto('units')
      .values(u)
      .onConflict((oc) =>
        oc.column('id').doUpdateSet({
          name: u.name,
          name_en: u.name_en,
          type: u.type,
          level: u.level,
          region_code: u.region_code,
          parent_id: u.parent_id,
          phone: u.phone,
        }),
      )
      .execute()
  }
}

/** All units. */
export async function listUnits(db: Kysely<Database>): Promise<UnitTable[]> {
  return db.selectFrom('units').selectAll().orderBy('id').execute()
}

/** One unit. */
export async function findUnit(db: Kysely<Database>, id: string): Promise<UnitTable | undefined> {
  return db.selectFrom('units').selectAll().where('id', '=', id).executeTakeFirst()
}
