import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Role } from '../core/case/case.types.ts'
import { AppError } from '../core/errors.ts'
import type { AuthService } from '../services/auth.service.ts'
import type { Principal } from '../services/ports.ts'

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal
  }
}

/** A preHandler that requires a bearer token and, optionally, one of some roles. */
export function authenticate(auth: AuthService, roles?: readonly Role[]) {
  return async (req: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const header = req.headers.authorization
    const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined
    if (!token) {
      throw new AppError(
        'AUTH_REQUIRED',
        'send Authorization: Bearer <token> (POST /api/v1/auth/login)',
        'authorization',
      )
    }
    const p = await auth.authenticate(token)
    if (roles && !roles.includes(p.actor.role) && p.actor.role !== 'admin') {
      throw new AppError(
        'FORBIDDEN_ROLE',
        `role ${p.actor.role} may not do this (needs ${roles.join(' or ')})`,
        'role',
      )
    }
    req.principal = p
  }
}

/** The principal of an authenticated request (after `authenticate`). */
export function principalOf(req: FastifyRequest): Principal {
  if (!req.principal) {
    throw new AppError('AUTH_REQUIRED', 'this endpoint needs a bearer token', 'authorization')
  }
  return req.principal
}

/** Whether a role may see reporters' full phone numbers (operators call them back). */
export function seesPhones(p: Principal): boolean {
  return p.actor.role === 'operator' || p.actor.role === 'admin'
}

/** 13812345678 → 138****5678 */
export function maskPhone(phone: string): string {
  return phone.length >= 7 ? `${phone.slice(0, 3)}****${phone.slice(-4)}` : '****'
}
