// Copies non-TypeScript files the built code reads at run time into dist/,
// next to the modules that load them (tsc only emits .js), and writes
// dist/build-info.json (the commit `nova-db --version` prints). Run by `npm run build`.
import { cpSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gitCommit } from './lib/git-commit.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** [source, destination] directories, relative to the repository root. */
const ASSETS = [
  // The migration runner finds its SQL relative to its own module (import.meta.url).
  ['main/core/schema/sql', 'dist/main/core/schema/sql'],
];

for (const [from, to] of ASSETS) {
  const source = join(root, from);
  const target = join(root, to);
  if (!existsSync(source)) {
    console.error(`copy-assets: ${from} does not exist`);
    process.exit(1);
  }
  // Replace, not merge: a migration deleted or renamed in the source must not
  // linger in dist, where the runner would still apply it.
  rmSync(target, { recursive: true, force: true });
  cpSync(source, target, { recursive: true });
  console.log(`copy-assets: ${from} -> ${to}`);
}

// Read by main/core/package-version.ts; 'unknown' outside a git checkout.
writeFileSync(
  join(root, 'dist', 'build-info.json'),
  `${JSON.stringify({ commit: gitCommit(root) })}\n`,
);
