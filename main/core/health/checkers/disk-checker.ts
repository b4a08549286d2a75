/**
 * Free disk where the data directory lives: databases, WAL, logs and
 * backups all grow there, and a full disk stops every write at once. Below
 * the "degraded" thresholds there is still time to act; below the "down"
 * ones the next write may fail.
 */
import { statfs } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { NovaError } from '../../errors.js';
import type { CheckResult, HealthChecker } from '../types.js';
import { elapsedMs } from './shared.js';
import { formatBytes } from '../../../../shared-contract/format-bytes.js';

export interface DiskThresholds {
  /** "degraded" below this many free bytes (default 2 GiB)… */
  degradedBelowBytes: number;
  /** …or below this share of the disk free (default 0.05). */
  degradedBelowRatio: number;
  /** "down" below this many free bytes (default 256 MiB)… */
  downBelowBytes: number;
  /** …or below this share free (default 0.01). */
  downBelowRatio: number;
}

export const DEFAULT_DISK_THRESHOLDS: DiskThresholds = {
  degradedBelowBytes: 2 * 1024 ** 3,
  degradedBelowRatio: 0.05,
  downBelowBytes: 256 * 1024 ** 2,
  downBelowRatio: 0.01,
};

export function diskChecker(
  dataDir: string,
  thresholds: Partial<DiskThresholds> = {},
): HealthChecker {
  if (typeof dataDir !== 'string' || dataDir.trim() === '') {
    throw new NovaError(
      'INVALID_ARGUMENT',
      'The disk check needs the data directory, got an empty path.',
      {
        fix: 'Pass config.NOVA_DATA_DIR.',
      },
    );
  }
  const t = { ...DEFAULT_DISK_THRESHOLDS, ...thresholds };
  for (const [name, value] of Object.entries(t)) {
    const ratio = name.endsWith('Ratio');
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (ratio && value > 1)) {
      throw new NovaError(
        'INVALID_ARGUMENT',
        `Disk threshold ${name} must be ${ratio ? 'a share from 0 to 1' : 'a number of bytes ≥ 0'}, got ${String(value)}.`,
        {
          fix: ratio ? 'Pass e.g. 0.05 for 5 %.' : 'Pass e.g. 2147483648 for 2 GiB.',
        },
      );
    }
  }
  return {
    id: 'disk',
    service: 'disk',
    label: 'Free disk',
    metricLabels: { path: dataDir },
    applicable: () => true,
    check: () => checkDisk(dataDir, t),
  };
}

async function checkDisk(dataDir: string, t: DiskThresholds): Promise<CheckResult> {
  const started = performance.now();
  let fs;
  try {
    fs = await statfs(dataDir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return {
      status: 'down',
      latencyMs: null,
      detail: `Cannot read the free space of the data directory ${dataDir} (${code ?? String(err)}).`,
      fix:
        code === 'ENOENT'
          ? 'The data directory is missing: create it, or point NOVA_DATA_DIR (--data-dir) at the right place.'
          : 'Check that the data directory exists and this user may read it.',
    };
  }
  const latencyMs = elapsedMs(started);
  // bavail, not bfree: blocks reserved for root are no use to an unprivileged server.
  const free = fs.bavail * fs.bsize;
  const total = fs.blocks * fs.bsize;
  const ratio = total > 0 ? free / total : 0;
  const metrics = { free_bytes: free, total_bytes: total };
  const detail = `${formatBytes(free)} free of ${formatBytes(total)} (${(ratio * 100).toFixed(1)}%) on the disk of ${dataDir}`;
  if (free < t.downBelowBytes || ratio < t.downBelowRatio) {
    return {
      status: 'down',
      latencyMs,
      detail: `${detail}; the next writes may fail`,
      fix: 'Free space now (old backups, logs), or move NOVA_DATA_DIR to a larger disk.',
      metrics,
    };
  }
  if (free < t.degradedBelowBytes || ratio < t.degradedBelowRatio) {
    return {
      status: 'degraded',
      latencyMs,
      detail: `${detail}; space is running low`,
      fix: 'Free space soon (old backups, logs), or move NOVA_DATA_DIR to a larger disk.',
      metrics,
    };
  }
  return { status: 'ok', latencyMs, detail, metrics };
}
