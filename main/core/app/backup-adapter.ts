/**
 * The backup module (main/core/backup) seen from the app: the schedule of
 * the current configuration, the "last good backup" the health check
 * reads, and backups as the contract lists them.
 */
import type { z } from 'zod';
import type { backupSummarySchema } from '../../../shared-contract/index.js';
import { lastGoodBackupAt } from '../backup/backup-job.js';
import { listBackups } from '../backup/backup-store.js';
import { passphraseFromEnv } from '../backup/passphrase.js';
import { coverageOf, describeCoverage, type CoverageNeed } from '../backup/coverage.js';
import type { Manifest } from '../backup/manifest.js';
import { resolveBackupDir } from '../backup/backup-targets.js';
import type { BackupScheduler } from '../backup/scheduler.js';
import type { NovaConfig } from '../config/schema.js';
import type { LastBackupSource } from '../health/checkers/backup-checker.js';
import type { Logger } from '../logger.js';
import type { Endpoints } from '../services/types.js';
import type { TaskRegistry } from '../tasks/task.js';
import { scheduledBackups } from '../use-cases/backup.js';

type BackupSummaryDto = z.output<typeof backupSummarySchema>;

/** What the running configuration needs from a backup (coverage.ts), fixed for one data layer. */
export interface BackupCoverage {
  needs: CoverageNeed[];
  /** Documents live in the relational store (embedded, or native without mongod). */
  documentsInRelational: boolean;
}

/** Whether a backup's parts hold everything the configuration needs now. */
export function coversNow(coverage: BackupCoverage): (parts: Manifest['parts']) => boolean {
  return (parts) => coverageOf(parts, coverage.needs).covers;
}

/** The backup check's source: the newest VERIFIED backup that covers the configuration. */
export function lastBackupSource(config: NovaConfig, coverage: BackupCoverage): LastBackupSource {
  const dir = resolveBackupDir(config);
  return {
    lastGoodBackup: async () => {
      const at = await lastGoodBackupAt(dir, true, coversNow(coverage));
      return at ? { at } : null;
    },
    coverage: describeCoverage(coverage.needs),
    schedule:
      config.NOVA_BACKUP_INTERVAL_HOURS > 0
        ? { intervalHours: config.NOVA_BACKUP_INTERVAL_HOURS }
        : null,
  };
}

export interface BackupSchedule {
  scheduler: BackupScheduler;
  /**
   * Settles when the schedule is armed. On a data directory without any good
   * backup, the first backup runs at once and this waits for it — so the
   * first health check does not report "no backup yet" for a backup that is
   * seconds away from done.
   */
  armed: Promise<void>;
}

/** The schedule of this configuration, or null when scheduled backups are off. */
export function startBackupSchedule(
  config: NovaConfig,
  endpoints: Endpoints,
  tasks: TaskRegistry,
  logger: Logger,
  coverage: BackupCoverage,
  onRun: () => void = () => undefined,
): BackupSchedule | null {
  const passphrase = passphraseFromEnv();
  const scheduler = scheduledBackups(config, {
    endpoints,
    documentsInRelational: coverage.documentsInRelational,
    covers: coversNow(coverage),
    registry: tasks,
    ...(passphrase ? { passphrase } : {}),
    onRun: (outcome) => {
      if (!outcome.ok) {
        logger.warn('the scheduled backup failed', {
          error: outcome.error instanceof Error ? outcome.error.message : String(outcome.error),
        });
      }
      onRun();
    },
  });
  if (!scheduler) return null;
  const armed = (async () => {
    // A backup of what the configuration uses now: after Setup moved the data, at once.
    if ((await lastGoodBackupAt(resolveBackupDir(config), false, coversNow(coverage))) === null)
      await scheduler.runNow();
    await scheduler.start();
  })().catch((err: unknown) =>
    logger.warn('the backup schedule could not be armed', {
      error: err instanceof Error ? err.message : String(err),
    }),
  );
  return { scheduler, armed };
}

export async function listBackupDtos(
  config: NovaConfig,
  coverage: BackupCoverage,
): Promise<{ dir: string; backups: BackupSummaryDto[] }> {
  const dir = resolveBackupDir(config);
  const listing = await listBackups(dir);
  return {
    dir,
    backups: [
      ...listing.backups.map((b) => ({
        ...coverageFields(b.manifest.parts, coverage),
        id: b.name,
        path: b.path,
        createdAt: b.manifest.createdAt,
        reason: b.manifest.reason,
        sizeBytes: b.bytes,
        encrypted: b.manifest.encryption !== null,
        parts: [...new Set(b.manifest.parts.map((p) => p.service))],
        intact: true,
        verifiedAt: b.verified?.at ?? null,
      })),
      ...listing.invalid.map((b) => ({
        id: b.name,
        path: b.path,
        createdAt: null,
        reason: null,
        sizeBytes: 0,
        encrypted: false,
        parts: [],
        intact: false,
        verifiedAt: null,
        problem: b.error.message,
        covers: false,
        missing: [],
      })),
    ],
  };
}

/** Whether a listed backup covers the configuration now, and what it lacks (in words). */
function coverageFields(
  parts: Manifest['parts'],
  coverage: BackupCoverage,
): { covers: boolean; missing: string[] } {
  const verdict = coverageOf(parts, coverage.needs);
  return { covers: verdict.covers, missing: verdict.missing.map((n) => n.text) };
}
