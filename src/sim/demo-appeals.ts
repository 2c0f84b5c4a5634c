import { readFile } from 'node:fs/promises'
import { parse } from 'csv-parse/sync'
import type { Catalog } from '../core/catalog/catalog.types.ts'

export interface DemoAppeal {
  readonly text: string
  readonly classId: string
}

/**
 * Realistic appeals for the demo city: the labelled complaint texts the classifier is trained on
 * (data/triage/labelled.csv), limited to classes the catalog has.
 */
export async function loadDemoAppeals(
  catalog: Catalog,
  path = 'data/triage/labelled.csv',
): Promise<DemoAppeal[]> {
  const rows: Record<string, string>[] = parse(await readFile(path, 'utf8'), {
    columns: true,
    skip_empty_lines: true,
  })
  const known = new Set(catalog.classes.map((c) => c.id))
  const out = rows.flatMap((r) =>
    r.text && r.label && known.has(r.label) ? [{ text: r.text, classId: r.label }] : [],
  )
  if (out.length === 0) {
    throw new Error(`${path}: no labelled appeal names a class of catalog ${catalog.version}`)
  }
  return out
}
