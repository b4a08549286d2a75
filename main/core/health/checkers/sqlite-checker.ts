/**
 * SQLite (embedded profile): the store's own health() — a round trip plus
 * `PRAGMA quick_check`, which the store repeats at most every
 * integrityCheckIntervalMs because it reads every page — and the sizes of
 * the database file and its WAL. A WAL that keeps growing means checkpoints
 * are starved by a reader that never lets go, and every read gets slower.
 */
import { stat } from 'node:fs/promises';
import type { SqliteRelationalStore } from '../../stores/sqlite/relational-store.js';
import type { CheckResult, HealthChecker } from '../types.js';
import { fromServiceHealth, requireBackend } from './shared.js';
import { formatBytes } from '../../../../shared-contract/format-bytes.js';

export type SqliteHealthSource = Pick<SqliteRelationalStore, 'health' | 'file'>;

export interface SqliteCheckerOptions {
  /** A WAL file larger than this is "degraded" (default 128 MiB). */
  walDegradedBytes?: number;
}

export function sqliteChecker(
  store: () => SqliteHealthSource | undefined,
  options: SqliteCheckerOptions = {},
): HealthChecker {
  const walLimit = options.walDegradedBytes ?? 128 * 1024 * 1024;
  return {
    id: 'sqlite',
    service: 'relational',
    label: 'SQLite',
    backend: 'sqlite',
    applicable: () => true,
    check: async () => checkSqlite(requireBackend(store(), 'SQLite'), walLimit),
  };
}

async function checkSqlite(db: SqliteHealthSource, walLimit: number): Promise<CheckResult> {
  const health = await db.health();
  if (health.status === 'down' || db.file === ':memory:') return fromServiceHealth(health);
  const [fileBytes, walBytes] = await Promise.all([sizeOf(db.file), sizeOf(`${db.file}-wal`)]);
  const metrics = { file_size_bytes: fileBytes, wal_size_bytes: walBytes };
  const sizes = `file ${formatBytes(fileBytes)}, WAL ${formatBytes(walBytes)}`;
  if (health.status !== 'ok') {
    return fromServiceHealth({ ...health, detail: `${health.detail}; ${sizes}` }, metrics);
  }
  const detail = `${health.detail}; quick_check ok; ${sizes}`;
  if (walBytes > walLimit) {
    return {
      status: 'degraded',
      latencyMs: health.latencyMs,
      detail: `${detail} (the WAL is above ${formatBytes(walLimit)}: checkpoints are not keeping up)`,
      fix: 'A long-lived reader keeps SQLite from checkpointing: close idle connections to the file (e.g. a legacy server or a DB browser), or run PRAGMA wal_checkpoint(TRUNCATE).',
      metrics,
    };
  }
  return { status: 'ok', latencyMs: health.latencyMs, detail, metrics };
}

/** Size in bytes; 0 when the file does not exist (no WAL right after a checkpoint). */
async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
}
