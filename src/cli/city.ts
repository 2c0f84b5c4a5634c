import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import type { Command } from 'commander'
import { parse } from 'csv-parse/sync'
import type { Config } from '../config.ts'
import { calendarFromCsv } from '../core/calendar/calendar-import.ts'
import { parseCalendar } from '../core/calendar/calendar.ts'
import { formatLintTable, parseDutyRules } from '../core/duty/index.ts'
import type { DomainError } from '../core/errors.ts'
import { importRegionsFile } from '../geo/load-regions.ts'
import type { Platform } from '../platform.ts'
import { evalFromCsv, trainFromCsv } from '../triage/train-cli.ts'
import { importCommand } from './shared.ts'

type WithPlatform = <T>(fn: (p: Platform) => Promise<T>) => Promise<T>

function explain(e: DomainError): string {
  const details = Array.isArray(e.details)
    ? (e.details as unknown[]).map((d) => `  - ${typeof d === 'string' ? d : JSON.stringify(d)}`)
    : []
  return [`${e.code}: ${e.message}`, ...details].join('\n')
}

/** `onegrid duty …`, `import regions`, `calendar import`, `train`, `eval`: the city's own data. */
export function registerCityCommands(cli: Command, config: () => Config, withPlatform: WithPlatform): void {
  const duty = cli.command('duty').description('the responsibility list (责任清单)')
  duty
    .command('lint')
    .description(
      'overlaps (two rules claim the same class and place equally) and gaps (class × street with no owner)',
    )
    .option('--file <file>', 'a rule set file instead of the active one')
    .option('--json', 'print { "overlaps": [...], "gaps": [...] }')
    .action(async (o: { file?: string; json?: boolean }) => {
      await withPlatform(async (p) => {
        let set = p.city.duty()
        if (o.file) {
          const r = parseDutyRules(JSON.parse(await readFile(o.file, 'utf8')))
          if (!r.ok) {
            throw new Error(explain(r.error))
          }
          set = r.value
        }
        const result = p.city.lint(set)
        console.log(
          o.json
            ? JSON.stringify({ overlaps: result.overlaps, gaps: result.gaps }, null, 2)
            : formatLintTable(result),
        )
        if (result.overlaps.length > 0) {
          process.exitCode = 1
        }
      })
    })
  duty
    .command('replay')
    .description('run a proposed rule set against past cases and list those that would have gone elsewhere')
    .argument('<file>', 'the proposed rule set (JSON)')
    .option('--limit <n>', 'how many recent cases', '10000')
    .action(async (file: string, o: { limit: string }) => {
      await withPlatform(async (p) => {
        const r = parseDutyRules(JSON.parse(await readFile(file, 'utf8')))
        if (!r.ok) {
          throw new Error(explain(r.error))
        }
        const result = await p.city.replay(r.value, Number(o.limit))
        for (const c of result.changed) {
          console.log(`${c.caseId}\t${c.from} → ${c.to}\t${c.why}`)
        }
        console.log(JSON.stringify(result.summary))
      })
    })

  // other slices add their own `import <what>` (open311, hotline …) to the same parent
  const imports = importCommand(cli)
  imports
    .command('regions')
    .description(
      'validate a GeoJSON region tree (closed rings, no self-intersection, overlaps, gaps) and install it',
    )
    .argument('<file>')
    .action(async (file: string) => {
      const r = await importRegionsFile(file)
      if (!r.ok) {
        throw new Error(explain(r.error))
      }
      const set = r.value
      const dir = join(config().dataDir, 'regions')
      await mkdir(dir, { recursive: true })
      const out = join(dir, basename(file))
      await writeFile(out, await readFile(file))
      console.log(
        `${file}: valid — ${set.districts.length} districts, ${set.streets.length} streets, ${set.communities.length} communities, ${set.grids.length} cells.\n` +
          `installed as ${out}; start with REGIONS_FILE=${out}`,
      )
    })

  cli
    .command('calendar')
    .description('working calendars')
    .command('import')
    .description('build a calendar from a CSV of date,type(holiday|workday),name on top of a base calendar')
    .argument('<csv>')
    .option('--base <file>', 'base calendar JSON (working hours, weekend)', 'data/calendars/cn-beijing.json')
    .requiredOption('--out <file>', 'where to write the calendar JSON')
    .action(async (csv: string, o: { base: string; out: string }) => {
      const base = parseCalendar(JSON.parse(await readFile(o.base, 'utf8')))
      if (!base.ok) {
        throw new Error(explain(base.error))
      }
      const rows: string[][] = parse(await readFile(csv, 'utf8'), { relax_column_count: true })
      const r = calendarFromCsv(rows, base.value)
      if (!r.ok) {
        throw new Error(explain(r.error))
      }
      await writeFile(o.out, JSON.stringify(r.value, null, 2))
      console.log(
        `${o.out}: ${r.value.holidays.length} holidays, ${r.value.workdays.length} make-up working days`,
      )
    })

  cli
    .command('train')
    .description(
      'train a text classifier from any CSV with a text and a label column (features and model chosen by cross-validation)',
    )
    .requiredOption('--csv <file>')
    .requiredOption('--text <column>')
    .requiredOption('--label <column>')
    .option('--title <column>')
    .requiredOption('--out <model>')
    .option('--folds <k>', 'cross-validation folds', '5')
    .option('--top-labels <n>', 'keep only the N most frequent labels')
    .action(
      async (o: {
        csv: string
        text: string
        label: string
        title?: string
        out: string
        folds: string
        topLabels?: string
      }) => {
        await trainFromCsv({
          csv: o.csv,
          textCol: o.text,
          labelCol: o.label,
          ...(o.title ? { titleCol: o.title } : {}),
          out: o.out,
          folds: Number(o.folds),
          ...(o.topLabels ? { topLabels: Number(o.topLabels) } : {}),
        })
      },
    )

  cli
    .command('eval')
    .description('accuracy, macro-F1 and the confusion matrix of a model on a labelled CSV')
    .requiredOption('--csv <file>')
    .requiredOption('--text <column>')
    .requiredOption('--label <column>')
    .option('--title <column>')
    .requiredOption('--model <model>')
    .option('--only-model-labels', 'score only rows whose label the model knows')
    .action(
      async (o: {
        csv: string
        text: string
        label: string
        title?: string
        model: string
        onlyModelLabels?: boolean
      }) => {
        await evalFromCsv({
          csv: o.csv,
          textCol: o.text,
          labelCol: o.label,
          ...(o.title ? { titleCol: o.title } : {}),
          model: o.model,
          ...(o.onlyModelLabels ? { onlyModelLabels: true } : {}),
        })
      },
    )
}
