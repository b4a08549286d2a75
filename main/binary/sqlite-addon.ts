/**
 * The single binary's stand-in for the `bindings` package, through which
 * better-sqlite3 finds its compiled module: scripts/package-server.mjs
 * points `require('bindings')` here. bindings searches node_modules next to
 * the calling file, which does not exist inside an executable; this loads
 * the copy unpacked into the cache directory instead (main/core/asset-locations.ts).
 */
import { assetLocation } from '../core/asset-locations.js';
import { NovaError } from '../core/errors.js';

let loaded: unknown;

export function loadSqliteAddon(): unknown {
  if (loaded !== undefined) return loaded;
  const file = assetLocation('sqliteAddon');
  if (!file) {
    throw new NovaError(
      'NATIVE_MODULE_FAILED',
      'This nova-db binary has no SQLite engine bundled.',
      {
        fix: 'Download the nova-db binary again; this one was not built by npm run package:server.',
      },
    );
  }
  const module = { exports: {} as unknown };
  process.dlopen(module, file);
  loaded = module.exports;
  return loaded;
}
