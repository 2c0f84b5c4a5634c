import { CompiledQuery, PostgresAdapter } from 'kysely'
import type { Kysely } from 'kysely'

/**
 * Multi-row INSERTs for the write paths that run per group commit (intake, rollups, ledger).
 * Kysely builds, validates and compiles a query tree per call, which for a 500-row INSERT costs
 * more than SQLite takes to run it; here the SQL text is built once per shape and reused, so the
 * driver's prepared-statement cache hits, and rows go in as flat parameter arrays.
 */
export interface BulkInsert<Row> {
  readonly table: string
  readonly columns: readonly string[]
  /** one row's values, in `columns` order */
  readonly values: (row: Row) => readonly unknown[]
  /** appended after the VALUES list: `on conflict … do update …` */
  readonly suffix?: string
}

/** Bound parameters per statement: under SQLite's 32,766 and PostgreSQL's 65,535. */
const MAX_PARAMETERS = 30_000
/** rows per statement at most */
const MAX_ROWS = 512

const texts = new Map<string, string>()

/**
 * Insert `rows` into `spec.table`: full statements of the largest power of two the parameter limit
 * allows, the rest in power-of-two pieces (300 rows: 256 + 32 + 8 + 4). Batch sizes vary with load;
 * this way a table has at most ten statement shapes, all of them staying prepared.
 */
export async function insertRows<DB, Row>(
  db: Kysely<DB>,
  spec: BulkInsert<Row>,
  rows: readonly Row[],
): Promise<void> {
  if (rows.length === 0) {
    return
  }
  const width = spec.columns.length
  const full = powerOfTwoAtMost(Math.min(MAX_ROWS, Math.floor(MAX_PARAMETERS / width)))
  const pg = db.getExecutor().adapter instanceof PostgresAdapter
  const shape = `${pg ? 'p' : 's'}\u0000${spec.table}\u0000${spec.columns.join(',')}\u0000${spec.suffix ?? ''}`
  for (let i = 0, n = 0; i < rows.length; i += n) {
    n = powerOfTwoAtMost(Math.min(full, rows.length - i))
    const params: unknown[] = new Array<unknown>(n * width)
    let p = 0
    for (let r = i; r < i + n; r++) {
      const values = spec.values(rows[r])
      for (let c = 0; c < width; c++) {
        params[p++] = values[c]
      }
    }
    await db.executeQuery(CompiledQuery.raw(insertText(spec, shape, n, pg), params))
  }
}

function powerOfTwoAtMost(n: number): number {
  return n < 1 ? 1 : 2 ** Math.floor(Math.log2(n))
}

function insertText(spec: BulkInsert<never>, shape: string, rows: number, pg: boolean): string {
  const key = `${shape}\u0000${rows}`
  let text = texts.get(key)
  if (text === undefined) {
    const width = spec.columns.length
    const tuples: string[] = []
    for (let r = 0; r < rows; r++) {
      const slots: string[] = []
      for (let c = 0; c < width; c++) {
        slots.push(pg ? `$${r * width + c + 1}` : '?')
      }
      tuples.push(`(${slots.join(', ')})`)
    }
    const columns = spec.columns.map((c) => `"${c}"`).join(', ')
    text = `insert into "${spec.table}" (${columns}) values ${tuples.join(', ')}${spec.suffix ? ` ${spec.suffix}` : ''}`
    texts.set(key, text)
  }
  return text
}

/**
 * `insertRows` for rows already shaped as table records (every record with the same columns, as a
 * row mapper gives them: absent values are null, never missing).
 */
export async function insertRecords<DB, Row extends object>(
  db: Kysely<DB>,
  table: string,
  records: readonly Row[],
): Promise<void> {
  if (records.length === 0) {
    return
  }
  const columns = Object.keys(records[0])
  const values = (r: Row) => columns.map((c) => (r as Readonly<Record<string, unknown>>)[c])
  await insertRows(db, { table, columns, values }, records)
}

const pgTexts = new Map<string, string>()

/**
 * A statement on a hot path, its SQL written once with `?` placeholders (numbered `$n` for
 * PostgreSQL): no query tree is built per call, and the prepared statement is reused.
 */
export async function runSql<DB, Row>(
  db: Kysely<DB>,
  text: string,
  params: readonly unknown[],
): Promise<Row[]> {
  let sql = text
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    sql = pgTexts.get(text) ?? ''
    if (!sql) {
      let n = 0
      sql = text.replace(/\?/g, () => `$${++n}`)
      pgTexts.set(text, sql)
    }
  }
  const result = await db.executeQuery<Row>(CompiledQuery.raw(sql, [...params]))
  return result.rows
}
