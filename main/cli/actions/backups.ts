/** What `nova-db backups` does once parsed (registered in ../commands/backups.ts). */
import {
  cleanStalePartials,
  listBackups,
  type BackupListing,
} from '../../core/backup/backup-store.js';
import { withBackupLock } from '../../core/backup/backup-lock.js';
import { retentionPolicyFromConfig } from '../../core/backup/backup-targets.js';
import { partRows } from '../../core/backup/manifest.js';
import { applyRetention, type RetentionPlan } from '../../core/backup/retention.js';
import type { BackupsOptions } from '../commands/backups.js';
import type { CliContext, GlobalOptions } from '../context.js';
import { printJson } from '../output.js';
import { formatBytes } from '../../../shared-contract/format-bytes.js';
import { loadBackupSetup } from './backup-shared.js';

export async function backups(
  ctx: CliContext,
  globals: GlobalOptions,
  options: BackupsOptions,
): Promise<void> {
  const setup = await loadBackupSetup(ctx, globals, false);
  let pruned: { removedPartials: string[]; retention: RetentionPlan } | undefined;
  if (options.prune) {
    // Under the backup folder's lock: never prune beside a running backup's own retention.
    pruned = await withBackupLock(setup.backupDir, async () => ({
      removedPartials: await cleanStalePartials(setup.backupDir),
      retention: await applyRetention(
        setup.backupDir,
        retentionPolicyFromConfig(setup.config),
        new Date(),
      ),
    }));
  }
  const listing = await listBackups(setup.backupDir);
  if (globals.json === true) printJson(ctx, toJson(setup.backupDir, listing, pruned));
  else ctx.stdout(describe(setup.backupDir, listing, pruned));
}

function toJson(backupDir: string, listing: BackupListing, pruned: unknown) {
  return {
    backupDir,
    backups: listing.backups.map((b) => ({
      name: b.name,
      path: b.path,
      createdAt: b.manifest.createdAt,
      reason: b.manifest.reason,
      encrypted: b.manifest.encryption !== null,
      bytes: b.bytes,
      parts: b.manifest.parts.map((p) => ({
        name: p.name,
        service: p.service,
        format: p.format,
        bytes: p.bytes,
        rows: partRows(p),
      })),
      verified: b.verified !== null,
      verifiedAt: b.verified?.at ?? null,
      trialRestored: b.verified?.trialRestored ?? false,
    })),
    invalid: listing.invalid,
    partials: listing.partials,
    ...(pruned ? { pruned } : {}),
  };
}

function describe(
  backupDir: string,
  listing: BackupListing,
  pruned?: { removedPartials: string[]; retention: RetentionPlan },
): string {
  const lines: string[] = [];
  if (pruned) {
    const removed = [...pruned.retention.remove, ...pruned.removedPartials];
    lines.push(removed.length > 0 ? `Removed: ${removed.join(', ')}` : 'Nothing to remove.');
  }
  if (listing.backups.length === 0) lines.push(`No backups in ${backupDir}.`);
  else lines.push(`Backups in ${backupDir} (newest first):`);
  for (const b of listing.backups) {
    const flags = [
      b.manifest.reason,
      b.manifest.encryption ? 'encrypted' : null,
      b.verified ? `verified ${b.verified.at}` : 'not verified',
    ];
    lines.push(`  ${b.name}  ${formatBytes(b.bytes)}  ${flags.filter(Boolean).join(', ')}`);
  }
  for (const p of listing.partials) {
    lines.push(
      `  (interrupted) ${p.name}: ${p.stale ? 'its writer is gone; nova-db backups --prune removes it' : `still being written by process ${p.pid ?? '?'}`}`,
    );
  }
  for (const i of listing.invalid) lines.push(`  (not usable) ${i.name}: ${i.error.message}`);
  return `${lines.join('\n')}\n`;
}
