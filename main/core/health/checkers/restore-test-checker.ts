/**
 * Data safety beyond liveness: when a backup of the current setup was last
 * PROVEN restorable — a trial restore into scratch databases succeeded —
 * and whether the latest scheduled trial restore failed since. A backup
 * that was never restored is a hope; this check is what turns it into a
 * fact, and it goes degraded when the proof is missing, stale or broken.
 */
import type { CheckResult, HealthChecker } from '../types.js';
import { formatAge } from './shared.js';

/** What the backup side tells this check. */
export interface RestoreProofSource {
  /** The newest successful trial restore of a backup that covers the current setup. */
  lastProof(): Promise<{ at: Date; backup: string } | null>;
  /** The newest scheduled trial restore that failed, if any. */
  lastFailure(): Promise<{ at: Date; backup: string; message: string } | null>;
  /** Whether there is any complete backup of the current setup to test. */
  hasBackup(): Promise<boolean>;
  /** Hours between scheduled trial restores; null when they are off. */
  intervalHours: number | null;
}

export function restoreTestChecker(
  source: RestoreProofSource,
  options: { now?: () => number; overdueFactor?: number } = {},
): HealthChecker {
  const now = options.now ?? Date.now;
  const factor = options.overdueFactor ?? 1.5;
  return {
    id: 'restore-test',
    service: 'backup',
    label: 'Trial restore',
    applicable: () => true,
    check: () => checkRestore(source, now(), factor),
  };
}

async function checkRestore(
  source: RestoreProofSource,
  now: number,
  factor: number,
): Promise<CheckResult> {
  const [proof, failure] = await Promise.all([source.lastProof(), source.lastFailure()]);
  const hours = source.intervalHours;
  const every = hours
    ? `a trial restore runs every ${formatAge(hours * 3_600_000)}`
    : 'scheduled trial restores are off';
  const metrics: Record<string, number> = {};
  if (failure && (!proof || failure.at > proof.at)) {
    metrics.restore_test_ok = 0;
    if (proof) metrics.restore_test_age_seconds = Math.max(0, now - proof.at.getTime()) / 1000;
    return {
      status: 'degraded',
      latencyMs: null,
      detail: `The trial restore of ${failure.backup} at ${failure.at.toISOString()} failed: ${failure.message}${proof ? ` Last proven restorable at ${proof.at.toISOString()}.` : ''}`,
      fix: 'Open Backups and verify the newest backup to see the failure; then take a new backup and verify it.',
      metrics,
    };
  }
  if (!proof) {
    if (!(await source.hasBackup())) {
      return {
        status: 'ok',
        latencyMs: null,
        detail: `Nothing to test yet: there is no backup of the current setup; ${every}.`,
      };
    }
    metrics.restore_test_ok = 0;
    return {
      status: 'degraded',
      latencyMs: null,
      detail: `No backup of the current setup has been proven restorable yet; ${every}.`,
      fix: 'Open Backups and use Verify on the newest backup: it restores it into scratch databases.',
      metrics,
    };
  }
  const ageMs = Math.max(0, now - proof.at.getTime());
  metrics.restore_test_ok = 1;
  metrics.restore_test_age_seconds = ageMs / 1000;
  const detail = `Last proven restorable at ${proof.at.toISOString()} (${formatAge(ageMs)} ago, backup ${proof.backup}); ${every}.`;
  if (hours && ageMs > hours * 3_600_000 * factor) {
    return {
      status: 'degraded',
      latencyMs: null,
      detail: `${detail} The proof is overdue.`,
      fix: 'Open Backups and use Verify on the newest backup.',
      metrics,
    };
  }
  return { status: 'ok', latencyMs: null, detail, metrics };
}
