/**
 * Age of the last good backup against its schedule. Defined here as a small
 * interface, not an import of the backup module, so health never depends on
 * how backups are made — only on when the last one succeeded.
 */
import { NovaError } from '../../errors.js';
import type { CheckResult, HealthChecker } from '../types.js';
import { formatAge } from './shared.js';

/** What the backup module tells health. */
export interface LastBackupSource {
  /**
   * When the newest backup that completed, verified and covers the current
   * configuration was made; null when there is none.
   */
  lastGoodBackup(): Promise<{ at: Date } | null>;
  /** What such a backup holds per service, in words ("covers PostgreSQL (…); Redis: cache, not backed up by design"). */
  coverage?: string;
  /** The schedule, or null when backups only run by hand. */
  schedule: { intervalHours: number } | null;
}

export interface BackupCheckerOptions {
  /** Overdue once the last good backup is older than this many intervals (default 1.5). */
  overdueFactor?: number;
  /** Epoch ms; injectable for tests. */
  now?: () => number;
}

export function backupChecker(
  source: LastBackupSource,
  options: BackupCheckerOptions = {},
): HealthChecker {
  const factor = options.overdueFactor ?? 1.5;
  if (!(typeof factor === 'number' && Number.isFinite(factor) && factor >= 1)) {
    throw new NovaError(
      'INVALID_ARGUMENT',
      `overdueFactor must be a number ≥ 1, got ${String(factor)}.`,
      {
        fix: 'Pass e.g. 1.5: overdue when the last good backup is older than one and a half intervals.',
      },
    );
  }
  const now = options.now ?? Date.now;
  return {
    id: 'backup',
    service: 'backup',
    label: 'Backups',
    applicable: () => true,
    check: () => checkBackup(source, factor, now()),
  };
}

async function checkBackup(
  source: LastBackupSource,
  factor: number,
  now: number,
): Promise<CheckResult> {
  const schedule = source.schedule;
  const hours = schedule?.intervalHours;
  if (schedule !== null && !(typeof hours === 'number' && Number.isFinite(hours) && hours > 0)) {
    return {
      status: 'down',
      latencyMs: null,
      detail: `The backup schedule is invalid (interval ${String(hours)} hours).`,
      fix: 'Set the backup interval to a positive number of hours in the settings.',
    };
  }
  const last = await source.lastGoodBackup();
  if (last !== null && !(last?.at instanceof Date && Number.isFinite(last.at.getTime()))) {
    return {
      status: 'down',
      latencyMs: null,
      detail: 'The backup catalogue returned a last good backup without a valid date.',
      fix: 'Open Backups to inspect the list, then use Back up now.',
    };
  }
  const intervalMs = hours === undefined ? undefined : hours * 3_600_000;
  const metrics: Record<string, number> = {};
  if (intervalMs !== undefined) metrics.backup_interval_seconds = intervalMs / 1000;
  const every =
    hours === undefined ? 'no schedule (backups run by hand)' : `scheduled every ${hours} h`;
  const covers = source.coverage ? ` A backup ${source.coverage}.` : '';
  if (last === null) {
    if (intervalMs === undefined) {
      return {
        status: 'ok',
        latencyMs: null,
        detail: `No verified backup of the current setup yet; ${every}.${covers}`,
        metrics,
      };
    }
    return {
      status: 'degraded',
      latencyMs: null,
      detail: `No verified backup of the current setup exists yet although backups are ${every}.${covers}`,
      fix: 'Use Back up now (on the Backups screen or in the tray); if it fails, its message says why.',
      metrics,
    };
  }
  // A clock set back must not yield a negative age.
  const ageMs = Math.max(0, now - last.at.getTime());
  metrics.backup_age_seconds = ageMs / 1000;
  const detail = `Last verified backup ${formatAge(ageMs)} ago (${last.at.toISOString()}); ${every}.${covers}`;
  if (intervalMs !== undefined && ageMs > intervalMs * factor) {
    return {
      status: 'degraded',
      latencyMs: null,
      detail: `${detail} It is overdue.`,
      fix: 'Scheduled backups are not succeeding: look for the failed backup in the log, then use Back up now.',
      metrics,
    };
  }
  return { status: 'ok', latencyMs: null, detail, metrics };
}
