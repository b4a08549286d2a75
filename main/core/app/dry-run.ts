/**
 * The dry run (SPEC §5.4): every row of the snapshot goes through the same
 * conversion the run uses, nothing is written, and the report says what
 * would be rejected or changed. Runs as a Task with per-table progress; it
 * yields to the event loop between batches (better-sqlite3 is synchronous)
 * so the server and the UI stay responsive, and honours cancel there.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import Database from 'better-sqlite3';
import type { MigrationReportDto } from '../../../shared-contract/index.js';
import { convertRow } from '../migrate/convert-row.js';
import type { ResolvedPlan, ResolvedTable } from '../migrate/resolved-plan.js';
import { selectSql } from '../migrate/source-select.js';
import type { TaskContext } from '../tasks/task.js';

/** Rows converted between two yields to the event loop. */
const BATCH = 2000;
/** Rejects kept in the report itself; the counts stay exact beyond it. */
const MAX_REJECTS = 200;

export interface DryRunInput {
  sessionId: string;
  sourceFile: string;
  snapshotFile: string;
  plan: ResolvedPlan;
  target: string;
}

export async function dryRun(input: DryRunInput, task: TaskContext): Promise<MigrationReportDto> {
  const started = Date.now();
  const db = new Database(input.snapshotFile, { readonly: true, fileMustExist: true });
  const report: MigrationReportDto = {
    sessionId: input.sessionId,
    kind: 'dry-run',
    ok: true,
    source: input.sourceFile,
    target: input.target,
    tables: {},
    rejects: [],
    rejectsTotal: 0,
    rejectsFile: null,
    durationMs: 0,
  };
  try {
    for (const table of input.plan.tables) {
      await convertTable(db, table, report, task);
    }
  } finally {
    db.close();
  }
  report.ok = report.rejectsTotal === 0;
  report.durationMs = Date.now() - started;
  return report;
}

async function convertTable(
  db: Database.Database,
  table: ResolvedTable,
  report: MigrationReportDto,
  task: TaskContext,
): Promise<void> {
  const counts = { source: 0, migrated: 0, duplicates: 0, rejected: 0, changed: 0, verified: null };
  report.tables[table.source] = counts;
  task.progress({ phase: 'dry-run', item: table.source, done: 0, total: table.rowCount });
  const statement = db.prepare(selectSql(table)).raw(true);
  const keyIndexes = table.keyColumns.map((k) => table.readColumns.indexOf(k));
  for (const row of statement.iterate() as Iterable<unknown[]>) {
    counts.source += 1;
    const result = convertRow(table, row);
    if (result.ok) {
      counts.migrated += 1;
      if (result.changes.length > 0) counts.changed += 1;
    } else {
      counts.rejected += 1;
      report.rejectsTotal += 1;
      if (report.rejects.length < MAX_REJECTS) {
        report.rejects.push({
          table: table.source,
          key: rowKey(table, row, keyIndexes),
          column: result.reject.column,
          original: asText(result.reject.original),
          reason: result.reject.reason,
        });
      }
    }
    if (counts.source % BATCH === 0) {
      task.progress({ done: counts.source });
      // Give timers, sockets and cancel requests their turn.
      await yieldToEventLoop();
      task.throwIfCancelled();
    }
  }
  task.progress({ done: counts.source, total: Math.max(table.rowCount, counts.source) });
}

/** The row's key for the report: its primary key values, else its rowid (the trailing column). */
function rowKey(table: ResolvedTable, row: readonly unknown[], keyIndexes: number[]): string {
  if (keyIndexes.length > 0 && keyIndexes.every((i) => i >= 0)) {
    return keyIndexes.map((i) => asText(row[i])).join(', ');
  }
  return table.rowidName ? `rowid ${asText(row[table.readColumns.length])}` : '(no key)';
}

/** Any SQLite value as text a person can read: blobs as hex, NULL as NULL. */
function asText(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (Buffer.isBuffer(value)) return `x'${value.toString('hex').slice(0, 200)}'`;
  if (typeof value === 'string') return value.length > 500 ? `${value.slice(0, 500)}…` : value;
  return String(value);
}
