import type { Kysely } from 'kysely'
import type { Instant } from '../core/time.ts'
import type { Database, PhotoTable } from './database.ts'

/** Record a stored photo (the same content twice is one row). */
export async function savePhoto(
  db: Kysely<Database>,
  p: { path: string; sha256: string; mime: string; bytes: number; uploadedBy: string; at: Instant },
): Promise<void> {
  await db
    .insertInto('photos')
    .values({
      path: p.path,
      sha256: p.sha256,
      mime: p.mime,
      bytes: p.bytes,
      uploaded_by: p.uploadedBy,
      uploaded_at: p.at,
    })
    .onConflict((oc) => oc.column('path').doNothing())
    .execute()
}

/** A stored photo's metadata. */
export async function findPhoto(db: Kysely<Database>, path: string): Promise<PhotoTable | undefined> {
  return db.selectFrom('photos').selectAll().where('path', '=', path).executeTakeFirst()
}
