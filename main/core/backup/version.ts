/** The Nova DB version recorded in every manifest, read once from the package.json above this module. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function novaVersion(): string {
  if (cached !== undefined) return cached;
  // The depth differs between source and dist, so walk up until our package.json.
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'nova-database-appliance' && pkg.version) return (cached = pkg.version);
    } catch {
      // no package.json here; keep walking
    }
    const parent = path.dirname(dir);
    if (parent === dir) return (cached = 'unknown');
    dir = parent;
  }
}
