/**
 * A migration as a resumable job (SPEC §5): preflight snapshot → plan →
 * target schema → load every table in dependency order → keys, indexes and
 * sequences → verify → report. Runs as a Task body (progress, cancel).
 *
 * Everything a resumed run needs survives a kill at any point: the job
 * directory keeps the source copy and the job record (local-job-state.ts),
 * the target keeps each PostgreSQL table's checkpoint in the transaction of
 * its batches (pg-job-state.ts). Running the same job again with `resume`
 * skips what is done and finishes the rest; a resumed run refuses a source
 * copy or plan that changed underneath it.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { PoolClient } from 'pg';
import { NovaError } from '../errors.js';
import { migrateSchema } from '../schema/migration-runner.js';
import { PostgresStore } from '../stores/postgres/postgres-store.js';
import type { TaskContext } from '../tasks/task.js';
import { preflight } from './preflight.js';
import type { ResolvedTable } from './resolved-plan.js';
import { exportOutcomes } from './run/export-outcomes.js';
import {
  chooseTargets,
  planForSnapshot,
  SNAPSHOT_FILE,
  type SourcePlan,
  type TargetKind,
} from './run/job-setup.js';
import type { TableProgress } from './run/job-types.js';
import { JOB_STATE_FILE, LocalJobState, type LocalJobRecord } from './run/local-job-state.js';
import { loadMongoTable } from './run/mongo-table-loader.js';
import { checkCollectionName, MongoMigrationTarget } from './run/mongo-target.js';
import { PauseHook } from './run/pause-hook.js';
import {
  ensureJobTables,
  insertJob,
  listJobs,
  loadProgress,
  setJobStatus,
  setPhase,
  startTable,
} from './run/pg-job-state.js';
import { openMigrationPg, type MigrationPg } from './run/pg-session.js';
import { HASH_PROBE, rowHash, type HashKind } from './run/row-hash.js';
import { loadPgTable } from './run/pg-table-loader.js';
import { finishTable, preexistingKeys, prepareTable } from './run/pg-target.js';
import { buildReport } from './run/build-report.js';
import { writeReport, type MigrationReport } from './report.js';
import { verifyMongoTable, verifyPgTable, type TableVerification } from './verify.js';

export interface MigrationOptions {
  /** The legacy SQLite file. */
  source: string;
  /** The job directory: source copy, job state, report, rejects. */
  jobDir: string;
  /** `postgres`, `mongo`: defaults to what the plan needs. */
  targets?: string[];
  postgresUrl?: string;
  mongoUrl?: string;
  mongoDb?: string;
  /** A plan file instead of the built-in or automatic plan. */
  planFile?: string;
  /** Continue the unfinished job in jobDir; without it an unfinished job is refused. */
  resume?: boolean;
  /** Rows per batch (and per transaction); default 50 000. */
  batchSize?: number;
  /** For the NOVA_MIGRATE_PAUSE_AT test hook (pause-hook.ts). */
  env?: Record<string, string | undefined>;
  /** Backs up the target before the first write; returns where the backup is (null: none made). */
  backupTarget?: (targets: { postgresUrl?: string; mongoUrl?: string }) => Promise<string | null>;
}

const DEFAULT_BATCH = 50_000;

export async function runMigration(
  options: MigrationOptions,
  ctx: TaskContext,
): Promise<MigrationReport> {
  const startedAt = new Date();
  const jobDir = resolve(options.jobDir);
  // 0700/0600: the source copy and the reports hold the legacy secrets (SMTP password, token hashes).
  await mkdir(jobDir, { recursive: true, mode: 0o700 }).catch((err: unknown) => {
    throw new NovaError(
      'DATA_DIR_NOT_WRITABLE',
      `Cannot create the migration directory ${jobDir}: ${(err as Error).message}.`,
      {
        fix: 'Choose a --report directory this user can write.',
        cause: err,
      },
    );
  });
  const local = new LocalJobState(join(jobDir, JOB_STATE_FILE));
  const pause = new PauseHook(jobDir, options.env);
  let pg: MigrationPg | null = null;
  let mongo: MongoMigrationTarget | null = null;
  let source: Database.Database | null = null;
  let job: LocalJobRecord | null = local.job();
  /** This run took the job over (a refusal before that must leave the job as it was). */
  let owned = false;
  try {
    const resumed = checkJobState(job, options, jobDir);
    const warnings: string[] = [];
    let snapshot: string;
    if (job) {
      snapshot = job.snapshotFile;
      if (!existsSync(snapshot)) throw copyMissing(snapshot, jobDir);
    } else {
      ctx.progress({ phase: 'snapshot', done: 0, total: null });
      const pf = await preflight(options.source, jobDir, {
        snapshotName: SNAPSHOT_FILE,
        signal: ctx.signal,
        onProgress: (p) => ctx.progress({ phase: p.phase, done: p.done, total: p.total }),
      });
      snapshot = pf.snapshotFile;
      await chmod(snapshot, 0o600);
      warnings.push(...pf.sourceInfo.warnings);
    }

    ctx.progress({ phase: 'plan', done: 0, total: null });
    const planFile =
      options.planFile ??
      (job && job.planSource !== 'builtin' && job.planSource !== 'auto'
        ? job.planSource
        : undefined);
    const sp = await planForSnapshot(snapshot, planFile);
    if (job && sp.hash !== job.planHash) throw planChanged(jobDir);
    const targets = chooseTargets(sp.resolved, options.targets ?? job?.targets);
    job ??= {
      id: randomUUID(),
      sourceFile: resolve(options.source),
      snapshotFile: snapshot,
      planName: sp.resolved.name,
      planHash: sp.hash,
      planSource: sp.planFile ?? sp.origin,
      targets,
      hash: 'lookup3',
      backup: null,
      status: 'running',
      startedAt: startedAt.toISOString(),
      finishedAt: null,
    };
    job = { ...job, status: 'running', finishedAt: null };

    if (targets.includes('postgres'))
      pg = await openMigrationPg(requireUrl(options.postgresUrl, 'postgres'));
    if (targets.includes('mongo'))
      mongo = await MongoMigrationTarget.connect(
        requireUrl(options.mongoUrl, 'mongo'),
        options.mongoDb ?? 'nova',
      );
    for (const t of sp.resolved.tables)
      if (t.target.kind === 'mongo') checkCollectionName(t.target.collection, t.source);
    if (pg && !resumed) job = { ...job, hash: await pgQuery(pg, chooseHash) };

    // Before the first write (the schema, the job tables): SPEC §7.
    if (!resumed && options.backupTarget) {
      ctx.progress({ phase: 'backup', done: 0, total: null });
      job = {
        ...job,
        backup: await options.backupTarget({
          ...(pg ? { postgresUrl: options.postgresUrl } : {}),
          ...(mongo ? { mongoUrl: options.mongoUrl } : {}),
        }),
      };
    }

    if (pg) await preparePgJob(pg, options.postgresUrl!, sp, job, jobDir, resumed);
    if (mongo && !resumed) await mongo.store.ensureCollections();
    // Saved once the targets answered: a first run that cannot connect leaves no job to resume.
    local.saveJob(job);
    owned = true;
    source = new Database(snapshot, { readonly: true, fileMustExist: true });
    const progress = await loadAll(ctx, {
      sp,
      job,
      pg,
      mongo,
      local,
      source,
      pause,
      batchSize: options.batchSize ?? DEFAULT_BATCH,
    });
    // Indexes and verification on separate connections at the same time: both are mostly
    // server work on different tables' pages, and the server has more than one core.
    const [, verification] = await Promise.all([
      finishAll(ctx, { sp, job, pg, local, pause, progress, warnings }),
      verifyAll(ctx, { sp, pg, mongo, source, progress, job, quiet: true }),
    ]);
    const report = await completeJob(ctx, {
      verification,
      sp,
      job,
      pg,
      mongo,
      mongoUrl: options.mongoUrl,
      local,
      source,
      progress,
      warnings,
      jobDir,
      resumed,
      startedAt,
    });
    job = local.job()!;
    return report;
  } catch (err) {
    if (job && owned) {
      local.saveJob({ ...job, status: 'failed', finishedAt: new Date().toISOString() });
      if (pg) await pgQuery(pg, (c) => setJobStatus(c, job!.id, 'failed')).catch(() => undefined);
    }
    throw pg && !(err instanceof NovaError) && (err as { code?: unknown }).code !== undefined
      ? pg.mapError(err)
      : err;
  } finally {
    source?.close();
    local.close();
    await pg?.close().catch(() => undefined);
    await mongo?.close();
  }
}

export interface CompleteJobInput {
  /** Already verified (concurrently with the index phase); verified here when absent. */
  verification?: Map<string, TableVerification>;
  sp: SourcePlan;
  job: LocalJobRecord;
  pg: MigrationPg | null;
  mongo: MongoMigrationTarget | null;
  mongoUrl: string | undefined;
  local: LocalJobState;
  source: Database.Database;
  progress: Map<string, TableProgress>;
  warnings: string[];
  jobDir: string;
  resumed: boolean;
  startedAt: Date;
}

/** Verify, export the outcome files, write the report, mark the job completed. */
export async function completeJob(
  ctx: TaskContext,
  input: CompleteJobInput,
): Promise<MigrationReport> {
  const { sp, pg, mongo, local, jobDir } = input;
  const verification = input.verification ?? (await verifyAll(ctx, input));
  ctx.progress({ phase: 'report', done: 0, total: null });
  const files = await exportOutcomes(jobDir, pg, input.job.id, local);
  const report = buildReport({
    kind: 'run',
    jobId: input.job.id,
    source: input.job.sourceFile,
    sourceCopy: input.job.snapshotFile,
    targets: input.job.targets as TargetKind[],
    destinations: {
      postgres: pg?.display ?? null,
      mongo: mongo ? `${mongo.dbName} (${redactMongo(input.mongoUrl)})` : null,
    },
    sp,
    progress: input.progress,
    verification,
    warnings: input.warnings,
    backup: input.job.backup,
    resumed: input.resumed,
    files,
    reportDir: jobDir,
    startedAt: input.startedAt,
  });
  await writeReport(jobDir, report);
  const job = { ...input.job, status: 'completed' as const, finishedAt: new Date().toISOString() };
  local.saveJob(job);
  if (pg) await pgQuery(pg, (c) => setJobStatus(c, job.id, 'completed', report));
  return report;
}

/**
 * lookup3 (PostgreSQL's hashtextextended) when the server computes it the
 * way the engine's port does; md5 otherwise (row-hash.ts).
 */
async function chooseHash(c: PoolClient): Promise<HashKind> {
  const { rows } = await c.query<{ h: string }>('SELECT hashtextextended($1, 0)::text AS h', [
    HASH_PROBE,
  ]);
  return rows[0]?.h === rowHash('lookup3', HASH_PROBE).toString() ? 'lookup3' : 'md5';
}

/** Whether this run resumes; refuses a run that would clash with the job already in the directory. */
function checkJobState(
  job: LocalJobRecord | null,
  options: MigrationOptions,
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

function copyMissing(snapshot: string, jobDir: string): NovaError {
  return new NovaError(
    'DB_MISSING',
    `The copy of the source this migration reads (${snapshot}) is gone, so the job in ${jobDir} cannot be resumed.`,
    {
      fix: 'Start over: empty the target database and run the migration with another --report directory.',
    },
  );
}

function planChanged(jobDir: string): NovaError {
  return new NovaError(
    'INVALID_ARGUMENT',
    `The plan differs from the one the interrupted migration in ${jobDir} started with; resuming with another plan would mix two mappings.`,
    {
      fix: 'Resume with the same --plan file as the first run (unchanged), or start over with a fresh target and another --report directory.',
    },
  );
}

function requireUrl(url: string | undefined, kind: 'postgres' | 'mongo'): string {
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
    throw err instanceof NovaError ? err : pg.mapError(err);
  } finally {
    client.release();
  }
}

/** Target schema, job tables, and the checks that keep two jobs from mixing in one database. */
async function preparePgJob(
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

interface LoadInput {
  sp: SourcePlan;
  job: LocalJobRecord;
  pg: MigrationPg | null;
  mongo: MongoMigrationTarget | null;
  local: LocalJobState;
  source: Database.Database;
  pause: PauseHook;
  batchSize: number;
}

/** Loads every table in plan order; returns each table's progress. */
async function loadAll(ctx: TaskContext, input: LoadInput): Promise<Map<string, TableProgress>> {
  const { sp, job, pg, mongo, local, source, pause, batchSize } = input;
  const pgProgress = pg
    ? await pgQuery(pg, (c) => loadProgress(c, job.id))
    : new Map<string, TableProgress>();
  const all = new Map<string, TableProgress>([...local.allProgress(), ...pgProgress]);
  const loaded = new Set<string>();
  const client = pg ? await pg.connect() : null;
  try {
    for (const table of sp.resolved.tables) {
      ctx.throwIfCancelled();
      const known = all.get(table.source);
      const targetName =
        table.target.kind === 'postgres' ? table.target.table : table.target.collection;
      const done = known && known.phase !== 'pending' && known.phase !== 'loading';
      const report = (p: TableProgress): void =>
        ctx.progress({
          phase: 'load',
          item: table.source,
          done: p.migrated + p.duplicates + p.rejected,
          total: table.rowCount,
        });
      if (!done) {
        report(known ?? ({ migrated: 0, duplicates: 0, rejected: 0 } as TableProgress));
        let p: TableProgress;
        if (table.target.kind === 'postgres') {
          const fresh = known === undefined;
          const pre = fresh ? await preexistingKeys(client!, table) : known.preexisting;
          const start = fresh ? await startTable(client!, job.id, table.source, pre) : known;
          const prep = await prepareTable(client!, table, loaded, job.id, fresh);
          p = await loadPgTable(
            {
              client: client!,
              source,
              jobId: job.id,
              batchSize,
              hash: job.hash,
              info: sp.inspect.tables.find((t) => t.name === table.source),
              pause,
              signal: ctx.signal,
              onBatch: report,
            },
            prep,
            start,
          );
        } else {
          const resumed = known !== undefined;
          if (!resumed && (await mongo!.count(table.target.collection)) > 0)
            throw collectionNotEmpty(table, await mongo!.count(table.target.collection));
          const start = local.startTable(table.source);
          p = await loadMongoTable(
            {
              target: mongo!,
              state: local,
              source,
              batchSize,
              hash: job.hash,
              info: sp.inspect.tables.find((t) => t.name === table.source),
              pause,
              signal: ctx.signal,
              onBatch: report,
            },
            table,
            start,
            resumed,
          );
        }
        all.set(table.source, p);
        await pause.at(`after-table:${table.source}`);
      }
      if (table.target.kind === 'postgres') loaded.add(targetName);
    }
  } catch (err) {
    throw pg &&
      !(err instanceof NovaError) &&
      typeof (err as { code?: unknown }).code === 'string' &&
      (err as { severity?: unknown }).severity !== undefined
      ? pg.mapError(err)
      : err;
  } finally {
    client?.release();
  }
  return all;
}

function collectionNotEmpty(table: ResolvedTable, n: number): NovaError {
  const name = table.target.kind === 'mongo' ? table.target.collection : '';
  return new NovaError(
    'MIGRATION_FAILED',
    `The MongoDB collection "${name}" already holds ${n} document(s); the plan loads ${JSON.stringify(table.source)} into it.`,
    {
      fix: 'Migrate into a fresh MongoDB database (or drop that collection), then run the migration again.',
    },
  );
}

/** Keys, indexes, foreign keys and sequences after the load (phase 'indexes'). */
async function finishAll(
  ctx: TaskContext,
  input: {
    sp: SourcePlan;
    job: LocalJobRecord;
    pg: MigrationPg | null;
    local: LocalJobState;
    pause: PauseHook;
    progress: Map<string, TableProgress>;
    warnings: string[];
  },
): Promise<void> {
  const { sp, job, pg, local, pause, progress, warnings } = input;
  const tables = sp.resolved.tables;
  for (const [i, table] of tables.entries()) {
    ctx.throwIfCancelled();
    const p = progress.get(table.source)!;
    if (p.phase !== 'loaded') continue;
    ctx.progress({ phase: 'indexes', item: table.source, done: i, total: tables.length });
    if (table.target.kind === 'postgres') {
      const targetName = table.target.table;
      await pgQuery(pg!, async (c) => {
        await finishTable(c, job.id, table, {
          warnings,
          beforeIndexCommit: () => pause.at(`index:${targetName}`),
        });
        await setPhase(c, job.id, table.source, 'indexed');
      });
    } else {
      local.setPhase(table.source, 'indexed');
    }
    progress.set(table.source, { ...p, phase: 'indexed' });
  }
}

export async function verifyAll(
  ctx: TaskContext,
  input: {
    sp: SourcePlan;
    pg: MigrationPg | null;
    mongo: MongoMigrationTarget | null;
    source: Database.Database;
    progress: Map<string, TableProgress>;
    job: LocalJobRecord;
    /** Report no progress (the index phase running alongside does). */
    quiet?: boolean;
  },
): Promise<Map<string, TableVerification>> {
  const { sp, pg, mongo, source, progress } = input;
  const hash = input.job.hash;
  const out = new Map<string, TableVerification>();
  for (const [i, table] of sp.resolved.tables.entries()) {
    ctx.throwIfCancelled();
    if (!input.quiet)
      ctx.progress({
        phase: 'verify',
        item: table.source,
        done: i,
        total: sp.resolved.tables.length,
      });
    const p = progress.get(table.source)!;
    const v =
      table.target.kind === 'postgres'
        ? await pgQuery(pg!, (c) => verifyPgTable(c, source, table, p, hash))
        : await verifyMongoTable(mongo!, source, table, p, hash);
    out.set(table.source, v);
  }
  return out;
}
