/**
 * The data-safety checks (proof of restorability, room for the next
 * backup, unfinished migrations): pure functions of what their sources say,
 * so every state is tested with plain values; data-safety.ts, which reads
 * them from disk, is exercised by the setup-matrix integration test.
 */
import { describe, expect, it } from 'vitest';
import { backupSpaceChecker } from '../../../main/core/health/checkers/backup-space-checker.js';
import { migrationChecker } from '../../../main/core/health/checkers/migration-checker.js';
import {
  restoreTestChecker,
  type RestoreProofSource,
} from '../../../main/core/health/checkers/restore-test-checker.js';

const now = Date.parse('2026-01-10T12:00:00.000Z');
const daysAgo = (d: number) => new Date(now - d * 86_400_000);

function proof(
  p: { at: Date; backup: string } | null,
  f: { at: Date; backup: string; message: string } | null = null,
  hasBackup = true,
): RestoreProofSource {
  return {
    intervalHours: 168,
    lastProof: async () => p,
    lastFailure: async () => f,
    hasBackup: async () => hasBackup,
  };
}
const runRestore = (s: RestoreProofSource) => restoreTestChecker(s, { now: () => now }).check();

describe('trial restore check', () => {
  it('publishes "last proven restorable at …" and its age', async () => {
    const r = await runRestore(proof({ at: daysAgo(2), backup: 'b1' }));
    expect(r.status).toBe('ok');
    expect(r.detail).toContain('Last proven restorable at 2026-01-08T12:00:00.000Z');
    expect(r.detail).toContain('backup b1');
    expect(r.metrics).toEqual({ restore_test_ok: 1, restore_test_age_seconds: 172_800 });
  });

  it('is degraded when the proof is older than 1.5 intervals', async () => {
    const r = await runRestore(proof({ at: daysAgo(11), backup: 'b1' }));
    expect(r.status).toBe('degraded');
    expect(r.detail).toMatch(/overdue/);
  });

  it('is degraded when the latest trial restore failed after the last proof', async () => {
    const r = await runRestore(
      proof(
        { at: daysAgo(8), backup: 'b1' },
        { at: daysAgo(1), backup: 'b2', message: 'checksum mismatch in postgres.dump' },
      ),
    );
    expect(r.status).toBe('degraded');
    expect(r.detail).toMatch(/trial restore of b2 .* failed: checksum mismatch/);
    expect(r.metrics?.restore_test_ok).toBe(0);
    // An old failure followed by a newer proof no longer counts.
    const later = await runRestore(
      proof({ at: daysAgo(1), backup: 'b3' }, { at: daysAgo(3), backup: 'b2', message: 'x' }),
    );
    expect(later.status).toBe('ok');
  });

  it('is degraded when backups exist but none was ever proven; ok when there is nothing to test', async () => {
    expect((await runRestore(proof(null))).status).toBe('degraded');
    const none = await runRestore(proof(null, null, false));
    expect(none.status).toBe('ok');
    expect(none.detail).toMatch(/Nothing to test yet/);
  });
});

describe('room for the next backup', () => {
  const check = (last: number | null, free: number) =>
    backupSpaceChecker(
      { backupDir: '/nonexistent/backups', lastBackupBytes: async () => last },
      async () => free,
    ).check();

  it('compares free space with the last backup plus a margin', async () => {
    const ok = await check(1000, 2000);
    expect(ok.status).toBe('ok');
    expect(ok.metrics).toEqual({ backup_disk_free_bytes: 2000, backup_expected_bytes: 1250 });
    const short = await check(1000, 1200);
    expect(short.status).toBe('degraded');
    expect(short.detail).toMatch(/would fail for lack of space/);
  });

  it('has nothing to estimate from before the first backup', async () => {
    expect((await check(null, 10)).status).toBe('ok');
  });
});

describe('unfinished migration', () => {
  it('is degraded for a stopped or failed job, ok while one runs or when none is left', async () => {
    const jobs = [
      {
        source: '/srv/log.sqlite',
        status: 'failed' as const,
        startedAt: '2026-01-09T10:00:00.000Z',
      },
    ];
    const stopped = await migrationChecker({
      unfinished: async () => jobs,
      running: () => false,
    }).check();
    expect(stopped.status).toBe('degraded');
    expect(stopped.detail).toMatch(/migration of log.sqlite .* failed before it finished/);
    expect(stopped.fix).toMatch(/resume it, or discard/);
    expect(stopped.metrics).toEqual({ migrations_unfinished: 1 });
    expect(
      (await migrationChecker({ unfinished: async () => jobs, running: () => true }).check())
        .status,
    ).toBe('ok');
    expect(
      (await migrationChecker({ unfinished: async () => [], running: () => false }).check()).status,
    ).toBe('ok');
  });
});
