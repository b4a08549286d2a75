/**
 * Ten "back up now" calls at once (issue 13, defect 6), through dispatch as
 * the UI and the HTTP API call them, on a real embedded data directory with
 * a retention that deletes: no run may be reported failed when its backup
 * was fine. One runs; the others are refused at once with BACKUP_RUNNING
 * (no task, nothing to clean). Runs that overlap below the handler (the
 * schedule, the CLI in another process) meet the backup folder's lock.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallResult, TaskSnapshotDto } from '../../../shared-contract/index.js';
import { AppRuntime } from '../../../main/core/app/app-runtime.js';
import { dispatch, type Handlers } from '../../../main/core/app/dispatch.js';
import { createHandlers } from '../../../main/core/app/handlers/index.js';
import { listBackups } from '../../../main/core/backup/backup-store.js';
import { runBackupJob } from '../../../main/core/backup/backup-job.js';
import { createLogger } from '../../../main/core/logger.js';

let root: string;
let dataDir: string;
let runtime: AppRuntime;
let handlers: Handlers;
const logged: string[] = [];

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'nova-concurrent-backups-'));
  dataDir = path.join(root, 'data');
  runtime = await AppRuntime.start({
    mode: 'headless',
    logger: createLogger({ level: 'info', write: (line) => void logged.push(line) }),
    configOptions: {
      dataDir,
      env: {
        NOVA_BACKUP_INTERVAL_HOURS: '0',
        NOVA_BACKUP_KEEP_LAST: '2',
        NOVA_BACKUP_KEEP_DAILY: '0',
        NOVA_BACKUP_KEEP_WEEKLY: '0',
      },
      cwd: root,
    },
    health: { intervalMs: 60_000 },
  });
  handlers = createHandlers(runtime);
});

afterAll(async () => {
  await runtime?.shutdown();
  await rm(root, { recursive: true, force: true });
});

async function call<T>(method: string, input: unknown): Promise<CallResult<T>> {
  return (await dispatch(handlers, method, input, { transport: 'test' })) as CallResult<T>;
}

async function finished(taskId: string): Promise<TaskSnapshotDto> {
  for (;;) {
    const r = await call<TaskSnapshotDto>('tasks.get', { id: taskId });
    if (!r.ok) throw new Error(r.error.message);
    if (r.value.state !== 'running' && r.value.state !== 'pending') return r.value;
    await new Promise((res) => setTimeout(res, 20));
  }
}

describe('concurrent backups', () => {
  it('ten backups.run at once: none is falsely failed, the rest are refused as running', async () => {
    for (let round = 0; round < 3; round++) {
      const calls = await Promise.all(
        Array.from({ length: 10 }, () => call<{ taskId: string }>('backups.run', {})),
      );
      const started = calls.flatMap((c) => (c.ok ? [c.value.taskId] : []));
      const refused = calls.flatMap((c) => (c.ok ? [] : [c.error]));
      expect(started.length).toBeGreaterThanOrEqual(1);
      for (const e of refused) expect(e.code, e.message).toBe('BACKUP_RUNNING');
      const outcomes = await Promise.all(started.map(finished));
      for (const t of outcomes) expect(t.state, JSON.stringify(t.error)).toBe('succeeded');
    }
    const backupDir = path.join(dataDir, 'backups');
    const listing = await listBackups(backupDir);
    expect(listing.invalid).toEqual([]);
    expect(listing.partials).toEqual([]);
    // Retention (keep 2) ran after every run and kept the newest ones, all verified.
    expect(listing.backups.length).toBe(2);
    expect(listing.backups.every((b) => b.verified !== null)).toBe(true);
    expect((await readdir(backupDir)).filter((n) => n.startsWith('.'))).toEqual([]);
    expect(logged.join('\n')).not.toMatch(/failed/);
  }, 120_000);

  it('runs below the handler (schedule, CLI) meet the lock instead of racing retention', async () => {
    const backupDir = path.join(dataDir, 'backups');
    const file = path.join(dataDir, 'nova.sqlite');
    const job = () =>
      runBackupJob({
        backupDir,
        dataDir,
        targets: { sqlite: { file } },
        retention: { keepLast: 1, keepDaily: 0, keepWeekly: 0 },
      });
    const results = await Promise.allSettled(Array.from({ length: 10 }, job));
    const ok = results.filter((r) => r.status === 'fulfilled');
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    expect(ok.length).toBeGreaterThanOrEqual(1);
    for (const e of refused)
      expect((e as { code?: string }).code, String(e)).toBe('BACKUP_RUNNING');
    const listing = await listBackups(backupDir);
    expect(listing.invalid).toEqual([]);
    expect(listing.backups.length).toBe(1);
    // The lock is released: the next run goes through.
    await expect(job()).resolves.toMatchObject({ retention: { remove: [expect.any(String)] } });
  }, 120_000);

  it('backups.restore through the API backs up what it replaces first', async () => {
    const backupDir = path.join(dataDir, 'backups');
    const before = (await listBackups(backupDir)).backups;
    const target = before[before.length - 1]!;
    const started = await call<{ taskId: string }>('backups.restore', {
      id: target.name,
      confirm: target.name,
    });
    if (!started.ok) throw new Error(started.error.message);
    const done = await finished(started.value.taskId);
    expect(done.state, JSON.stringify(done.error)).toBe('succeeded');
    const safety = (done.result as { safetyBackup: string | null }).safetyBackup;
    expect(safety).not.toBeNull();
    const after = await listBackups(backupDir);
    expect(after.backups.find((b) => b.name === safety)?.manifest.reason).toBe('pre-restore');
  }, 120_000);
});
