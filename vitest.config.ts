import { defineConfig } from 'vitest/config'

/**
 * Two projects, run one after the other by `npm test`:
 * - `unit`: core, storage and API suites (storage/API loop over SQLite and, with TEST_DATABASE_URL, PostgreSQL);
 * - `process`: suites that start real OneGrid processes (kill -9 mid-stream, ingest workers, brokers),
 *   one file at a time so a loaded 2-core machine does not starve the processes they time.
 */
const PROCESS_SUITES = [
  'test/api/crash.test.ts',
  'test/sensing/ingest-workers.test.ts',
  'test/sensing/ingest-broker.test.ts',
]

export default defineConfig({
  test: {
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    env: { TZ: 'UTC' },
    allowOnly: false,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ['node_modules/**', 'test/e2e/**', ...PROCESS_SUITES],
        },
      },
      {
        extends: true,
        test: { name: 'process', include: PROCESS_SUITES, fileParallelism: false },
      },
    ],
  },
})
