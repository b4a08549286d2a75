/** What `nova-db verify` does once parsed (registered in ../commands/verify.ts). */
import { readBackup } from '../../core/backup/backup-store.js';
import type { VerifyResult } from '../../core/backup/verify-backup.js';
import { verifyAgainst } from '../../core/use-cases/backup.js';
import type { CliContext, GlobalOptions } from '../context.js';
import { printJson } from '../output.js';
import { loadBackupSetup, passphraseFor, resolveBackupPath, runCliTask } from './backup-shared.js';

export async function verify(
  ctx: CliContext,
  globals: GlobalOptions,
  target: string,
): Promise<void> {
  const setup = await loadBackupSetup(ctx, globals);
  const backupPath = resolveBackupPath(target, ctx.cwd, setup.backupDir);
  // Only ask for a passphrase the backup needs (and fail on a bad path before asking).
  const { manifest } = await readBackup(backupPath);
  const passphrase = manifest.encryption ? await passphraseFor(ctx, false) : undefined;
  const result = await runCliTask(ctx, 'verify', 'Verify', (taskCtx) =>
    verifyAgainst(backupPath, setup.targets, { config: setup.config, passphrase }, taskCtx),
  );
  if (globals.json === true) printJson(ctx, result);
  else ctx.stdout(describeVerify(result));
}

function describeVerify(r: VerifyResult): string {
  const lines = [`Backup ${r.name} is sound${r.trialRestored ? ' and restores cleanly' : ''}.`];
  for (const p of r.parts) {
    const trial =
      p.trialRestore === 'ok' ? 'trial restore ok' : `trial restore skipped: ${p.skipped ?? ''}`;
    lines.push(
      `  ${p.name}: checksum ok${p.decrypted ? ', decrypted' : ''}, ${trial} (${p.tables} tables, ${p.rows} rows)`,
    );
  }
  return `${lines.join('\n')}\n`;
}
