import type { FastifyPluginAsync } from 'fastify'
import type { ChannelServices } from '../../services/channels.ts'
import type { AppDeps } from '../app.ts'
import { duplicateRoutes } from './duplicates/index.ts'
import { hotlineRoutes } from './hotline/index.ts'
import { instructionRoutes } from './instructions/index.ts'
import { opinionRoutes } from './opinion/index.ts'
import { patrolRoutes } from './patrol/index.ts'
import { photoRoutes } from './photos/index.ts'

export type ChannelDeps = Pick<AppDeps, 'auth' | 'cases' | 'intake' | 'clock'> & ChannelServices

/** Every intake channel's routes, as one plugin for AppDeps.plugins. */
export function channelRoutes(deps: ChannelDeps): FastifyPluginAsync {
  return async (app) => {
    await app.register(hotlineRoutes(deps), { prefix: '/api/v1/hotline' })
    await app.register(patrolRoutes(deps), { prefix: '/api/v1/patrol' })
    await app.register(photoRoutes(deps), { prefix: '/api/v1/photos' })
    await app.register(opinionRoutes(deps), { prefix: '/api/v1/opinion' })
    await app.register(instructionRoutes(deps), { prefix: '/api/v1/instructions' })
    await app.register(duplicateRoutes(deps), { prefix: '/api/v1/cases' })
  }
}
