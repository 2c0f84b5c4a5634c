#!/usr/bin/env node
// Build the web app when web/dist is missing or older than its sources (npm start runs this first).
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

function newest(dir) {
  let t = 0
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs)
  }
  return t
}

const built = 'web/dist/index.html'
const stale =
  !existsSync(built) ||
  statSync(built).mtimeMs < Math.max(newest('web/src'), statSync('web/index.html').mtimeMs)
if (stale || process.argv.includes('--force')) {
  console.log('building the web app (vite) …')
  execFileSync(
    process.execPath,
    ['node_modules/vite/bin/vite.js', 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'],
    {
      stdio: 'inherit',
    },
  )
}
