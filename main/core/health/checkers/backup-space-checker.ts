/**
 * Room for the next backup: free space on the disk of the backup folder
 * against the expected size of the next backup (the newest backup of the
 * current setup, plus a margin for growth). The general disk check warns
 * late (a few GiB); a large database can need more than that for one
 * backup, and a backup that fails for space is found out only when needed.
 */
import { access, statfs } from 'node:fs/promises';
import path from 'node:path';
import { formatBytes } from '../../../../shared-contract/format-bytes.js';
import type { CheckResult, HealthChecker } from '../types.js';

export interface BackupSpaceSource {
  /** Folder the next backup goes to (need not exist yet: its nearest existing parent is measured). */
  backupDir: string;
  /** Bytes of the newest backup of the current setup; null when there is none. */
  lastBackupBytes(): Promise<number | null>;
}

/** The next backup is expected to be this much bigger than the last one. */
export const GROWTH_MARGIN = 1.25;

export function backupSpaceChecker(
  source: BackupSpaceSource,
  freeBytes: (dir: string) => Promise<number> = statfsFree,
): HealthChecker {
  return {
    id: 'backup-space',
    service: 'disk',
    label: 'Room for the next backup',
    applicable: () => true,
    check: () => checkSpace(source, freeBytes),
  };
}

async function statfsFree(dir: string): Promise<number> {
  const fs = await statfs(dir);
  return fs.bavail * fs.bsize;
}

async function checkSpace(
  source: BackupSpaceSource,
  freeBytes: (dir: string) => Promise<number>,
): Promise<CheckResult> {
  const last = await source.lastBackupBytes();
  let free: number;
  try {
    free = await freeBytes(await existingParent(source.backupDir));
  } catch (err) {
    return {
      status: 'degraded',
      latencyMs: null,
      detail: `Cannot read the free space where backups go (${(err as NodeJS.ErrnoException).code ?? String(err)}).`,
      fix: 'Check that the backup folder (Settings › Backups) exists and Nova may read it.',
    };
  }
  const metrics: Record<string, number> = { backup_disk_free_bytes: free };
  if (last === null) {
    return {
      status: 'ok',
      latencyMs: null,
      detail: `${formatBytes(free)} free where backups go; no backup yet to estimate the next one from.`,
      metrics,
    };
  }
  const expected = Math.ceil(last * GROWTH_MARGIN);
  metrics.backup_expected_bytes = expected;
  const detail = `${formatBytes(free)} free where backups go; the next backup needs about ${formatBytes(expected)}`;
  if (free < expected) {
    return {
      status: 'degraded',
      latencyMs: null,
      detail: `${detail}, so it would fail for lack of space.`,
      fix: 'Free space on that disk, keep fewer backups (Backups › Schedule and retention), or choose a backup folder on a larger disk in Settings.',
      metrics,
    };
  }
  return { status: 'ok', latencyMs: null, detail: `${detail}.`, metrics };
}

async function existingParent(dir: string): Promise<string> {
  // Static imports only: the single-binary server has no dynamic-import hook.
  let current = dir;
  for (;;) {
    try {
      await access(current);
      return current;
    } catch {
      const parent = path.dirname(current);
      if (parent === current) return current;
      current = parent;
    }
  }
}
