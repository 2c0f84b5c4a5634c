import type { Config } from '../config.ts'
import { buildApp } from '../http/app.ts'
import { startPeriodic } from '../jobs/periodic.ts'
import { startCheckpointJob } from '../jobs/checkpoint.job.ts'
import { createPlatform } from '../platform.ts'
import { isEmpty, seedDemo } from '../sim/seed.ts'
import { startSimulation, type Simulation } from '../sim/simulation.ts'
import { startSensorRoles, type SensorRoles } from './sensors.ts'

export interface ServeOptions {
  readonly demo: boolean
  readonly simulation: boolean
  readonly roles: readonly string[]
}

/** Start a OneGrid process: listen, and close gracefully on SIGINT/SIGTERM. */
export async function serve(config: Config, o: ServeOptions): Promise<void> {
  // the demo seed writes 30 days of history, so the clock can be moved while it runs
  let seedTime: number | undefined
  const platform = await createPlatform({ ...config, clock: () => seedTime ?? Date.now() })
  if (o.demo && (await isEmpty(platform))) {
    console.log('seeding the demo city …')
    console.log(
      await seedDemo(platform, {
        cases: 1000,
        password: config.demoPassword,
        setTime: (t) => (seedTime = t),
      }),
    )
  }
  // MQTT and the sensor jobs start before the API, so a taken MQTT port is reported first, in one line
  const sensors: SensorRoles = await startSensorRoles(platform, config, o.roles, {
    simulate: o.demo && o.simulation && config.simulationRate > 0,
  })
  const app = await buildApp(platform.appDeps(), { logger: { level: config.logLevel } })
  if (!o.roles.includes('api')) {
    console.log(`OneGrid worker running: ${o.roles.join(', ')} (no API: add the api role to serve HTTP)`)
  }
  const url = o.roles.includes('api') ? await app.listen({ port: config.port, host: config.host }) : undefined
  const checkpoints = o.roles.includes('jobs') ? startCheckpointJob(platform.ledger) : undefined
  // one node sweeps at a time (a lease row); every jobs node tries each minute
  const sweeper = o.roles.includes('jobs')
    ? startPeriodic('SLA sweep', () => platform.sweep.sweepOnce(), 60_000)
    : undefined
  if (url) {
    const shown = url.replace('0.0.0.0', 'localhost')
    console.log(`OneGrid is serving at ${shown}  (API docs ${shown}/docs)`)
  }
  if (o.demo) {
    console.log(
      `demo logins (password "${config.demoPassword}"): operator, dispatcher, handler, inspector, leader, admin`,
    )
  }
  let simulation: Simulation | undefined
  if (o.demo && o.simulation && config.simulationRate > 0) {
    simulation = await startSimulation(platform, { ratePerMinute: config.simulationRate })
    console.log(
      `the demo city is alive: ${config.simulationRate} appeals a minute (SIMULATION_RATE; --no-simulation turns it off)`,
    )
  }
  let closing = false
  const close = async (signal: string) => {
    if (closing) {
      return
    }
    closing = true
    console.log(`${signal}: closing`)
    await simulation?.stop()
    await app.close()
    await sensors.stop()
    await checkpoints?.stop()
    await sweeper?.stop()
    await platform.close()
    process.exit(0)
  }
  process.once('SIGINT', () => void close('SIGINT'))
  process.once('SIGTERM', () => void close('SIGTERM'))
}
