import type { Command } from 'commander'
import type { Config } from '../config.ts'
import { importOpen311File, formatSummary } from '../ingest/open311/import.ts'
import { DEFAULT_MAPPINGS_FILE, loadMappings, validZone } from '../ingest/open311/mapping.ts'
import { importCommand, withPlatform } from './shared.ts'

/** `onegrid open311 key add|list|revoke` and `onegrid import open311 FILE…`. */
export function registerOpen311Commands(cli: Command, loadConfig: () => Config): void {
  const key = cli
    .command('open311')
    .description('Open311 GeoReport v2')
    .command('key')
    .description('api_keys')
  key
    .command('add')
    .description('issue an api_key for an Open311 client and print it (only its hash is stored)')
    .requiredOption('--name <name>', 'who the key is for, e.g. the app')
    .action(async (o: { name: string }) => {
      await withPlatform(loadConfig(), async (p) => {
        const { key: k, info } = await p.open311.issueKey(o.name, 'cli')
        console.error(`Open311 key ${info.id} issued for "${info.name}"; it is shown only now:`)
        console.log(k)
      })
    })
  key
    .command('list')
    .description('list issued keys (never the keys themselves)')
    .action(async () => {
      await withPlatform(loadConfig(), async (p) => {
        for (const k of await p.open311.listKeys()) {
          const state = k.revokedAt ? `revoked ${new Date(k.revokedAt).toISOString()}` : 'active'
          console.log(`${k.id}  …${k.hint}  ${state}  ${k.name}`)
        }
      })
    })
  key
    .command('revoke')
    .description('revoke a key by its id')
    .argument('<id>')
    .action(async (id: string) => {
      await withPlatform(loadConfig(), async (p) => {
        await p.open311.revokeKey(id)
        console.log(`Open311 key ${id} revoked`)
      })
    })

  importCommand(cli)
    .command('open311')
    .description(
      'feed real service requests (GeoReport v2 JSON/XML, NYC 311 CSV/JSON) to the Open311 POST use case',
    )
    .argument('<files...>')
    .option('--mappings <file>', 'service type → catalog class table', DEFAULT_MAPPINGS_FILE)
    .option(
      '--source <name>',
      'the name the ids are unique in (default: from the mapping table, else the file name)',
    )
    .option(
      '--time-zone <tz>',
      'IANA zone of times without an offset (default: from the mapping table, else UTC)',
    )
    .option('--limit <n>', 'at most this many rows per file')
    .action(
      async (
        files: string[],
        o: { mappings: string; source?: string; timeZone?: string; limit?: string },
      ) => {
        if (o.timeZone && !validZone(o.timeZone)) {
          throw new Error(`--time-zone ${o.timeZone} is not an IANA time zone`)
        }
        const limit = o.limit === undefined ? undefined : Number(o.limit)
        if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
          throw new Error('--limit must be a whole number ≥ 1')
        }
        await withPlatform(loadConfig(), async (p) => {
          const mapping = await loadMappings(o.mappings, p.catalog)
          let imported = 0
          for (const file of files) {
            try {
              const s = await importOpen311File(
                file,
                { open311: p.open311, mapping },
                {
                  ...(o.source ? { source: o.source } : {}),
                  ...(o.timeZone ? { timeZone: o.timeZone } : {}),
                  ...(limit ? { limit } : {}),
                },
              )
              imported += s.imported
              console.log(formatSummary(s))
            } catch (e) {
              // one unreadable file does not stop the others
              console.error(`onegrid: ${(e as Error).message}`)
              process.exitCode = 1
            }
          }
          if (files.length > 1) {
            console.log(`imported ${imported} requests from ${files.length} files`)
          }
        })
      },
    )
}
