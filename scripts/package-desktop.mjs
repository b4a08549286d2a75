// `npm run package:desktop [-- <electron-builder options>]`: the desktop
// installers for this operating system (electron-builder.yml: AppImage + deb
// on Linux, NSIS on Windows, dmg on macOS) into release/desktop/.
//
// electron-builder compiles better-sqlite3 for the packaged Electron (its
// ABI differs from Node.js's) IN PLACE, in this checkout's node_modules,
// which would leave `npm test` and the `nova-db` CLI with a module Node.js
// cannot load. The Node.js build is set aside first and put back afterwards,
// whatever electron-builder's outcome. Needs network access to Electron's
// downloads (the Electron binary and its headers); see README "Install".
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const addon = join(root, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node');
const cli = createRequire(import.meta.url).resolve('electron-builder/cli.js');

const saved = existsSync(addon)
  ? join(mkdtempSync(join(tmpdir(), 'nova-node-addon-')), 'better_sqlite3.node')
  : null;
if (saved) copyFileSync(addon, saved);
let status = 1;
try {
  const args = process.argv.slice(2);
  const r = spawnSync(process.execPath, [cli, '--publish', 'never', ...args], {
    cwd: root,
    stdio: 'inherit',
  });
  status = r.status ?? 1;
} finally {
  if (saved) {
    // Only when it changed: rewriting an unchanged file would briefly
    // truncate a module other processes may be loading.
    if (!existsSync(addon) || !readFileSync(addon).equals(readFileSync(saved))) {
      rmSync(addon, { force: true });
      copyFileSync(saved, addon);
      console.log('package-desktop: put back the Node.js build of better-sqlite3 in node_modules');
    }
    rmSync(dirname(saved), { recursive: true, force: true });
  }
}
process.exit(status);
