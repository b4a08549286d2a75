/**
 * `nova-db restore PATH --yes` (SPEC §11): replace the configured databases'
 * contents with a backup. Without --yes it refuses and says so; it checks
 * the whole backup first and never leaves a database half-restored. Stop
 * the app or `nova-db serve` first: the databases must not be in use.
 */
import type { Command } from 'commander';
import { readBackup } from '../../core/backup/backup-store.js';
import { restoreBackup, type RestoreResult } from '../../core/backup/restore-backup.js';
import type { CliContext, GlobalOptions } from '../context.js';
import { printJson } from '../output.js';
import { loadBackupSetup, passphraseFor, resolveBackupPath, runCliTask } from './backup.js';

interface RestoreOptions {
  yes?: boolean;
}

export function registerRestore(program: Command, ctx: CliContext): void {
  program
    .command('restore')
    .description('replace the configured databases with a backup (needs --yes; all or nothing)')
    .argument('<path>', 'backup folder, or a backup name from "nova-db backups"')
    .option('--yes', 'confirm that the current contents may be replaced')
    .action(async (target: string, options: RestoreOptions, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions & RestoreOptions>();
      const setup = await loadBackupSetup(ctx, globals);
      const backupPath = resolveBackupPath(target, ctx.cwd, setup.backupDir);
      const confirm = options.yes === true;
      // Refuse (no --yes) or fail on a bad path before asking for a passphrase.
      const { manifest } = confirm ? await readBackup(backupPath) : { manifest: null };
      const passphrase = manifest?.encryption ? await passphraseFor(ctx, false) : undefined;
      const result = await runCliTask(ctx, 'restore', 'Restore', (taskCtx) =>
        restoreBackup(
          backupPath,
          { targets: setup.targets, confirm, ...(passphrase !== undefined ? { passphrase } : {}) },
          taskCtx,
        ),
      );
      if (globals.json === true) printJson(ctx, result);
      else ctx.stdout(describeRestore(result));
    });
}

function describeRestore(r: RestoreResult): string {
  const lines = [`Restored backup ${r.name} in ${(r.durationMs / 1000).toFixed(1)} s.`];
  for (const p of r.restored)
    lines.push(`  ${p.target}: ${p.tables} tables/collections, ${p.rows} rows`);
  return `${lines.join('\n')}\n`;
}
