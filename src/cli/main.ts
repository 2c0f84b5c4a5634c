import { Command, Option } from 'commander'
import { parseConfig, type Config } from '../config.ts'
import { ROLES, type Role } from '../core/case/case.types.ts'
import { createPlatform, type Platform } from '../platform.ts'
import { openDatabase } from '../store/db.ts'
import { migrateAllDown, migrateDown, migrateToLatest } from '../store/migrate.ts'
import { seedDemo } from '../sim/seed.ts'
import { serve } from './serve.ts'
import { registerLedgerCommands } from './ledger.ts'
import { registerChannelCommands } from './channels.ts'

/** Parse the environment once; on any problem, list them all and exit 1. */
function loadConfig(): Config {
  const r = parseConfig(process.env)
  if (!r.ok) {
    console.error(`onegrid: configuration is invalid:\n${r.problems.map((p) => `  - ${p}`).join('\n')}`)
    process.exit(1)
  }
  return r.config
}

async function withPlatform<T>(
  config: Config,
  fn: (p: Platform, setTime: (t: number | undefined) => void) => Promise<T>,
): Promise<T> {
  let time: number | undefined
  const platform = await createPlatform({ ...config, clock: () => time ?? Date.now() })
  try {
    return await fn(platform, (t) => (time = t))
  } finally {
    await platform.close()
  }
}

/** The `onegrid` program. */
export function program(): Command {
  const cli = new Command('onegrid')
    .description('OneGrid (一网统管): city operations platform')
    .showHelpAfterError()

  cli
    .command('serve')
    .description('serve the API, the web app, ingest and jobs')
    .option('--demo', 'seed the demo city if the database is empty, and run its simulation')
    .option('--no-simulation', 'with --demo: do not run the simulation')
    .addOption(
      new Option('--roles <roles>', 'comma-separated roles this process runs').default('api,ingest,jobs'),
    )
    .action(async (opts: { demo?: boolean; simulation: boolean; roles: string }) => {
      await serve(loadConfig(), {
        demo: opts.demo ?? false,
        simulation: opts.simulation,
        roles: opts.roles.split(','),
      })
    })

  cli
    .command('migrate')
    .description('bring the database schema up to date (or down: undo the latest; reset: undo all)')
    .argument('[direction]', 'up | down | reset', 'up')
    .action(async (direction: string) => {
      const config = loadConfig()
      const db = await openDatabase(
        config.databaseUrl,
        config.databaseSchema ? { schema: config.databaseSchema } : {},
      )
      try {
        if (direction === 'up') await migrateToLatest(db)
        else if (direction === 'down') await migrateDown(db)
        else if (direction === 'reset') await migrateAllDown(db)
        else throw new Error(`direction must be up, down or reset (got "${direction}")`)
        console.log(`migrate ${direction}: done (${config.databaseUrl})`)
      } finally {
        await db.close()
      }
    })

  cli
    .command('seed')
    .description('seed the demo city: units, one user per role, a few hundred cases over all stages')
    .option('--cases <n>', 'how many cases', '300')
    .action(async (opts: { cases: string }) => {
      const config = loadConfig()
      await withPlatform(config, async (p, setTime) => {
        const summary = await seedDemo(p, {
          cases: Number(opts.cases),
          password: config.demoPassword,
          setTime,
        })
        console.log(summary)
      })
    })

  registerLedgerCommands(cli, loadConfig)
  registerChannelCommands(cli, loadConfig)

  const user = cli.command('user').description('manage users')
  user
    .command('add')
    .description('add or update a user')
    .requiredOption('--username <name>')
    .requiredOption('--password <password>')
    .addOption(new Option('--role <role>').choices(ROLES.filter((r) => r !== 'system')).makeOptionMandatory())
    .option('--name <display name>')
    .option('--unit <unitId>')
    .option('--region <code>', 'region scope: district (6), street (9) or community (12) code')
    .action(
      async (o: {
        username: string
        password: string
        role: Role
        name?: string
        unit?: string
        region?: string
      }) => {
        await withPlatform(loadConfig(), async (p) => {
          await p.auth.addUser({
            username: o.username,
            password: o.password,
            role: o.role,
            ...(o.name ? { displayName: o.name } : {}),
            ...(o.unit ? { unitId: o.unit } : {}),
            ...(o.region ? { regionCode: o.region } : {}),
          })
          console.log(`user ${o.username} (${o.role}) saved`)
        })
      },
    )

  return cli
}

/** Entry point from bin/onegrid.js. */
export async function main(argv: string[]): Promise<void> {
  try {
    await program().parseAsync(argv)
  } catch (e) {
    console.error(`onegrid: ${(e as Error).message}`)
    process.exitCode = 1
  }
}
