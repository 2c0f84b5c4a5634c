import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Static } from 'typebox'
import { AppError } from '../../../core/errors.ts'
import type { IncidentArea } from '../../../core/emergency/index.ts'
import type { CommandInput, EmergencyService } from '../../../services/emergency.service.ts'
import type { AppDeps } from '../../app.ts'
import { authenticate, principalOf } from '../../auth.ts'
import { AckBody, CommandBody, InstructionParams, SituationQuery } from './schema.ts'

/**
 * /api/v1/emergency: the city's emergency command mode (应急指挥模式), shared by every cockpit.
 * Anyone signed in reads it; the state machine decides who may do which step (leaders and admins
 * start, instruct, update and stop; a unit's handler or dispatcher acknowledges for the unit).
 */
export function emergencyRoutes(
  deps: Pick<AppDeps, 'auth'> & { readonly emergency: EmergencyService },
): FastifyPluginAsyncTypebox {
  return async (app) => {
    const anyone = authenticate(deps.auth)

    app.get(
      '/',
      {
        schema: {
          tags: ['emergency'],
          summary: 'Whether command mode is on: incident, log, instructions with acks',
        },
        preHandler: anyone,
      },
      async () => deps.emergency.view(),
    )

    app.post(
      '/',
      {
        schema: {
          tags: ['emergency'],
          summary: 'Start, instruct, acknowledge, update or stop',
          body: CommandBody,
        },
        preHandler: anyone,
      },
      async (req) => {
        const p = principalOf(req)
        const b = req.body
        if (b.action === 'acknowledge') {
          return deps.emergency.acknowledge(need(b.instructionId, 'instructionId', b.action), p, {
            ...(b.unitId !== undefined ? { unitId: b.unitId } : {}),
            ...(b.note !== undefined ? { note: b.note } : {}),
          })
        }
        return deps.emergency.command(toInput(b), p)
      },
    )

    app.post(
      '/instructions/:id/acknowledge',
      {
        schema: {
          tags: ['emergency'],
          summary: 'Acknowledge an instruction for your unit',
          params: InstructionParams,
          body: AckBody,
        },
        preHandler: authenticate(deps.auth, ['handler', 'dispatcher']),
      },
      async (req) => deps.emergency.acknowledge(req.params.id, principalOf(req), req.body ?? {}),
    )

    app.get(
      '/situation',
      {
        schema: {
          tags: ['emergency'],
          summary: 'Cases, sensors and alarms inside the area; the nearest teams',
          querystring: SituationQuery,
        },
        preHandler: anyone,
      },
      async (req) => deps.emergency.situation(principalOf(req), req.query),
    )
  }
}

function need<T>(v: T | undefined, field: string, action: string): T {
  if (v === undefined) {
    throw new AppError('VALIDATION_FAILED', `${action} needs "${field}"`, field)
  }
  return v
}

function toInput(b: Static<typeof CommandBody>): CommandInput {
  const area = b.area as IncidentArea | undefined
  switch (b.action) {
    case 'start':
      return { action: 'start', title: need(b.title, 'title', b.action), area: need(area, 'area', b.action) }
    case 'instruct':
      return {
        action: 'instruct',
        text: need(b.text, 'text', b.action),
        ...(b.unitIds ? { unitIds: b.unitIds } : {}),
        ...(b.teamIds ? { teamIds: b.teamIds } : {}),
      }
    case 'update':
      return {
        action: 'update',
        ...(b.title !== undefined ? { title: b.title } : {}),
        ...(area ? { area } : {}),
        ...(b.note !== undefined ? { note: b.note } : {}),
      }
    default:
      return { action: 'stop', ...(b.note !== undefined ? { note: b.note } : {}) }
  }
}
