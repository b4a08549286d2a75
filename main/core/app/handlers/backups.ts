/**
 * `backups.*` handlers. Every backup, verify and restore runs as a Task, so
 * the UI follows its progress and the tray knows a backup is running.
 * Backups are named by their folder name inside the backup directory, never
 * by a free path, so the API cannot be pointed at arbitrary folders.
 */
import path from 'node:path';
import { backupTargetsFromConfig, resolveBackupDir } from '../../backup/backup-targets.js';
import { writeSettings } from '../../config/settings-file.js';
import { NovaError } from '../../errors.js';
import type { AppRuntime } from '../app-runtime.js';
import { listBackupDtos } from '../backup-adapter.js';
import type { Handlers } from '../dispatch.js';
import { backUp, restoreInto, verifyAgainst } from '../../use-cases/backup.js';

type BackupHandlers = Pick<
  Handlers,
  'backups.list' | 'backups.run' | 'backups.verify' | 'backups.restore' | 'backups.setSchedule'
>;

export function backupsHandlers(rt: AppRuntime): BackupHandlers {
  const schedule = () => {
    const c = rt.config;
    return {
      intervalHours: c.NOVA_BACKUP_INTERVAL_HOURS,
      keepLast: c.NOVA_BACKUP_KEEP_LAST,
      keepDaily: c.NOVA_BACKUP_KEEP_DAILY,
      keepWeekly: c.NOVA_BACKUP_KEEP_WEEKLY,
      nextAt: rt.layer.scheduler?.nextRunAt?.toISOString() ?? null,
    };
  };
  const targets = () => {
    const endpoints = rt.layer.services.endpoints();
    return backupTargetsFromConfig(
      rt.config,
      {
        ...(endpoints.postgres ? { postgres: endpoints.postgres.url } : {}),
        ...(endpoints.mongo ? { mongo: endpoints.mongo.url } : {}),
      },
      { documentsInRelational: rt.layer.coverage.documentsInRelational },
    );
  };
  /** The folder of a listed backup; the id is a plain name (schema), checked again here. */
  const backupPath = (id: string) => {
    const dir = resolveBackupDir(rt.config);
    const file = path.resolve(dir, id);
    if (path.dirname(file) !== path.resolve(dir)) {
      throw new NovaError('INVALID_ARGUMENT', `"${id}" is not a backup name.`, {
        fix: 'Pick a backup from the list.',
      });
    }
    return file;
  };

  return {
    'backups.list': async () => ({
      ...(await listBackupDtos(rt.config, rt.layer.coverage)),
      coverage: rt.layer.coverage.needs.map((n) => ({
        service: n.service,
        role: n.role,
        backedUp: n.part !== null,
        text: n.text,
      })),
      schedule: schedule(),
    }),

    'backups.run': async ({ passphrase }) => {
      // One at a time (backup-lock.ts); say so at once rather than start a task that can only fail.
      const running = rt.tasks.list().find((t) => t.kind === 'backup' && t.state === 'running');
      if (running) {
        throw new NovaError('BACKUP_RUNNING', `"${running.title}" is already running.`, {
          fix: 'Wait for it to finish; it backs up the same data.',
        });
      }
      const t = targets();
      const task = rt.tasks.run(
        'backup',
        passphrase ? 'Encrypted backup' : 'Backup',
        async (ctx) => {
          const result = await backUp(
            t,
            { config: rt.config, passphrase, reason: 'manual', verify: true, applyRetention: true },
            ctx,
          );
          void rt.layer.monitor.runNow(); // the backup check should see it at once
          if (result.retentionError) {
            rt.logger.warn('old backups could not be removed; the next backup tries again', {
              error: result.retentionError.message,
            });
          }
          return {
            name: result.backup.name,
            verified: result.verify !== null,
            removed: result.retention?.remove ?? [],
          };
        },
      );
      return { taskId: task.id };
    },

    'backups.verify': async ({ id, passphrase }) => {
      const file = backupPath(id);
      const t = targets();
      const task = rt.tasks.run('backup.verify', `Verify ${id}`, async (ctx) => {
        const result = await verifyAgainst(file, t, { config: rt.config, passphrase }, ctx);
        return { name: result.name, trialRestored: result.trialRestored };
      });
      return { taskId: task.id };
    },

    'backups.restore': async ({ id, passphrase }) => {
      const file = backupPath(id);
      const t = targets();
      const task = rt.tasks.run('backup.restore', `Restore ${id}`, async (ctx) => {
        // The embedded SQLite file is replaced on disk: our own connection to it must be closed first.
        if (t.sqlite) await rt.layer.factory?.close();
        try {
          const result = await restoreInto(
            file,
            t,
            // What is replaced is backed up first, like the CLI's default.
            { config: rt.config, confirm: true, passphrase },
            ctx,
          );
          return {
            name: result.name,
            restored: result.restored.length,
            safetyBackup: result.safetyBackup?.name ?? null,
          };
        } finally {
          // Reopen on the restored data (also after a failed restore: the live data was left untouched).
          await rt.reconfigure({ exceptTaskId: task.id });
        }
      });
      return { taskId: task.id };
    },

    'backups.setSchedule': async (input) => {
      await writeSettings(rt.dataDir, {
        NOVA_BACKUP_INTERVAL_HOURS: input.intervalHours,
        NOVA_BACKUP_KEEP_LAST: input.keepLast,
        NOVA_BACKUP_KEEP_DAILY: input.keepDaily,
        NOVA_BACKUP_KEEP_WEEKLY: input.keepWeekly,
      });
      await rt.reloadConfig();
      rt.restartBackupSchedule();
      return schedule();
    },
  };
}
