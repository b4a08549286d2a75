/**
 * `restore` (main/core/backup/README.md): puts a backup back into the configured databases —
 * the ones it came from or others. It refuses without explicit confirmation
 * and never half-applies:
 *
 *  1. everything is checked first: each part has a target, the manifest and
 *     the sha256 of every part, the passphrase;
 *  2. every service is STAGED without touching live data: SQLite unpacked
 *     and checked beside the live file; MongoDB loaded into temporary
 *     collections and compared; PostgreSQL (driver export) loaded inside an
 *     open transaction;
 *  3. only then is each COMMITTED, fastest-to-fail first: PostgreSQL (one
 *     transaction), MongoDB (renames), SQLite (one rename).
 * Any failure in 1–2 discards every stage: the targets are as they were.
 *
 * The data layer (DatabaseFactory) must be closed while a restore runs; the
 * CLI runs it as its own process, the app stops its services first.
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { NovaError } from '../errors.js';
import type { TaskContext } from '../tasks/task.js';
import { unlockManifest } from './backup-crypto.js';
import { assertMatchesLedger } from './backup-ledger.js';
import { readBackup, type BackupEntry } from './backup-store.js';
import type { BackupTargets } from './backup-targets.js';
import { partRows, type ManifestPart } from './manifest.js';
import { checkPartFile } from './part-files.js';
import { asNovaError, detachedContext } from './run-backup.js';
import type { PartJobOptions, StagedRestore } from './part-types.js';
import { backupPart } from './parts/backup-part.js';
import { privateWorkDir } from './verify-leftovers.js';

export interface RestoreOptions {
  /** Where to restore to: the configured databases, or any others. */
  targets: BackupTargets;
  passphrase?: string;
  /** Must be true: a restore replaces the targets' current contents (CLI: --yes). */
  confirm: boolean;
  pgToolDirs?: string[];
  /** The Nova data directory: private scratch space and the backup ledger (see VerifyOptions). */
  dataDir?: string;
  /**
   * Back up what the restore is about to replace, first, into this folder
   * (encrypted when a passphrase is given). Null or absent: no safety backup
   * (the CLI's explicit opt-out).
   */
  safetyBackup?: { backupDir: string; passphrase?: string } | null;
}

export interface RestoreResult {
  name: string;
  path: string;
  /** The backup of the contents the restore replaced; null when none was asked for or there was nothing. */
  safetyBackup: { name: string; path: string } | null;
  restored: { service: string; target: string; tables: number; rows: number }[];
  durationMs: number;
}

const SERVICE_LABEL = { sqlite: 'SQLite', postgres: 'PostgreSQL', mongo: 'MongoDB' } as const;
const TARGET_HINT = {
  sqlite: 'the embedded profile (NOVA_PROFILE=embedded, SQLITE_FILE)',
  postgres: 'PostgreSQL (NOVA_POSTGRES_PROFILE and POSTGRES_URL)',
  mongo: 'MongoDB (NOVA_MONGO_PROFILE and MONGODB_URL)',
} as const;

function requireTargets(
  parts: readonly ManifestPart[],
  targets: BackupTargets,
  where: string,
): void {
  for (const part of parts) {
    if (!targets[part.service]) {
      throw new NovaError(
        'INVALID_ARGUMENT',
        `${where} holds ${SERVICE_LABEL[part.service]} data (from ${part.source}), but no ${SERVICE_LABEL[part.service]} is configured to restore it into.`,
        {
          fix: `Configure ${TARGET_HINT[part.service]} for the restore, or restore this backup on a Nova with that profile.`,
        },
      );
    }
  }
}

async function stagePart(
  backupPath: string,
  part: ManifestPart,
  options: RestoreOptions,
  workDir: string,
  where: string,
  job: PartJobOptions,
): Promise<StagedRestore> {
  const engine = await backupPart(part.service);
  return engine.stageRestore(
    options.targets[part.service]!,
    { backupPath, part, workDir, where },
    job,
    options.pgToolDirs ? { pgToolDirs: options.pgToolDirs } : {},
  );
}

/** Commit order: the one most likely to fail first, while the others can still be discarded. */
const COMMIT_ORDER = ['postgres', 'mongo', 'sqlite'] as const;

export async function restoreBackup(
  backupPath: string,
  options: RestoreOptions,
  ctx: TaskContext = detachedContext(),
): Promise<RestoreResult> {
  try {
    return await runRestore(backupPath, options, ctx);
  } catch (err) {
    throw asNovaError(err, ctx, 'RESTORE_FAILED', `Restoring ${backupPath} failed`);
  }
}

async function runRestore(
  backupPath: string,
  options: RestoreOptions,
  ctx: TaskContext,
): Promise<RestoreResult> {
  const started = Date.now();
  if (options.confirm !== true) {
    throw new NovaError(
      'CONFIRMATION_REQUIRED',
      'A restore replaces the current contents of the configured databases with the backup, so it needs explicit confirmation.',
      {
        fix: 'Run it again with --yes (nova-db restore PATH --yes) once you are sure; make a backup of the current state first if you may want it back.',
      },
    );
  }
  const entry = await readBackup(backupPath);
  const { manifest } = entry;
  const where = `the backup ${entry.name}`;
  if (options.dataDir) await assertMatchesLedger(options.dataDir, manifest, where);
  requireTargets(manifest.parts, options.targets, where);
  ctx.progress({ phase: 'verify', done: 0, total: manifest.parts.length });
  for (const part of manifest.parts) await checkPartFile(entry.path, part, where);
  const key = manifest.encryption
    ? await unlockManifest(
        options.passphrase,
        { ...manifest, encryption: manifest.encryption },
        where,
        ctx.signal,
      )
    : undefined;

  // Everything is checked: keep what is about to be replaced before touching it.
  const safety = await takeSafetyBackup(manifest.parts, options, ctx);
  try {
    return await stageAndCommit(entry, options, ctx, key, started, safety);
  } catch (err) {
    if (!safety || !(err instanceof NovaError)) throw err;
    throw new NovaError(err.code, err.message, {
      fix: `${err.fix ?? 'Fix the cause and run the restore again.'} The contents from before this restore are saved in ${safety.path}.`,
      cause: err,
    });
  }
}

/** The services the backup replaces, as they are now; only targets that exist (a missing SQLite file has nothing to keep). */
function replacedTargets(parts: readonly ManifestPart[], targets: BackupTargets): BackupTargets {
  const services = new Set(parts.map((p) => p.service));
  return {
    ...(services.has('sqlite') && targets.sqlite && existsSync(targets.sqlite.file)
      ? { sqlite: targets.sqlite }
      : {}),
    ...(services.has('postgres') && targets.postgres ? { postgres: targets.postgres } : {}),
    ...(services.has('mongo') && targets.mongo ? { mongo: targets.mongo } : {}),
  };
}

async function takeSafetyBackup(
  parts: readonly ManifestPart[],
  options: RestoreOptions,
  ctx: TaskContext,
): Promise<{ name: string; path: string } | null> {
  if (!options.safetyBackup) return null;
  const targets = replacedTargets(parts, options.targets);
  if (!targets.sqlite && !targets.postgres && !targets.mongo) return null;
  ctx.progress({ phase: 'safety backup', done: 0, total: null });
  const { createBackup } = await import('./run-backup.js');
  try {
    const made = await createBackup(
      {
        backupDir: options.safetyBackup.backupDir,
        targets,
        reason: 'pre-restore',
        ...(options.dataDir ? { dataDir: options.dataDir } : {}),
        ...(options.safetyBackup.passphrase ? { passphrase: options.safetyBackup.passphrase } : {}),
        ...(options.pgToolDirs ? { pgToolDirs: options.pgToolDirs } : {}),
      },
      ctx,
    );
    return { name: made.name, path: made.path };
  } catch (err) {
    const inner = err instanceof NovaError ? err : undefined;
    throw new NovaError(
      'RESTORE_FAILED',
      `Nothing was restored: the safety backup of the current contents failed first (${inner?.message ?? String(err)}).`,
      {
        fix: `${inner?.fix ?? 'Fix the cause.'} Then run the restore again (or, if the current contents do not matter, without the safety backup).`,
        cause: err,
      },
    );
  }
}

async function stageAndCommit(
  entry: BackupEntry,
  options: RestoreOptions,
  ctx: TaskContext,
  key: Buffer | undefined,
  started: number,
  safetyBackup: { name: string; path: string } | null,
): Promise<RestoreResult> {
  const { manifest } = entry;
  const where = `the backup ${entry.name}`;
  const workDir = await privateWorkDir(options.dataDir, 'restore');
  const staged = new Map<ManifestPart['service'], StagedRestore>();
  const described = new Map<ManifestPart['service'], string>();
  try {
    for (const [i, part] of manifest.parts.entries()) {
      ctx.throwIfCancelled();
      ctx.progress({ phase: 'stage', item: part.name, done: i, total: manifest.parts.length });
      const job: PartJobOptions = {
        signal: ctx.signal,
        ...(key ? { key } : {}),
        onProgress: (item, done, total) =>
          ctx.progress({ phase: `stage ${part.service}`, item, done, total }),
      };
      const stage = await stagePart(entry.path, part, options, workDir, where, job);
      staged.set(part.service, stage);
      described.set(part.service, stage.target);
    }
    ctx.throwIfCancelled();
    const committed: string[] = [];
    for (const service of COMMIT_ORDER) {
      const stage = staged.get(service);
      if (!stage) continue;
      ctx.progress({ phase: 'commit', item: service, done: committed.length, total: staged.size });
      try {
        await stage.commit();
      } catch (err) {
        if (committed.length === 0 || !(err instanceof NovaError)) throw err;
        // Past the point of no return for the services already committed: say exactly which.
        throw new NovaError(
          'RESTORE_FAILED',
          `${err.message} (already restored: ${committed.join(', ')}).`,
          {
            fix: `${err.fix ?? 'Fix the cause.'} Then run the restore again: it replaces everything again, so the result is consistent.`,
            cause: err,
          },
        );
      }
      staged.delete(service);
      committed.push(stage.target);
    }
  } finally {
    for (const stage of staged.values()) await stage.discard().catch(() => undefined);
    await rm(workDir, { recursive: true, force: true });
  }
  return {
    name: entry.name,
    path: entry.path,
    safetyBackup,
    restored: manifest.parts.map((p) => ({
      service: p.service,
      target: described.get(p.service) ?? p.service,
      tables: p.tables.length,
      rows: partRows(p),
    })),
    durationMs: Date.now() - started,
  };
}
