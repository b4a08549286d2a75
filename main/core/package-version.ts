/**
 * The appliance's version, from its own package.json. The module's depth
 * differs between source (main/core) and dist (dist/main/core), so walk up
 * until the package.json named nova-database-appliance.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | null | undefined;

function findVersion(): string | null {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'nova-database-appliance' && pkg.version) return pkg.version;
    } catch {
      // no package.json here; keep walking
    }
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/** The package version (read once), or `fallback` when no package.json is found above this module. */
export function packageVersion(fallback = '0.0.0'): string {
  if (cached === undefined) cached = findVersion();
  return cached ?? fallback;
}
