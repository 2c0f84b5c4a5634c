import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { AppError } from '../../../core/errors.ts'
import type { AlarmRule } from '../../../core/sensing/sensing.types.ts'
import type { SensingService } from '../../../services/sensing.service.ts'
import type { AlarmTable } from '../../../store/database.ts'
import type { AppDeps } from '../../app.ts'
import { authenticate } from '../../auth.ts'

const AlarmQuery = Type.Object(
  {
    state: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('recent')])),
    since: Type.Optional(Type.String({ format: 'date-time' })),
    device: Type.Optional(Type.String({ maxLength: 100 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  },
  { additionalProperties: false },
)
const RuleId = Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9._-]{1,100}$' }) })
/** Checked in full by the sensing core's compileRules (shape, class id, scope, quantities). */
const RuleBody = Type.Object(
  {
    type: Type.Union([
      Type.Literal('threshold'),
      Type.Literal('rate'),
      Type.Literal('no-signal'),
      Type.Literal('combination'),
    ]),
    classId: Type.String({ pattern: '^[CE][0-9]{4}$' }),
    severity: Type.Union([Type.Literal('minor'), Type.Literal('major'), Type.Literal('critical')]),
  },
  { additionalProperties: true },
)

/** /api/v1/alarms (open or recent) and /api/v1/alarm-rules (read by all, edited by admins). */
export function alarmRoutes(
  deps: Pick<AppDeps, 'auth'> & { sensing: SensingService },
): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/alarms',
      {
        schema: {
          tags: ['devices'],
          summary: 'Sensor alarms, newest first: open (raised) or recent (all)',
          querystring: AlarmQuery,
        },
        preHandler: authenticate(deps.auth),
      },
      async (req) => {
        const q = req.query
        const rows = await deps.sensing.alarms({
          open: (q.state ?? 'open') === 'open',
          ...(q.since ? { since: Date.parse(q.since) } : {}),
          ...(q.device ? { deviceId: q.device } : {}),
          limit: q.limit ?? 100,
        })
        return { items: rows.map(presentAlarm) }
      },
    )

    app.get(
      '/alarm-rules',
      { schema: { tags: ['devices'] }, preHandler: authenticate(deps.auth) },
      async () => ({ items: await deps.sensing.rules() }),
    )

    app.put(
      '/alarm-rules/:id',
      {
        schema: {
          tags: ['devices'],
          summary: 'Create or replace an alarm rule (threshold, rate, no-signal, combination)',
          params: RuleId,
          body: RuleBody,
        },
        preHandler: authenticate(deps.auth, ['admin']),
      },
      async (req) => {
        if (
          (req.body as { id?: unknown }).id !== undefined &&
          (req.body as { id?: unknown }).id !== req.params.id
        ) {
          throw new AppError('VALIDATION_FAILED', 'the id in the body differs from the path', 'id')
        }
        return deps.sensing.saveRule({ ...req.body, id: req.params.id } as unknown as AlarmRule)
      },
    )

    app.delete(
      '/alarm-rules/:id',
      { schema: { tags: ['devices'], params: RuleId }, preHandler: authenticate(deps.auth, ['admin']) },
      async (req, reply) => {
        await deps.sensing.deleteRule(req.params.id)
        return reply.status(204).send()
      },
    )
  }
}

function presentAlarm(a: AlarmTable) {
  return {
    id: a.id,
    key: a.key,
    ruleId: a.rule_id,
    classId: a.class_id,
    severity: a.severity,
    deviceId: a.device_id,
    ...(a.place ? { place: a.place } : {}),
    ...(a.quantity ? { quantity: a.quantity } : {}),
    ...(a.value !== null ? { value: a.value } : {}),
    state: a.state,
    raisedAt: Number(a.raised_at),
    lastRaisedAt: Number(a.last_raised_at),
    repeats: a.repeats,
    ...(a.cleared_at !== null ? { clearedAt: Number(a.cleared_at) } : {}),
    ...(a.clear_value !== null ? { clearValue: a.clear_value } : {}),
    ...(a.case_id ? { caseId: a.case_id } : {}),
  }
}
