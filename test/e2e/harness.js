// The browser tests' plumbing: a tiny test runner, a real server in a child process, an API client.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** Runs tests one after another; prints ✓/✗ per test and one closing line. Returns the failure count. */
export async function runTests(tests, { perTestMs = 120_000 } = {}) {
  let passed = 0
  let failed = 0
  for (const t of tests) {
    const started = Date.now()
    try {
      await withTimeout(t.fn(), perTestMs, `"${t.name}" took longer than ${perTestMs / 1000} s`)
      passed++
      console.log(`✓ ${t.name} (${((Date.now() - started) / 1000).toFixed(1)} s)`)
    } catch (e) {
      failed++
      const reason = e instanceof Error ? e.message.split('\n').slice(0, 6).join('\n    ') : String(e)
      console.log(`✗ ${t.name}: ${reason}`)
    }
  }
  console.log(`${passed} passed, ${failed} failed`)
  return failed
}

export function withTimeout(promise, ms, message) {
  let timer
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(message)), ms)
    }),
  ]).finally(() => clearTimeout(timer))
}

/** Polls `fn` until it returns a truthy value; throws `what` after `timeoutMs`. */
export async function waitFor(fn, { timeoutMs = 10_000, everyMs = 250, what = 'condition' } = {}) {
  const until = Date.now() + timeoutMs
  let last
  for (;;) {
    try {
      const v = await fn()
      if (v) return v
    } catch (e) {
      last = e
    }
    if (Date.now() > until) {
      throw new Error(
        `timed out after ${timeoutMs / 1000} s waiting for ${what}${last ? ` (${last.message})` : ''}`,
      )
    }
    await sleep(everyMs)
  }
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

export function assert(ok, message) {
  if (!ok) throw new Error(message)
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.unref()
    s.on('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
  })
}

/**
 * `onegrid serve --demo` on a free port over a fresh data directory; resolves once /healthz answers.
 * The embedded MQTT broker takes any free port (MQTT_PORT=0): 1883 may belong to a real broker.
 */
export async function startServer({ readyMs = 180_000, simulationRate = 60 } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'onegrid-e2e-'))
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const log = []
  const child = spawn(process.execPath, ['bin/onegrid.js', 'serve', '--demo'], {
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      SIMULATION_RATE: String(simulationRate),
      MQTT_PORT: '0',
      TZ: process.env.TZ ?? 'UTC',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const keep = (chunk) => {
    for (const line of String(chunk).split('\n')) if (line.trim()) log.push(line)
    if (log.length > 400) log.splice(0, log.length - 400)
  }
  child.stdout.on('data', keep)
  child.stderr.on('data', keep)
  let exited
  const exit = new Promise((resolve) =>
    child.on('exit', (code, signal) => {
      exited = { code, signal }
      resolve(exited)
    }),
  )

  const stop = async () => {
    if (!exited) {
      child.kill('SIGTERM')
      const done = await withTimeout(exit, 10_000, 'no exit').catch(() => undefined)
      if (!done) {
        child.kill('SIGKILL')
        await withTimeout(exit, 5_000, 'no exit').catch(() => undefined)
      }
    }
    rmSync(dataDir, { recursive: true, force: true })
  }

  const started = Date.now()
  try {
    await waitFor(
      async () => {
        if (exited)
          throw new Error(
            `the server exited (${exited.code ?? exited.signal}):\n${log.slice(-15).join('\n')}`,
          )
        const r = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(2_000) })
        return r.ok
      },
      { timeoutMs: readyMs, everyMs: 500, what: `GET ${base}/healthz` },
    ).catch((e) => {
      const tail = log.slice(-15).join('\n')
      if (exited) throw new Error(`the server exited (${exited.code ?? exited.signal}):\n${tail}`)
      throw new Error(`${e.message}\nserver log:\n${tail}`)
    })
  } catch (e) {
    await stop()
    throw e
  }
  return { base, port, dataDir, log, stop, readyAfterMs: Date.now() - started, startedAt: Date.now() }
}

/** The REST API as a script would use it: log in once per user, then JSON in and out. */
export class Api {
  constructor(base) {
    this.base = base
    this.tokens = new Map()
  }

  async token(username) {
    if (!this.tokens.has(username)) {
      const r = await this.call('POST', '/api/v1/auth/login', { username, password: 'demo' })
      this.tokens.set(username, r.token)
    }
    return this.tokens.get(username)
  }

  async as(username, method, path, body) {
    return this.call(method, path, body, await this.token(username))
  }

  async call(method, path, body, token) {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(15_000),
    })
    const text = await res.text()
    const json = text ? JSON.parse(text) : undefined
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text.slice(0, 300)}`)
    return json
  }
}
