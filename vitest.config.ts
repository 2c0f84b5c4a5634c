import { defineConfig } from 'vitest/config'

// Two projects: `unit` (everything, SQLite by default) and `pg` (storage + API suites on PostgreSQL).
// Storage suites loop over the dialects in `test/helpers/databases.ts`; PostgreSQL joins when TEST_DATABASE_URL is set.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['node_modules/**', 'test/e2e/**'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    env: { TZ: 'UTC' },
    allowOnly: false,
  },
})
