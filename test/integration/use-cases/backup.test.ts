/**
 * The backup use case (main/core/use-cases/backup.ts), which the CLI's
 * `backup`, the app's "Back up now" and the schedule all call: what each
 * choice (verify, retention) does on a real embedded database, that a
 * second run at the same time is refused, that a folder it cannot write is
 * an actionable error that leaves nothing behind, and that the schedule's
 * run is the same verified-then-retained backup.
 */
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backupTargetsFromConfig } from '../../../main/core/backup/backup-targets.js';
import { listBackups } from '../../../main/core/backup/backup-store.js';
import { detachedContext } from '../../../main/core/backup/run-backup.js';
import { configSchema, type NovaConfig } from '../../../main/core/config/schema.js';
import { backUp, scheduledBackups } from '../../../main/core/use-cases/backup.js';
import { embeddedDataDir, novaFailure } from '../backup/helpers.js';

let root: string;
let config: NovaConfig;
let backupDir: string;

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'nova-uc-backup-'));
  const fixture = await embeddedDataDir(root);
  backupDir = fixture.backupDir;
  config = configSchema.parse({
    NOVA_DATA_DIR: fixture.dataDir,
    NOVA_BACKUP_KEEP_LAST: 1,
    NOVA_BACKUP_KEEP_DAILY: 0,
    NOVA_BACKUP_KEEP_WEEKLY: 0,
  });
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const ctx = () => detachedContext();

describe('backUp', () => {
  it('verified with retention (the app and the schedule): trial-restored, older ones removed', async () => {
    const targets = backupTargetsFromConfig(config);
    const options = { config, reason: 'manual' as const, verify: true, applyRetention: true };
    const first = await backUp(targets, options, ctx());
    expect(first.verify?.trialRestored).toBe(true);
    const second = await backUp(targets, options, ctx());
    expect(second.retention?.remove).toEqual([first.backup.name]);
    const { backups } = await listBackups(backupDir);
    expect(backups.map((b) => b.name)).toEqual([second.backup.name]);
    expect(backups[0]!.verified).not.toBeNull();
  });

  it('unverified without retention (`nova-db backup`): every backup kept, none marked verified', async () => {
    const targets = backupTargetsFromConfig(config);
    const options = { config, reason: 'manual' as const, verify: false, applyRetention: false };
    const a = await backUp(targets, options, ctx());
    const b = await backUp(targets, options, ctx());
    expect(a.verify).toBeNull();
    expect(b.retention).toBeNull();
    const { backups } = await listBackups(backupDir);
    expect(backups.map((x) => x.name).sort()).toEqual([a.backup.name, b.backup.name].sort());
    expect(backups.every((x) => x.verified === null)).toBe(true);
    expect(backups.every((x) => x.manifest.reason === 'manual')).toBe(true);
  });

  it('a second run while one is running is refused with BACKUP_RUNNING', async () => {
    const targets = backupTargetsFromConfig(config);
    const options = { config, reason: 'manual' as const, verify: true, applyRetention: false };
    const running = backUp(targets, options, ctx());
    const err = await novaFailure(backUp(targets, options, ctx()), 'BACKUP_RUNNING');
    expect(err.fix).toBeTruthy();
    await running;
  });

  it('a backup folder that cannot be made is an error with a fix, and nothing is written', async () => {
    const blocker = path.join(root, 'not-a-folder');
    await writeFile(blocker, 'a file where the backup folder should go');
    const err = await novaFailure(
      backUp(
        backupTargetsFromConfig(config),
        {
          config,
          backupDir: path.join(blocker, 'backups'),
          reason: 'manual',
          verify: true,
          applyRetention: true,
        },
        ctx(),
      ),
    );
    expect(err.message).toContain(blocker);
    expect(err.fix).toBeTruthy();
    expect(await readdir(root)).toEqual(['data', 'not-a-folder']);
  });

  it('nothing to back up is refused before anything is locked', async () => {
    await novaFailure(
      backUp({}, { config, reason: 'manual', verify: false, applyRetention: false }, ctx()),
      'INVALID_ARGUMENT',
    );
    expect(await readdir(path.join(root, 'data'))).not.toContain('backups');
  });
});

describe('scheduledBackups', () => {
  it('is off when NOVA_BACKUP_INTERVAL_HOURS is 0', () => {
    expect(scheduledBackups({ ...config, NOVA_BACKUP_INTERVAL_HOURS: 0 })).toBeNull();
  });

  it('runs the same verified backup, recorded as scheduled', async () => {
    const scheduler = scheduledBackups({ ...config, NOVA_BACKUP_INTERVAL_HOURS: 24 });
    expect(scheduler).not.toBeNull();
    expect(await scheduler!.runNow()).toBe('ran');
    const { backups } = await listBackups(backupDir);
    expect(backups).toHaveLength(1);
    expect(backups[0]!.manifest.reason).toBe('scheduled');
    expect(backups[0]!.verified).not.toBeNull();
  });
});
