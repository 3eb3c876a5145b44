// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Modules that must never be imported by workflow code (Temporal's deterministic sandbox). */
const SANDBOX_BANNED = [
  'node:*',
  'fs',
  'fs/*',
  'path',
  'os',
  'crypto',
  'http',
  'https',
  'net',
  'child_process',
  'stream',
  'undici',
  'zod',
  'csv-parse',
  'csv-parse/*',
  '@temporalio/activity',
  '@temporalio/client',
  '@temporalio/worker',
  '@temporalio/testing',
];

/**
 * Our own folders and modules that are not sandbox-safe (Node, undici, zod, the Temporal client or worker), as the
 * relative paths code in src/workflows/ or src/shared/ would reach them by: `../providers/…`, `../config.js`.
 */
const NON_SANDBOX_SOURCES = [
  'activities',
  'cli',
  'manifest',
  'providers',
  'schedules',
  'simulator',
  'storage',
  'temporal',
  'webhooks',
  'client',
  'config',
  'logging',
  'worker',
];
const NON_SANDBOX_RELATIVE = `^(?:\\.\\./)+(?:${NON_SANDBOX_SOURCES.join('|')})(?:/|\\.js$|$)`;

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      '.temporal/**',
      '.durabatch/**',
      'coverage/**',
      'bin/**',
      'scripts/**/*.mjs',
      'demo-results/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/only-throw-error': 'off',
    },
  },
  {
    // Workflows run in Temporal's sandbox, and src/shared is imported by them. Tests run in Node, not the sandbox.
    files: ['src/workflows/**/*.ts', 'src/shared/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: SANDBOX_BANNED,
              allowTypeImports: true,
              message:
                'Workflow code runs in Temporal’s sandbox: import only @temporalio/workflow, src/shared and types.',
            },
            {
              regex: NON_SANDBOX_RELATIVE,
              allowTypeImports: true,
              message:
                'Workflow code runs in Temporal’s sandbox: from our own non-sandbox code (activities, providers, config, …) import only types (`import type`).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
