/**
 * `nova-db restore PATH --yes` (docs/ARCHITECTURE.md#stable-interfaces): replace the configured databases'
 * contents with a backup. Without --yes it refuses and says so; it checks
 * the whole backup first and never leaves a database half-restored. Stop
 * the app or `nova-db serve` first: the databases must not be in use.
 * Before replacing anything it backs up the current contents into the
 * backup folder (reason "pre-restore") and prints where, unless
 * --no-safety-backup says the current contents do not matter.
 *
 * Registration only; the work is in ../actions/restore.ts (see program.ts).
 */
import type { Command } from 'commander';
import type { CliContext, GlobalOptions } from '../context.js';

export interface RestoreOptions {
  yes?: boolean;
  /** false with --no-safety-backup: do not back up the contents being replaced first. */
  safetyBackup?: boolean;
}

export function registerRestore(program: Command, ctx: CliContext): void {
  program
    .command('restore')
    .description('replace the configured databases with a backup (needs --yes; all or nothing)')
    .argument('<path>', 'backup folder, or a backup name from "nova-db backups"')
    .option('--yes', 'confirm that the current contents may be replaced')
    .option(
      '--no-safety-backup',
      'do not back up the current contents into the backup folder first (default: a safety backup is made and its path printed)',
    )
    .action(async (target: string, options: RestoreOptions, command: Command) => {
      // Loaded on demand, not at start-up: the backup engine and the configuration.
      const { restore } = await import('../actions/restore.js');
      await restore(
        ctx,
        command.optsWithGlobals<GlobalOptions & RestoreOptions>(),
        target,
        options,
      );
    });
}
