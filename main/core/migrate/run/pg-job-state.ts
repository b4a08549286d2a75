/**
 * Job state in the target PostgreSQL (see job-types.ts). The progress row of
 * a table is updated by the same transaction that loads a batch into it, and
 * the batch's outcome records are inserted by it too: a kill at any point
 * leaves either the batch with its checkpoint and outcomes, or none of them.
 */
import type pg from 'pg';
import type {
  BatchDelta,
  OutcomeKind,
  OutcomeRecord,
  TablePhase,
  TableProgress,
} from './job-types.js';
import type { SourceCursor } from './source-reader.js';

type Db = Pick<pg.ClientBase, 'query'>;

const DDL = `
CREATE TABLE IF NOT EXISTS nova_migration_jobs (
  id          text PRIMARY KEY,
  source_file text NOT NULL,
  job_dir     text NOT NULL,
  plan_name   text NOT NULL,
  plan_hash   text NOT NULL,
  status      text NOT NULL,
  started_at  timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  -- JSON as text: jsonb cannot hold the NUL escapes that originals of rejected values may need.
  report      text
);
CREATE TABLE IF NOT EXISTS nova_migration_progress (
  job_id       text NOT NULL REFERENCES nova_migration_jobs (id) ON DELETE CASCADE,
  source_table text NOT NULL,
  phase        text NOT NULL,
  cursor       jsonb,
  migrated     bigint NOT NULL DEFAULT 0,
  duplicates   bigint NOT NULL DEFAULT 0,
  rejected     bigint NOT NULL DEFAULT 0,
  changed      bigint NOT NULL DEFAULT 0,
  checksum     numeric NOT NULL DEFAULT 0,
  preexisting  jsonb NOT NULL DEFAULT '[]',
  PRIMARY KEY (job_id, source_table)
);
-- Columns whose values needed COPY escaping (job-types.ts); NULL: not known (a job
-- started by an earlier release, or rows re-applied from rejects.jsonl).
ALTER TABLE nova_migration_progress ADD COLUMN IF NOT EXISTS escaped jsonb;
CREATE TABLE IF NOT EXISTS nova_migration_outcomes (
  job_id       text NOT NULL REFERENCES nova_migration_jobs (id) ON DELETE CASCADE,
  source_table text NOT NULL,
  row_key      text NOT NULL,
  kind         text NOT NULL,
  seq          integer NOT NULL,
  record       text NOT NULL,
  PRIMARY KEY (job_id, source_table, row_key, kind, seq)
);
-- Secondary indexes dropped for a faster load, kept here until rebuilt (resumable).
CREATE TABLE IF NOT EXISTS nova_migration_deferred_indexes (
  job_id       text NOT NULL REFERENCES nova_migration_jobs (id) ON DELETE CASCADE,
  target_table text NOT NULL,
  index_name   text NOT NULL,
  definition   text NOT NULL,
  PRIMARY KEY (job_id, index_name)
);`;

/** Creates the job-state tables (idempotent; serialised so two runs cannot race on CREATE). */
export async function ensureJobTables(db: Db): Promise<void> {
  await db.query('BEGIN');
  try {
    await db.query("SELECT pg_advisory_xact_lock(hashtext('nova_migration_jobs'))");
    await db.query(DDL);
    await db.query('COMMIT');
  } catch (err) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

export interface PgJobRow {
  id: string;
  sourceFile: string;
  jobDir: string;
  planName: string;
  planHash: string;
  status: 'running' | 'completed' | 'failed';
  startedAt: Date;
  finishedAt: Date | null;
}

export async function listJobs(db: Db): Promise<PgJobRow[]> {
  const { rows } = await db.query<{
    id: string;
    source_file: string;
    job_dir: string;
    plan_name: string;
    plan_hash: string;
    status: PgJobRow['status'];
    started_at: Date;
    finished_at: Date | null;
  }>(
    'SELECT id, source_file, job_dir, plan_name, plan_hash, status, started_at, finished_at FROM nova_migration_jobs ORDER BY started_at',
  );
  return rows.map((r) => ({
    id: r.id,
    sourceFile: r.source_file,
    jobDir: r.job_dir,
    planName: r.plan_name,
    planHash: r.plan_hash,
    status: r.status,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  }));
}

export async function insertJob(
  db: Db,
  job: Pick<PgJobRow, 'id' | 'sourceFile' | 'jobDir' | 'planName' | 'planHash'>,
): Promise<void> {
  await db.query(
    "INSERT INTO nova_migration_jobs (id, source_file, job_dir, plan_name, plan_hash, status) VALUES ($1, $2, $3, $4, $5, 'running') ON CONFLICT (id) DO NOTHING",
    [job.id, job.sourceFile, job.jobDir, job.planName, job.planHash],
  );
}

export async function setJobStatus(
  db: Db,
  jobId: string,
  status: PgJobRow['status'],
  report?: unknown,
): Promise<void> {
  await db.query(
    `UPDATE nova_migration_jobs SET status = $2,
        finished_at = CASE WHEN $2 = 'running' THEN NULL ELSE now() END,
        report = COALESCE($3, report)
      WHERE id = $1`,
    [jobId, status, report === undefined ? null : JSON.stringify(report)],
  );
}

interface ProgressRow {
  source_table: string;
  phase: TablePhase;
  cursor: SourceCursor | null;
  migrated: string;
  duplicates: string;
  rejected: string;
  changed: string;
  checksum: string;
  preexisting: string[];
  escaped: string[] | null;
}

function fromRow(r: ProgressRow): TableProgress {
  return {
    source: r.source_table,
    phase: r.phase,
    cursor: r.cursor,
    migrated: Number(r.migrated),
    duplicates: Number(r.duplicates),
    rejected: Number(r.rejected),
    changed: Number(r.changed),
    checksum: r.checksum,
    preexisting: r.preexisting,
    escaped: r.escaped,
  };
}

const PROGRESS_COLUMNS =
  'source_table, phase, cursor, migrated::text, duplicates::text, rejected::text, changed::text, checksum::text AS checksum, preexisting, escaped';

export async function loadProgress(db: Db, jobId: string): Promise<Map<string, TableProgress>> {
  const { rows } = await db.query<ProgressRow>(
    `SELECT ${PROGRESS_COLUMNS} FROM nova_migration_progress WHERE job_id = $1`,
    [jobId],
  );
  return new Map(rows.map((r) => [r.source_table, fromRow(r)]));
}

/** Starts a table's progress (once; a resumed run keeps the existing row). */
export async function startTable(
  db: Db,
  jobId: string,
  source: string,
  preexisting: string[],
): Promise<TableProgress> {
  await db.query(
    `INSERT INTO nova_migration_progress (job_id, source_table, phase, preexisting, escaped)
     VALUES ($1, $2, 'loading', $3::jsonb, '[]') ON CONFLICT (job_id, source_table) DO NOTHING`,
    [jobId, source, JSON.stringify(preexisting)],
  );
  const { rows } = await db.query<ProgressRow>(
    `SELECT ${PROGRESS_COLUMNS} FROM nova_migration_progress WHERE job_id = $1 AND source_table = $2`,
    [jobId, source],
  );
  return fromRow(rows[0]!);
}

export async function setPhase(
  db: Db,
  jobId: string,
  source: string,
  phase: TablePhase,
): Promise<void> {
  await db.query(
    'UPDATE nova_migration_progress SET phase = $3 WHERE job_id = $1 AND source_table = $2',
    [jobId, source, phase],
  );
}

/** Records a batch: call inside the transaction that loaded it. */
export async function commitBatchState(
  db: Db,
  jobId: string,
  source: string,
  delta: BatchDelta,
  outcomes: readonly OutcomeRecord[],
): Promise<void> {
  await insertOutcomes(db, jobId, source, outcomes);
  await db.query(
    `UPDATE nova_migration_progress SET
        cursor = $3::jsonb,
        migrated = migrated + $4, duplicates = duplicates + $5,
        rejected = rejected + $6, changed = changed + $7,
        checksum = checksum + $8::numeric,
        preexisting = COALESCE((SELECT jsonb_agg(k) FROM jsonb_array_elements_text(preexisting) AS k
                                 WHERE k <> ALL ($9::text[])), '[]'::jsonb),
        escaped = CASE WHEN escaped IS NULL THEN NULL ELSE COALESCE(
                    (SELECT jsonb_agg(c ORDER BY c) FROM (SELECT jsonb_array_elements_text(escaped)
                                                          UNION SELECT unnest($10::text[])) AS u(c)),
                    '[]'::jsonb) END
      WHERE job_id = $1 AND source_table = $2`,
    [
      jobId,
      source,
      JSON.stringify(delta.cursor),
      delta.migrated,
      delta.duplicates,
      delta.rejected,
      delta.changed,
      delta.checksum.toString(),
      delta.claimed,
      delta.escaped,
    ],
  );
}

export async function insertOutcomes(
  db: Db,
  jobId: string,
  source: string,
  outcomes: readonly OutcomeRecord[],
): Promise<void> {
  if (outcomes.length === 0) return;
  await db.query(
    `INSERT INTO nova_migration_outcomes (job_id, source_table, row_key, kind, seq, record)
     SELECT $1, $2, x.k, x.kind, x.seq, x.r
       FROM unnest($3::text[], $4::text[], $5::int[], $6::text[]) AS x(k, kind, seq, r)`,
    [
      jobId,
      source,
      outcomes.map((o) => o.key),
      outcomes.map((o) => o.kind),
      outcomes.map((o) => o.seq),
      outcomes.map((o) => JSON.stringify(o.record)),
    ],
  );
}

/** Outcome records of `kinds`, in (table, key) order, a page at a time (exports stay flat in memory). */
export async function* readOutcomes(
  db: Db,
  jobId: string,
  kinds: readonly OutcomeKind[],
  pageSize = 2000,
): AsyncGenerator<{
  source: string;
  key: string;
  kind: OutcomeKind;
  seq: number;
  record: Record<string, unknown>;
}> {
  let after: [string, string, string, number] = ['', '', '', -1];
  for (;;) {
    const { rows } = await db.query<{
      source_table: string;
      row_key: string;
      kind: OutcomeKind;
      seq: number;
      record: string;
    }>(
      `SELECT source_table, row_key, kind, seq, record FROM nova_migration_outcomes
        WHERE job_id = $1 AND kind = ANY ($2::text[])
          AND (source_table, row_key, kind, seq) > ($3, $4, $5, $6)
        ORDER BY source_table, row_key, kind, seq LIMIT $7`,
      [jobId, kinds, ...after, pageSize],
    );
    for (const r of rows)
      yield {
        source: r.source_table,
        key: r.row_key,
        kind: r.kind,
        seq: r.seq,
        record: JSON.parse(r.record) as Record<string, unknown>,
      };
    if (rows.length < pageSize) return;
    const last = rows[rows.length - 1]!;
    after = [last.source_table, last.row_key, last.kind, last.seq];
  }
}

/** Marks a rejected row as applied (`record`: the full new record) and moves it from rejected to migrated; call in the transaction of its insert. */
export async function markApplied(
  db: Db,
  jobId: string,
  source: string,
  key: string,
  checksum: bigint,
  record: Record<string, unknown>,
): Promise<void> {
  await db.query(
    `UPDATE nova_migration_outcomes SET kind = 'applied', record = $4
      WHERE job_id = $1 AND source_table = $2 AND row_key = $3 AND kind = 'rejected'`,
    [jobId, source, key, JSON.stringify(record)],
  );
  await db.query(
    `UPDATE nova_migration_progress SET migrated = migrated + 1, rejected = rejected - 1,
        checksum = checksum + $3::numeric, escaped = NULL, phase = CASE WHEN phase = 'verified' THEN 'indexed' ELSE phase END
      WHERE job_id = $1 AND source_table = $2`,
    [jobId, source, checksum.toString()],
  );
}

/** The kind of a row's outcome record ('rejected', 'applied'…), or null when it has none. */
export async function outcomeKind(
  db: Db,
  jobId: string,
  source: string,
  key: string,
): Promise<OutcomeKind | null> {
  const { rows } = await db.query<{ kind: OutcomeKind }>(
    `SELECT kind FROM nova_migration_outcomes
      WHERE job_id = $1 AND source_table = $2 AND row_key = $3 AND kind IN ('rejected', 'applied', 'duplicate')`,
    [jobId, source, key],
  );
  return rows[0]?.kind ?? null;
}

/** Replaces a rejected row's record (an edit that is still refused, with the new reason). */
export async function updateRejected(
  db: Db,
  jobId: string,
  source: string,
  key: string,
  record: Record<string, unknown>,
): Promise<void> {
  await db.query(
    `UPDATE nova_migration_outcomes SET record = $4
      WHERE job_id = $1 AND source_table = $2 AND row_key = $3 AND kind = 'rejected'`,
    [jobId, source, key, JSON.stringify(record)],
  );
}
