/**
 * A full local disk while writing a backup (issue 13, defect 8): a real
 * tmpfs of 256 KiB as the backup folder and a PostgreSQL database of a few
 * MB. The failure must name this machine's disk (DISK_FULL, with a fix),
 * never blame PostgreSQL, and leave nothing behind in the folder — through
 * the built-in export, pg_dump, and the CLI's `backup --out`.
 *
 * Mounting needs root (CAP_SYS_ADMIN); where it is refused the suite is
 * skipped and says why.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../main/cli/run.js';
import { createBackup } from '../../../main/core/backup/run-backup.js';
import { createScratchDatabase, type ScratchDatabase } from '../../support/postgres.js';
import { novaFailure } from './helpers.js';

const root = mkdtempSync(path.join(tmpdir(), 'nova-disk-full-'));
const mnt = path.join(root, 'tiny');
mkdirSync(mnt);
let mounted = false;
let why = '';
try {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k,mode=0700', 'tmpfs', mnt], {
    stdio: 'pipe',
  });
  mounted = true;
} catch (err) {
  why = (err as { stderr?: Buffer }).stderr?.toString().trim() || String(err);
  console.warn(`disk-full suite skipped: cannot mount a tmpfs here (${why})`);
}

let db: ScratchDatabase;

beforeAll(async () => {
  if (!mounted) return;
  db = await createScratchDatabase('nova_i13b_full');
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  // ~4 MB of random hex: compresses to well over the 256 KiB the disk has.
  await client.query(`CREATE TABLE filler (id integer PRIMARY KEY, payload text);
    INSERT INTO filler SELECT g, md5(random()::text) || md5(random()::text) FROM generate_series(1, 60000) g`);
  await client.end();
}, 60_000);

afterAll(async () => {
  await db?.drop();
  if (mounted) execFileSync('umount', [mnt]);
  rmSync(root, { recursive: true, force: true });
});

describe.skipIf(!mounted)('a full local disk while writing a backup', () => {
  it.each(['driver', 'auto'] as const)(
    'is named as this machine’s disk, with a fix, and nothing is left (%s export)',
    async (method) => {
      const backupDir = path.join(mnt, `backups-${method}`);
      const err = await novaFailure(
        createBackup({ backupDir, targets: { postgres: { url: db.url } }, postgresMethod: method }),
        'DISK_FULL',
      );
      expect(err.message).toContain(backupDir);
      expect(err.message).toMatch(/disk .* is full/);
      expect(err.message).not.toMatch(/PostgreSQL/);
      expect(err.fix).toMatch(/Free space/);
      expect(readdirSync(backupDir)).toEqual([]);
    },
    60_000,
  );

  it('`backup --out` on the full disk says so on stderr with a fix line', async () => {
    const dataDir = path.join(root, 'data');
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    let stderr = '';
    const code = await runCli(['--data-dir', dataDir, 'backup', '--out', path.join(mnt, 'out')], {
      stdout: () => undefined,
      stderr: (s) => void (stderr += s),
      env: {
        NOVA_PROFILE: 'embedded',
        NOVA_POSTGRES_PROFILE: 'external',
        POSTGRES_URL: db.url,
        NOVA_LOG_LEVEL: 'error',
      },
      cwd: root,
      onShutdown: () => ({ stopped: new Promise(() => undefined), dispose: () => undefined }),
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(/nova-db: The backup could not be written: the disk holding .* is full/);
    expect(stderr).toMatch(/\nfix: Free space on that disk/);
    expect(stderr).not.toMatch(/Talking to PostgreSQL/);
  }, 60_000);
});
