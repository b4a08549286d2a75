/**
 * The PostgreSQL part, in one of two formats: a pg_dump custom archive when
 * a pg_dump as new as the server is installed (postgres-dump-part.ts), else
 * the built-in driver export as JSON lines (postgres-driver-part.ts). A
 * restore and a trial restore read whichever format the part has.
 */
import { NovaError } from '../../errors.js';
import { compareContents } from '../content-checksum.js';
import { partPlainFile, readPartLines } from '../part-files.js';
import type { PartJobOptions, StagedRestore } from '../part-types.js';
import type { PostgresBackupTarget } from '../postgres-connect.js';
import type { BackupPart, PartInBackup, PartSettings } from './backup-part.js';

async function backup(
  target: PostgresBackupTarget,
  dir: string,
  job: PartJobOptions,
  settings: PartSettings,
) {
  const method = settings.postgresMethod ?? 'auto';
  const { describePostgres, serverVersion, withPostgres } = await import('../postgres-connect.js');
  const { findPgTools } = await import('../postgres-tools.js');
  const { backupPostgresWithDriver } = await import('./postgres-driver-part.js');
  if (method === 'driver') return backupPostgresWithDriver(target, dir, job);
  const major = await withPostgres(target, async (c) => (await serverVersion(c)).major);
  const tools = await findPgTools(major, settings.pgToolDirs);
  if (!tools) {
    if (method === 'pg_dump') {
      throw new NovaError(
        'BINARY_MISSING',
        `No pg_dump of PostgreSQL ${major} or newer is installed, so ${describePostgres(target)} cannot be dumped with it.`,
        {
          fix: `Install postgresql-client-${major} (or newer), or let Nova use its built-in export.`,
        },
      );
    }
    return backupPostgresWithDriver(target, dir, job);
  }
  const { backupPostgresWithPgDump } = await import('./postgres-dump-part.js');
  return backupPostgresWithPgDump(target, tools, dir, job);
}

async function stageRestore(
  target: PostgresBackupTarget,
  from: PartInBackup,
  job: PartJobOptions,
  settings: PartSettings,
): Promise<StagedRestore> {
  const { backupPath, part, workDir, where } = from;
  if (part.format === 'pg-jsonl-gzip') {
    const { stagePostgresDriverRestore } = await import('./postgres-driver-part.js');
    return stagePostgresDriverRestore(
      target,
      readPartLines(backupPath, part, workDir, where, job),
      part,
      where,
      job,
    );
  }
  // pg_restore | psql cannot hold its transaction open for us: stage = have
  // the authenticated dump and the tools ready; commit = the one transaction.
  const { restorePgDumpFile } = await import('./postgres-dump-part.js');
  const { describePostgres, serverVersion, withPostgres } = await import('../postgres-connect.js');
  const { requireRestoreTools } = await import('../postgres-tools.js');
  const major = await withPostgres(target, async (c) => (await serverVersion(c)).major);
  await requireRestoreTools(major, settings.pgToolDirs);
  const file = await partPlainFile(backupPath, part, workDir, where, job);
  return {
    target: describePostgres(target),
    commit: () =>
      restorePgDumpFile(target, file, part, {
        signal: job.signal,
        ...(settings.pgToolDirs ? { searchDirs: settings.pgToolDirs } : {}),
      }),
    discard: async () => undefined,
  };
}

async function trialRestore(
  server: PostgresBackupTarget | undefined,
  from: PartInBackup,
  job: PartJobOptions,
  settings: PartSettings,
): Promise<{ skipped: string } | null> {
  if (!server) return { skipped: 'no PostgreSQL server is configured to restore into' };
  const { backupPath, part, workDir, where } = from;
  const { withScratchPostgres } = await import('../scratch-targets.js');
  const { withPostgres } = await import('../postgres-connect.js');
  const { postgresContentChecksums } = await import('../content-checksum-postgres.js');
  await withScratchPostgres(server, async (scratch) => {
    if (part.format === 'pg-dump-custom') {
      const { restorePgDumpFile } = await import('./postgres-dump-part.js');
      const file = await partPlainFile(backupPath, part, workDir, where, job);
      await restorePgDumpFile(scratch, file, part, {
        signal: job.signal,
        ...(settings.pgToolDirs ? { searchDirs: settings.pgToolDirs } : {}),
      });
    } else {
      const { stagePostgresDriverRestore } = await import('./postgres-driver-part.js');
      const staged = await stagePostgresDriverRestore(
        scratch,
        readPartLines(backupPath, part, workDir, where, job),
        part,
        where,
        job,
      );
      await staged.commit();
    }
    const actual = await withPostgres(scratch, (c) => postgresContentChecksums(c));
    const diff = compareContents(part.tables, actual);
    if (diff.length > 0) {
      throw new NovaError(
        'BACKUP_CORRUPT',
        `${where}: the trial restore of PostgreSQL does not match the manifest (${diff.slice(0, 3).join('; ')}).`,
        {
          fix: 'This backup cannot be trusted; use another backup.',
        },
      );
    }
  });
  return null;
}

export const postgresPart: BackupPart<PostgresBackupTarget> = {
  service: 'postgres',
  backup,
  stageRestore,
  trialRestore,
};
