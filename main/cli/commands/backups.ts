/**
 * `nova-db backups [--prune]` (docs/ARCHITECTURE.md#stable-interfaces): list the backups in the backup
 * folder — complete ones with their verify status, and separately folders
 * that are not (interrupted or damaged), which never count as good. With
 * --prune, apply the NOVA_BACKUP_KEEP_* retention and remove interrupted
 * folders whose writer is gone.
 *
 * Registration only; the work is in ../actions/backups.ts (see program.ts).
 */
import type { Command } from 'commander';
import type { CliContext, GlobalOptions } from '../context.js';

export interface BackupsOptions {
  prune?: boolean;
}

export function registerBackups(program: Command, ctx: CliContext): void {
  program
    .command('backups')
    .description('list backups (complete, interrupted, damaged); --prune applies retention')
    .option(
      '--prune',
      'delete backups the NOVA_BACKUP_KEEP_* rules do not keep, and stale interrupted ones',
    )
    .action(async (options: BackupsOptions, command: Command) => {
      // Loaded on demand, not at start-up: the backup store and the configuration.
      const { backups } = await import('../actions/backups.js');
      await backups(ctx, command.optsWithGlobals<GlobalOptions & BackupsOptions>(), options);
    });
}
