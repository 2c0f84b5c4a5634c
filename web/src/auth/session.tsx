import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react'
import { setToken, setUnauthorizedHandler } from '../api/client.ts'
import { api } from '../api/endpoints.ts'
import type { Session, User } from '../api/types.ts'

const STORAGE_KEY = 'onegrid.session'

interface SessionContext {
  readonly user: User | undefined
  readonly login: (username: string, password: string) => Promise<void>
  readonly logout: () => void
}

const Ctx = createContext<SessionContext | undefined>(undefined)

function restore(): Session | undefined {
  try {
    const s = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? 'null') as Session | null
    return s && s.expiresAt > Date.now() ? s : undefined
  } catch {
    return undefined
  }
}

/**
 * The logged-in user and token. Kept in sessionStorage: a wall screen survives a reload, a shared
 * desk PC forgets the operator when the browser closes.
 */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | undefined>(() => {
    const s = restore()
    setToken(s?.token)
    return s
  })

  const logout = useCallback(() => {
    sessionStorage.removeItem(STORAGE_KEY)
    setToken(undefined)
    setSession(undefined)
  }, [])

  useEffect(() => {
    setUnauthorizedHandler(logout)
    return () => setUnauthorizedHandler(undefined)
  }, [logout])

  const login = useCallback(async (username: string, password: string) => {
    const s = await api.login(username, password)
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(s))
    setToken(s.token)
    setSession(s)
  }, [])

  const value = useMemo(() => ({ user: session?.user, login, logout }), [session, login, logout])
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>
}

export function useSession(): SessionContext {
  const c = useContext(Ctx)
  if (!c) {
    throw new Error('useSession outside SessionProvider')
  }
  return c
}

/** The logged-in user; only for screens behind the login. */
export function useUser(): User {
  const { user } = useSession()
  if (!user) {
    throw new Error('useUser without a session')
  }
  return user
}
