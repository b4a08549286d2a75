/**
 * `nova-db backup [--out DIR] [--encrypt]` (docs/ARCHITECTURE.md#stable-interfaces): back up every
 * configured database into one folder with a manifest. The passphrase for
 * --encrypt comes from NOVA_BACKUP_PASSPHRASE or a hidden prompt — never
 * from an argument.
 *
 * Registration only; the work is in ../actions/backup.ts (see program.ts).
 */
import type { Command } from 'commander';
import { PASSPHRASE_ENV } from '../../core/backup/passphrase.js';
import type { CliContext, GlobalOptions } from '../context.js';

export interface BackupOptions {
  out?: string;
  encrypt?: boolean;
}

export function registerBackup(program: Command, ctx: CliContext): void {
  program
    .command('backup')
    .description(
      'back up every configured database into one folder with a manifest (sha256 of every part)',
    )
    .option(
      '--out <dir>',
      'folder to write the backup into (default: NOVA_BACKUP_DIR, else <data dir>/backups)',
    )
    .option('--encrypt', `encrypt with AES-256-GCM; passphrase from ${PASSPHRASE_ENV} or a prompt`)
    .action(async (options: BackupOptions, command: Command) => {
      // Loaded on demand, not at start-up: the backup engine and the configuration.
      const { backup } = await import('../actions/backup.js');
      await backup(ctx, command.optsWithGlobals<GlobalOptions & BackupOptions>(), options);
    });
}
