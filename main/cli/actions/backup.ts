/**
 * What `nova-db backup` does once parsed (registered in ../commands/backup.ts):
 * the backup use case (core/use-cases/backup.ts) without the trial restore
 * and retention — `nova-db verify` proves a backup on demand — shown as a summary.
 */
import path from 'node:path';
import { PASSPHRASE_ENV } from '../../core/backup/passphrase.js';
import type { BackupSummary } from '../../core/backup/run-backup.js';
import { NovaError } from '../../core/errors.js';
import { backUp } from '../../core/use-cases/backup.js';
import type { BackupOptions } from '../commands/backup.js';
import type { CliContext, GlobalOptions } from '../context.js';
import { printJson } from '../output.js';
import { formatBytes } from '../../../shared-contract/format-bytes.js';
import { loadBackupSetup, passphraseFor, runCliTask } from './backup-shared.js';

export async function backup(
  ctx: CliContext,
  globals: GlobalOptions,
  options: BackupOptions,
): Promise<void> {
  const setup = await loadBackupSetup(ctx, globals);
  const backupDir =
    options.out !== undefined ? path.resolve(ctx.cwd, options.out) : setup.backupDir;
  let passphrase: string | undefined;
  if (options.encrypt) {
    passphrase = await passphraseFor(ctx, true);
    if (passphrase === undefined) {
      throw new NovaError(
        'BACKUP_PASSPHRASE',
        '--encrypt needs a passphrase, and none was given.',
        {
          fix: `Set ${PASSPHRASE_ENV} in the environment (not on the command line), or run on a terminal to be asked for it.`,
        },
      );
    }
  }
  const { backup: summary } = await runCliTask(ctx, 'backup', 'Backup', (taskCtx) =>
    backUp(
      setup.targets,
      {
        config: setup.config,
        backupDir,
        reason: 'manual',
        verify: false,
        applyRetention: false,
        passphrase,
      },
      taskCtx,
    ),
  );
  if (globals.json === true) printJson(ctx, summary);
  else ctx.stdout(describeSummary(summary));
}

function describeSummary(s: BackupSummary): string {
  const lines = [
    `Backup ${s.name} written to ${s.path} (${formatBytes(s.bytes)}${s.encrypted ? ', encrypted' : ''}).`,
  ];
  for (const p of s.parts) {
    lines.push(
      `  ${p.name}: ${p.tables} tables/collections, ${p.rows} rows, ${formatBytes(p.bytes)}`,
    );
    for (const note of p.notes) lines.push(`    note: ${note}`);
  }
  if (s.cleanedPartials.length > 0)
    lines.push(
      `Removed ${s.cleanedPartials.length} interrupted backup folder(s): ${s.cleanedPartials.join(', ')}`,
    );
  return `${lines.join('\n')}\n`;
}
