/**
 * Loads one source table into a MongoDB collection, batch by batch, with
 * unordered bulk inserts (main/core/migrate/README.md#run). MongoDB shares no transaction with the
 * checkpoint, so exactly-once comes from deterministic `_id`s instead: the
 * batch is inserted first and checkpointed in the job directory after
 * (local-job-state.ts). A kill in between makes the resumed run insert that
 * batch again; its documents are then already there, and a duplicate-key
 * answer for a row's own `_id` means "migrated by the interrupted attempt".
 *
 * Outside that redone batch, a duplicate `_id` is another source row with
 * the same key: identical → merged as an exact duplicate, different →
 * rejected as a duplicate key. With an idField, the redone batch tells the
 * two apart by asking the source whether an earlier row had the same value.
 */
import type Database from 'better-sqlite3';
import type { TableInfo } from '../inspect.js';
import type { Doc } from '../../stores/types.js';
import { convertRow } from '../convert-row.js';
import type { ResolvedMongoTarget } from '../resolved-plan.js';
import { quoteIdent } from '../sqlite-ident.js';
import type { BatchDelta, OutcomeRecord, TableProgress } from './job-types.js';
import type { LocalJobState } from './local-job-state.js';
import { docLine, toDocValue } from './mongo-docs.js';
import type { MongoMigrationTarget } from './mongo-target.js';
import {
  changeRecord,
  convertRejectRecord,
  rejectRecord,
  sourceColumnOf,
} from './outcome-records.js';
import type { PauseHook } from './pause-hook.js';
import { rowHash, type HashKind } from './row-hash.js';
import { SourceTableReader } from './source-reader.js';
import type { ResolvedTable } from '../resolved-plan.js';

export interface MongoLoadContext {
  target: MongoMigrationTarget;
  state: LocalJobState;
  source: Database.Database;
  batchSize: number;
  hash: HashKind;
  /** What inspect found in the source table (narrows a scan; optional). */
  info?: TableInfo | undefined;
  pause: PauseHook;
  /** Throws TASK_CANCELLED when the task was cancelled (TaskContext.throwIfCancelled); checked between batches. */
  throwIfCancelled?: () => void;
  onBatch?: (progress: TableProgress) => void;
}

interface Pending {
  row: unknown[];
  key: string;
  doc: Record<string, unknown>;
  line: string;
  changes: ReturnType<typeof changeRecord>[];
}

export async function loadMongoTable(
  ctx: MongoLoadContext,
  table: ResolvedTable,
  progress: TableProgress,
  /** The table had started in an earlier run: its next batch may already be in MongoDB. */
  resumed: boolean,
): Promise<TableProgress> {
  const target = table.target as ResolvedMongoTarget;
  const reader = new SourceTableReader(ctx.source, table, ctx.info);
  const idIndex = target.idField === null ? -1 : table.outputColumns.indexOf(target.idField);
  const earlier = earlierValueLookup(ctx.source, table, idIndex);
  // The first batch after a restart may have reached MongoDB without its checkpoint.
  let redo = resumed;
  let p = progress;
  let batchNo = 0;

  for (;;) {
    ctx.throwIfCancelled?.();
    batchNo++;
    const outcomes: OutcomeRecord[] = [];
    const pending: Pending[] = [];
    let rows = 0;
    let rejected = 0;
    let lastRow: unknown[] | null = null;
    for (const row of reader.iterate(p.cursor, ctx.batchSize)) {
      rows++;
      lastRow = row;
      const r = convertRow(table, row);
      const key = reader.rowKey(row);
      if (r.ok && idIndex !== -1 && r.values[idIndex] === null) {
        rejected++;
        const record = rejectRecord(
          reader,
          row,
          sourceColumnOf(table, target.idField!),
          'not-null',
          `the idField ${target.idField} is NULL, and a document needs an _id`,
        );
        outcomes.push({ key, kind: 'rejected', seq: 0, record: { ...record } });
        continue;
      }
      if (!r.ok) {
        rejected++;
        const record = convertRejectRecord(reader, row, r.reject);
        outcomes.push({ key, kind: 'rejected', seq: 0, record: { ...record } });
        continue;
      }
      const doc: Record<string, unknown> = {};
      table.outputColumns.forEach((name, i) => {
        Object.defineProperty(doc, name, {
          value: toDocValue(r.values[i]),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      });
      const id = idIndex === -1 ? key : String(doc[target.idField!]);
      pending.push({
        row,
        key,
        doc: { _id: id, ...doc },
        line: docLine(table.outputColumns, doc),
        changes: r.changes.map((c) => changeRecord(reader, row, c)),
      });
    }
    if (rows === 0) break;

    const delta: BatchDelta = {
      cursor: reader.cursorAfter(lastRow!),
      migrated: 0,
      duplicates: 0,
      rejected,
      changed: 0,
      checksum: 0n,
      claimed: [],
      escaped: [], // documents are checksummed field by field, with no COPY escaping
    };
    const result =
      pending.length > 0
        ? await ctx.target.store.bulkInsert(
            target.collection,
            pending.map((x) => x.doc as Doc),
            { ordered: false },
          )
        : { errors: [] };
    const failed = new Map(result.errors.map((e) => [e.index, e]));
    const dupIds = result.errors
      .filter((e) => e.code === 'CONSTRAINT_VIOLATION')
      .map((e) => String(pending[e.index]!.doc._id));
    const existing = await ctx.target.byIds(target.collection, dupIds);
    const firstInBatch = new Map<string, number>();

    pending.forEach((x, i) => {
      const id = String(x.doc._id);
      const err = failed.get(i);
      const seenAt = firstInBatch.get(id);
      if (seenAt === undefined) firstInBatch.set(id, i);
      let migrated = err === undefined;
      if (err && err.code === 'CONSTRAINT_VIOLATION' && redo && seenAt === undefined) {
        const other = existing.get(id);
        const same = other !== undefined && docLine(table.outputColumns, other) === x.line;
        // Ours from the interrupted attempt, unless an earlier source row owns this _id.
        migrated = idIndex === -1 || (same && !earlier?.(x.row));
      }
      if (migrated) {
        delta.migrated++;
        delta.checksum += rowHash(ctx.hash, x.line);
        delta.changed += x.changes.length;
        x.changes.forEach((c, seq) =>
          outcomes.push({ key: x.key, kind: 'changed', seq, record: { ...c } }),
        );
        return;
      }
      const other = existing.get(id);
      if (
        err &&
        err.code === 'CONSTRAINT_VIOLATION' &&
        other &&
        docLine(table.outputColumns, other) === x.line
      ) {
        delta.duplicates++;
        outcomes.push({
          key: x.key,
          kind: 'duplicate',
          seq: 0,
          record: { table: table.source, rowKey: x.key, duplicateOf: `_id=${id}` },
        });
        return;
      }
      delta.rejected++;
      const record =
        err && err.code === 'CONSTRAINT_VIOLATION'
          ? rejectRecord(
              reader,
              x.row,
              target.idField ? sourceColumnOf(table, target.idField) : '',
              'duplicate key',
              `a different document with _id ${JSON.stringify(id)} is already in ${target.collection}`,
            )
          : rejectRecord(
              reader,
              x.row,
              table.columns[0]?.source ?? '',
              'invalid value',
              `MongoDB refused the document: ${err?.message ?? 'unknown error'}`,
            );
      outcomes.push({ key: x.key, kind: 'rejected', seq: 0, record: { ...record } });
    });

    await ctx.pause.at(`batch:${table.source}:${batchNo}`);
    p = ctx.state.commitBatch(table.source, delta, outcomes);
    redo = false;
    ctx.onBatch?.(p);
    if (rows < ctx.batchSize) break;
  }
  ctx.state.setPhase(table.source, 'loaded');
  return { ...p, phase: 'loaded' };
}

/** For idField tables: does a row before this one hold the same raw id value? */
function earlierValueLookup(
  db: Database.Database,
  table: ResolvedTable,
  idIndex: number,
): ((row: unknown[]) => boolean) | null {
  if (idIndex === -1 || table.rowidName === null) return null;
  const col = table.columns[idIndex];
  if (!col) return null;
  const rowid = quoteIdent(table.rowidName);
  const stmt = db.prepare(
    `SELECT 1 FROM ${quoteIdent(table.source)} WHERE ${quoteIdent(col.source)} = ? AND ${rowid} < ? LIMIT 1`,
  );
  return (row) => stmt.get(row[col.index], row[table.readColumns.length]) !== undefined;
}
