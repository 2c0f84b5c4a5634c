#!/usr/bin/env node
// `npm run bench -- <name> [args]`: runs bench/<name>.bench.ts's exported run(args). No name: lists them.
import { readdirSync } from 'node:fs'
import { register } from 'tsx/esm/api'

register()
const dir = new URL('../bench/', import.meta.url)
const names = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.replace(/\.bench\.ts$/, ''))
const [name, ...args] = process.argv.slice(2)
if (!name || !names.includes(name)) {
  console.error(`usage: npm run bench -- <${names.join('|')}>`)
  process.exit(name ? 1 : 0)
}
const mod = await import(new URL(`${name}.bench.ts`, dir).href)
await mod.run(args)
process.exit(0)
