import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Case, CaseAction, GeoPoint } from '../../../core/case/case.types.ts'
import { caseJson } from '../../../core/case/case-json.ts'
import { stageDue } from '../../../core/case/lifecycle.ts'
import type { Principal } from '../../../services/ports.ts'
import type { StoredAppeal } from '../../../store/case.repository.ts'
import { gcj02ToWgs84 } from '../../../geo/datum.ts'
import type { AppDeps } from '../../app.ts'
import { authenticate, maskPhone, principalOf, seesPhones } from '../../auth.ts'
import { ACTION_BODIES, IdParams, IntakeBody, ListQuery } from './schema.ts'

/** /api/v1/cases: intake, list, read, act, timeline. */
export function caseRoutes(
  deps: Pick<AppDeps, 'auth' | 'cases' | 'intake' | 'clock' | 'city'>,
): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/',
      {
        schema: {
          tags: ['cases'],
          summary: 'Take in one appeal (诉求); the same idempotencyKey twice returns the same case',
          body: IntakeBody,
        },
        preHandler: authenticate(deps.auth),
      },
      async (req, reply) => {
        const b = req.body
        const key = b.idempotencyKey ?? header(req.headers['idempotency-key'])
        const receivedAt = b.receivedAt === undefined ? undefined : Date.parse(b.receivedAt)
        const r = await deps.intake.intake({
          channel: b.channel,
          text: b.text,
          ...(b.title ? { title: b.title } : {}),
          ...(b.location ? { location: toWgs84(b.location, b.coordSystem) } : {}),
          ...(b.address ? { address: b.address } : {}),
          ...(b.reporter?.name ? { reporterName: b.reporter.name } : {}),
          ...(b.reporter?.phone ? { reporterPhone: b.reporter.phone } : {}),
          ...(b.classId ? { classId: b.classId } : {}),
          ...(b.priority ? { priority: b.priority } : {}),
          ...(b.externalId ? { externalId: b.externalId } : {}),
          ...(key ? { idempotencyKey: key } : {}),
          ...(receivedAt !== undefined ? { receivedAt } : {}),
        })
        return reply
          .status(r.replayed ? 200 : 201)
          .type('application/json; charset=utf-8')
          .send(presentCaseJson(r.case, { replayed: r.replayed }))
      },
    )

    app.get(
      '/',
      {
        schema: {
          tags: ['cases'],
          summary: 'List cases in your scope, newest first',
          querystring: ListQuery,
        },
        preHandler: authenticate(deps.auth),
      },
      async (req) => {
        const q = req.query
        const page = await deps.cases.list(
          principalOf(req),
          {
            ...(q.stage ? { stage: q.stage } : {}),
            ...(q.class ? { classId: q.class } : {}),
            ...(q.level ? { level: q.level } : {}),
            ...(q.region ? { region: q.region } : {}),
            ...(q.unit ? { unitId: q.unit } : {}),
            ...(q.channel ? { channel: q.channel } : {}),
            ...(q.overdue ? { overdueAt: deps.clock() } : {}),
            ...(q.q ? { text: q.q } : {}),
          },
          q.limit ?? 50,
          q.cursor,
        )
        return {
          items: page.items.map(presentCase),
          ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
        }
      },
    )

    app.get(
      '/:id',
      {
        schema: { tags: ['cases'], summary: 'One case with its appeals', params: IdParams },
        preHandler: authenticate(deps.auth),
      },
      async (req) => {
        const p = principalOf(req)
        const [c, appeals] = await Promise.all([
          deps.cases.get(p, req.params.id),
          deps.cases.appeals(p, req.params.id),
        ])
        return { ...presentCase(c), appeals: appeals.map((a) => presentAppeal(p, a)) }
      },
    )

    app.get(
      '/:id/timeline',
      {
        schema: { tags: ['cases'], summary: 'Every action on a case, in order', params: IdParams },
        preHandler: authenticate(deps.auth),
      },
      async (req) => ({ items: await deps.cases.timeline(principalOf(req), req.params.id) }),
    )

    app.get(
      '/:id/recommendation',
      {
        schema: {
          tags: ['cases'],
          summary: 'The owner the responsibility list names and the nearest capable teams, with reasons',
          params: IdParams,
        },
        preHandler: authenticate(deps.auth),
      },
      async (req) => {
        const c = await deps.cases.get(principalOf(req), req.params.id)
        const { owner, teams } = deps.city.recommend(c, deps.clock())
        return {
          owner,
          teams: teams.map((t) => ({
            teamId: t.team.id,
            name: t.team.name,
            unitId: t.team.unitId,
            distanceM: Math.round(t.distanceM),
            reason: t.reason,
          })),
        }
      },
    )

    for (const [type, body] of Object.entries(ACTION_BODIES)) {
      app.post(
        `/:id/actions/${type}`,
        {
          schema: {
            tags: ['case actions'],
            summary: `Action ${type} (DESIGN.md §3)`,
            params: IdParams,
            body,
          },
          preHandler: authenticate(deps.auth),
        },
        async (req) => {
          const { version, ...payload } = (req.body ?? {}) as { version?: number } & Record<string, unknown>
          const action = { type, ...payload } as CaseAction
          const c = await deps.cases.act(principalOf(req), req.params.id, action, version)
          return presentCase(c)
        },
      )
    }
  }
}

function header(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v
}

function toWgs84(p: GeoPoint, system: 'wgs84' | 'gcj02' | undefined): GeoPoint {
  if (system !== 'gcj02') {
    return p
  }
  const [lon, lat] = gcj02ToWgs84(p.lon, p.lat)
  return { lon, lat }
}

/** A case as the API shows it: the domain object plus its current deadline. */
export function presentCase(c: Case): Case & { dueNext?: number } {
  const due = stageDue(c)
  return due === undefined ? c : { ...c, dueNext: due }
}

/**
 * `presentCase` plus extra fields, as JSON text built on the document the store wrote for this case
 * value (`caseJson`), so an intake serialises the case once, not twice.
 */
export function presentCaseJson(c: Case, extra: Readonly<Record<string, boolean | number | string>>): string {
  const due = stageDue(c)
  const fields = { ...(due === undefined ? {} : { dueNext: due }), ...extra }
  const tail = Object.entries(fields)
    .map(([k, v]) => `,${JSON.stringify(k)}:${JSON.stringify(v)}`)
    .join('')
  return `${caseJson(c).slice(0, -1)}${tail}}`
}

function presentAppeal(p: Principal, a: StoredAppeal): StoredAppeal {
  const { idempotencyKey: _k, ...rest } = a
  if (!a.reporterPhone || seesPhones(p)) {
    return rest
  }
  return { ...rest, reporterPhone: maskPhone(a.reporterPhone) }
}
