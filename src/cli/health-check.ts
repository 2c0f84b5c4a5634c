import { writeFile } from 'node:fs/promises'
import { Option, type Command } from 'commander'
import { reportCsv, reportHtml } from '../core/health-check/index.ts'
import type { Platform } from '../platform.ts'
import type { Principal } from '../services/ports.ts'

type WithPlatform = <T>(fn: (p: Platform) => Promise<T>) => Promise<T>

/** The CLI runs on the operator's own machine with database access: it reads as an admin. */
const CLI: Principal = {
  actor: { id: 'cli', role: 'admin', name: 'onegrid cli' },
  username: 'cli',
  displayName: 'onegrid cli',
}

/** `onegrid health-check --region CODE [--from --to] --format html|csv|json --out FILE` */
export function registerHealthCheckCommand(cli: Command, withPlatform: WithPlatform): void {
  cli
    .command('health-check')
    .description(
      '城市管理体检: the health-check report of a district or street for a period (default the last 90 days)',
    )
    .requiredOption('--region <code>', 'district (6 digits) or street (9 digits) code')
    .option('--from <date>', 'first local day (2026-03-01) or an RFC 3339 instant')
    .option('--to <date>', 'last local day, inclusive, or an RFC 3339 instant (default now)')
    .addOption(
      new Option('--format <format>', 'output format').choices(['html', 'csv', 'json']).default('html'),
    )
    .option('--out <file>', 'write here instead of standard output')
    .action(
      async (o: {
        region: string
        from?: string
        to?: string
        format: 'html' | 'csv' | 'json'
        out?: string
      }) => {
        await withPlatform(async (p) => {
          const report = await p.healthCheck.report(CLI, {
            region: o.region,
            ...(o.from ? { from: o.from } : {}),
            ...(o.to ? { to: o.to } : {}),
          })
          const text =
            o.format === 'csv'
              ? reportCsv(report)
              : o.format === 'html'
                ? reportHtml(report)
                : `${JSON.stringify(report, null, 2)}\n`
          if (o.out) {
            await writeFile(o.out, text, 'utf8')
            console.log(`health-check ${report.region.name} (${report.cases} cases): ${o.out}`)
          } else {
            process.stdout.write(text)
          }
        })
      },
    )
}
