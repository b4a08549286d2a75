/**
 * Backing up, proving and restoring, composed once for the CLI (`backup`,
 * `verify`, `restore`), the HTTP/IPC handlers, the backup schedule and the
 * scheduled trial restore: which databases take part comes from the targets
 * the caller resolved (the configuration, or the running services'
 * endpoints); the trial restore of `verify` always goes into scratch
 * databases on the same servers as those targets; decrypted data only ever
 * lands in the data dir's private work folder; old backups are only removed
 * after a new one was proven; and a restore backs up what it replaces first
 * unless the caller explicitly says not to.
 */
import {
  backupTargetsFromConfig,
  resolveBackupDir,
  retentionPolicyFromConfig,
  type BackupTargets,
} from '../backup/backup-targets.js';
import { lastGoodBackupAt, runBackupJob, type BackupJobResult } from '../backup/backup-job.js';
import type { Manifest } from '../backup/manifest.js';
import { passphraseFromEnv } from '../backup/passphrase.js';
import { detachedContext } from '../backup/run-backup.js';
import { BackupScheduler, type RunOutcome, type SchedulerClock } from '../backup/scheduler.js';
import type { Endpoints } from '../services/types.js';
import { restoreBackup, type RestoreResult } from '../backup/restore-backup.js';
import { verifyBackup, type VerifyResult } from '../backup/verify-backup.js';
import type { NovaConfig } from '../config/schema.js';
import type { TaskContext, TaskRegistry } from '../tasks/task.js';

export interface BackupAccess {
  config: NovaConfig;
  /** Needed only for an encrypted backup. */
  passphrase?: string | undefined;
  /** Where the installation's passphrase is read for a safety backup; default process.env. */
  env?: Record<string, string | undefined>;
}

export interface BackUpOptions extends BackupAccess {
  /** Why it was made, as the manifest records it. */
  reason: 'manual' | 'scheduled';
  /** Folder to write into; default the configured backup folder. */
  backupDir?: string | undefined;
  /**
   * Trial-restore the new backup beside its targets before calling it good.
   * The app's "Back up now" and the schedule do; `nova-db backup` leaves it
   * to `nova-db verify`, so a scripted backup stays as fast as the copy.
   */
  verify: boolean;
  /** Apply the configured NOVA_BACKUP_KEEP_* retention once the new backup is verified. */
  applyRetention: boolean;
}

/**
 * One backup of `targets` under the backup folder's lock (a second run is
 * refused with BACKUP_RUNNING), then — as asked — its trial restore and the
 * retention. A backup that fails verification is kept for inspection and
 * deletes nothing.
 */
export function backUp(
  targets: BackupTargets,
  options: BackUpOptions,
  ctx: TaskContext,
): Promise<BackupJobResult> {
  const config = options.config;
  return runBackupJob(
    {
      backupDir: options.backupDir ?? resolveBackupDir(config),
      dataDir: config.NOVA_DATA_DIR,
      targets,
      reason: options.reason,
      verify: options.verify,
      ...(options.applyRetention ? { retention: retentionPolicyFromConfig(config) } : {}),
      ...(options.passphrase ? { passphrase: options.passphrase } : {}),
    },
    ctx,
  );
}

export interface ScheduleOptions {
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
 * is `backUp` of the configured targets — verified, then the NOVA_BACKUP_KEEP_*
 * retention — exactly like "Back up now". Call start() to arm it.
 */
export function scheduledBackups(
  config: NovaConfig,
  options: ScheduleOptions = {},
): BackupScheduler | null {
  if (!(config.NOVA_BACKUP_INTERVAL_HOURS > 0)) return null;
  const job = (ctx: TaskContext): Promise<BackupJobResult> =>
    backUp(
      backupTargetsFromConfig(config, options.endpoints, {
        ...(options.documentsInRelational !== undefined
          ? { documentsInRelational: options.documentsInRelational }
          : {}),
      }),
      {
        config,
        reason: 'scheduled',
        verify: true,
        applyRetention: true,
        ...(options.passphrase ? { passphrase: options.passphrase } : {}),
      },
      ctx,
    );
  return new BackupScheduler({
    intervalMs: config.NOVA_BACKUP_INTERVAL_HOURS * 60 * 60 * 1000,
    runJob: async () => {
      if (!options.registry) return job(detachedContext());
      return options.registry.run('backup', 'Scheduled backup', job).start();
    },
    // Scheduled runs verify; an unverified backup does not postpone the next one.
    lastGoodBackupAt: () => lastGoodBackupAt(resolveBackupDir(config), true, options.covers),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.onRun ? { onRun: options.onRun } : {}),
  });
}

/** Checksums every part and trial-restores it into scratch databases beside `targets`. */
export function verifyAgainst(
  backupPath: string,
  targets: BackupTargets,
  access: BackupAccess,
  ctx: TaskContext,
): Promise<VerifyResult> {
  return verifyBackup(
    backupPath,
    {
      ...(access.passphrase ? { passphrase: access.passphrase } : {}),
      dataDir: access.config.NOVA_DATA_DIR,
      scratch: {
        ...(targets.postgres ? { postgres: targets.postgres } : {}),
        ...(targets.mongo ? { mongo: targets.mongo } : {}),
      },
    },
    ctx,
  );
}

/**
 * Replaces what `targets` hold with the backup; `confirm` is the caller's
 * explicit yes. What is replaced is backed up first into the backup folder
 * (encrypted like every backup of this installation when a passphrase is
 * configured), unless `safetyBackup` is false.
 */
export function restoreInto(
  backupPath: string,
  targets: BackupTargets,
  options: BackupAccess & { confirm: boolean; safetyBackup?: boolean },
  ctx: TaskContext,
): Promise<RestoreResult> {
  const installationPassphrase = passphraseFromEnv(options.env);
  return restoreBackup(
    backupPath,
    {
      targets,
      confirm: options.confirm,
      dataDir: options.config.NOVA_DATA_DIR,
      ...(options.passphrase ? { passphrase: options.passphrase } : {}),
      safetyBackup:
        options.safetyBackup === false
          ? null
          : {
              backupDir: resolveBackupDir(options.config),
              ...(installationPassphrase ? { passphrase: installationPassphrase } : {}),
            },
    },
    ctx,
  );
}
