/** The one place the web app talks HTTP: bearer token, JSON, typed errors. */

/** An error body from the server, or a network failure (code NETWORK). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly requestId?: string,
  ) {
    super(message)
    this.name = 'ApiError'
  }

  /** The route does not exist yet (another engineer is building it): show "unavailable", never numbers. */
  get unavailable(): boolean {
    return this.status === 404 && this.code === 'NOT_FOUND'
  }

  get conflict(): boolean {
    return this.code === 'CASE_VERSION_CONFLICT'
  }
}

let token: string | undefined
let onUnauthorized: (() => void) | undefined

/** Set by the session when the user logs in or out. */
export function setToken(t: string | undefined): void {
  token = t
}

export function getToken(): string | undefined {
  return token
}

/** Called on any 401 so the shell can return to the login page. */
export function setUnauthorizedHandler(fn: (() => void) | undefined): void {
  onUnauthorized = fn
}

type Query = Readonly<Record<string, string | number | boolean | readonly string[] | undefined>>

/** `/api/v1` + path + query, repeating array parameters (`stage=a&stage=b`). */
export function apiUrl(path: string, query?: Query): string {
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v === undefined || v === '') {
      continue
    }
    if (Array.isArray(v)) {
      for (const x of v as readonly string[]) {
        params.append(k, x)
      }
    } else {
      params.append(k, String(v))
    }
  }
  const qs = params.toString()
  return `/api/v1${path}${qs ? `?${qs}` : ''}`
}

interface ErrorBody {
  error?: { code?: string; message?: string; field?: string; requestId?: string }
}

async function request<T>(
  method: string,
  path: string,
  body?: unknown,
  query?: Query,
  signal?: AbortSignal,
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' }
  if (token) {
    headers.authorization = `Bearer ${token}`
  }
  if (body !== undefined) {
    headers['content-type'] = 'application/json'
  }
  let res: Response
  try {
    res = await fetch(apiUrl(path, query), {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      ...(signal ? { signal } : {}),
    })
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') {
      throw e
    }
    throw new ApiError(0, 'NETWORK', e instanceof Error ? e.message : String(e))
  }
  const text = await res.text()
  let json: unknown
  try {
    json = text ? JSON.parse(text) : undefined
  } catch {
    json = undefined
  }
  if (!res.ok) {
    const err = (json as ErrorBody | undefined)?.error
    if (res.status === 401 && path !== '/auth/login') {
      onUnauthorized?.()
    }
    throw new ApiError(
      res.status,
      err?.code ?? `HTTP_${res.status}`,
      err?.message ?? res.statusText,
      err?.field,
      err?.requestId,
    )
  }
  return json as T
}

export const http = {
  get: <T>(path: string, query?: Query, signal?: AbortSignal) =>
    request<T>('GET', path, undefined, query, signal),
  post: <T>(path: string, body: unknown) => request<T>('POST', path, body),
}

/** Resolves to undefined when the endpoint is not there yet, so a panel can say "unavailable". */
export async function optional<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p
  } catch (e) {
    if (e instanceof ApiError && e.unavailable) {
      return undefined
    }
    throw e
  }
}
