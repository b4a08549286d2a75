/**
 * Suites that run the BUILT `nova-db` bin need `dist/`. Building once per
 * run, before any test file starts, keeps one file's rebuild from replacing
 * `dist/` under another file's running CLI (copy-assets deletes and rewrites
 * the SQL it copies). Skipped when `dist/` is newer than every source, as it
 * is right after `npm test`'s own build.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const entry = path.join(repo, 'dist', 'main', 'cli', 'index.js');
const SOURCES = ['main', 'shared-contract', path.join('scripts', 'copy-assets.mjs')];

function newestMtime(target: string): number {
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const name of readdirSync(target))
    newest = Math.max(newest, newestMtime(path.join(target, name)));
  return newest;
}

export function isBuildFresh(): boolean {
  if (!existsSync(entry)) return false;
  const built = statSync(entry).mtimeMs;
  return SOURCES.every(
    (s) => !existsSync(path.join(repo, s)) || newestMtime(path.join(repo, s)) <= built,
  );
}

export function buildOnce(): void {
  if (isBuildFresh()) return;
  // tsc emits even when a module elsewhere has a type error (the typecheck
  // step reports those), so the build is judged by its output.
  spawnSync(
    process.execPath,
    [path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: repo,
      stdio: 'ignore',
    },
  );
  if (!existsSync(entry)) throw new Error('the build did not produce dist/main/cli/index.js');
  const assets = spawnSync(process.execPath, [path.join(repo, 'scripts', 'copy-assets.mjs')], {
    cwd: repo,
    encoding: 'utf8',
  });
  if (assets.status !== 0) throw new Error(`copy-assets failed: ${assets.stderr}`);
}
