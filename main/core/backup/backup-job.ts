/**
 * The unit of work of scheduled and automatic backups: back up, verify the
 * new backup (trial restore on the same servers), then apply retention —
 * only after the verify succeeded, so a run that produced a bad backup never
 * deletes a good one. Also the hook the migration engine calls before it
 * writes anything (main/core/backup/README.md "backup before every migration, automatically").
 * The schedule that runs it is composed in main/core/use-cases/backup.ts.
 */
import { NovaError, isNovaError, toErrorData, type ErrorData } from '../errors.js';
import { withBackupLock } from './backup-lock.js';
import type { TaskContext } from '../tasks/task.js';
import { listBackups } from './backup-store.js';
import type { Manifest } from './manifest.js';
import { applyRetention, type RetentionPlan, type RetentionPolicy } from './retention.js';
import {
  asNovaError,
  assertTargets,
  createBackupLocked,
  detachedContext,
  type BackupSummary,
  type CreateBackupOptions,
} from './run-backup.js';
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
  assertTargets(options.targets);
  // As createBackup: a folder that cannot be locked or written is BACKUP_FAILED with a fix.
  return withBackupLock(options.backupDir, () => runBackupJobLocked(options, ctx)).catch(
    (err: unknown) => {
      throw asNovaError(err, ctx, 'BACKUP_FAILED', 'The backup failed; nothing was kept');
    },
  );
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
