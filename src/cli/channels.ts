import { readFile } from 'node:fs/promises'
import type { Command } from 'commander'
import type { Config } from '../config.ts'
import { parseHotlineCsv } from '../ingest/hotline/hotline-csv.ts'
import { parseOpinionLines } from '../ingest/opinion/opinion-lines.ts'
import { importCommand, withPlatform } from './shared.ts'

function tally(statuses: readonly string[]): string {
  const n = new Map<string, number>()
  for (const s of statuses) {
    n.set(s, (n.get(s) ?? 0) + 1)
  }
  return [...n].map(([s, k]) => `${s} ${k}`).join(', ')
}

/** `onegrid import hotline FILE` (12345 CSV export) and `onegrid import opinion FILE` (JSON lines). */
export function registerChannelCommands(cli: Command, loadConfig: () => Config): void {
  const imp = importCommand(cli)
  imp
    .command('hotline')
    .description(
      '12345 work orders from a UTF-8 CSV export (ticket_no, call_time, text, … see docs/channels.md)',
    )
    .argument('<file>')
    .action(async (file: string) => {
      const body = await readFile(file)
      await withPlatform(loadConfig(), async (p) => {
        const rows = await p.channels.hotline.importRows(parseHotlineCsv(body, p.clock()))
        for (const r of rows) {
          if (r.status === 'rejected') {
            console.error(`  ${r.reason}`)
          }
        }
        console.log(`${file}: ${rows.length} rows — ${tally(rows.map((r) => r.status))}`)
      })
    })
  imp
    .command('opinion')
    .description('public-opinion posts from a JSON-lines feed (e.g. data/opinion/sample.jsonl)')
    .argument('<file>')
    .action(async (file: string) => {
      const body = await readFile(file)
      await withPlatform(loadConfig(), async (p) => {
        const lines = parseOpinionLines(body, p.clock())
        for (const l of lines) {
          if ('reason' in l) {
            console.error(`  ${l.reason}`)
          }
        }
        const posts = lines.flatMap((l) => ('post' in l ? [l.post] : []))
        const out = await p.channels.opinion.ingest(posts)
        const rejected = lines.length - posts.length
        console.log(
          `${file}: ${lines.length} posts — ${tally(out.map((o) => o.status))}${rejected ? `, rejected ${rejected}` : ''}`,
        )
      })
    })
}
