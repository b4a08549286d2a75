/**
 * Data safety, not just liveness (docs/backup-coverage.md): the sources the
 * restore-test, backup-space and migration health checks read, and the
 * scheduled trial restore that keeps "last proven restorable at …" fresh.
 *
 * The trial restore reuses the backup scheduler (its timing is computed from
 * the last proof on disk, so restarts do not postpone it) and verifyBackup
 * (checksums, decryption, restore into scratch databases, which records the
 * success next to the manifest). A failure is recorded in
 * `<data dir>/restore-test.json`, because a failed verify leaves no trace in
 * the backup folder and the dashboard must still say it failed.
 */
import { readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { listBackups, type BackupEntry } from '../backup/backup-store.js';
import type { BackupTargets } from '../backup/backup-targets.js';
import { resolveBackupDir } from '../backup/backup-targets.js';
import { BackupScheduler } from '../backup/scheduler.js';
import { passphraseFromEnv } from '../backup/passphrase.js';
import type { NovaConfig } from '../config/schema.js';
import type { BackupSpaceSource } from '../health/checkers/backup-space-checker.js';
import type {
  MigrationStateSource,
  UnfinishedMigration,
} from '../health/checkers/migration-checker.js';
import type { RestoreProofSource } from '../health/checkers/restore-test-checker.js';
import type { Logger } from '../logger.js';
import { verifyAgainst } from '../use-cases/backup.js';
import type { TaskRegistry } from '../tasks/task.js';
import { coversNow, type BackupCoverage } from './backup-adapter.js';

export const RESTORE_TEST_FILE = 'restore-test.json';

/** The outcome of the latest scheduled trial restore. */
export interface RestoreTestRecord {
  at: string;
  backup: string;
  ok: boolean;
  message?: string;
}

async function readRecord(dataDir: string): Promise<RestoreTestRecord | null> {
  try {
    const raw = JSON.parse(
      await readFile(path.join(dataDir, RESTORE_TEST_FILE), 'utf8'),
    ) as Partial<RestoreTestRecord>;
    if (typeof raw.at !== 'string' || typeof raw.backup !== 'string' || typeof raw.ok !== 'boolean')
      return null;
    return raw as RestoreTestRecord;
  } catch {
    return null;
  }
}

async function writeRecord(dataDir: string, record: RestoreTestRecord): Promise<void> {
  const file = path.join(dataDir, RESTORE_TEST_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(record), { mode: 0o600 });
  await rename(tmp, file);
}

/** Intact backups of the current setup, newest first. */
async function coveringBackups(
  config: NovaConfig,
  coverage: BackupCoverage,
): Promise<BackupEntry[]> {
  const covers = coversNow(coverage);
  const { backups } = await listBackups(resolveBackupDir(config));
  return backups.filter((b) => covers(b.manifest.parts));
}

/** The newest trial-restored verify of a backup of the current setup. */
async function lastProof(
  config: NovaConfig,
  coverage: BackupCoverage,
): Promise<{ at: Date; backup: string } | null> {
  let best: { at: Date; backup: string } | null = null;
  for (const b of await coveringBackups(config, coverage)) {
    if (!b.verified?.trialRestored) continue;
    const at = new Date(b.verified.at);
    if (!best || at > best.at) best = { at, backup: b.name };
  }
  return best;
}

export function restoreProofSource(
  config: NovaConfig,
  coverage: BackupCoverage,
): RestoreProofSource {
  const hours = config.NOVA_RESTORE_TEST_INTERVAL_HOURS;
  return {
    intervalHours: hours > 0 ? hours : null,
    lastProof: () => lastProof(config, coverage),
    lastFailure: async () => {
      const record = await readRecord(config.NOVA_DATA_DIR);
      return record && !record.ok
        ? {
            at: new Date(record.at),
            backup: record.backup,
            message: record.message ?? 'no reason recorded',
          }
        : null;
    },
    hasBackup: async () => (await coveringBackups(config, coverage)).length > 0,
  };
}

export function backupSpaceSource(config: NovaConfig, coverage: BackupCoverage): BackupSpaceSource {
  return {
    backupDir: resolveBackupDir(config),
    lastBackupBytes: async () => (await coveringBackups(config, coverage))[0]?.bytes ?? null,
  };
}

/** Migration jobs under `<data dir>/migrations/` whose record says they did not complete. */
export function migrationStateSource(dataDir: string, tasks: TaskRegistry): MigrationStateSource {
  return {
    running: () =>
      tasks.list().some((t) => t.kind.startsWith('migration') && t.state === 'running'),
    unfinished: async () => {
      const root = path.join(dataDir, 'migrations');
      let names: string[];
      try {
        names = await readdir(root);
      } catch {
        return [];
      }
      const found: UnfinishedMigration[] = [];
      for (const name of names) {
        const job = readJobRecord(path.join(root, name, 'job-state.sqlite'));
        if (job && (job.status === 'running' || job.status === 'failed'))
          found.push({ source: job.sourceFile, status: job.status, startedAt: job.startedAt });
      }
      return found.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
    },
  };
}

/** Read-only: a health check must never create or lock a job's state. */
function readJobRecord(
  file: string,
): { sourceFile: string; status: string; startedAt: string } | null {
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const row = db.prepare('SELECT record FROM job').pluck().get() as string | undefined;
    return row
      ? (JSON.parse(row) as { sourceFile: string; status: string; startedAt: string })
      : null;
  } catch {
    return null; // no job yet, or a dry run's directory
  } finally {
    db?.close();
  }
}

export interface RestoreTestScheduleOptions {
  config: NovaConfig;
  coverage: BackupCoverage;
  /** The servers the trial restore may create scratch databases on (the live targets). */
  targets: () => BackupTargets;
  tasks: TaskRegistry;
  logger: Logger;
  /** After every run (health should look again). */
  onRun?: () => void;
}

/**
 * The scheduled trial restore (NOVA_RESTORE_TEST_INTERVAL_HOURS, weekly by
 * default): the newest backup of the current setup is verified with a
 * restore into scratch databases, as a Task the UI shows. Null when off.
 */
export function restoreTestScheduler(options: RestoreTestScheduleOptions): BackupScheduler | null {
  const { config, coverage, tasks, logger } = options;
  const hours = config.NOVA_RESTORE_TEST_INTERVAL_HOURS;
  if (!(hours > 0)) return null;
  const passphrase = passphraseFromEnv();
  return new BackupScheduler({
    intervalMs: hours * 3_600_000,
    lastGoodBackupAt: async () => {
      // Due one interval after the newest proof or attempt, whichever is later.
      const [proof, record] = await Promise.all([
        lastProof(config, coverage),
        readRecord(config.NOVA_DATA_DIR),
      ]);
      const times = [proof?.at.getTime(), record ? Date.parse(record.at) : undefined].filter(
        (t): t is number => typeof t === 'number' && Number.isFinite(t),
      );
      return times.length ? new Date(Math.max(...times)) : null;
    },
    runJob: async () => {
      const newest = (await coveringBackups(config, coverage))[0];
      if (!newest) return; // nothing to prove yet; the backup check already says so
      const targets = options.targets();
      const task = tasks.run('backup.verify', `Trial restore of ${newest.name}`, (ctx) =>
        verifyAgainst(newest.path, targets, { config, passphrase }, ctx),
      );
      try {
        const result = await task.start();
        await writeRecord(config.NOVA_DATA_DIR, {
          at: result.verifiedAt,
          backup: newest.name,
          ok: result.trialRestored,
          ...(result.trialRestored
            ? {}
            : {
                message:
                  'some parts could not be restored for the test (no server to restore into).',
              }),
        });
        logger.info('trial restore finished', {
          backup: newest.name,
          restorable: result.trialRestored,
        });
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        await writeRecord(config.NOVA_DATA_DIR, {
          at: new Date().toISOString(),
          backup: newest.name,
          ok: false,
          message,
        });
        logger.error('trial restore failed', { backup: newest.name, error: message });
        throw err;
      } finally {
        options.onRun?.();
      }
    },
  });
}
