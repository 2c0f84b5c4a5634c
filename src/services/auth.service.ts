import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto'
import type { Kysely } from 'kysely'
import { ROLES, type Role } from '../core/case/case.types.ts'
import { AppError } from '../core/errors.ts'
import { HOUR } from '../core/time.ts'
import type { Database, UserTable } from '../store/database.ts'
import { newId } from '../store/ids.ts'
import * as users from '../store/user.repository.ts'
import type { Clock, Principal } from './ports.ts'

const SESSION_TTL = 12 * HOUR
const SCRYPT = { N: 16384, r: 8, p: 1, keylen: 32 } as const

function scryptAsync(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, SCRYPT.keylen, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  )
}

/** Hash a password as `scrypt$N$r$p$salt$hash` (base64url parts). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16)
  const key = await scryptAsync(password, salt)
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), key.toString('base64url')].join(
    '$',
  )
}

/** Check a password against a stored hash in constant time. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, , , , salt, hash] = stored.split('$')
  if (scheme !== 'scrypt' || !salt || !hash) {
    return false
  }
  const key = await scryptAsync(password, Buffer.from(salt, 'base64url'))
  const want = Buffer.from(hash, 'base64url')
  return want.length === key.length && timingSafeEqual(want, key)
}

function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

export interface NewUser {
  readonly username: string
  readonly password: string
  readonly role: Role
  readonly displayName?: string
  readonly unitId?: string
  readonly regionCode?: string
}

export interface AuthService {
  login(
    username: string,
    password: string,
  ): Promise<{ token: string; expiresAt: number; principal: Principal }>
  authenticate(token: string): Promise<Principal>
  addUser(u: NewUser): Promise<void>
}

function toPrincipal(u: UserTable): Principal {
  return {
    actor: {
      id: u.id,
      role: u.role as Role,
      name: u.display_name,
      ...(u.unit_id ? { unitId: u.unit_id } : {}),
    },
    username: u.username,
    displayName: u.display_name,
    ...(u.region_code ? { regionCode: u.region_code } : {}),
  }
}

/**
 * How long a node trusts a session it has looked up without asking the database again. Changing a
 * user's role or password, or a session expiring, takes effect on other nodes up to this late
 * (on the node that changed the user at once).
 */
const PRINCIPAL_TTL = 10_000
/** Most sessions remembered per node; past this the oldest is forgotten. */
const PRINCIPAL_CACHE = 10_000

/** Users, passwords and bearer sessions (opaque random tokens; only their hashes are stored). */
export function createAuthService(deps: { db: Kysely<Database>; clock: Clock }): AuthService {
  const { db, clock } = deps
  // every API request authenticates: a per-node memory of token → principal spares the hash and the
  // lookup (tokens live in this process's memory while their requests run anyway)
  const known = new Map<string, { principal: Principal; until: number }>()
  return {
    async login(username, password) {
      const u = await users.findUserByName(db, username)
      // hash even for unknown users so timing does not reveal which usernames exist
      const good = await verifyPassword(password, u?.password_hash ?? 'scrypt$0$0$0$AAAA$AAAA')
      if (!u || !good) {
        throw new AppError('AUTH_INVALID', 'wrong username or password', 'password')
      }
      const token = randomBytes(32).toString('base64url')
      const now = clock()
      const expiresAt = now + SESSION_TTL
      await users.insertSession(db, {
        token_hash: tokenHash(token),
        user_id: u.id,
        created_at: now,
        expires_at: expiresAt,
      })
      return { token, expiresAt, principal: toPrincipal(u) }
    },

    async authenticate(token) {
      const now = clock()
      const hit = known.get(token)
      if (hit && hit.until > now) {
        return hit.principal
      }
      known.delete(token)
      const u = await users.findSessionUser(db, tokenHash(token), now)
      if (!u) {
        throw new AppError('AUTH_INVALID', 'the token is unknown or expired: log in again', 'authorization')
      }
      const principal = toPrincipal(u)
      if (known.size >= PRINCIPAL_CACHE) {
        known.delete(known.keys().next().value!)
      }
      known.set(token, { principal, until: now + PRINCIPAL_TTL })
      return principal
    },

    async addUser(u) {
      if (!(ROLES as readonly string[]).includes(u.role) || u.role === 'system') {
        throw new AppError(
          'VALIDATION_FAILED',
          `role must be one of ${ROLES.filter((r) => r !== 'system').join(', ')}`,
          'role',
        )
      }
      if (u.password.length < 4) {
        throw new AppError('VALIDATION_FAILED', 'password must have at least 4 characters', 'password')
      }
      const existing = await users.findUserByName(db, u.username)
      await users.upsertUser(db, {
        id: existing?.id ?? newId('U', clock()),
        username: u.username,
        display_name: u.displayName ?? u.username,
        password_hash: await hashPassword(u.password),
        role: u.role,
        unit_id: u.unitId ?? null,
        region_code: u.regionCode ?? null,
        created_at: existing?.created_at ?? clock(),
      })
      // a changed role or password counts on this node from now on
      known.clear()
    },
  }
}
