import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { openDatabase } from '../../src/store/db.ts'
import { DATABASES } from '../helpers/databases.ts'

const BIN = 'bin/onegrid.js'

async function waitForHealth(base: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) {
      throw new Error(`server exited with ${child.exitCode}`)
    }
    try {
      if ((await fetch(`${base}/healthz`)).ok) {
        return
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error('server did not start')
}

describe.each(DATABASES)('a server killed mid-stream on $dialect', (d) => {
  it('keeps every intake it acknowledged', async () => {
    const { url, schema } = d.fresh()
    const port = 20000 + Math.floor(Math.random() * 20000)
    const env = {
      ...process.env,
      DATABASE_URL: url,
      ...(schema ? { DATABASE_SCHEMA: schema } : {}),
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      MQTT_PORT: '0',
    }
    execFileSync(
      'node',
      [BIN, 'user', 'add', '--username', 'op', '--password', 'crash-pw', '--role', 'operator'],
      {
        env,
        stdio: 'pipe',
      },
    )
    const child = spawn('node', [BIN, 'serve', '--roles', 'api'], { env, stdio: 'ignore' })
    const base = `http://127.0.0.1:${port}`
    try {
      await waitForHealth(base, child)
      const login = await fetch(`${base}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'op', password: 'crash-pw' }),
      })
      const { token } = (await login.json()) as { token: string }
      const acknowledged: string[] = []
      let sent = 0
      let stop = false
      const worker = async (w: number) => {
        while (!stop) {
          const key = `crash-${w}-${sent++}`
          try {
            const r = await fetch(`${base}/api/v1/cases`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
              body: JSON.stringify({
                channel: 'hotline',
                text: `压力测试诉求 ${key}：路灯不亮`,
                idempotencyKey: key,
              }),
            })
            if (r.status === 201) {
              acknowledged.push(key)
            }
          } catch {
            if (stop) {
              return
            } // the server is gone
          }
        }
      }
      const workers = Array.from({ length: 16 }, (_, w) => worker(w))
      // kill after 300 acknowledgements, or after 20 s on a loaded machine
      const deadline = Date.now() + 20_000
      while (acknowledged.length < 300 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20))
      }
      child.kill('SIGKILL')
      stop = true
      await Promise.all(workers)
      if (child.exitCode === null && child.signalCode === null) {
        await new Promise((r) => child.once('exit', r))
      }

      const db = await openDatabase(url, schema ? { schema } : {})
      try {
        const rows = await db.kysely.selectFrom('appeals').select('idempotency_key').execute()
        const stored = new Set(rows.map((r) => r.idempotency_key))
        const lost = acknowledged.filter((k) => !stored.has(k))
        expect(acknowledged.length).toBeGreaterThanOrEqual(50)
        expect(lost).toEqual([])
        const cases = await db.kysely
          .selectFrom('cases')
          .select(({ fn }) => fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
        expect(Number(cases.n)).toBe(rows.length)
      } finally {
        await db.close()
      }
    } finally {
      if (child.exitCode === null) {
        child.kill('SIGKILL')
      }
    }
  }, 120_000)
})
