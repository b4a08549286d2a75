/**
 * Where the compose files are. They ship at the package root (SPEC §10), so
 * they are found by walking up from this module to the directory holding
 * package.json — the same answer from the TypeScript sources (tests), from
 * dist/ and from an unpacked install. A packaged app whose resources live
 * elsewhere passes the path explicitly.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NovaError } from '../../errors.js';

/** dev: tools + default ports; prod: hardened, restart policy, explicit ports. */
export type ComposeStack = 'dev' | 'prod';

export const COMPOSE_FILE_NAMES: Readonly<Record<ComposeStack, string>> = {
  dev: 'docker-compose.yml',
  prod: 'docker-compose.prod.yml',
};

/** Absolute path of the stack's compose file, searched upwards from `fromDir`. */
export function findComposeFile(
  stack: ComposeStack,
  fromDir: string = path.dirname(fileURLToPath(import.meta.url)),
): string {
  const name = COMPOSE_FILE_NAMES[stack];
  const searched: string[] = [];
  let dir = path.resolve(fromDir);
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
    `The compose file ${name} was not found next to the application (searched ${searched.length > 0 ? searched.join(', ') : `upwards from ${fromDir}`}).`,
    { fix: `Reinstall nova-db, or give the Docker provider the absolute path of ${name}.` },
  );
}
