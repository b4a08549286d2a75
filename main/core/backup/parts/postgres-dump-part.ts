/**
 * The PostgreSQL part through the real tools: `pg_dump -Fc` into
 * `postgres.dump`, restored with `pg_restore | psql --single-transaction`.
 *
 * Backup: a REPEATABLE READ transaction exports its snapshot to pg_dump and
 * computes the content checksums itself, so the manifest describes exactly
 * the rows in the dump even while the application keeps writing.
 * Restore: one psql transaction empties the database (every user schema),
 * replays the dump and checks every table's row count against the manifest;
 * any error rolls all of it back, so the target is never half-restored.
 */
import { randomBytes } from 'node:crypto';
import { execa, type Result } from 'execa';
import { NovaError } from '../../errors.js';
import { redactSecrets } from '../../config/redact.js';
import { tailLines } from '../../services/run-command.js';
import {
  pgTableSql,
  postgresContentChecksums,
  quotePgIdent,
} from '../content-checksum-postgres.js';
import type { ManifestPart } from '../manifest.js';
import { writePart } from '../part-files.js';
import {
  DROP_USER_SCHEMAS_SQL,
  connectPostgres,
  describePostgres,
  pgFailure,
  pgToolEnv,
  serverVersion,
  withPostgres,
  type PostgresBackupTarget,
} from '../postgres-connect.js';
import { requireRestoreTools, type PgToolSet } from '../postgres-tools.js';
import type { PartJobOptions } from '../part-types.js';

export const PG_DUMP_PART = 'postgres.dump';

function toolFailure(
  what: string,
  result: Pick<Result, 'exitCode' | 'signal' | 'stderr' | 'isCanceled'>,
  fix: string,
): NovaError {
  if (result.isCanceled) return new NovaError('TASK_CANCELLED', `${what} was cancelled.`);
  const how =
    result.exitCode !== undefined
      ? `exited with code ${result.exitCode}`
      : `was killed (${result.signal ?? 'signal'})`;
  const tail = redactSecrets(tailLines(String(result.stderr ?? ''), 8));
  return new NovaError(
    'BACKUP_FAILED',
    `${what} ${how}${tail ? `: ${tail.replace(/\n/g, ' | ')}` : '.'}`,
    { fix },
  );
}

export async function backupPostgresWithPgDump(
  target: PostgresBackupTarget,
  tools: PgToolSet,
  dir: string,
  options: PartJobOptions = {},
): Promise<ManifestPart> {
  const client = await connectPostgres(target);
  try {
    const version = await serverVersion(client);
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    const { rows } = await client.query<{ snapshot: string }>(
      'SELECT pg_export_snapshot() AS snapshot',
    );
    const snapshot = rows[0]!.snapshot;
    const child = execa(
      tools.pgDump,
      ['--format=custom', '--no-password', `--snapshot=${snapshot}`],
      {
        env: pgToolEnv(target),
        extendEnv: false,
        stdin: 'ignore',
        buffer: { stdout: false, stderr: true },
        reject: false,
        ...(options.signal ? { cancelSignal: options.signal } : {}),
      },
    );
    options.onProgress?.(PG_DUMP_PART, 0, null);
    const writing = writePart(dir, child.stdout, {
      partName: PG_DUMP_PART,
      gzip: false,
      ...(options.key ? { key: options.key } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    // The transaction must outlive pg_dump's import of the snapshot; the checksums keep it busy meanwhile.
    const checksums = postgresContentChecksums(client, (t) =>
      options.onProgress?.(`${t.schema}.${t.name}`, 0, null),
    );
    let settled: [Result, Awaited<typeof writing>, Awaited<typeof checksums>];
    try {
      settled = await Promise.all([child, writing, checksums]);
    } catch (err) {
      child.kill();
      await Promise.allSettled([child, writing, checksums]);
      throw err;
    }
    const [result, written, tables] = settled;
    if (result.failed) {
      throw toolFailure(
        'pg_dump',
        result,
        "Check that the database is reachable with the configured credentials; the message above is pg_dump's own.",
      );
    }
    await client.query('COMMIT');
    return {
      name: PG_DUMP_PART,
      service: 'postgres',
      format: 'pg-dump-custom',
      ...written,
      source: describePostgres(target),
      serverVersion: version.text,
      tool: tools.versionText,
      tables,
      notes: [],
    };
  } catch (err) {
    throw pgFailure(err, target);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Set by the last line of the restore script; its absence means the script was cut short. */
const STREAM_COMPLETE_GUC = 'nova.restore_stream';
const STREAM_COMPLETE_SQL = `\nSELECT pg_catalog.set_config('${STREAM_COMPLETE_GUC}', 'complete', false);\n`;

/**
 * A DO block, run last inside the restore transaction, that raises unless
 * the whole script arrived and every table has the row count the manifest
 * recorded.
 */
function finalCheckSql(part: ManifestPart): string {
  const tag = `$nova_${randomBytes(6).toString('hex')}$`;
  const checks = part.tables.map((t) => {
    const table = pgTableSql({ schema: t.schema ?? 'public', name: t.name });
    const label = `${t.schema ?? 'public'}.${t.name}`.replace(/'/g, "''");
    return `  SELECT count(*) INTO n FROM ${table};\n  IF n <> ${t.rows} THEN RAISE EXCEPTION 'restore check: % has % rows, the backup has ${t.rows}', '${label}', n; END IF;`;
  });
  const complete = `  IF current_setting('${STREAM_COMPLETE_GUC}', true) IS DISTINCT FROM 'complete' THEN RAISE EXCEPTION 'restore check: the restore script was cut short'; END IF;`;
  return `DO ${tag}\nDECLARE n bigint;\nBEGIN\n${complete}\n${checks.join('\n')}\nEND\n${tag}`;
}

/**
 * Replays a plaintext pg_dump archive into `target` as one transaction:
 * drop every user schema, restore, check row counts. Throws RESTORE_FAILED
 * (with the tool's own message) and leaves the target as it was on any error.
 *
 * pg_restore's output is piped into psql by hand rather than with a plain
 * pipe: if pg_restore fails half-way, psql would otherwise see a shorter
 * but well-formed script and commit it. Only after pg_restore exits 0 is the
 * completion marker written, and the final check refuses to commit without it.
 */
export async function restorePgDumpFile(
  target: PostgresBackupTarget,
  dumpFile: string,
  part: ManifestPart,
  options: { signal?: AbortSignal; searchDirs?: string[] } = {},
): Promise<void> {
  const major = await withPostgres(target, async (c) => (await serverVersion(c)).major);
  const tools = await requireRestoreTools(major, options.searchDirs);
  const common = {
    env: pgToolEnv(target),
    extendEnv: false,
    reject: false,
    ...(options.signal ? { cancelSignal: options.signal } : {}),
  } as const;
  const prelude = `SET client_min_messages = warning; ${DROP_USER_SCHEMAS_SQL}; CREATE SCHEMA ${quotePgIdent('public')};`;
  const psql = execa(
    tools.psql,
    [
      '-X',
      '-q',
      '-v',
      'ON_ERROR_STOP=1',
      '--single-transaction',
      '-c',
      prelude,
      '-f',
      '-',
      '-c',
      finalCheckSql(part),
    ],
    { ...common, stdin: 'pipe' },
  );
  const restore = execa(tools.pgRestore, ['--no-owner', '--no-privileges', '--file=-', dumpFile], {
    ...common,
    stdin: 'ignore',
    buffer: { stdout: false, stderr: true },
  });
  // psql stopping early (ON_ERROR_STOP) closes its stdin: stop feeding it, and stop pg_restore.
  let psqlGone = false;
  psql.stdin.on('error', () => undefined);
  void psql.finally(() => {
    psqlGone = true;
    restore.kill();
  });
  restore.stdout.pipe(psql.stdin, { end: false });
  const restored = await restore;
  // Read now: psql always ends eventually; what matters is whether it ended before pg_restore did.
  const killedForPsql = psqlGone;
  if (!restored.failed && !killedForPsql) psql.stdin.write(STREAM_COMPLETE_SQL);
  psql.stdin.end();
  const applied = await psql;

  const fix =
    'Nothing was changed: the restore runs as one transaction. Fix the cause named above (permissions, disk space, a server older than the backup) and run it again.';
  // pg_restore failing on its own names the real cause; killed because psql stopped, psql does.
  const failed =
    restored.failed && !killedForPsql
      ? { tool: 'pg_restore', result: restored }
      : applied.failed
        ? { tool: 'psql', result: applied }
        : null;
  if (failed) {
    const e = toolFailure(
      `Restoring ${describePostgres(target)} (${failed.tool})`,
      failed.result,
      fix,
    );
    throw e.code === 'TASK_CANCELLED' ? e : new NovaError('RESTORE_FAILED', e.message, { fix });
  }
}
