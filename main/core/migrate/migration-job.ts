/**
 * A migration as a resumable job (main/core/migrate/README.md): preflight snapshot → plan →
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
import { redactSecrets } from '../config/redact.js';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { NovaError } from '../errors.js';
import type { TaskContext } from '../tasks/task.js';
import { preflight } from './preflight.js';
import { buildReport } from './run/build-report.js';
import { summarizeOutcomes } from './reject-groups.js';
import { exportOutcomes } from './run/export-outcomes.js';
import { chooseHash } from './run/hash-choice.js';
import { loadAll, PostLoad, verifyAll } from './run/job-phases.js';
import {
  chooseTargets,
  planForSnapshot,
  SNAPSHOT_FILE,
  type SourcePlan,
  type TargetKind,
} from './run/job-setup.js';
import type { TableProgress } from './run/job-types.js';
import { JOB_STATE_FILE, LocalJobState, type LocalJobRecord } from './run/local-job-state.js';
import { checkCollectionName } from './run/mongo-docs.js';
import type { MongoMigrationTarget } from './run/mongo-target.js';
import { PauseHook } from './run/pause-hook.js';
import { pgQuery } from './run/pg-query.js';
import { preparePgJob } from './run/prepare-pg-job.js';
import { checkJobState, copyMissing, planChanged } from './run/resume-rules.js';
import { requireUrl } from './run/target-urls.js';
import { classifyRunFailure } from './run/run-failure.js';
import { fingerprintSource, sourceChangeWarning } from './run/source-changes.js';
import { setJobStatus } from './run/pg-job-state.js';
import { openMigrationPg, type MigrationPg } from './run/pg-session.js';
import { writeReport, type MigrationReport } from './report.js';
import type { TableVerification } from './verify.js';
import { hasRules, type MigrationRules } from './rules.js';

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
  /** What to do instead of rejecting (rules.ts); a resume without rules reuses the job's. */
  rules?: MigrationRules;
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
  let verifySource: Database.Database | null = null;
  let job: LocalJobRecord | null = local.job();
  /** This run took the job over (a refusal before that must leave the job as it was). */
  let owned = false;
  try {
    const resumed = checkJobState(job, options, jobDir);
    const warnings: string[] = [];
    let snapshot: string;
    // Before the snapshot, so a write during the copy counts as a change too (source-changes.ts).
    const fingerprint = job ? (job.sourceFingerprint ?? null) : fingerprintSource(options.source);
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
    const rules = hasRules(options.rules) ? options.rules : job?.rules;
    const sp = await planForSnapshot(snapshot, planFile, rules);
    if (job && sp.hash !== job.planHash) throw planChanged(jobDir);
    const targets = chooseTargets(sp.resolved, options.targets ?? job?.targets);
    job ??= {
      id: randomUUID(),
      sourceFile: resolve(options.source),
      snapshotFile: snapshot,
      planName: sp.resolved.name,
      planHash: sp.hash,
      planSource: sp.planFile ?? sp.origin,
      ...(hasRules(rules) ? { rules } : {}),
      targets,
      hash: 'lookup3',
      backup: null,
      sourceFingerprint: fingerprint,
      status: 'running',
      startedAt: startedAt.toISOString(),
      finishedAt: null,
    };
    job = { ...job, status: 'running', finishedAt: null };

    if (targets.includes('postgres'))
      pg = await openMigrationPg(requireUrl(options.postgresUrl, 'postgres'));
    if (targets.includes('mongo')) {
      // The driver is loaded only for a plan with a MongoDB destination (mongo-docs.ts).
      const { MongoMigrationTarget } = await import('./run/mongo-target.js');
      mongo = await MongoMigrationTarget.connect(
        requireUrl(options.mongoUrl, 'mongo'),
        options.mongoDb ?? 'nova',
      );
    }
    for (const t of sp.resolved.tables)
      if (t.target.kind === 'mongo') checkCollectionName(t.target.collection, t.source);
    if (pg && !resumed) job = { ...job, hash: await pgQuery(pg, chooseHash) };

    // Before the first write (the schema, the job tables): the backup, main/core/backup/README.md.
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
    verifySource = new Database(snapshot, { readonly: true, fileMustExist: true });
    const post = new PostLoad(ctx, {
      job,
      pg,
      mongo,
      local,
      pause,
      warnings,
      source: verifySource,
    });
    let progress: Map<string, TableProgress>;
    try {
      progress = await loadAll(ctx, {
        sp,
        job,
        pg,
        mongo,
        local,
        source,
        pause,
        batchSize: options.batchSize ?? DEFAULT_BATCH,
        onLoaded: (table, p) => post.schedule(table, p),
      });
    } catch (err) {
      await post.drain();
      throw err;
    }
    const verification = await post.settle();
    const changed = sourceChangeWarning(
      job.sourceFile,
      snapshot,
      job.sourceFingerprint,
      sp.resolved.tables,
    );
    if (changed) warnings.push(changed);
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
      try {
        local.saveJob({ ...job, status: 'failed', finishedAt: new Date().toISOString() });
      } catch {
        // A full disk cannot take the status either; --resume accepts a job left 'running'.
      }
      if (pg) await pgQuery(pg, (c) => setJobStatus(c, job!.id, 'failed')).catch(() => undefined);
    }
    // Infrastructure failures (server gone, disk full) say so and name --resume (run-failure.ts).
    throw await classifyRunFailure(pg ? await pg.explainFailure(err) : err, { pg, startedAt });
  } finally {
    source?.close();
    verifySource?.close();
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
  const summary = await summarizeOutcomes(files.rejectsFile, files.changesFile, sp.resolved.tables);
  const report = buildReport({
    summary,
    kind: 'run',
    jobId: input.job.id,
    source: input.job.sourceFile,
    sourceCopy: input.job.snapshotFile,
    targets: input.job.targets as TargetKind[],
    destinations: {
      postgres: pg?.display ?? null,
      mongo: mongo ? `${mongo.dbName} (${redactSecrets(input.mongoUrl ?? '')})` : null,
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
