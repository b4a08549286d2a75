// Flat config: typescript-eslint's type-aware rules over every TS file, plus
// a layering rule: nothing under main/core may import electron (DESIGN.md).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'out/**',
      'node_modules/**',
      'coverage/**',
      'test/support/mongo/target/**',
      'release/**',
      '.tmp/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['main/core/**/*.ts', 'main/server/**/*.ts', 'main/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              message:
                'core, server and cli must not depend on Electron; put the wiring in main/electron.',
            },
          ],
        },
      ],
    },
  },
  {
    // The renderer talks only to the contract (DESIGN.md): no Node, no Electron, no main-process code.
    files: ['renderer/**/*.ts'],
    ignores: ['renderer/vite.config.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              message: 'The renderer reaches main only through the preload bridge.',
            },
          ],
          patterns: [
            { group: ['node:*'], message: 'The renderer runs in a sandboxed page without Node.' },
            {
              group: ['**/main/**', '../main/*'],
              message: 'Use shared-contract types, not main-process modules.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
