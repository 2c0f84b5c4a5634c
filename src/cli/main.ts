import { Command, Option } from 'commander'
import { parseConfig, type Config } from '../config.ts'
import { ROLES, type Role } from '../core/case/case.types.ts'
import { withPlatform } from './shared.ts'
import { openDatabase } from '../store/db.ts'
import { migrateAllDown, migrateDown, migrateToLatest } from '../store/migrate.ts'
import { seedDemo } from '../sim/seed.ts'
import { serve } from './serve.ts'
import { simulateSensors } from './sensors.ts'
import { registerLedgerCommands } from './ledger.ts'
import { registerChannelCommands } from './channels.ts'
import { registerOpen311Commands } from './open311.ts'
import { registerCityCommands } from './city.ts'
import { registerHealthCheckCommand } from './health-check.ts'

/** Parse the environment once; on any problem, list them all and exit 1. */
function loadConfig(): Config {
  const r = parseConfig(process.env)
  if (!r.ok) {
    console.error(`onegrid: configuration is invalid:\n${r.problems.map((p) => `  - ${p}`).join('\n')}`)
    process.exit(1)
  }
  return r.config
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
        if (direction === 'up') {
          await migrateToLatest(db)
        } else if (direction === 'down') {
          await migrateDown(db)
        } else if (direction === 'reset') {
          await migrateAllDown(db)
        } else {
          throw new Error(`direction must be up, down or reset (got "${direction}")`)
        }
        console.log(`migrate ${direction}: done (${config.databaseUrl})`)
      } finally {
        await db.close()
      }
    })

  cli
    .command('seed')
    .description('seed the demo city: units, one user per role, a few hundred cases over all stages')
    .option('--cases <n>', 'how many cases', '1000')
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
  registerOpen311Commands(cli, loadConfig)
  registerCityCommands(cli, loadConfig, (fn) => withPlatform(loadConfig(), (p) => fn(p)))
  registerHealthCheckCommand(cli, (fn) => withPlatform(loadConfig(), (p) => fn(p)))

  const simulate = cli.command('simulate').description('simulate parts of the city')
  simulate
    .command('sensors')
    .description(
      'publish a recorded series (Beijing air quality .csv, Rangsit water level .json) as one device over MQTT, retimed to now',
    )
    .requiredOption(
      '--replay <file>',
      'e.g. data/sensors/PRSA_Data_Dongsi_20130301-20170228.csv or data/sensors/waterlevel.json',
    )
    .requiredOption(
      '--device <id>',
      'the registered device to publish as (demo: aq-dongsi-1, wl-tonghuihe-1)',
    )
    .option('--speed <n>', 'times real time (3600: an hour a second; 0: as fast as possible)', '3600')
    .option('--mqtt <url>', 'broker (default: MQTT_URL, else the embedded broker on MQTT_PORT)')
    .option('--quantities <list>', 'comma-separated quantities to publish (default: all in the file)')
    .action(
      async (o: { replay: string; device: string; speed: string; mqtt?: string; quantities?: string }) => {
        const config = loadConfig()
        const speed = Number(o.speed)
        if (!Number.isFinite(speed) || speed < 0) {
          throw new Error(`--speed must be a number ≥ 0 (got "${o.speed}")`)
        }
        console.log(
          await simulateSensors({
            replay: o.replay,
            device: o.device,
            speed,
            mqtt: o.mqtt ?? config.mqttUrl ?? `mqtt://127.0.0.1:${config.mqttPort}`,
            ...(o.quantities ? { quantities: o.quantities.split(',') } : {}),
          }),
        )
      },
    )

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
