/**
 * Where the compose files are. They ship at the package root (docs/ARCHITECTURE.md#packaging), so
 * they are found by walking up from this module to the directory holding
 * package.json — the same answer from the TypeScript sources (tests), from
 * dist/ and from an unpacked install. A packaged app whose resources live
 * elsewhere passes the path explicitly.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { assetLocation } from '../../asset-locations.js';
import { NovaError } from '../../errors.js';

/** dev: tools + default ports; prod: hardened, restart policy, explicit ports. */
export type ComposeStack = 'dev' | 'prod';

export const COMPOSE_FILE_NAMES: Readonly<Record<ComposeStack, string>> = {
  dev: 'docker-compose.yml',
  prod: 'docker-compose.prod.yml',
};

/**
 * Absolute path of the stack's compose file, searched upwards from `fromDir`
 * (default: this module). Without `fromDir`, an install that keeps them
 * elsewhere (the single binary, the desktop app's resources) is asked first
 * (main/core/asset-locations.ts).
 */
export function findComposeFile(stack: ComposeStack, fromDir?: string): string {
  const name = COMPOSE_FILE_NAMES[stack];
  const shipped = fromDir === undefined ? assetLocation('composeDir') : undefined;
  if (shipped !== undefined) {
    const file = path.join(shipped, name);
    if (existsSync(file)) return file;
    throw new NovaError('INTERNAL', `The compose file ${name} is missing from ${shipped}.`, {
      fix: `Reinstall nova-db; the installation is missing ${name}.`,
    });
  }
  const start = path.resolve(fromDir ?? path.dirname(fileURLToPath(import.meta.url)));
  const searched: string[] = [];
  let dir = start;
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) {
      const candidate = path.join(dir, name);
      if (existsSync(candidate)) return candidate;
      searched.push(dir);
    }
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new NovaError(
    'INTERNAL',
    `The compose file ${name} was not found next to the application (searched ${searched.length > 0 ? searched.join(', ') : `upwards from ${start}`}).`,
    { fix: `Reinstall nova-db, or give the Docker provider the absolute path of ${name}.` },
  );
}
