import { readFile } from 'node:fs/promises'
import { basename } from 'node:path'
import type { Catalog } from '../../core/catalog/catalog.types.ts'

/** Where a file comes from: the name its ids are unique in, and the zone of its offset-less times. */
export interface FileSource {
  readonly source: string
  readonly timeZone: string
}

/** data/open311/mappings.json, checked against the catalog. */
export interface ServiceMapping {
  /** the class for a type the tables do not list; none = such rows are skipped */
  readonly otherClass?: string
  readonly files: readonly (FileSource & { readonly match: string })[]
  /** 'open311' by service_name, 'nyc311' by 'type|descriptor' or 'type'; keys lower-cased */
  readonly tables: Readonly<Record<'open311' | 'nyc311', ReadonlyMap<string, string>>>
}

export const DEFAULT_MAPPINGS_FILE = 'data/open311/mappings.json'

/**
 * Read the mapping table; every class it names must be in the catalog (a typo would silently skip
 * rows). `otherClass` falls back to a catalog class whose name says "other", if there is one.
 */
export async function loadMappings(path: string, catalog: Catalog): Promise<ServiceMapping> {
  const json = JSON.parse(await readFile(path, 'utf8')) as {
    otherClass?: string | null
    files?: { match: string; source: string; timeZone: string }[]
    open311?: Record<string, string>
    nyc311?: Record<string, string>
  }
  const known = new Set(catalog.classes.map((c) => c.id))
  const problems: string[] = []
  const table = (name: 'open311' | 'nyc311') => {
    const m = new Map<string, string>()
    for (const [k, v] of Object.entries(json[name] ?? {})) {
      if (!known.has(v)) {
        problems.push(`${name}["${k}"]: ${v} is not a catalog class`)
      }
      m.set(k.toLowerCase(), v)
    }
    return m
  }
  const tables = { open311: table('open311'), nyc311: table('nyc311') }
  for (const f of json.files ?? []) {
    if (!validZone(f.timeZone)) {
      problems.push(`files: ${f.timeZone} is not a time zone`)
    }
  }
  if (json.otherClass && !known.has(json.otherClass)) {
    problems.push(`otherClass: ${json.otherClass} is not a catalog class`)
  }
  if (problems.length > 0) {
    throw new Error(`${path}:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
  }
  const other =
    json.otherClass ??
    catalog.classes.find((c) => c.name === '其他' || /^other\b/i.test(c.nameEn))?.id ??
    undefined
  return { ...(other ? { otherClass: other } : {}), files: json.files ?? [], tables }
}

/** The source and time zone of a file, from the first `files` entry its name contains. */
export function sourceOf(m: ServiceMapping, path: string): FileSource {
  const name = basename(path)
  const hit = m.files.find((f) => name.includes(f.match))
  return hit ?? { source: name.replace(/\.[^.]+$/, ''), timeZone: 'UTC' }
}

/** The catalog class for a foreign service type, or undefined when it has none. */
export function classFor(
  m: ServiceMapping,
  table: 'open311' | 'nyc311',
  type: string,
  descriptor?: string,
): string | undefined {
  const t = m.tables[table]
  const key = type.trim().toLowerCase()
  return (
    (descriptor ? t.get(`${key}|${descriptor.trim().toLowerCase()}`) : undefined) ??
    t.get(key) ??
    m.otherClass
  )
}

export function validZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz })
    return true
  } catch {
    return false
  }
}
