/**
 * The unit of work of scheduled and automatic backups: back up, verify the
 * new backup (trial restore on the same servers), then apply retention —
 * only after the verify succeeded, so a run that produced a bad backup never
 * deletes a good one. Also the hook the migration engine calls before it
 * writes anything (main/core/backup/README.md "backup before every migration, automatically"),
 * and the wiring of a BackupScheduler from the configuration.
 */
import { NovaError, isNovaError, toErrorData, type ErrorData } from '../errors.js';
import { withBackupLock } from './backup-lock.js';
import type { NovaConfig } from '../config/schema.js';
import type { Endpoints } from '../services/types.js';
import type { TaskContext, TaskRegistry } from '../tasks/task.js';
import { listBackups } from './backup-store.js';
import {
  backupTargetsFromConfig,
  resolveBackupDir,
  retentionPolicyFromConfig,
} from './backup-targets.js';
import type { Manifest } from './manifest.js';
import { applyRetention, type RetentionPlan, type RetentionPolicy } from './retention.js';
import {
  createBackupLocked,
  detachedContext,
  type BackupSummary,
  type CreateBackupOptions,
} from './run-backup.js';
import { BackupScheduler, type RunOutcome, type SchedulerClock } from './scheduler.js';
import { verifyBackup, type VerifyResult } from './verify-backup.js';

export interface BackupJobOptions extends CreateBackupOptions {
  /** Verify the new backup, with trial restores on the targets' servers (default true). */
  verify?: boolean;
  /** Apply this retention policy after a verified backup. */
  retention?: RetentionPolicy;
}

export interface BackupJobResult {
  backup: BackupSummary;
  verify: VerifyResult | null;
  retention: RetentionPlan | null;
  /**
   * Retention could not finish (a folder it meant to delete is busy or gone).
   * The new backup is good either way, so this does not fail the job; the
   * caller logs it and the next run tries again.
   */
  retentionError?: ErrorData;
}

/**
 * Backup, verify, retention — under the backup folder's lock from start to
 * end, so a second run (another click, the schedule, the CLI) is refused
 * with BACKUP_RUNNING instead of racing this one's retention.
 */
export async function runBackupJob(
  options: BackupJobOptions,
  ctx: TaskContext = detachedContext(),
): Promise<BackupJobResult> {
  return withBackupLock(options.backupDir, () => runBackupJobLocked(options, ctx));
}

async function runBackupJobLocked(
  options: BackupJobOptions,
  ctx: TaskContext,
): Promise<BackupJobResult> {
  const now = options.now ?? (() => new Date());
  const backup = await createBackupLocked(options, ctx);
  let verify: VerifyResult | null = null;
  if (options.verify !== false) {
    ctx.progress({ phase: 'verify', done: 0, total: null });
    try {
      verify = await verifyBackup(
        backup.path,
        {
          ...(options.passphrase !== undefined ? { passphrase: options.passphrase } : {}),
          scratch: {
            ...(options.targets.postgres ? { postgres: options.targets.postgres } : {}),
            ...(options.targets.mongo ? { mongo: options.targets.mongo } : {}),
          },
          ...(options.pgToolDirs ? { pgToolDirs: options.pgToolDirs } : {}),
          ...(options.dataDir ? { dataDir: options.dataDir } : {}),
          now,
        },
        ctx,
      );
    } catch (err) {
      // Kept for inspection, but never recorded as verified; no older backup is deleted.
      const inner = isNovaError(err) ? err : undefined;
      throw new NovaError(
        inner?.code ?? 'BACKUP_FAILED',
        `The new backup ${backup.name} failed verification: ${inner?.message ?? String(err)}`,
        {
          fix: `${inner?.fix ?? 'Check the message above.'} No older backup was deleted.`,
          cause: err,
        },
      );
    }
  }
  if (!options.retention) return { backup, verify, retention: null };
  try {
    return {
      backup,
      verify,
      retention: await applyRetention(options.backupDir, options.retention, now()),
    };
  } catch (err) {
    return { backup, verify, retention: null, retentionError: toErrorData(err) };
  }
}

/**
 * Backs up the migration's targets before it writes to them. The migration
 * must not start when this throws.
 */
export function backupBeforeMigration(
  options: Omit<BackupJobOptions, 'reason'>,
  ctx: TaskContext = detachedContext(),
): Promise<BackupJobResult> {
  return runBackupJob({ ...options, reason: 'pre-migration' }, ctx);
}

/**
 * When the newest complete backup (with `verifiedOnly`, the newest verified
 * one; with `covers`, the newest that holds what the configuration needs
 * now — coverage.ts) was made, or null.
 */
export async function lastGoodBackupAt(
  backupDir: string,
  verifiedOnly = false,
  covers: (parts: Manifest['parts']) => boolean = () => true,
): Promise<Date | null> {
  const { backups } = await listBackups(backupDir);
  const newest = backups.find(
    (b) => (!verifiedOnly || b.verified !== null) && covers(b.manifest.parts),
  );
  return newest ? new Date(newest.manifest.createdAt) : null;
}

export interface ScheduleFromConfigOptions {
  endpoints?: Endpoints;
  /** Documents live in the relational store (backup-targets.ts); from the running data layer. */
  documentsInRelational?: boolean;
  /** Only backups this accepts count as the last good one (coverage.ts); default all. */
  covers?: (parts: Manifest['parts']) => boolean;
  /** NOVA_BACKUP_PASSPHRASE: scheduled backups are encrypted when it is set. */
  passphrase?: string;
  /** Run each job as a Task here, so the UI can watch it. */
  registry?: TaskRegistry;
  clock?: SchedulerClock;
  onRun?: (outcome: RunOutcome) => void;
}

/**
 * A scheduler for NOVA_BACKUP_INTERVAL_HOURS (null when it is 0): each run
 * backs up the configured targets into NOVA_BACKUP_DIR, verifies, and
 * applies the NOVA_BACKUP_KEEP_* retention. Call start() to arm it.
 */
export function backupSchedulerFromConfig(
  config: NovaConfig,
  options: ScheduleFromConfigOptions = {},
): BackupScheduler | null {
  if (!(config.NOVA_BACKUP_INTERVAL_HOURS > 0)) return null;
  const backupDir = resolveBackupDir(config);
  const job = (): BackupJobOptions => ({
    backupDir,
    dataDir: config.NOVA_DATA_DIR,
    targets: backupTargetsFromConfig(config, options.endpoints, {
      ...(options.documentsInRelational !== undefined
        ? { documentsInRelational: options.documentsInRelational }
        : {}),
    }),
    reason: 'scheduled',
    retention: retentionPolicyFromConfig(config),
    ...(options.passphrase ? { passphrase: options.passphrase } : {}),
  });
  return new BackupScheduler({
    intervalMs: config.NOVA_BACKUP_INTERVAL_HOURS * 60 * 60 * 1000,
    runJob: async () => {
      if (!options.registry) return runBackupJob(job());
      return options.registry
        .run('backup', 'Scheduled backup', (ctx) => runBackupJob(job(), ctx))
        .start();
    },
    // Scheduled runs verify; an unverified backup does not postpone the next one.
    lastGoodBackupAt: () => lastGoodBackupAt(backupDir, true, options.covers),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.onRun ? { onRun: options.onRun } : {}),
  });
}
