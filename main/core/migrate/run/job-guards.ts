/**
 * The checks and set-up steps around a migration job (migration-job.ts):
 * whether this run may start or resume the job in its directory, the
 * refusals that say why not, and getting a PostgreSQL target ready — the
 * Nova schema, the job-state tables, and the guard against two jobs mixing
 * in one database.
 */
import { resolve, join } from 'node:path';
import type { PoolClient } from 'pg';
import { NovaError } from '../../errors.js';
import { migrateSchema } from '../../schema/migration-runner.js';
import { PostgresStore } from '../../stores/postgres/postgres-store.js';
import type { SourcePlan } from './job-setup.js';
import type { LocalJobRecord } from './local-job-state.js';
import { ensureJobTables, insertJob, listJobs, setJobStatus } from './pg-job-state.js';
import type { MigrationPg } from './pg-session.js';
import { HASH_PROBE, rowHash, type HashKind } from './row-hash.js';

/**
 * lookup3 (PostgreSQL's hashtextextended) when the server computes it the
 * way the engine's port does; md5 otherwise (row-hash.ts).
 */
export async function chooseHash(c: PoolClient): Promise<HashKind> {
  const { rows } = await c.query<{ h: string }>('SELECT hashtextextended($1, 0)::text AS h', [
    HASH_PROBE,
  ]);
  return rows[0]?.h === rowHash('lookup3', HASH_PROBE).toString() ? 'lookup3' : 'md5';
}

/** An error PostgreSQL reported (it carries a severity), to be mapped to a NovaError. */
export function isPgServerError(err: unknown): boolean {
  return (
    !(err instanceof NovaError) &&
    err instanceof Error &&
    typeof (err as { severity?: unknown }).severity === 'string'
  );
}

/** Whether this run resumes; refuses a run that would clash with the job already in the directory. */
export function checkJobState(
  job: LocalJobRecord | null,
  options: { resume?: boolean | undefined; source: string },
  jobDir: string,
): boolean {
  if (options.resume) {
    if (!job) {
      throw new NovaError('INVALID_ARGUMENT', `There is no migration to resume in ${jobDir}.`, {
        fix: 'Run the migration without --resume to start it (or point --report at the directory of the interrupted run).',
      });
    }
    if (job.status === 'completed') throw alreadyDone(job, jobDir);
    if (resolve(options.source) !== job.sourceFile) {
      throw new NovaError(
        'INVALID_ARGUMENT',
        `The migration in ${jobDir} is of ${job.sourceFile}, not ${resolve(options.source)}.`,
        {
          fix: `Resume it with --source ${job.sourceFile}, or choose another --report directory for a new migration.`,
        },
      );
    }
    return true;
  }
  if (job?.status === 'completed') throw alreadyDone(job, jobDir);
  if (job) {
    throw new NovaError(
      'INVALID_ARGUMENT',
      `An unfinished migration of ${job.sourceFile} (started ${job.startedAt}) is in ${jobDir}.`,
      {
        fix: 'Add --resume to finish it (nothing is lost or doubled), or choose another --report directory to start over.',
      },
    );
  }
  return false;
}

function alreadyDone(job: LocalJobRecord, jobDir: string): NovaError {
  return new NovaError(
    'INVALID_ARGUMENT',
    `${job.sourceFile} was already migrated by the job in ${jobDir} (finished ${job.finishedAt ?? '?'}); its report is ${join(jobDir, 'report.json')}.`,
    {
      fix: 'To migrate again, use a fresh target database and another --report directory.',
    },
  );
}

export function copyMissing(snapshot: string, jobDir: string): NovaError {
  return new NovaError(
    'DB_MISSING',
    `The copy of the source this migration reads (${snapshot}) is gone, so the job in ${jobDir} cannot be resumed.`,
    {
      fix: 'Start over: empty the target database and run the migration with another --report directory.',
    },
  );
}

export function planChanged(jobDir: string): NovaError {
  return new NovaError(
    'INVALID_ARGUMENT',
    `The plan or its rules differ from the ones the interrupted migration in ${jobDir} started with; resuming with others would mix two mappings.`,
    {
      fix: "Resume with the same --plan file and the same rules as the first run (unchanged; a resume without rule flags reuses the first run's), or start over with a fresh target and another --report directory.",
    },
  );
}

export function requireUrl(url: string | undefined, kind: 'postgres' | 'mongo'): string {
  if (url) return url;
  throw new NovaError(
    'CONFIG_INVALID',
    kind === 'postgres'
      ? 'There is no PostgreSQL to migrate into: no --postgres-url was given and POSTGRES_URL is not set.'
      : 'There is no MongoDB to migrate into: no --mongo-url was given and MONGODB_URL is not set.',
    {
      fix:
        kind === 'postgres'
          ? 'Pass --postgres-url postgres://user:password@host:5432/nova (or set POSTGRES_URL).'
          : 'Pass --mongo-url mongodb://host:27017/nova (or set MONGODB_URL).',
    },
  );
}

export function redactMongo(url: string | undefined): string {
  return (url ?? '').replace(/\/\/[^@/]*@/, '//***@');
}

export async function pgQuery<T>(pg: MigrationPg, fn: (c: PoolClient) => Promise<T>): Promise<T> {
  const client = await pg.connect();
  try {
    return await fn(client);
  } catch (err) {
    throw isPgServerError(err) ? pg.mapError(err) : err;
  } finally {
    client.release();
  }
}

/** Target schema, job tables, and the checks that keep two jobs from mixing in one database. */
export async function preparePgJob(
  pg: MigrationPg,
  url: string,
  sp: SourcePlan,
  job: LocalJobRecord,
  jobDir: string,
  resumed: boolean,
): Promise<void> {
  // The Nova schema, when the plan loads into tables it does not create (the built-in plan does).
  const needsSchema = sp.resolved.tables.some(
    (t) => t.target.kind === 'postgres' && !t.target.create,
  );
  if (needsSchema) {
    const store = new PostgresStore({ url, statementTimeoutMs: 0, poolMax: 1 });
    try {
      await migrateSchema(store);
    } finally {
      await store.close();
    }
  }
  await pgQuery(pg, async (c) => {
    await ensureJobTables(c);
    const others = (await listJobs(c)).filter((j) => j.id !== job.id);
    const open = others.find((j) => j.status !== 'completed');
    if (open) {
      throw new NovaError(
        'MIGRATION_FAILED',
        `Another migration (of ${open.sourceFile}, started ${open.startedAt.toISOString()}) is unfinished in this database.`,
        {
          fix: `Finish it first: nova-db migrate --source ${open.sourceFile} --report ${open.jobDir} --resume — or migrate into a fresh database.`,
        },
      );
    }
    const same = others.find((j) => j.sourceFile === job.sourceFile);
    if (same && !resumed) {
      throw new NovaError(
        'MIGRATION_FAILED',
        `${job.sourceFile} was already migrated into this database (job ${same.id}, report in ${same.jobDir}).`,
        {
          fix: 'Migrate into a fresh database to start over; to fix rejected rows use nova-db migrate --apply-rejects.',
        },
      );
    }
    await insertJob(c, {
      id: job.id,
      sourceFile: job.sourceFile,
      jobDir,
      planName: job.planName,
      planHash: job.planHash,
    });
    await setJobStatus(c, job.id, 'running');
  });
}
