// @ts-check
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['node_modules/**', 'web/dist/**', 'dist/**', 'data/**', 'bin/**', '**/*.js', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      curly: ['error', 'all'],
      // Fastify plugins and handlers are async by contract even when they await nothing
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // The core is pure: no framework, driver, node:* module or clock.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'fs', 'path', 'crypto', 'os'],
              message: 'src/core is pure: no node modules.',
            },
            {
              group: ['fastify*', 'kysely*', 'better-sqlite3', 'pg', 'mqtt', 'aedes', '@nats-io/*'],
              message: 'src/core is pure: no frameworks or drivers.',
            },
            {
              group: [
                '**/services/**',
                '**/store/**',
                '**/http/**',
                '**/ingest/**',
                '**/live/**',
                '**/jobs/**',
                '**/cli/**',
              ],
              message: 'src/core depends on nothing outside core.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'Date', message: 'src/core takes now as an argument.' },
        { name: 'process', message: 'src/core reads no environment.' },
      ],
    },
  },
  {
    // migrations are frozen in time: they see the database as Kysely<any>, never the app's types
    files: ['src/store/migrations/**/*.ts', 'src/store/migrate.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', '**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
)
