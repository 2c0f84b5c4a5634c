// `npm run bench -- live [--clients 1000] [--events 3000] [--cockpits 200] [--seconds 60] [--rate 420]`
// (a) SSE fan-out through LiveHub and GET /api/v1/live against a bare node:http SSE broadcast writing the
//     same frames to the same number of sockets; (b) cockpits connected while the demo city runs at ten
//     times Beijing's 12345 volume: events published vs received per cockpit, and drops.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { buildApp } from '../src/http/app.ts'
import type { LiveEvent } from '../src/live/live-hub.ts'
import { createPlatform, type Platform } from '../src/platform.ts'
import { seedDemo } from '../src/sim/seed.ts'
import { startSimulation } from '../src/sim/simulation.ts'

/**
 * The client harness, run in its own process so the load does not share the server's event loop: `n`
 * SSE connections, counting event frames (a JSON data line ends with `}` then a blank line; `retry:` and
 * keep-alive comments do not) and bytes. Prints JSON lines: ready (all connected), done (every client has
 * `expect` events), and answers `reset` and `report` on stdin.
 */
const CLIENTS = `
import http from 'node:http'
import { createInterface } from 'node:readline'
const [url, nText, expectText, headersJson] = process.argv.slice(1)
const n = Number(nText), expect = Number(expectText), headers = JSON.parse(headersJson)
const counts = new Array(n).fill(0), tails = new Array(n).fill(null)
const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity })
const END = Buffer.from('}\\n\\n')
let connected = 0, complete = 0, bytes = 0, errors = 0
const say = (o) => process.stdout.write(JSON.stringify(o) + '\\n')
function count(buf, tail) {
  let k = 0
  for (let at = buf.indexOf(END); at >= 0; at = buf.indexOf(END, at + 3)) k++
  if (tail) { const joint = Buffer.concat([tail, buf.subarray(0, 2)]); if (joint.indexOf(END) >= 0) k++ }
  return k
}
for (let i = 0; i < n; i++) {
  const req = http.get(url, { agent, headers }, (res) => {
    if (res.statusCode !== 200) { say({ error: 'status ' + res.statusCode }); process.exit(1) }
    if (++connected === n) say({ ready: true })
    res.on('data', (buf) => {
      bytes += buf.length
      const before = counts[i]
      counts[i] += count(buf, tails[i])
      tails[i] = buf.length >= 2 ? buf.subarray(buf.length - 2) : Buffer.concat([tails[i] ?? Buffer.alloc(0), buf]).subarray(-2)
      if (expect > 0 && before < expect && counts[i] >= expect && ++complete === n) say({ done: true })
    })
    res.on('error', () => errors++)
    res.on('close', () => errors++)
  })
  req.on('error', (e) => { errors++; say({ error: String(e) }) })
}
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'reset') { counts.fill(0); complete = 0; bytes = 0; say({ reset: true }) }
  if (line === 'report') say({ min: Math.min(...counts), max: Math.max(...counts), total: counts.reduce((a, b) => a + b, 0), bytes, errors, connected })
})
`

interface Harness {
  readonly child: ChildProcessWithoutNullStreams
  /** the next JSON line the harness prints that has `key` */
  next<T = Record<string, number | boolean>>(key: string, timeoutMs?: number): Promise<T>
  send(line: string): void
  stop(): void
}

function clients(url: string, n: number, expect: number, headers: Record<string, string>): Harness {
  const child = spawn(process.execPath, [
    '--input-type=module',
    '-e',
    CLIENTS,
    url,
    String(n),
    String(expect),
    JSON.stringify(headers),
  ])
  child.stderr.pipe(process.stderr)
  const lines: Record<string, unknown>[] = []
  const waiters: (() => void)[] = []
  createInterface({ input: child.stdout }).on('line', (line) => {
    const o = JSON.parse(line) as Record<string, unknown>
    if (o.error) {
      console.error(`client harness: ${JSON.stringify(o.error)}`)
    }
    lines.push(o)
    for (const w of waiters.splice(0)) {
      w()
    }
  })
  return {
    child,
    async next<T>(key: string, timeoutMs = 120_000): Promise<T> {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const i = lines.findIndex((o) => key in o)
        if (i >= 0) {
          return lines.splice(i, 1)[0] as T
        }
        if (Date.now() > deadline) {
          throw new Error(`client harness: no "${key}" within ${timeoutMs} ms`)
        }
        await new Promise<void>((resolve) => {
          waiters.push(resolve)
          setTimeout(resolve, 250)
        })
      }
    },
    send: (line) => child.stdin.write(`${line}\n`),
    stop: () => child.kill(),
  }
}

function tmpDb(): string {
  return `sqlite:${join(mkdtempSync(join(tmpdir(), 'onegrid-bench-')), 'bench.db')}`
}

async function platform(clock?: () => number): Promise<Platform> {
  return createPlatform({
    databaseUrl: tmpDb(),
    catalogFile: 'data/catalog/default.json',
    calendarFile: 'data/calendars/cn-beijing.json',
    regionsFile: 'data/regions/beijing.json',
    dutyFile: 'data/duty/beijing-demo.json',
    modelFile: 'data/triage/model.json',
    ...(clock ? { clock } : {}),
  })
}

/** The same case-shaped events for both servers: one stage change with its street, as the cockpit sees them. */
function events(count: number): LiveEvent[] {
  const stages = ['reported', 'accepted', 'registered', 'dispatched', 'handling', 'handled', 'closed']
  return Array.from({ length: count }, (_, i) => ({
    type: 'case.updated',
    at: 1_767_225_600_000 + i * 1000,
    caseId: `C${String(100000 + i)}`,
    unitId: `11010${i % 8}-hw`,
    payload: {
      stage: stages[i % stages.length],
      streetCode: `11010${i % 8}00${i % 10}`,
      classId: 'E0102',
      priority: 'normal',
    },
  }))
}

function frame(e: LiveEvent): string {
  return `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`
}

/**
 * Publish `all` in batches of 100 as fast as the server takes them (one batch per turn of the event loop,
 * so sockets drain in between) and time until every client has received every event.
 */
async function deliver(
  h: Harness,
  all: readonly LiveEvent[],
  publish: (batch: readonly LiveEvent[]) => void,
): Promise<number> {
  await h.next('ready')
  const t0 = performance.now()
  for (let i = 0; i < all.length; i += 100) {
    publish(all.slice(i, i + 100))
    await new Promise((resolve) => setImmediate(resolve))
  }
  await h.next('done')
  return performance.now() - t0
}

async function fanOut(n: number, count: number): Promise<{ raw: number; ours: number; dropped: number }> {
  const all = events(count)

  // Raw: a bare node:http SSE server; every batch is serialised once and written to every socket at once.
  const sockets = new Set<ServerResponse>()
  const raw = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' })
    res.write('retry: 3000\n\n')
    sockets.add(res)
    res.on('close', () => sockets.delete(res))
  })
  await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve))
  const rawUrl = `http://127.0.0.1:${(raw.address() as AddressInfo).port}/`
  let h = clients(rawUrl, n, count, {})
  const rawMs = await deliver(h, all, (batch) => {
    const chunk = batch.map(frame).join('')
    for (const res of sockets) {
      res.write(chunk)
    }
  })
  h.stop()
  for (const res of sockets) {
    res.destroy()
  }
  await new Promise((resolve) => raw.close(resolve))

  // Ours: GET /api/v1/live of the real app (token auth, scope), LiveHub coalescing with its default window.
  const p = await platform()
  await p.auth.addUser({ username: 'bench', password: 'bench-pw', role: 'leader' })
  const { token } = await p.auth.login('bench', 'bench-pw')
  const app = await buildApp(p.appDeps())
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  h = clients(`${url}/api/v1/live`, n, count, { authorization: `Bearer ${token}` })
  const oursMs = await deliver(h, all, (batch) => p.live.push(batch))
  const dropped = p.live.stats.dropped
  h.stop()
  p.live.close()
  await app.close()
  await p.close()
  return { raw: (n * count) / (rawMs / 1000), ours: (n * count) / (oursMs / 1000), dropped }
}

/** Cockpits attached while the demo city runs at `rate` appeals a minute for `seconds`. */
async function cockpits(n: number, seconds: number, rate: number): Promise<void> {
  let seedTime: number | undefined
  const p = await platform(() => seedTime ?? Date.now())
  await seedDemo(p, { cases: 200, password: 'bench-pw', setTime: (t) => (seedTime = t) })
  const { token } = await p.auth.login('leader', 'bench-pw')
  const app = await buildApp(p.appDeps())
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  const h = clients(`${url}/api/v1/live`, n, 0, { authorization: `Bearer ${token}` })
  await h.next('ready')
  // Whatever the seed left in the hub's buffer goes out before counting starts on both sides.
  p.live.flush()
  await new Promise((resolve) => setTimeout(resolve, 1000))
  let published = 0
  const unsubscribe = p.bus.subscribe((evs) => (published += evs.length))
  h.send('reset')
  await h.next('reset')
  const droppedBefore = p.live.stats.dropped
  const sim = await startSimulation(p, { ratePerMinute: rate })
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000))
  await sim.stop()
  unsubscribe()
  // One more window and time to drain, then ask every cockpit what it got.
  await new Promise((resolve) => setTimeout(resolve, 1500))
  h.send('report')
  const r = await h.next<{
    min: number
    max: number
    total: number
    bytes: number
    errors: number
    connected: number
  }>('min')
  const dropped = p.live.stats.dropped - droppedBefore
  h.stop()
  p.live.close()
  await app.close()
  await p.close()
  console.log(
    `simulation ${seconds} s at ${rate} appeals/min (10× Beijing 12345): ${sim.stats.appeals} appeals, ${sim.stats.actions} actions, ${sim.stats.refused} refused`,
  )
  console.log(
    `${n} cockpits (leader, sees everything): published on the bus ${published} events (${(published / seconds).toFixed(0)}/s); received per cockpit min ${r.min}, max ${r.max}; ${(r.bytes / 1e6).toFixed(1)} MB in all; connection errors ${r.errors}`,
  )
  console.log(
    `dropped: ${dropped}${r.min < published ? ` (missing per cockpit: up to ${published - r.min})` : ''}`,
  )
}

function arg(args: readonly string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`)
  return i >= 0 ? Number(args[i + 1]) : fallback
}

/** `npm run bench -- live` */
export async function run(args: readonly string[] = []): Promise<void> {
  const n = arg(args, 'clients', 1000)
  const count = arg(args, 'events', 3000)
  const f = await fanOut(n, count)
  console.log(
    `raw node:http SSE broadcast: ${fmt(f.raw)} events/s delivered (${n} clients × ${count} events)`,
  )
  console.log(
    `LiveHub via GET /api/v1/live (auth, 250 ms coalescing): ${fmt(f.ours)} events/s delivered; dropped ${f.dropped}`,
  )
  await cockpits(arg(args, 'cockpits', 200), arg(args, 'seconds', 60), arg(args, 'rate', 420))
  console.log(`live ratio: ${(f.ours / f.raw).toFixed(2)} (target ≥ 0.5)`)
}

function fmt(x: number): string {
  return Math.round(x).toLocaleString('en-US')
}
