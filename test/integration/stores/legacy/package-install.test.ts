/**
 * The documented way to use the library works outside this repository: the
 * package is `npm pack`ed, installed into a scratch application, and both
 * entry points are imported there — `nova-database-appliance/legacy` (the
 * old `db`, used at once on a legacy file) and `nova-database-appliance`
 * (DatabaseFactory, which finds its packaged schema files). The `nova-db`
 * bin still starts from the installed package.
 *
 * Speed: the scratch install uses the npm cache (`--prefer-offline`) and
 * skips install scripts; the better-sqlite3 addon this checkout already built
 * is copied in instead of compiling it again (~16 s once the cache is warm).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { repo } from '../../cli/cli-process.js';
import { makeLegacyFile } from './backends.js';

const dir = mkdtempSync(join(tmpdir(), 'nova-package-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

it('installs from the packed tarball and serves both entry points', () => {
  // dist/ is built by the suite's global setup; --ignore-scripts skips `prepare` rebuilding it.
  execFileSync(npm, ['pack', '--ignore-scripts', '--pack-destination', dir], {
    cwd: repo,
    stdio: 'pipe',
  });
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'))!;
  const app = join(dir, 'app');
  mkdirSync(app);
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({ name: 'scratch-app', private: true, type: 'module' }),
  );
  execFileSync(
    npm,
    [
      'install',
      '--prefer-offline',
      '--ignore-scripts',
      '--no-audit',
      '--no-fund',
      join(dir, tarball),
    ],
    { cwd: app, stdio: 'pipe', timeout: 180_000 },
  );
  cpSync(
    join(repo, 'node_modules/better-sqlite3/build'),
    join(app, 'node_modules/better-sqlite3/build'),
    { recursive: true },
  );

  const legacyFile = makeLegacyFile(dir);
  const copy = join(dir, 'app-log.sqlite');
  copyFileSync(legacyFile, copy);
  writeFileSync(
    join(app, 'main.js'),
    `
import db, { LegacySqliteError } from 'nova-database-appliance/legacy';
import { DatabaseFactory, loadConfig, NovaError } from 'nova-database-appliance';

const out = {};
db.get('SELECT COUNT(*) AS userCount FROM users WHERE disabled = 0', (err, row) => {
  out.legacy = { err: err && err.message, row };
  db.run('INSERT INTO users (name, email) VALUES (?, ?)', ['Admin', 'admin@example.com'], async function (e) {
    out.duplicate = { code: e.code, errno: e.errno, message: e.message, isLegacyError: e instanceof LegacySqliteError };
    db.close();
    const { config } = await loadConfig({ env: { NOVA_PROFILE: 'embedded', SQLITE_FILE: 'fresh.sqlite', NOVA_DATA_DIR: process.cwd() } });
    const factory = new DatabaseFactory(config, { maintenanceIntervalMs: 0 });
    await factory.initialize();
    const { rows } = await factory.query('SELECT name FROM roles ORDER BY id');
    out.factory = rows.map((r) => r.name);
    out.novaError = typeof NovaError;
    await factory.close();
    console.log(JSON.stringify(out));
  });
});
`,
  );
  const run = spawnSync(process.execPath, ['main.js'], {
    cwd: app,
    encoding: 'utf8',
    timeout: 60_000,
    env: {
      PATH: process.env.PATH,
      NOVA_PROFILE: 'embedded',
      SQLITE_FILE: copy,
      NOVA_DATA_DIR: app,
    },
  });
  expect(run.status, run.stderr).toBe(0);
  expect(JSON.parse(run.stdout)).toEqual({
    legacy: { err: null, row: { userCount: expect.any(Number) } },
    duplicate: {
      code: 'SQLITE_CONSTRAINT',
      errno: 19,
      message: 'SQLITE_CONSTRAINT: UNIQUE constraint failed: users.email',
      isLegacyError: true,
    },
    factory: ['superadmin', 'admin', 'user'],
    novaError: 'function',
  });

  const version = spawnSync(
    process.execPath,
    ['node_modules/nova-database-appliance/bin/nova-db.js', '--version'],
    {
      cwd: app,
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  expect(version.status, version.stderr).toBe(0);
  expect(version.stdout).toMatch(/\d+\.\d+\.\d+/);
}, 240_000);
