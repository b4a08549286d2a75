/**
 * The appliance's version and the git commit it was built from (`--version`,
 * backup manifests, the runtime). The single binary has both compiled in
 * (scripts/package-server.mjs defines NOVA_BUILD_INFO). Everywhere else the
 * version comes from the package.json named nova-database-appliance, found
 * by walking up from this module (its depth differs between main/core and
 * dist/main/core), and the commit from dist/build-info.json next to it,
 * which `npm run build` writes (scripts/copy-assets.mjs).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

interface BuildInfo {
  version: string;
  commit: string;
}

/** Replaced by a literal in the single binary's bundle; undeclared everywhere else. */
declare const NOVA_BUILD_INFO: BuildInfo | undefined;

function compiledIn(): BuildInfo | undefined {
  return typeof NOVA_BUILD_INFO === 'undefined' ? undefined : NOVA_BUILD_INFO;
}

let cachedRoot: string | null | undefined;

/** The directory holding this appliance's package.json, or null (the single binary has none). */
export function packageRoot(): string | null {
  if (compiledIn()) return null;
  if (cachedRoot !== undefined) return cachedRoot;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
        name?: string;
      };
      if (pkg.name === 'nova-database-appliance') return (cachedRoot = dir);
    } catch {
      // no package.json here; keep walking
    }
    const parent = path.dirname(dir);
    if (parent === dir) return (cachedRoot = null);
    dir = parent;
  }
}

function readJson(file: string): Record<string, unknown> | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
}

let cachedVersion: string | null | undefined;

/** The package version (read once), or `fallback` when no package.json is found above this module. */
export function packageVersion(fallback = '0.0.0'): string {
  const built = compiledIn();
  if (built) return built.version;
  if (cachedVersion === undefined) {
    const root = packageRoot();
    const version = root ? readJson(path.join(root, 'package.json'))?.version : undefined;
    cachedVersion = typeof version === 'string' && version !== '' ? version : null;
  }
  return cachedVersion ?? fallback;
}

/** The commit this build came from (`-dirty` when the tree had changes), or 'unknown'. */
export function buildCommit(): string {
  const built = compiledIn();
  if (built) return built.commit;
  const root = packageRoot();
  const commit = root ? readJson(path.join(root, 'dist', 'build-info.json'))?.commit : undefined;
  return typeof commit === 'string' && commit !== '' ? commit : 'unknown';
}
