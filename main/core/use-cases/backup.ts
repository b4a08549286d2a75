/**
 * Backing up, proving and restoring, composed once for the CLI (`backup`,
 * `verify`, `restore`), the HTTP/IPC handlers and the scheduled trial
 * restore: which databases take part comes from the targets the caller
 * resolved (the configuration, or the running services' endpoints); the
 * trial restore of `verify` always goes into scratch databases on the same
 * servers as those targets; decrypted data only ever lands in the data
 * dir's private work folder; and a restore backs up what it replaces first
 * unless the caller explicitly says not to.
 */
import { resolveBackupDir, type BackupTargets } from '../backup/backup-targets.js';
import { passphraseFromEnv } from '../backup/passphrase.js';
import { restoreBackup, type RestoreResult } from '../backup/restore-backup.js';
import { verifyBackup, type VerifyResult } from '../backup/verify-backup.js';
import type { NovaConfig } from '../config/schema.js';
import type { TaskContext } from '../tasks/task.js';

export interface BackupAccess {
  config: NovaConfig;
  /** Needed only for an encrypted backup. */
  passphrase?: string | undefined;
  /** Where the installation's passphrase is read for a safety backup; default process.env. */
  env?: Record<string, string | undefined>;
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
