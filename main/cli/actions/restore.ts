/** What `nova-db restore` does once parsed (registered in ../commands/restore.ts). */
import { readBackup } from '../../core/backup/backup-store.js';
import type { RestoreResult } from '../../core/backup/restore-backup.js';
import { restoreInto } from '../../core/use-cases/backup.js';
import type { RestoreOptions } from '../commands/restore.js';
import type { CliContext, GlobalOptions } from '../context.js';
import { printJson } from '../output.js';
import { loadBackupSetup, passphraseFor, resolveBackupPath, runCliTask } from './backup-shared.js';

export async function restore(
  ctx: CliContext,
  globals: GlobalOptions,
  target: string,
  options: RestoreOptions,
): Promise<void> {
  const setup = await loadBackupSetup(ctx, globals);
  const backupPath = resolveBackupPath(target, ctx.cwd, setup.backupDir);
  const confirm = options.yes === true;
  // Refuse (no --yes) or fail on a bad path before asking for a passphrase.
  const { manifest } = confirm ? await readBackup(backupPath) : { manifest: null };
  const passphrase = manifest?.encryption ? await passphraseFor(ctx, false) : undefined;
  const result = await runCliTask(ctx, 'restore', 'Restore', (taskCtx) =>
    restoreInto(
      backupPath,
      setup.targets,
      {
        config: setup.config,
        env: ctx.env,
        confirm,
        passphrase,
        ...(options.safetyBackup === false ? { safetyBackup: false } : {}),
      },
      taskCtx,
    ),
  );
  if (globals.json === true) printJson(ctx, result);
  else ctx.stdout(describeRestore(result));
}

function describeRestore(r: RestoreResult): string {
  const lines = [`Restored backup ${r.name} in ${(r.durationMs / 1000).toFixed(1)} s.`];
  if (r.safetyBackup)
    lines.push(`The contents it replaced were backed up first to ${r.safetyBackup.path}`);
  for (const p of r.restored)
    lines.push(`  ${p.target}: ${p.tables} tables/collections, ${p.rows} rows`);
  return `${lines.join('\n')}\n`;
}
