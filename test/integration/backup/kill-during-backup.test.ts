/**
 * A backup killed half-way (SIGKILL: no cleanup code runs) is never listed
 * as good: the real CLI runs as a child process on a big database, is
 * killed while its part is being written, and `nova-db backups` then shows
 * no backup, only a stale interrupted folder — which the next backup removes.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listBackups } from '../../../main/core/backup/backup-store.js';
import { runCliCaptured } from '../../support/run-cli-captured.js';
import { buildMainForChild } from './child-build.js';
import { useTempDirs } from '../../support/temp-dirs.js';

const tempDir = useTempDirs('nova-backup-test-');
let build: ReturnType<typeof buildMainForChild>;

beforeAll(() => {
  build = buildMainForChild(`backup-kill-${process.pid}`);
});

afterAll(() => build?.remove());

/** The environment minus Nova settings of the machine running the tests. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(NOVA_|POSTGRES_|MONGODB_|REDIS_|SQLITE_)/.test(k)) env[k] = v;
  }
  return { ...env, NOVA_PROFILE: 'embedded' };
}

function cli(args: string[], cwd: string) {
  return runCliCaptured(args, { env: { NOVA_PROFILE: 'embedded' }, cwd });
}

/** Waits until `check` returns a value, polling quickly; fails after `ms`. */
async function waitFor<T>(check: () => T | undefined, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('a backup killed half-way', () => {
  it('is never listed as good, and the next backup cleans it up', async () => {
    const root = await tempDir();
    const dataDir = path.join(root, 'data');
    await mkdir(dataDir);
    // ~48 MB of incompressible rows: gzip takes long enough to be caught mid-part.
    const db = new Database(path.join(dataDir, 'nova.sqlite'));
    db.exec(`CREATE TABLE big (id INTEGER PRIMARY KEY, payload BLOB);
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 48000)
      INSERT INTO big SELECT i, randomblob(1000) FROM n;`);
    db.close();
    const backupDir = path.join(dataDir, 'backups');

    const child = spawn(
      process.execPath,
      [path.join(build.outDir, 'main', 'cli', 'index.js'), '--data-dir', dataDir, 'backup'],
      {
        cwd: root,
        env: cleanEnv(),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.once('exit', (_c, signal) => resolve(signal)),
    );

    // Kill once the part file exists inside the partial folder, i.e. while it is being written.
    const partial = await waitFor(() => {
      if (child.exitCode !== null)
        throw new Error(`the backup finished before it could be killed: ${stderr}`);
      if (!existsSync(backupDir)) return undefined;
      const dir = readdirSync(backupDir).find((n) => n.endsWith('.partial'));
      return dir && existsSync(path.join(backupDir, dir, 'sqlite.db.gz')) ? dir : undefined;
    }, 20_000);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    const listing = await listBackups(backupDir);
    expect(listing.backups).toEqual([]);
    expect(listing.invalid).toEqual([]);
    expect(listing.partials).toMatchObject([
      { name: partial.replace(/^\.|\.partial$/g, ''), stale: true },
    ]);

    const listed = await cli(['--data-dir', dataDir, '--json', 'backups'], root);
    expect(listed.code, listed.stderr).toBe(0);
    const json = JSON.parse(listed.stdout) as {
      backups: unknown[];
      partials: { stale: boolean }[];
    };
    expect(json.backups).toEqual([]);
    expect(json.partials.map((p) => p.stale)).toEqual([true]);

    const again = await cli(['--data-dir', dataDir, '--json', 'backup'], root);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ cleanedPartials: [partial] });
    const after = await listBackups(backupDir);
    expect(after.backups).toHaveLength(1);
    expect(after.partials).toEqual([]);
  });
});
