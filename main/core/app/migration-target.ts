/**
 * The target as the wizard sees it before it writes: whether the database
 * the run writes into is ready (the same checks the run makes before its
 * first row — pg-target.ts preexistingKeys, the job records of
 * pg-job-state.ts — made without writing anything), what the admin can do
 * when it is not (empty those tables, or keep their rows and skip the
 * source's), and forgetting a stopped attempt so a new one can start.
 */
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { PlanPreviewDto, TargetCheckDto } from '../../../shared-contract/index.js';
import { redactSecrets } from '../config/redact.js';
import { isNovaError, NovaError } from '../errors.js';
import type { Plan } from '../migrate/plan-schema.js';
import { defaultJobDir } from '../migrate/run/job-setup.js';
import { pgQuery } from '../migrate/run/pg-query.js';
import { JOB_STATE_FILE, LocalJobState } from '../migrate/run/local-job-state.js';
import { openMigrationPg, type MigrationPg } from '../migrate/run/pg-session.js';
import { preexistingKeys } from '../migrate/run/pg-target.js';
import { quoteIdent } from '../migrate/sqlite-ident.js';
import type { AppRuntime } from './app-runtime.js';
import { targetUrls } from './migration-engine.js';
import type { MigrationSession } from './migration-sessions.js';

/** The checkpoint this machine keeps for the session's file (the CLI's default job directory). */
export function jobDirOf(rt: AppRuntime, session: MigrationSession): string {
  return defaultJobDir(rt.config.NOVA_DATA_DIR, session.file);
}

function localAttempt(jobDir: string): TargetCheckDto['attempt'] & { id: string | null } {
  if (!existsSync(path.join(jobDir, JOB_STATE_FILE)))
    return { status: 'none', startedAt: null, id: null };
  const state = new LocalJobState(path.join(jobDir, JOB_STATE_FILE));
  try {
    const job = state.job();
    if (!job) return { status: 'none', startedAt: null, id: null };
    return {
      status: job.status === 'completed' ? 'completed' : 'unfinished',
      startedAt: job.startedAt,
      id: job.id,
    };
  } finally {
    state.close();
  }
}

async function withTarget<T>(rt: AppRuntime, fn: (pg: MigrationPg) => Promise<T>): Promise<T> {
  const { postgresUrl } = targetUrls(rt);
  const pg = await openMigrationPg(postgresUrl);
  try {
    return await fn(pg);
  } finally {
    await pg.close();
  }
}

async function jobTablesExist(pg: MigrationPg): Promise<boolean> {
  return pgQuery(pg, async (c) => {
    const { rows } = await c.query<{ t: string | null }>(
      "SELECT to_regclass('nova_migration_jobs')::text AS t",
    );
    return rows[0]?.t != null;
  });
}

/** Where PostgreSQL and MongoDB targets would be written, as an admin may see it (no passwords). */
export function describeTargets(rt: AppRuntime): PlanPreviewDto['destinations'] {
  const { factory, services, backends } = rt.layer;
  const endpoints = services.endpoints();
  const postgresUrl = endpoints.postgres?.url ?? rt.config.POSTGRES_URL;
  const mongoUrl = endpoints.mongo?.url ?? rt.config.MONGODB_URL;
  return {
    postgres:
      factory?.dialect === 'postgres' && postgresUrl
        ? `PostgreSQL ${redactSecrets(postgresUrl)}`
        : null,
    mongo: backends?.documentsRemote && mongoUrl ? `MongoDB ${redactSecrets(mongoUrl)}` : null,
  };
}

/** What stops a run of this session into the current target, without writing. */
export async function checkTarget(
  rt: AppRuntime,
  session: MigrationSession,
): Promise<TargetCheckDto> {
  const jobDir = jobDirOf(rt, session);
  const attempt = localAttempt(jobDir);
  const { id: attemptId, ...attemptDto } = attempt;
  const skipExisting = session.skipExisting === true;
  // Worded as the plan review shows it, so the wizard can tell when Setup changed it.
  const target = describeTargets(rt).postgres;
  if (!target) {
    return {
      target: null,
      ready: false,
      occupied: [],
      blockers: [],
      attempt: attemptDto,
      skipExisting,
    };
  }
  const tables = session.plan?.resolved.tables ?? [];
  return withTarget(rt, async (pg) => {
    const occupied: TargetCheckDto['occupied'] = [];
    const blockers: string[] = [];
    const started = new Set<string>();
    if (await jobTablesExist(pg)) {
      const jobs = await pgQuery(pg, (c) =>
        c.query<{ id: string; source_file: string; status: string; started_at: Date }>(
          'SELECT id, source_file, status, started_at FROM nova_migration_jobs ORDER BY started_at',
        ),
      );
      for (const j of jobs.rows) {
        if (j.id === attemptId) continue;
        const when = j.started_at.toISOString().slice(0, 16).replace('T', ' ');
        if (j.status !== 'completed')
          blockers.push(
            `An unfinished migration of ${j.source_file} (started ${when} UTC) is recorded in this database.`,
          );
        else if (j.source_file === session.file && attempt.status !== 'unfinished')
          blockers.push(`${j.source_file} was already migrated into this database (${when} UTC).`);
      }
      if (attemptId) {
        const progress = await pgQuery(pg, (c) =>
          c.query<{ source_table: string }>(
            'SELECT source_table FROM nova_migration_progress WHERE job_id = $1',
            [attemptId],
          ),
        );
        for (const r of progress.rows) started.add(r.source_table);
      }
    }
    // A resumed run does not check the tables it already started: their rows are its own.
    for (const table of tables) {
      if (table.target.kind !== 'postgres' || started.has(table.source)) continue;
      const effective =
        skipExisting && table.target.onConflict === 'error'
          ? { ...table, target: { ...table.target, onConflict: 'skip' as const } }
          : table;
      try {
        await pgQuery(pg, (c) => preexistingKeys(c, effective));
      } catch (err) {
        if (!isNovaError(err, 'MIGRATION_FAILED')) throw err;
        const name = table.target.table;
        const rows = await pgQuery(pg, (c) =>
          c.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${quoteIdent(name)}`),
        );
        occupied.push({
          table: name,
          source: table.source,
          rows: Number(rows.rows[0]?.n ?? 0),
          message: err.message,
        });
      }
    }
    return {
      target,
      ready: occupied.length === 0 && blockers.length === 0 && attempt.status !== 'completed',
      occupied,
      blockers,
      attempt: attemptDto,
      skipExisting,
    };
  });
}

/** Deletes every row of the occupied tables (the admin typed EMPTY); the run's backup comes later. */
export async function emptyOccupiedTables(
  rt: AppRuntime,
  session: MigrationSession,
  confirm: string | undefined,
): Promise<void> {
  if (confirm?.trim() !== 'EMPTY') {
    throw new NovaError('INVALID_ARGUMENT', 'Emptying the tables was not confirmed.', {
      fix: 'Type EMPTY in the confirmation box to delete every row of the tables listed.',
    });
  }
  const check = await checkTarget(rt, session);
  if (check.occupied.length === 0) return;
  const names = check.occupied.map((o) => quoteIdent(o.table)).join(', ');
  await withTarget(rt, (pg) =>
    pgQuery(pg, async (c) => {
      // One statement: tables that refer to each other are emptied together, or none is.
      await c.query(`TRUNCATE ${names} RESTART IDENTITY`);
    }),
  ).catch((err: unknown) => {
    if (err instanceof NovaError && /referenced in a foreign key/i.test(err.message)) {
      throw new NovaError(
        'INVALID_ARGUMENT',
        'Another table in the target database refers to these tables, so they cannot be emptied on their own.',
        { fix: 'Choose a new, empty database in Setup and come back to the migration.' },
      );
    }
    throw err;
  });
  rt.logger.info('migration target tables emptied', {
    tables: check.occupied.map((o) => o.table),
  });
}

/**
 * Keep the rows the target holds and skip the source's rows with the same
 * key: the run loads by the session's plan with `onConflict: 'skip'`
 * wherever it said 'error' (written to a plan file in the session's work
 * directory, which the run and a resume both read).
 */
export async function useSkipExisting(session: MigrationSession): Promise<void> {
  if (!session.plan) return;
  const plan: Plan = {
    ...session.plan.plan,
    tables: session.plan.plan.tables.map((t) =>
      t.target.kind === 'postgres' && t.target.onConflict === 'error'
        ? { ...t, target: { ...t.target, onConflict: 'skip' as const } }
        : t,
    ),
  };
  const file = path.join(session.workDir, 'plan-skip-existing.json');
  await writeFile(file, JSON.stringify(plan, null, 2), { mode: 0o600 });
  session.plan = { ...session.plan, plan, file };
  session.skipExisting = true;
}

/**
 * Forgets this file's stopped attempt: its checkpoint here and its record
 * in the target database, so a new run can start. Rows it wrote stay (the
 * target check then lists their tables, with the choice to empty them).
 */
export async function discardAttempt(rt: AppRuntime, session: MigrationSession): Promise<void> {
  const jobDir = jobDirOf(rt, session);
  const attempt = localAttempt(jobDir);
  if (attempt.status === 'none') {
    throw new NovaError(
      'INVALID_ARGUMENT',
      'There is no stopped attempt of this file to discard.',
      {
        fix: 'Start the migration instead.',
      },
    );
  }
  if (attempt.status === 'completed') {
    throw new NovaError(
      'INVALID_ARGUMENT',
      'This file’s migration finished; its report and rejected rows are kept.',
      { fix: 'To migrate it again, choose a new, empty database in Setup.' },
    );
  }
  if (attempt.id) {
    const id = attempt.id;
    await withTarget(rt, async (pg) => {
      if (await jobTablesExist(pg))
        await pgQuery(pg, (c) => c.query('DELETE FROM nova_migration_jobs WHERE id = $1', [id]));
    });
  }
  await rm(jobDir, { recursive: true, force: true });
  rt.logger.info('migration attempt discarded', { file: session.file });
}
