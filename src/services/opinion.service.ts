import type { Kysely } from 'kysely'
import { OPEN_STAGES, type GeoPoint } from '../core/case/case.types.ts'
import type { Instant } from '../core/time.ts'
import { HOUR } from '../core/time.ts'
import * as cases from '../store/case.repository.ts'
import type { Database, OpinionClusterTable } from '../store/database.ts'
import { newId } from '../store/ids.ts'
import * as opinion from '../store/opinion.repository.ts'
import type { CityService } from './city.service.ts'
import type { IntakeService } from './intake.service.ts'
import type { Classifier } from './intake-pipeline.ts'
import type { Clock } from './ports.ts'

/** One public-opinion post (微博, 抖音, 论坛 …) as a monitoring feed delivers it. */
export interface OpinionPost {
  readonly id: string
  readonly source: string
  readonly text: string
  readonly time: Instant
  readonly location?: GeoPoint
  /** a place name the feed tagged, e.g. 什刹海 */
  readonly place?: string
}

export interface OpinionRules {
  /** posts of one topic in one place within `windowMs` that make a case */
  readonly threshold: number
  readonly windowMs: number
  /** a post joins a topic only when the classifier is at least this sure */
  readonly minConfidence: number
}

export const DEFAULT_OPINION_RULES: OpinionRules = Object.freeze({
  threshold: 5,
  windowMs: 6 * HOUR,
  minConfidence: 0.7,
})

export type PostStatus =
  | 'duplicate' // this (source, id) was taken in before
  | 'unclassified' // stored; no topic the classifier is sure of
  | 'unplaced' // stored; no place in the text, tag or point
  | 'clustered' // joined a cluster still below the threshold
  | 'case-created' // its cluster crossed the threshold: a case now exists
  | 'attached' // its cluster already had a case: one more appeal

export interface PostOutcome {
  readonly id: string
  readonly source: string
  readonly status: PostStatus
  readonly topic?: string
  readonly placeCode?: string
  readonly clusterId?: string
  readonly caseId?: string
}

export interface OpinionService {
  readonly rules: OpinionRules
  /** Take in posts in order (serialized: clusters are counted one post at a time). */
  ingest(posts: readonly OpinionPost[]): Promise<PostOutcome[]>
  clusters(limit?: number): Promise<OpinionClusterTable[]>
}

/** Public-opinion monitoring: posts clustered by topic and place; a cluster past the threshold is a case. */
export function createOpinionService(deps: {
  readonly db: Kysely<Database>
  readonly clock: Clock
  readonly intake: IntakeService
  readonly city: CityService
  readonly classifier?: Classifier
  readonly rules?: OpinionRules
}): OpinionService {
  const rules = deps.rules ?? DEFAULT_OPINION_RULES
  const { db } = deps
  let chain: Promise<unknown> = Promise.resolve()

  async function one(post: OpinionPost): Promise<PostOutcome> {
    const base = { id: post.id, source: post.source }
    if (await opinion.postExists(db, post.source, post.id)) {
      return { ...base, status: 'duplicate' }
    }
    const c = deps.classifier?.classify(post.text)
    const topic = c && c.confidence >= rules.minConfidence ? c.classId : undefined
    const placement = deps.city.place(post.location, [post.place, post.text].filter(Boolean).join(' '))
    const placeCode = placement.region.streetCode ?? placement.region.districtCode
    const row = {
      source: post.source,
      post_id: post.id,
      text: post.text,
      at: post.time,
      lon: post.location?.lon ?? null,
      lat: post.location?.lat ?? null,
      place: post.place ?? null,
      topic: topic ?? null,
      confidence: c ? Number(c.confidence.toFixed(3)) : null,
      place_code: placeCode ?? null,
      received_at: deps.clock(),
    }
    if (!topic || !placeCode) {
      await opinion.insertPost(db, { ...row, cluster_id: null })
      return { ...base, status: topic ? 'unplaced' : 'unclassified', ...(topic ? { topic } : {}) }
    }
    const cluster = await clusterFor(topic, placeCode, post.time)
    await opinion.insertPost(db, { ...row, cluster_id: cluster.id })
    await opinion.updateCluster(db, cluster.id, {
      posts: cluster.posts + 1,
      first_at: Math.min(cluster.first_at, post.time),
      last_at: Math.max(cluster.last_at, post.time),
    })
    const tagged = { ...base, topic, placeCode, clusterId: cluster.id }
    if (cluster.case_id) {
      const r = await deps.intake.intake({
        channel: 'opinion',
        text: post.text,
        receivedAt: post.time,
        attachToCaseId: cluster.case_id,
        externalId: `${post.source}:${post.id}`,
        idempotencyKey: `opinion:${post.source}:${post.id}`,
        ...(post.location ? { location: post.location } : {}),
      })
      return { ...tagged, status: 'attached', caseId: r.case.id }
    }
    const recent = await opinion.clusterPosts(db, cluster.id, post.time - rules.windowMs)
    if (recent.length < rules.threshold) {
      return { ...tagged, status: 'clustered' }
    }
    const caseId = await openClusterCase(cluster.id, topic, recent)
    await opinion.updateCluster(db, cluster.id, { case_id: caseId })
    return { ...tagged, status: 'case-created', caseId }
  }

  /** The live cluster for this topic and place, unless its case is finished; else a new one. */
  async function clusterFor(topic: string, placeCode: string, at: Instant): Promise<OpinionClusterTable> {
    const live = await opinion.liveCluster(db, topic, placeCode, at - rules.windowMs)
    if (live && live.case_id) {
      const c = await cases.findCase(db, live.case_id)
      if (c && OPEN_STAGES.includes(c.stage)) {
        return live
      }
    } else if (live) {
      return live
    }
    const fresh: OpinionClusterTable = {
      id: newId('K', deps.clock()),
      topic,
      place_code: placeCode,
      first_at: at,
      last_at: at,
      posts: 0,
      case_id: null,
    }
    await opinion.insertCluster(db, fresh)
    return fresh
  }

  async function openClusterCase(
    clusterId: string,
    topic: string,
    posts: readonly {
      text: string
      at: number
      lon: number | null
      lat: number | null
      place: string | null
    }[],
  ): Promise<string> {
    const points = posts.filter((p) => p.lon != null && p.lat != null)
    const centroid = points.length
      ? {
          lon: points.reduce((a, p) => a + p.lon!, 0) / points.length,
          lat: points.reduce((a, p) => a + p.lat!, 0) / points.length,
        }
      : undefined
    const places = [...new Set(posts.flatMap((p) => (p.place ? [p.place] : [])))]
    const hours = Math.max(1, Math.round((posts.at(-1)!.at - posts[0].at) / HOUR))
    const samples = posts.slice(0, 3).map((p) => `「${p.text}」`)
    const r = await deps.intake.intake({
      channel: 'opinion',
      title: `网络舆情：${places[0] ?? ''}${posts.length}条帖子集中反映`,
      text: `舆情聚集：${hours}小时内${posts.length}条帖子反映同一问题。${samples.join('')}`,
      classId: topic,
      receivedAt: posts[0].at,
      externalId: clusterId,
      idempotencyKey: `opinion-cluster:${clusterId}`,
      ...(centroid ? { location: centroid } : {}),
      ...(places.length ? { address: places.join('、') } : {}),
    })
    return r.case.id
  }

  return {
    rules,
    async ingest(posts) {
      const run = chain.then(async () => {
        const out: PostOutcome[] = []
        for (const p of posts) {
          out.push(await one(p))
        }
        return out
      })
      chain = run.catch(() => undefined)
      return run
    },
    clusters: (limit = 50) => opinion.listClusters(db, limit),
  }
}
