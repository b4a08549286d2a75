// Flat config: typescript-eslint's rules over every TS file, plus the
// layering: which part of the program may import which (LAYERS below, checked
// by scripts/lint/layers-rule.mjs), no Electron outside main/electron, and a
// renderer that reaches main only through the contract. docs/ARCHITECTURE.md
// "Layers" explains the table; test/unit/lint/layers-rule.test.ts proves the
// rule is live.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { layersRule } from './scripts/lint/layers-rule.mjs';

/**
 * Every part of the program, by path prefix (most specific first; 'dir/*' is
 * the files directly in dir). A source file under main/, shared-contract/,
 * preload/ or renderer/ that matches no prefix is a lint error: place a new
 * folder here first.
 */
const PARTS = [
  // main/core, bottom to top.
  ['main/core/*', 'core/foundation'], // errors, logger, sql-types, package-version, …
  ['main/core/config/', 'core/foundation'],
  ['main/core/tasks/', 'core/foundation'],
  ['main/core/services/', 'core/services'],
  ['main/core/schema/', 'core/schema'],
  ['main/core/stores/legacy/', 'core/legacy-db'],
  ['main/core/stores/legacy-db.ts', 'core/legacy-db'],
  ['main/core/stores/', 'core/stores'],
  ['main/core/migrate/', 'core/migrate'],
  ['main/core/backup/', 'core/backup'],
  ['main/core/health/', 'core/health'],
  ['main/core/tray/', 'core/tray'],
  ['main/core/use-cases/', 'core/use-cases'],
  ['main/core/app/', 'core/app'],
  // The programs built on core, and the contract beneath everything.
  ['main/cli/', 'cli'],
  ['main/server/', 'server'],
  ['main/electron/', 'electron'],
  ['main/binary/', 'binary'],
  ['main/*', 'package entry'], // main/index.ts, main/legacy.ts: the npm package's exports
  ['shared-contract/', 'contract'],
  ['preload/', 'preload'],
  ['renderer/', 'renderer'],
];

const CORE = [
  'core/foundation',
  'core/services',
  'core/schema',
  'core/stores',
  'core/migrate',
  'core/legacy-db',
  'core/backup',
  'core/health',
  'core/tray',
  'core/use-cases',
  'core/app',
];

/** What each part may import besides itself. Anything not listed is an upward (or sideways) import. */
const LAYERS = {
  contract: [],
  'core/foundation': ['contract'],
  'core/services': ['core/foundation', 'contract'],
  'core/schema': ['core/foundation', 'contract'],
  'core/stores': ['core/foundation', 'core/services', 'core/schema', 'contract'],
  'core/migrate': ['core/foundation', 'core/schema', 'core/stores', 'contract'],
  // The legacy db derives legacy ↔ target names from the built-in migration plan.
  'core/legacy-db': [
    'core/foundation',
    'core/services',
    'core/schema',
    'core/stores',
    'core/migrate',
    'contract',
  ],
  'core/backup': ['core/foundation', 'core/services', 'core/stores', 'contract'],
  'core/health': ['core/foundation', 'core/services', 'core/stores', 'contract'],
  'core/tray': ['core/foundation', 'core/health', 'contract'],
  // Each use case composed once (migrate with its backup, verify, restore) for the CLI and the app.
  'core/use-cases': [
    'core/foundation',
    'core/services',
    'core/schema',
    'core/stores',
    'core/migrate',
    'core/backup',
    'core/health',
    'contract',
  ],
  'core/app': [...CORE, 'contract'],
  cli: [...CORE, 'server', 'contract'],
  server: [...CORE, 'contract'],
  electron: [...CORE, 'contract'],
  binary: [...CORE, 'cli'],
  'package entry': [...CORE],
  preload: ['contract'],
  renderer: ['contract'],
};

const nova = {
  rules: {
    layers: layersRule({
      root: import.meta.dirname,
      parts: PARTS,
      allowed: LAYERS,
      checked: ['main/', 'shared-contract/', 'preload/', 'renderer/'],
    }),
  },
};

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
    files: ['main/**/*.ts', 'shared-contract/**/*.ts', 'preload/**/*.ts', 'renderer/**/*.ts'],
    ignores: ['renderer/vite.config.ts'],
    plugins: { nova },
    rules: { 'nova/layers': 'error' },
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
    // The renderer talks only to the contract (docs/ARCHITECTURE.md#layers): no Node, no Electron, no main-process code.
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
