/**
 * Making a backup (main/core/backup/README.md): one part per service, then the manifest, then
 * the atomic rename that makes it a backup. Runs as a Task (progress,
 * cancel); a failure or cancel removes the partial folder, a kill leaves it
 * to be reported stale and cleaned by the next run.
 */
import { hostname } from 'node:os';
import { NovaError, isNovaError, type ErrorCode } from '../errors.js';
import { packageVersion } from '../package-version.js';
import type { TaskContext } from '../tasks/task.js';
import { newEncryption } from './backup-crypto.js';
import { withBackupLock } from './backup-lock.js';
import { localErrno, localFileError } from '../local-fs-errors.js';
import { recordInLedger } from './backup-ledger.js';
import {
  cleanStalePartials,
  newBackupId,
  startPartialBackup,
  timestampName,
} from './backup-store.js';
import type { BackupTargets } from './backup-targets.js';
import { sealManifest, partRows, type BackupReason, type ManifestPart } from './manifest.js';
import type { PartJobOptions } from './part-types.js';
import { backupPart, PART_ORDER, type PartSettings } from './parts/backup-part.js';
import { sweepVerifyLeftovers } from './verify-leftovers.js';

export type PostgresMethod = 'auto' | 'pg_dump' | 'driver';

export interface CreateBackupOptions {
  /** Folder that holds the backups (NOVA_BACKUP_DIR or --out). */
  backupDir: string;
  targets: BackupTargets;
  /** Encrypt with this passphrase (AES-256-GCM, scrypt); plain when absent. */
  passphrase?: string;
  reason?: BackupReason;
  /** pg_dump when a new enough one is installed (auto), or force one way. */
  postgresMethod?: PostgresMethod;
  /** Where to look for pg_dump (default: PATH and the usual install folders). */
  pgToolDirs?: string[];
  /**
   * The Nova data directory: the backup is recorded in its ledger
   * (backup-ledger.ts), and leftovers of killed verifies are swept from it.
   */
  dataDir?: string;
  /** KDF cost override (tests only: the default costs ~100 ms per derivation). */
  kdfCost?: { N: number; r: number; p: number };
  now?: () => Date;
}

export interface BackupSummary {
  name: string;
  path: string;
  id: string;
  createdAt: string;
  finishedAt: string;
  reason: BackupReason;
  encrypted: boolean;
  bytes: number;
  parts: {
    name: string;
    service: string;
    format: string;
    bytes: number;
    tables: number;
    rows: number;
    notes: string[];
  }[];
  /** Stale partial folders of earlier, interrupted runs that were removed first. */
  cleanedPartials: string[];
}

/** A TaskContext for running outside a registry: no progress, never cancelled. */
export function detachedContext(signal?: AbortSignal): TaskContext {
  return {
    signal: signal ?? new AbortController().signal,
    progress: () => undefined,
    throwIfCancelled: () => {
      if (signal?.aborted) throw new NovaError('TASK_CANCELLED', 'The task was cancelled.');
    },
  };
}

/**
 * Any failure as a NovaError: cancellation as TASK_CANCELLED, a NovaError as
 * is, anything else (a full disk, a dropped pipe) under `code` with `what`.
 */
export function asNovaError(
  err: unknown,
  ctx: TaskContext,
  code: ErrorCode,
  what: string,
): NovaError {
  if (ctx.signal.aborted && !isNovaError(err, 'TASK_CANCELLED')) {
    return new NovaError('TASK_CANCELLED', `${what}: it was cancelled.`, { cause: err });
  }
  if (isNovaError(err)) return err;
  const local = localFileError(err, what);
  if (local) return local;
  return new NovaError(code, `${what}: ${err instanceof Error ? err.message : String(err)}`, {
    fix: 'Check free disk space and permissions of the backup and temporary folders, then try again.',
    cause: err,
  });
}

function hasTargets(targets: BackupTargets): boolean {
  return Boolean(targets.sqlite ?? targets.postgres ?? targets.mongo);
}

/** Makes one backup, holding the backup folder's lock (backup-lock.ts) throughout. */
export async function createBackup(
  options: CreateBackupOptions,
  ctx: TaskContext = detachedContext(),
): Promise<BackupSummary> {
  assertTargets(options.targets);
  return withBackupLock(options.backupDir, () => createBackupLocked(options, ctx)).catch(
    (err: unknown) => {
      throw asNovaError(err, ctx, 'BACKUP_FAILED', 'The backup failed; nothing was kept');
    },
  );
}

/** Refuses an empty set of targets before anything is locked or written. */
export function assertTargets(targets: BackupTargets): void {
  if (!hasTargets(targets)) {
    throw new NovaError(
      'INVALID_ARGUMENT',
      'There is nothing to back up: no database is configured.',
      {
        fix: 'Check NOVA_PROFILE and the connection settings.',
      },
    );
  }
}

/** createBackup for a caller that already holds the lock (runBackupJob: backup, verify, retention). */
export async function createBackupLocked(
  options: CreateBackupOptions,
  ctx: TaskContext,
): Promise<BackupSummary> {
  assertTargets(options.targets);
  const now = options.now ?? (() => new Date());
  const reason = options.reason ?? 'manual';
  ctx.progress({ phase: 'prepare', done: 0, total: null });
  const cleanedPartials = await cleanStalePartials(options.backupDir).catch(() => [] as string[]);
  await sweepVerifyLeftovers({
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.targets.postgres ? { postgres: options.targets.postgres } : {}),
    ...(options.targets.mongo ? { mongo: options.targets.mongo } : {}),
  });
  const encryption =
    options.passphrase !== undefined
      ? await newEncryption(options.passphrase, options.kdfCost)
      : undefined;
  const createdAt = now();
  const id = newBackupId();
  const name = `${timestampName(createdAt)}-${id}`;
  const partial = await startPartialBackup(options.backupDir, name);
  try {
    const parts: ManifestPart[] = [];
    const job = (phase: string): PartJobOptions => ({
      signal: ctx.signal,
      ...(encryption ? { key: encryption.key } : {}),
      onProgress: (item, done, total) => ctx.progress({ phase, item, done, total }),
    });
    const settings: PartSettings = {
      ...(options.postgresMethod ? { postgresMethod: options.postgresMethod } : {}),
      ...(options.pgToolDirs ? { pgToolDirs: options.pgToolDirs } : {}),
    };
    for (const service of PART_ORDER) {
      const target = options.targets[service];
      if (target) {
        ctx.progress({ phase: service, done: 0, total: null });
        const part = await backupPart(service);
        parts.push(await part.backup(target, partial.dir, job(service), settings));
      }
      ctx.throwIfCancelled();
    }
    ctx.progress({ phase: 'finalize', done: 0, total: null });
    const finishedAt = now();
    const manifest = sealManifest(
      {
        format: 'nova-backup',
        formatVersion: 1,
        id,
        name,
        createdAt: createdAt.toISOString(),
        finishedAt: finishedAt.toISOString(),
        reason,
        novaVersion: packageVersion('unknown'),
        host: hostname(),
        encryption: encryption?.header ?? null,
        parts,
      },
      encryption?.key,
    );
    // Before the rename: a backup the ledger does not know about is never listed as made here.
    if (options.dataDir) await recordInLedger(options.dataDir, manifest);
    const finalPath = await partial.commit(manifest);
    return {
      name,
      path: finalPath,
      id,
      createdAt: manifest.createdAt,
      finishedAt: manifest.finishedAt,
      reason,
      encrypted: encryption !== undefined,
      bytes: parts.reduce((sum, p) => sum + p.bytes, 0),
      parts: parts.map((p) => ({
        name: p.name,
        service: p.service,
        format: p.format,
        bytes: p.bytes,
        tables: p.tables.length,
        rows: partRows(p),
        notes: p.notes,
      })),
      cleanedPartials,
    };
  } catch (err) {
    await partial.discard().catch(() => undefined);
    // Name the backup folder's disk: a write stream's ENOSPC carries no path.
    const full =
      isNovaError(err, 'DISK_FULL') || ['ENOSPC', 'EDQUOT'].includes(localErrno(err)?.code ?? '');
    if (full && !ctx.signal.aborted) {
      throw new NovaError(
        'DISK_FULL',
        `The backup could not be written: the disk holding ${options.backupDir} on this machine is full. Nothing was kept of this attempt.`,
        {
          fix: 'Free space on that disk (old backups, other files), or back up into a folder on a disk with room, then run the backup again.',
          cause: err,
        },
      );
    }
    throw asNovaError(err, ctx, 'BACKUP_FAILED', 'The backup failed; nothing was kept');
  }
}
