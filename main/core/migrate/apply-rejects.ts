/**
 * Re-applying fixed rejects (main/core/migrate/README.md#report): an admin edits the `row` values of
 * lines in rejects.jsonl (a missing email filled in, a date retyped) and runs
 * `nova-db migrate --apply-rejects FILE`. Each line is converted again by the
 * job's plan and goes through the same checks as the load (NOT NULL, keys,
 * orphans); a row that now passes is inserted and moves from rejected to
 * migrated in the same transaction, one that does not stays rejected with
 * its new reason (and the edited values, ready for another try). Lines
 * already applied are skipped, so applying a file twice changes nothing.
 * Afterwards the job is verified again and its report and rejects.jsonl
 * rewritten.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { PoolClient } from 'pg';
import { NovaError } from '../errors.js';
import type { Doc } from '../stores/types.js';
import type { TaskContext } from '../tasks/task.js';
import { convertRow } from './convert-row.js';
import { completeJob } from './migration-job.js';
import { isPgServerError } from './run/pg-query.js';
import type { ResolvedTable } from './resolved-plan.js';
import type { MigrationReport } from './report.js';
import { planForSnapshot } from './run/job-setup.js';
import type { TableProgress } from './run/job-types.js';
import { JOB_STATE_FILE, LocalJobState } from './run/local-job-state.js';
import { docLine, toDocValue } from './run/mongo-docs.js';
import type { MongoMigrationTarget } from './run/mongo-target.js';
import { convertRejectRecord, rejectRecord, type RejectRecord } from './run/outcome-records.js';
import { loadProgress, markApplied, outcomeKind, updateRejected } from './run/pg-job-state.js';
import { openMigrationPg, type MigrationPg } from './run/pg-session.js';
import { createStage } from './run/pg-stage.js';
import { changeRecord } from './run/outcome-records.js';
import { hasRules, mergeRules, type MigrationRules } from './rules.js';
import { recordChanges, sameShape, StagedRules } from './rules-apply.js';
import { stageReject } from './run/pg-table-loader.js';
import { finishTable, prepareTable, type PreparedPgTable } from './run/pg-target.js';
import { copyLine } from './run/pg-text.js';
import { rowHash } from './run/row-hash.js';
import { rawFromJson } from './run/raw-values.js';
import { SourceTableReader } from './run/source-reader.js';

export interface ApplyRejectsOptions {
  /** The (edited) rejects.jsonl. */
  file: string;
  /** The job directory; default: the file's directory. */
  jobDir?: string;
  postgresUrl?: string;
  mongoUrl?: string;
  mongoDb?: string;
  /**
   * Rules to apply to these lines (rules.ts) on top of the job's own: a
   * one-click fix is the rejects file applied again with a rule. Value rules
   * and keep-first-rename / merge re-pointing let a row in; rows a rule
   * would leave out (merged, dropped) stay rejected.
   */
  rules?: MigrationRules;
  /**
   * Replacement `row` objects for lines of the file (1-based line numbers),
   * as the wizard's editor sends them: applied as if the file had been edited
   * (the report then rewrites rejects.jsonl with what is still rejected).
   */
  edits?: readonly { line: number; row: Record<string, unknown> }[];
}

export interface AppliedLine {
  line: number;
  table: string;
  key: string;
  outcome: 'applied' | 'rejected' | 'skipped';
  reason?: string;
  message?: string;
}

export interface ApplyRejectsResult {
  applied: number;
  stillRejected: number;
  skipped: number;
  lines: AppliedLine[];
  report: MigrationReport;
}

interface Line {
  line: number;
  record: Record<string, unknown> & { table: string; rowKey: string; row: Record<string, unknown> };
}

export async function applyRejects(
  options: ApplyRejectsOptions,
  ctx: TaskContext,
): Promise<ApplyRejectsResult> {
  const startedAt = new Date();
  const file = resolve(options.file);
  const jobDir = resolve(options.jobDir ?? dirname(file));
  if (!existsSync(join(jobDir, JOB_STATE_FILE))) {
    throw new NovaError(
      'INVALID_ARGUMENT',
      `${jobDir} is not a migration directory (it has no ${JOB_STATE_FILE}).`,
      {
        fix: 'Apply the rejects.jsonl of a migration from its own directory, or pass --report with the migration directory.',
      },
    );
  }
  const lines = withEdits(readLines(file), options.edits, file);
  const local = new LocalJobState(join(jobDir, JOB_STATE_FILE));
  let pg: MigrationPg | null = null;
  let mongo: MongoMigrationTarget | null = null;
  let source: Database.Database | null = null;
  try {
    const job = local.job();
    if (!job || job.status !== 'completed') {
      throw new NovaError(
        'INVALID_ARGUMENT',
        `The migration in ${jobDir} has not finished; rejects can be re-applied once it has.`,
        {
          fix: `Finish it first: nova-db migrate --source ${job?.sourceFile ?? 'FILE'} --report ${jobDir} --resume`,
        },
      );
    }
    const planFile =
      job.planSource !== 'builtin' && job.planSource !== 'auto' ? job.planSource : undefined;
    const jobSp = await planForSnapshot(job.snapshotFile, planFile, job.rules);
    if (jobSp.hash !== job.planHash) {
      throw new NovaError(
        'INVALID_ARGUMENT',
        `The plan of the migration in ${jobDir} changed since it ran.`,
        {
          fix: 'Restore the plan file the migration ran with, then apply the rejects again.',
        },
      );
    }
    const sp = hasRules(options.rules)
      ? await planForSnapshot(job.snapshotFile, planFile, mergeRules(job.rules, options.rules))
      : jobSp;
    sameShape(jobSp, sp);
    if (job.targets.includes('postgres'))
      pg = await openMigrationPg(requireUrl(options.postgresUrl, 'PostgreSQL', '--postgres-url'));
    if (job.targets.includes('mongo')) {
      // The driver is loaded only for a job with a MongoDB destination (mongo-docs.ts).
      const { MongoMigrationTarget } = await import('./run/mongo-target.js');
      mongo = await MongoMigrationTarget.connect(
        requireUrl(options.mongoUrl, 'MongoDB', '--mongo-url'),
        options.mongoDb ?? 'nova',
      );
    }
    source = new Database(job.snapshotFile, { readonly: true, fileMustExist: true });

    const tables = new Map(sp.resolved.tables.map((t) => [t.source, t]));
    const results: AppliedLine[] = [];
    const touched = new Set<ResolvedTable>();
    const client = pg ? await pg.connect() : null;
    const prepared = new Map<ResolvedTable, PreparedPgTable>();
    const loaded = new Set(
      sp.resolved.tables.flatMap((t) => (t.target.kind === 'postgres' ? [t.target.table] : [])),
    );
    let progress = client ? await loadProgress(client, job.id) : new Map<string, TableProgress>();
    try {
      // Parents before children (load order), so a fixed user lets its fixed roles in on the same pass.
      const order = new Map(sp.resolved.tables.map((t, i) => [t.source, i]));
      const sorted = [...lines].sort(
        (x, y) => (order.get(x.record.table) ?? -1) - (order.get(y.record.table) ?? -1),
      );
      for (const [i, { line, record }] of sorted.entries()) {
        ctx.throwIfCancelled();
        ctx.progress({ phase: 'apply-rejects', item: record.table, done: i, total: lines.length });
        const table = tables.get(record.table);
        if (!table)
          throw badLine(
            file,
            line,
            `table ${JSON.stringify(record.table)} is not migrated by this job`,
          );
        const reader = new SourceTableReader(source, table);
        const row = rowOf(table, record, file, line);
        const base = { line, table: table.source, key: String(record.key ?? record.rowKey) };
        const kind =
          table.target.kind === 'postgres'
            ? await outcomeKind(client!, job.id, table.source, record.rowKey)
            : local.outcomeKind(table.source, record.rowKey);
        if (kind !== 'rejected') {
          results.push({
            ...base,
            outcome: 'skipped',
            message:
              kind === 'applied' ? 'already applied' : 'not a rejected row of this migration',
          });
          continue;
        }
        const converted = convertRow(table, row);
        if (!converted.ok) {
          const again = convertRejectRecord(reader, row, converted.reject);
          await keepRejected(table, again, client, job.id, local);
          results.push({
            ...base,
            outcome: 'rejected',
            reason: again.reason,
            message: again.message,
          });
          continue;
        }
        if (table.target.kind === 'postgres') {
          let prep = prepared.get(table);
          if (!prep) {
            prep = await prepareTable(client!, table, loaded, job.id, false);
            await createStage(client!, prep);
            prepared.set(table, prep);
          }
          const encode = (values: readonly unknown[]): string => copyLine(prep!.kinds, values);
          const lines = [encode(converted.values)];
          const changes = [converted.changes.map((c) => changeRecord(reader, row, c))];
          const staged = new StagedRules(
            { client: client!, source, jobId: job.id, planTables: sp.resolved.tables },
            prep,
            reader,
            encode,
          );
          await client!.query('BEGIN');
          try {
            const [st] = await staged.stage(
              lines,
              [row],
              changes,
              progress.get(table.source)?.preexisting ?? [],
            );
            if (st!.status === 'migrated' || st!.status === 'claimed') {
              await markApplied(
                client!,
                job.id,
                table.source,
                record.rowKey,
                rowHash(job.hash, lines[0]!),
                {
                  ...record,
                  appliedAt: new Date().toISOString(),
                },
              );
              await recordChanges(client!, job.id, table.source, changes[0]!);
              await client!.query('COMMIT');
              touched.add(table);
              results.push({ ...base, outcome: 'applied' });
            } else {
              await client!.query('ROLLBACK');
              const again = staged.markCascade(stageReject(prep, reader, row, st!), row, st!);
              await keepRejected(table, again, client, job.id, local);
              results.push({
                ...base,
                outcome: 'rejected',
                reason: again.reason,
                message: again.message,
              });
            }
          } catch (err) {
            await client!.query('ROLLBACK').catch(() => undefined);
            throw err;
          }
        } else {
          const applied = await applyMongo(mongo!, table, converted.values, record.rowKey);
          if (applied.ok) {
            local.markApplied(table.source, record.rowKey, rowHash(job.hash, applied.line), {
              ...record,
              appliedAt: new Date().toISOString(),
            });
            results.push({ ...base, outcome: 'applied' });
          } else {
            const again = rejectRecord(
              reader,
              row,
              table.columns[0]?.source ?? '',
              'invalid value',
              `MongoDB refused the document: ${applied.message}`,
            );
            await keepRejected(table, again, client, job.id, local);
            results.push({
              ...base,
              outcome: 'rejected',
              reason: again.reason,
              message: again.message,
            });
          }
        }
      }
      // New ids may lie beyond the sequences; foreign keys are re-validated.
      for (const table of touched) await finishTable(client!, job.id, table, { warnings: [] });
      if (client) progress = await loadProgress(client, job.id);
    } finally {
      client?.release();
    }

    const all = new Map<string, TableProgress>([...local.allProgress(), ...progress]);
    const report = await completeJob(ctx, {
      sp,
      job,
      pg,
      mongo,
      mongoUrl: options.mongoUrl,
      local,
      source,
      progress: all,
      warnings: [],
      jobDir,
      resumed: false,
      startedAt,
    });
    return {
      applied: results.filter((r) => r.outcome === 'applied').length,
      stillRejected: results.filter((r) => r.outcome === 'rejected').length,
      skipped: results.filter((r) => r.outcome === 'skipped').length,
      lines: results,
      report,
    };
  } catch (err) {
    throw pg && isPgServerError(err) ? pg.mapError(err) : err;
  } finally {
    source?.close();
    local.close();
    await pg?.close().catch(() => undefined);
    await mongo?.close();
  }
}

function readLines(file: string): Line[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new NovaError(
      'INVALID_ARGUMENT',
      `Cannot read the rejects file ${file} (${(err as { code?: string }).code ?? String(err)}).`,
      {
        fix: 'Pass the path of a rejects.jsonl written by nova-db migrate.',
        cause: err,
      },
    );
  }
  const out: Line[] = [];
  text.split('\n').forEach((raw, i) => {
    if (raw.trim() === '') return;
    let record: unknown;
    try {
      record = JSON.parse(raw);
    } catch (err) {
      throw badLine(file, i + 1, `not valid JSON (${(err as Error).message})`);
    }
    const r = record as Line['record'];
    if (
      typeof r !== 'object' ||
      r === null ||
      typeof r.table !== 'string' ||
      typeof r.rowKey !== 'string' ||
      typeof r.row !== 'object' ||
      r.row === null ||
      Array.isArray(r.row)
    ) {
      throw badLine(
        file,
        i + 1,
        'a reject needs "table", "rowKey" and a "row" object (keep those fields when editing)',
      );
    }
    out.push({ line: i + 1, record: r });
  });
  return out;
}

/** The file's lines with the edited rows put in; an edit of a line the file lacks is refused. */
function withEdits(lines: Line[], edits: ApplyRejectsOptions['edits'], file: string): Line[] {
  if (!edits || edits.length === 0) return lines;
  const byLine = new Map(lines.map((l) => [l.line, l]));
  for (const e of edits) {
    const target = byLine.get(e.line);
    if (!target)
      throw badLine(
        file,
        e.line,
        `there is no reject on this line to edit (the file has rejects on lines ${lines.map((l) => l.line).join(', ') || 'none'})`,
      );
    if (typeof e.row !== 'object' || e.row === null || Array.isArray(e.row))
      throw badLine(file, e.line, 'the edited "row" must be an object of column values');
  }
  const edited = new Map(edits.map((e) => [e.line, e.row]));
  return lines.map((l) =>
    edited.has(l.line) ? { line: l.line, record: { ...l.record, row: edited.get(l.line)! } } : l,
  );
}

function badLine(file: string, line: number, what: string): NovaError {
  return new NovaError('INVALID_ARGUMENT', `${file}, line ${line}: ${what}.`, {
    fix: 'Edit only the values inside "row" of each line; leave the other fields as the migration wrote them. Nothing was applied.',
  });
}

/** The source row as convertRow and the reader expect it: readColumns, then the rowid. */
function rowOf(
  table: ResolvedTable,
  record: Line['record'],
  file: string,
  line: number,
): unknown[] {
  const row = table.readColumns.map((c) => {
    if (!Object.prototype.hasOwnProperty.call(record.row, c))
      throw badLine(file, line, `"row" has no column ${JSON.stringify(c)}`);
    try {
      return rawFromJson(record.row[c], `row.${c}`);
    } catch (err) {
      throw badLine(file, line, (err as Error).message);
    }
  });
  if (table.rowidName !== null) {
    if (!/^-?\d+$/.test(record.rowKey))
      throw badLine(file, line, `rowKey ${JSON.stringify(record.rowKey)} is not a rowid`);
    row.push(BigInt(record.rowKey));
  }
  return row;
}

async function keepRejected(
  table: ResolvedTable,
  record: RejectRecord,
  client: PoolClient | null,
  jobId: string,
  local: LocalJobState,
): Promise<void> {
  const data: Record<string, unknown> = { ...record };
  if (table.target.kind === 'postgres')
    await updateRejected(client!, jobId, table.source, record.rowKey, data);
  else local.updateRejected(table.source, record.rowKey, data);
}

async function applyMongo(
  mongo: MongoMigrationTarget,
  table: ResolvedTable,
  values: readonly unknown[],
  rowKey: string,
): Promise<{ ok: true; line: string } | { ok: false; message: string }> {
  const target = table.target.kind === 'mongo' ? table.target : null;
  const doc: Record<string, unknown> = {};
  table.outputColumns.forEach((name, i) => (doc[name] = toDocValue(values[i])));
  const id = target?.idField ? String(doc[target.idField]) : rowKey;
  const res = await mongo.store.bulkInsert(target!.collection, [{ _id: id, ...doc } as Doc]);
  if (res.errors.length > 0) return { ok: false, message: res.errors[0]!.message };
  return { ok: true, line: docLine(table.outputColumns, doc) };
}

function requireUrl(url: string | undefined, what: string, flag: string): string {
  if (url) return url;
  throw new NovaError(
    'CONFIG_INVALID',
    `Applying these rejects writes to ${what}, but no ${flag} was given and its URL is not set.`,
    {
      fix: `Pass ${flag} with the database the migration wrote to.`,
    },
  );
}
