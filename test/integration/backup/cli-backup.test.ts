/**
 * `nova-db backup | verify | restore | backups` on the embedded profile (real
 * SQLite), run in-process with captured output: exit codes, --json shapes,
 * one-line reasons, --yes, passphrases from the environment, --prune.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runCliCaptured } from '../../support/run-cli-captured.js';
import { embeddedDataDir, flipByte, sqliteChecksums } from './helpers.js';
import { useTempDirs } from '../../support/temp-dirs.js';

const tempDir = useTempDirs('nova-backup-test-');

const setup = async () => embeddedDataDir(await tempDir());

async function cli(root: string, args: string[], env: Record<string, string> = {}) {
  const run = await runCliCaptured(args, {
    env: { NOVA_PROFILE: 'embedded', NOVA_LOG_LEVEL: 'warn', ...env },
    cwd: root,
  });
  return { ...run, json: () => JSON.parse(run.stdout) as Record<string, unknown> };
}

describe('nova-db backup commands', () => {
  it('backs up, lists, verifies and restores with --json', async () => {
    const { root, dataDir, file } = await setup();
    const before = sqliteChecksums(file);
    const made = await cli(root, ['--data-dir', dataDir, '--json', 'backup']);
    expect(made.code, made.stderr).toBe(0);
    const summary = made.json() as {
      name: string;
      path: string;
      encrypted: boolean;
      parts: { name: string }[];
    };
    expect(summary).toMatchObject({ encrypted: false, parts: [{ name: 'sqlite.db.gz' }] });
    expect(summary.path).toBe(path.join(dataDir, 'backups', summary.name));

    const listed = await cli(root, ['--data-dir', dataDir, '--json', 'backups']);
    expect(listed.code).toBe(0);
    expect(listed.json()).toMatchObject({
      backups: [{ name: summary.name, verified: false, encrypted: false }],
      partials: [],
      invalid: [],
    });

    // By name (as listed) or by path.
    const verified = await cli(root, ['--data-dir', dataDir, '--json', 'verify', summary.name]);
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.json()).toMatchObject({
      ok: true,
      trialRestored: true,
      parts: [{ name: 'sqlite.db.gz', trialRestore: 'ok' }],
    });
    expect((await cli(root, ['--data-dir', dataDir, '--json', 'backups'])).json()).toMatchObject({
      backups: [{ verified: true }],
    });

    const db = new Database(file);
    db.exec('DELETE FROM users');
    db.close();
    const restored = await cli(root, [
      '--data-dir',
      dataDir,
      '--json',
      'restore',
      summary.path,
      '--yes',
    ]);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.json()).toMatchObject({
      name: summary.name,
      restored: [{ service: 'sqlite' }],
    });
    expect(sqliteChecksums(file)).toEqual(before);
  });

  it('prints human-readable results without --json', async () => {
    const { root, dataDir } = await setup();
    const made = await cli(root, ['--data-dir', dataDir, 'backup']);
    expect(made.code).toBe(0);
    expect(made.stdout).toMatch(
      /^Backup \S+ written to .*\n {2}sqlite\.db\.gz: \d+ tables\/collections/,
    );
    const listed = await cli(root, ['--data-dir', dataDir, 'backups']);
    expect(listed.stdout).toMatch(
      /Backups in .* \(newest first\):\n {2}\S+ {2}[\d.]+ \w+ {2}manual, not verified/,
    );
  });

  it('refuses a restore without --yes with a one-line reason naming the flag', async () => {
    const { root, dataDir, file } = await setup();
    const made = (await cli(root, ['--data-dir', dataDir, '--json', 'backup'])).json() as {
      path: string;
    };
    const before = sqliteChecksums(file);
    const r = await cli(root, ['--data-dir', dataDir, 'restore', made.path]);
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(2);
    expect(r.stderr).toMatch(
      /^nova-db: A restore replaces the current contents.*\nfix: Run it again with --yes/,
    );
    const j = await cli(root, ['--data-dir', dataDir, '--json', 'restore', made.path]);
    expect(j.json()).toMatchObject({ error: { code: 'CONFIRMATION_REQUIRED' } });
    expect(sqliteChecksums(file)).toEqual(before);
  });

  it('encrypts with NOVA_BACKUP_PASSPHRASE and refuses a wrong one', async () => {
    const { root, dataDir } = await setup();
    const env = { NOVA_BACKUP_PASSPHRASE: 'a passphrase from the environment' };
    const made = await cli(root, ['--data-dir', dataDir, '--json', 'backup', '--encrypt'], env);
    expect(made.code, made.stderr).toBe(0);
    const { name } = made.json() as { name: string };
    expect(made.json()).toMatchObject({ encrypted: true });
    expect((await cli(root, ['--data-dir', dataDir, '--json', 'verify', name], env)).code).toBe(0);

    const wrong = await cli(root, ['--data-dir', dataDir, '--json', 'verify', name], {
      NOVA_BACKUP_PASSPHRASE: 'something else entirely',
    });
    expect(wrong.code).toBe(1);
    expect(wrong.json()).toMatchObject({ error: { code: 'BACKUP_PASSPHRASE' } });
    expect(wrong.stderr).toMatch(/^nova-db: The passphrase is wrong for the backup/);
    const restore = await cli(root, ['--data-dir', dataDir, '--json', 'restore', name, '--yes'], {
      NOVA_BACKUP_PASSPHRASE: 'something else entirely',
    });
    expect(restore.json()).toMatchObject({ error: { code: 'BACKUP_PASSPHRASE' } });
  });

  it.skipIf(process.stdin.isTTY)(
    'refuses --encrypt when no passphrase is available (no terminal to ask on)',
    async () => {
      const { root, dataDir, backupDir } = await setup();
      const r = await cli(root, ['--data-dir', dataDir, '--json', 'backup', '--encrypt']);
      expect(r.code).toBe(1);
      expect(r.json()).toMatchObject({ error: { code: 'BACKUP_PASSPHRASE' } });
      expect(r.stderr).toMatch(/fix: Set NOVA_BACKUP_PASSPHRASE in the environment/);
      expect(await readdir(backupDir).catch(() => [])).toEqual([]);
    },
  );

  it('reports a damaged backup and a missing one with non-zero exit', async () => {
    const { root, dataDir } = await setup();
    const made = (await cli(root, ['--data-dir', dataDir, '--json', 'backup'])).json() as {
      path: string;
    };
    flipByte(path.join(made.path, 'sqlite.db.gz'));
    const bad = await cli(root, ['--data-dir', dataDir, '--json', 'verify', made.path]);
    expect(bad.code).toBe(1);
    expect(bad.json()).toMatchObject({ error: { code: 'BACKUP_CORRUPT' } });
    const missing = await cli(root, ['--data-dir', dataDir, '--json', 'verify', 'no-such-backup']);
    expect(missing.json()).toMatchObject({ error: { code: 'BACKUP_NOT_FOUND' } });
    const usage = await cli(root, ['--data-dir', dataDir, 'verify']);
    expect(usage.code).toBe(2);
  });

  it('writes to --out and prunes by the NOVA_BACKUP_KEEP_* rules', async () => {
    const { root, dataDir } = await setup();
    const out = path.join(root, 'elsewhere');
    const r = await cli(root, ['--data-dir', dataDir, '--json', 'backup', '--out', out]);
    expect(r.code).toBe(0);
    expect((await readdir(out)).length).toBe(1);

    const names: string[] = [];
    for (let i = 0; i < 3; i++)
      names.push(
        ((await cli(root, ['--data-dir', dataDir, '--json', 'backup'])).json() as { name: string })
          .name,
      );
    // The oldest one is verified: retention must keep it even with KEEP_LAST=1.
    expect((await cli(root, ['--data-dir', dataDir, 'verify', names[0]!])).code).toBe(0);
    const keepOne = {
      NOVA_BACKUP_KEEP_LAST: '1',
      NOVA_BACKUP_KEEP_DAILY: '0',
      NOVA_BACKUP_KEEP_WEEKLY: '0',
    };
    const pruned = await cli(
      root,
      ['--data-dir', dataDir, '--json', 'backups', '--prune'],
      keepOne,
    );
    expect(pruned.code, pruned.stderr).toBe(0);
    const listing = pruned.json() as {
      backups: { name: string }[];
      pruned: { retention: { remove: string[] } };
    };
    expect(listing.backups.map((b) => b.name).sort()).toEqual([names[0], names[2]].sort());
    expect(listing.pruned.retention.remove).toEqual([names[1]]);
  });
});
