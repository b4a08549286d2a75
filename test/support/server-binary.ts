/**
 * Builds the single-binary server once (scripts/package-server.mjs into a
 * temporary folder, never the checkout's release/) and reports what it took.
 * Needs a full `npm run build` (dist/ including dist/renderer), which
 * `npm test` runs first.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const repo = path.resolve(import.meta.dirname, '../..');

export interface ServerBuild {
  dir: string;
  binary: string;
  tarball: string;
  version: string;
  seconds: number;
  binaryBytes: number;
  tarballBytes: number;
}

let built: ServerBuild | undefined;

export function buildServerBinary(): ServerBuild {
  if (built) return built;
  if (!existsSync(path.join(repo, 'dist', 'renderer', 'index.html')))
    throw new Error('dist/renderer is missing: run npm run build (npm test does) first');
  const dir = mkdtempSync(path.join(tmpdir(), 'nova-server-binary-'));
  const started = performance.now();
  const r = spawnSync(
    process.execPath,
    [path.join(repo, 'scripts', 'package-server.mjs'), '--out', dir],
    {
      cwd: repo,
      encoding: 'utf8',
    },
  );
  const seconds = (performance.now() - started) / 1000;
  if (r.status !== 0) throw new Error(`package-server failed:\n${r.stdout}\n${r.stderr}`);
  const version = (
    JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')) as {
      version: string;
    }
  ).version;
  const binary = path.join(dir, 'nova-db-linux-x64');
  const tarball = path.join(dir, `nova-db-${version}-linux-x64.tar.gz`);
  built = {
    dir,
    binary,
    tarball,
    version,
    seconds,
    binaryBytes: statSync(binary).size,
    tarballBytes: statSync(tarball).size,
  };
  return built;
}
