import type { Kysely } from 'kysely'
import type { Instant } from '../core/time.ts'
import type { Database, OpinionClusterTable, OpinionPostTable } from './database.ts'

/** Whether a post (source, id) was already taken in. */
export async function postExists(db: Kysely<Database>, source: string, postId: string): Promise<boolean> {
  const r = await db
    .selectFrom('opinion_posts')
    .select('post_id')
    .where('source', '=', source)
    .where('post_id', '=', postId)
    .executeTakeFirst()
  return r !== undefined
}

/** Store a post. */
export async function insertPost(db: Kysely<Database>, row: OpinionPostTable): Promise<void> {
  await db.insertInto('opinion_posts').values(row).execute()
}

/** The live cluster of this topic in this place: its latest post within the window. */
export async function liveCluster(
  db: Kysely<Database>,
  topic: string,
  placeCode: string,
  since: Instant,
): Promise<OpinionClusterTable | undefined> {
  return db
    .selectFrom('opinion_clusters')
    .selectAll()
    .where('topic', '=', topic)
    .where('place_code', '=', placeCode)
    .where('last_at', '>=', since)
    .orderBy('last_at', 'desc')
    .limit(1)
    .executeTakeFirst()
}

export async function insertCluster(db: Kysely<Database>, row: OpinionClusterTable): Promise<void> {
  await db.insertInto('opinion_clusters').values(row).execute()
}

export async function updateCluster(
  db: Kysely<Database>,
  id: string,
  set: Partial<Omit<OpinionClusterTable, 'id'>>,
): Promise<void> {
  await db.updateTable('opinion_clusters').set(set).where('id', '=', id).execute()
}

/** Posts of a cluster at or after an instant, oldest first. */
export async function clusterPosts(
  db: Kysely<Database>,
  clusterId: string,
  since: Instant,
): Promise<OpinionPostTable[]> {
  return db
    .selectFrom('opinion_posts')
    .selectAll()
    .where('cluster_id', '=', clusterId)
    .where('at', '>=', since)
    .orderBy('at')
    .execute()
}

/** Clusters, newest first. */
export async function listClusters(db: Kysely<Database>, limit: number): Promise<OpinionClusterTable[]> {
  return db.selectFrom('opinion_clusters').selectAll().orderBy('last_at', 'desc').limit(limit).execute()
}
