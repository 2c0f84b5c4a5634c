import type { Config } from '../config.ts'
import { buildApp } from '../http/app.ts'
import { createPlatform } from '../platform.ts'
import { isEmpty, seedDemo } from '../sim/seed.ts'

export interface ServeOptions {
  readonly demo: boolean
  readonly simulation: boolean
  readonly roles: readonly string[]
}

/** Start a OneGrid process: listen, and close gracefully on SIGINT/SIGTERM. */
export async function serve(config: Config, o: ServeOptions): Promise<void> {
  const platform = await createPlatform(config)
  if (o.demo && (await isEmpty(platform))) {
    console.log(await seedDemo(platform, { cases: 300, password: config.demoPassword }))
  }
  const app = await buildApp(platform.appDeps(), { logger: { level: config.logLevel } })
  const url = await app.listen({ port: config.port, host: config.host })
  const shown = url.replace('0.0.0.0', 'localhost')
  console.log(`OneGrid is serving at ${shown}  (API docs ${shown}/docs)`)
  if (o.demo) {
    console.log(
      `demo logins (password "${config.demoPassword}"): operator, dispatcher, handler, inspector, leader, admin`,
    )
  }
  let closing = false
  const close = async (signal: string) => {
    if (closing) return
    closing = true
    console.log(`${signal}: closing`)
    await app.close()
    await platform.close()
    process.exit(0)
  }
  process.once('SIGINT', () => void close('SIGINT'))
  process.once('SIGTERM', () => void close('SIGTERM'))
}
