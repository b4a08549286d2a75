// Runs a TypeScript benchmark script: bundles it with esbuild (installed with
// vite/vitest) into a temporary ES module — dependencies stay external — and
// imports it. Benchmarks are scripts, not tests (docs/ARCHITECTURE.md#tests), but they share
// the test fixtures, which are TypeScript.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const entry = process.argv[2];
if (!entry) {
  console.error('usage: node bench/run-ts.mjs <script.ts> [args…]');
  process.exit(2);
}
// Inside node_modules, so the bundle's bare imports resolve to this checkout's packages.
const cache = join(process.cwd(), 'node_modules', '.cache');
mkdirSync(cache, { recursive: true });
const out = mkdtempSync(join(cache, 'nova-bench-'));
const file = join(out, 'bench.mjs');
try {
  await build({
    entryPoints: [resolve(entry)],
    outfile: file,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'inline',
    logLevel: 'warning',
  });
  // The script sees its own arguments at process.argv[2…], as if run directly.
  process.argv.splice(2, 1);
  await import(pathToFileURL(file).href);
} finally {
  rmSync(out, { recursive: true, force: true });
}
