/**
 * Entry of the single-binary server (`release/nova-db-linux-x64`, built by
 * `npm run package:server`): a Node.js single executable whose one bundled
 * script is this module and everything it imports. It tells the code where
 * the bundled files are — unpacked on first use into a private cache
 * directory (asset-cache.ts) — and then runs the same CLI as the `nova-db`
 * command.
 */
import { getAsset, isSea } from 'node:sea';
import path from 'node:path';
import { registerAssetLocations } from '../core/asset-locations.js';
import { runCli } from '../cli/run.js';
import { usePrivateFileModes } from '../core/config/private-files.js';
import { assetCacheRoot, unpackAssets, type AssetManifest } from './asset-cache.js';

/** The asset holding the list of all the others (written by scripts/package-server.mjs). */
export const MANIFEST_KEY = 'manifest.json';

if (!isSea()) {
  process.stderr.write('nova-db: sea-main runs only inside the single binary.\n');
  process.exit(1);
}

registerAssetLocations(() => {
  const manifest = JSON.parse(getAsset(MANIFEST_KEY, 'utf8')) as AssetManifest;
  const dir = unpackAssets(manifest, (key) => new Uint8Array(getAsset(key)), assetCacheRoot());
  return {
    sqliteAddon: path.join(dir, 'better_sqlite3.node'),
    sqlDir: path.join(dir, 'sql'),
    rendererDir: path.join(dir, 'renderer'),
    composeDir: path.join(dir, 'compose'),
    serviceUnit: path.join(dir, 'nova-db.service'),
  };
});

// As in main/cli/index.ts (private file modes first); no top-level await in a CommonJS bundle.
usePrivateFileModes();
void runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
  setTimeout(() => process.exit(code), 2_000).unref();
});
