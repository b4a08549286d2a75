#!/usr/bin/env node
// Prints the import edges between the folders of main/core (and, with --all,
// between the top-level parts: main/core, main/cli, main/server,
// main/electron, shared-contract, renderer, preload). Type-only imports
// count: a type in the wrong folder is still a dependency in the wrong
// direction. Used to find the back-edges the layering rule in
// eslint.config.js forbids (docs/ARCHITECTURE.md "Layers"); run it after
// moving code to see the graph the rule now enforces.
//
//   node scripts/import-graph.mjs            folder → folder inside main/core, with counts
//   node scripts/import-graph.mjs --files    every file-level edge
//   node scripts/import-graph.mjs --all      the top-level parts instead of core folders
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const showFiles = args.has('--files');
const topLevel = args.has('--all');

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...walk(path));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

// import … from '…', export … from '…', import('…'), import '…'
const IMPORT_RE =
  /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g;

/** The folder a file belongs to for the graph, or null when it is outside. */
function groupOf(file) {
  const rel = relative(root, file).split(sep).join('/');
  if (topLevel) {
    for (const part of [
      'main/core',
      'main/cli',
      'main/server',
      'main/electron',
      'main/binary',
      'shared-contract',
      'renderer',
      'preload',
    ]) {
      if (rel === part || rel.startsWith(`${part}/`)) return part;
    }
    if (rel.startsWith('main/')) return rel; // main/index.ts, main/legacy.ts
    return null;
  }
  if (!rel.startsWith('main/core/')) return null;
  const rest = rel.slice('main/core/'.length);
  const slash = rest.indexOf('/');
  return slash === -1 ? '(core root)' : rest.slice(0, slash);
}

const sources = ['main', 'shared-contract', 'renderer', 'preload'].flatMap((d) =>
  walk(join(root, d)),
);
const folderEdges = new Map();
const fileEdges = [];
for (const file of sources) {
  const from = groupOf(file);
  if (from === null) continue;
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(IMPORT_RE)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (!spec || !spec.startsWith('.')) continue;
    const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
    const to = groupOf(target);
    if (to === null || to === from) continue;
    const key = `${from} -> ${to}`;
    folderEdges.set(key, (folderEdges.get(key) ?? 0) + 1);
    fileEdges.push(`${relative(root, file)} -> ${relative(root, target)}`);
  }
}

if (showFiles) {
  for (const e of fileEdges.sort()) console.log(e);
} else {
  for (const [k, n] of [...folderEdges].sort()) console.log(`${k}  (${n})`);
}
