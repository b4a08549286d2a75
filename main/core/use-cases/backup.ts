/**
 * Backing up, proving and restoring, composed once for the CLI (`backup`,
 * `verify`, `restore`), the HTTP/IPC handlers and the scheduled trial
 * restore: which databases take part comes from the targets the caller
 * resolved (the configuration, or the running services' endpoints), and the
 * trial restore of `verify` always goes into scratch databases on the same
 * servers as those targets.
 */
import type { BackupTargets } from '../backup/backup-targets.js';
import { restoreBackup, type RestoreResult } from '../backup/restore-backup.js';
import { verifyBackup, type VerifyResult } from '../backup/verify-backup.js';
import type { TaskContext } from '../tasks/task.js';

export interface BackupSecret {
  /** Needed only for an encrypted backup. */
  passphrase?: string | undefined;
}

/** Checksums every part and trial-restores it into scratch databases beside `targets`. */
export function verifyAgainst(
  backupPath: string,
  targets: BackupTargets,
  secret: BackupSecret,
  ctx: TaskContext,
): Promise<VerifyResult> {
  return verifyBackup(
    backupPath,
    {
      ...(secret.passphrase ? { passphrase: secret.passphrase } : {}),
      scratch: {
        ...(targets.postgres ? { postgres: targets.postgres } : {}),
        ...(targets.mongo ? { mongo: targets.mongo } : {}),
      },
    },
    ctx,
  );
}

/** Replaces what `targets` hold with the backup; `confirm` is the caller's explicit yes. */
export function restoreInto(
  backupPath: string,
  targets: BackupTargets,
  options: BackupSecret & { confirm: boolean },
  ctx: TaskContext,
): Promise<RestoreResult> {
  return restoreBackup(
    backupPath,
    {
      targets,
      confirm: options.confirm,
      ...(options.passphrase ? { passphrase: options.passphrase } : {}),
    },
    ctx,
  );
}
