import { existsSync } from 'node:fs'
import type { Command } from 'commander'
import type { Config } from '../config.ts'
import type { LedgerProblem, VerifyReport } from '../core/ledger/ledger.types.ts'
import { FileAnchor } from '../ledger/anchor.ts'
import { exportLedgerFile, verifyLedgerFile } from '../ledger/export-file.ts'
import { UnitKeyStore } from '../ledger/keys.ts'
import { createLedgerService, type LedgerService } from '../services/ledger.service.ts'
import { openDatabase } from '../store/db.ts'
import * as repo from '../store/ledger.repository.ts'
import type { Kysely } from 'kysely'
import type { Database } from '../store/database.ts'

/**
 * `onegrid verify-ledger [--file F]`, `onegrid ledger export|checkpoint|rotate-key`.
 * They open only the database, the key folder and the anchor file: an auditor needs no city data.
 */
export function registerLedgerCommands(cli: Command, loadConfig: () => Config): void {
  cli
    .command('verify-ledger')
    .description(
      're-verify the hand-off ledger (database or exported file); exit 1 naming the first bad entry',
    )
    .option('--file <path>', 'verify an exported ledger file instead of the database')
    .action(async (o: { file?: string }) => {
      const config = loadConfig()
      const started = Date.now()
      let report: VerifyReport
      if (o.file) {
        const anchor = existsSync(config.ledgerAnchorFile)
          ? new FileAnchor(config.ledgerAnchorFile)
          : undefined
        const anchored = anchor ? (await anchor.list()).map((a) => a.checkpoint) : []
        report = await verifyLedgerFile(o.file, { minWitnesses: 1, extraCheckpoints: anchored })
      } else {
        report = await withLedger(config, true, (l) => l.verify())
      }
      print(report, o.file ?? config.databaseUrl, Date.now() - started)
      if (!report.ok) {
        process.exitCode = 1
      }
    })

  const ledger = cli.command('ledger').description('the tamper-evident hand-off ledger')
  ledger
    .command('export')
    .description('write the ledger (keys, checkpoints, entries) as one JSON-lines file for offline audit')
    .requiredOption('--out <path>')
    .action(async (o: { out: string }) => {
      await withLedger(loadConfig(), true, async (l, db) => {
        const r = await exportLedgerFile(o.out, {
          directory: { keys: await l.directory() },
          checkpoints: await repo.allCheckpoints(db),
          entries: pages(l),
        })
        console.log(`exported ${r.entries} entries to ${o.out}`)
      })
    })
  ledger
    .command('checkpoint')
    .description('sign, co-sign and anchor a checkpoint over every entry now')
    .action(async () => {
      await withLedger(loadConfig(), false, async (l) => {
        const cp = await l.checkpoint()
        console.log(
          cp
            ? `checkpoint of ${cp.treeSize} entries, root ${cp.rootHash}, witnesses ${cp.witnesses.map((w) => w.unitId).join(', ')}`
            : 'nothing new to checkpoint',
        )
      })
    })
  ledger
    .command('rotate-key')
    .description("retire a unit's ledger key now and issue a new one (old signatures keep verifying)")
    .requiredOption('--unit <unitId>', 'unit id, or "platform"')
    .action(async (o: { unit: string }) => {
      await withLedger(loadConfig(), false, async (l) => {
        const k = await l.rotateKey(o.unit, Date.now())
        console.log(`unit ${o.unit}: new key ${k.keyId} valid from ${new Date(k.validFrom).toISOString()}`)
        console.log('restart running OneGrid processes so they sign with the new key')
      })
    })
}

async function withLedger<T>(
  config: Config,
  readOnly: boolean,
  fn: (l: LedgerService, db: Kysely<Database>) => Promise<T>,
): Promise<T> {
  const db = await openDatabase(
    config.databaseUrl,
    config.databaseSchema ? { schema: config.databaseSchema } : {},
  )
  try {
    const keys =
      readOnly && !existsSync(config.ledgerKeysDir)
        ? UnitKeyStore.inMemory()
        : await UnitKeyStore.open(config.ledgerKeysDir)
    const anchorThere = !readOnly || existsSync(config.ledgerAnchorFile)
    const ledger = await createLedgerService({
      db: db.kysely,
      clock: () => Date.now(),
      keys,
      readOnly,
      signing: config.ledgerSigning,
      ...(anchorThere ? { anchor: new FileAnchor(config.ledgerAnchorFile) } : {}),
    })
    return await fn(ledger, db.kysely)
  } finally {
    await db.close()
  }
}

async function* pages(l: LedgerService) {
  for (let from = 0; ;) {
    const page = await l.entries(from, 5000)
    yield* page
    if (page.length < 5000) {
      return
    }
    from = page[page.length - 1].seq + 1
  }
}

function describe(p: LedgerProblem): string {
  const where = [
    p.seq !== undefined ? `seq ${p.seq}` : undefined,
    p.caseId ? `case ${p.caseId}` : undefined,
    p.action ? `action ${p.action}` : undefined,
    p.treeSize !== undefined ? `checkpoint ${p.treeSize}` : undefined,
  ].filter(Boolean)
  const diff =
    p.expected !== undefined
      ? `\n      expected ${p.expected}\n      found    ${p.actual ?? '(nothing)'}`
      : ''
  return `[${p.kind}] ${where.join(', ')}: ${p.message}${diff}`
}

function print(r: VerifyReport, source: string, ms: number): void {
  const head = `${source}: ${r.entries} entries, ${r.checkpoints} checkpoints, root ${r.rootHash} (${ms} ms)`
  if (r.ok) {
    console.log(`${head}\nledger OK`)
    return
  }
  console.error(`${head}\nledger FAILED: ${r.problems.length} problem(s)`)
  if (r.firstBadEntry) {
    console.error(`first bad entry: ${describe(r.firstBadEntry)}`)
  }
  for (const p of r.problems.slice(0, 20)) {
    console.error(`  - ${describe(p)}`)
  }
}
