/**
 * A verify killed during its trial restore (issue 13, defect 5): the real
 * CLI runs `verify` on an encrypted PostgreSQL backup as a child process and
 * is SIGKILLed while the decrypted dump sits on disk and its scratch
 * database exists. The plaintext must have been inside the private data
 * directory (never the shared temp folder), and the next verify removes both
 * leftovers before doing anything else.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackup } from '../../../main/core/backup/run-backup.js';
import { verifyBackup } from '../../../main/core/backup/verify-backup.js';
import {
  createScratchDatabase,
  withAdminClient,
  type ScratchDatabase,
} from '../../support/postgres.js';
import { useTempDirs } from '../../support/temp-dirs.js';
import { buildMainForChild } from './child-build.js';
import { TEST_KDF } from './helpers.js';

const tempDir = useTempDirs('nova-verify-leftovers-');
const PASS = 'correct horse battery';
let build: ReturnType<typeof buildMainForChild>;
let db: ScratchDatabase;

beforeAll(async () => {
  build = buildMainForChild(`verify-kill-${process.pid}`);
  db = await createScratchDatabase('nova_i13b_verify');
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  // ~60 MB of text: the trial restore takes long enough to be caught half-way.
  await client.query(`CREATE TABLE big (id integer PRIMARY KEY, payload text);
    INSERT INTO big SELECT g, repeat(md5(g::text), 8) FROM generate_series(1, 250000) g`);
  await client.end();
}, 120_000);

afterAll(async () => {
  build?.remove();
  await db?.drop();
});

function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(NOVA_|POSTGRES_|MONGODB_|REDIS_|SQLITE_)/.test(k)) env[k] = v;
  }
  return { ...env, ...extra };
}

async function scratchDatabases(): Promise<string[]> {
  return withAdminClient(async (c) =>
    (
      await c.query<{ datname: string }>(
        "SELECT datname FROM pg_database WHERE datname LIKE 'nova\\_verify\\_%'",
      )
    ).rows.map((r) => r.datname),
  );
}

/** Scratch folders of verify that hold a decrypted part, wherever they are. */
function plaintextFolders(dataDir: string): string[] {
  const found: string[] = [];
  for (const root of [path.join(dataDir, 'tmp'), tmpdir()]) {
    if (!existsSync(root)) continue;
    for (const name of readdirSync(root)) {
      if (!name.startsWith('nova-verify-')) continue;
      const dir = path.join(root, name);
      try {
        if (readdirSync(dir).some((f) => f.endsWith('.plain'))) found.push(dir);
      } catch {
        // gone in between
      }
    }
  }
  return found;
}

describe('a verify killed during its trial restore', () => {
  it('kept the plaintext private, and the next verify removes what it left', async () => {
    const root = await tempDir();
    const dataDir = path.join(root, 'data');
    await mkdir(dataDir, { mode: 0o700 });
    const target = { url: db.url };
    const made = await createBackup({
      backupDir: path.join(dataDir, 'backups'),
      dataDir,
      targets: { postgres: target },
      passphrase: PASS,
      kdfCost: TEST_KDF,
    });
    const before = new Set(await scratchDatabases());

    const child = spawn(
      process.execPath,
      [
        path.join(build.outDir, 'main', 'cli', 'index.js'),
        '--data-dir',
        dataDir,
        'verify',
        made.path,
      ],
      {
        cwd: root,
        env: cleanEnv({
          NOVA_PROFILE: 'embedded',
          NOVA_POSTGRES_PROFILE: 'external',
          POSTGRES_URL: db.url,
          NOVA_BACKUP_PASSPHRASE: PASS,
        }),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));

    // Wait for the moment both leftovers exist: a decrypted part and a scratch database.
    let folders: string[] = [];
    let scratch: string[] = [];
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && child.exitCode === null) {
      folders = plaintextFolders(dataDir);
      scratch = (await scratchDatabases()).filter((n) => !before.has(n));
      if (folders.length > 0 && scratch.length > 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(child.exitCode, `verify finished before it could be killed: ${stderr}`).toBeNull();
    child.kill('SIGKILL');
    await exited;
    expect(folders.length).toBeGreaterThan(0);
    // The decrypted dump was in the data directory, in a folder only we can read.
    for (const dir of folders) {
      expect(dir.startsWith(path.join(dataDir, 'tmp') + path.sep), dir).toBe(true);
      expect(statSync(dir).mode & 0o077).toBe(0);
    }
    // SIGKILL ran no cleanup: both are still there.
    expect(folders.every((d) => existsSync(d))).toBe(true);
    expect((await scratchDatabases()).filter((n) => scratch.includes(n))).toEqual(scratch);

    const result = await verifyBackup(made.path, {
      passphrase: PASS,
      dataDir,
      scratch: { postgres: target },
    });
    expect(result.trialRestored).toBe(true);
    expect(folders.filter((d) => existsSync(d))).toEqual([]);
    expect((await scratchDatabases()).filter((n) => scratch.includes(n))).toEqual([]);
    expect(readdirSync(path.join(dataDir, 'tmp'))).toEqual([]);
  }, 180_000);
});
