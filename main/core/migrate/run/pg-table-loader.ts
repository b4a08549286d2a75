/**
 * Loads one source table into PostgreSQL, batch by batch (SPEC §5.5–5.7).
 *
 * Each batch is ONE transaction: the rows are converted and streamed with
 * COPY straight into the target table while the next rows are read, then the
 * table's progress row (cursor, counts, running checksum) and the batch's
 * outcome records are written, then COMMIT. A kill at any moment therefore
 * leaves either the whole batch with its checkpoint, or nothing of it — and
 * the resumed run starts after the last committed row.
 *
 * The plain COPY succeeds whenever the batch holds nothing the target
 * refuses. When it fails (a duplicate key, an orphan, a NOT NULL, a seeded
 * row), it is rolled back to a savepoint and the batch goes through the
 * staging table, which sorts every row into its outcome (pg-stage.ts). Either
 * way every source row of the batch ends up counted exactly once: migrated,
 * merged as an exact duplicate, or rejected with its reason.
 */
import type Database from 'better-sqlite3';
import type pg from 'pg';
import { convertRow } from '../convert-row.js';
import { quoteIdent, quoteIdentList } from '../sqlite-ident.js';
import { commitBatchState, setPhase } from './pg-job-state.js';
import type { BatchDelta, OutcomeRecord, TableProgress } from './job-types.js';
import { applyDelta } from './job-types.js';
import {
  changeRecord,
  convertRejectRecord,
  rejectRecord,
  sourceColumnOf,
  type RejectReason,
  type RejectRecord,
} from './outcome-records.js';
import { CopySink } from './pg-copy.js';
import { createStage, isDataError, stageBatch, type StageStatus } from './pg-stage.js';
import { copyLine, lineHash } from './pg-text.js';
import type { PreparedPgTable } from './pg-target.js';
import type { PauseHook } from './pause-hook.js';
import { SourceTableReader } from './source-reader.js';

export interface PgLoadContext {
  client: pg.ClientBase;
  source: Database.Database;
  jobId: string;
  batchSize: number;
  pause: PauseHook;
  signal?: AbortSignal | undefined;
  /** Called after each committed batch with the table's progress. */
  onBatch?: (progress: TableProgress) => void;
}

/** Loads `prep.table` from where `progress` left it; returns the final progress (phase 'loaded'). */
export async function loadPgTable(
  ctx: PgLoadContext,
  prep: PreparedPgTable,
  progress: TableProgress,
): Promise<TableProgress> {
  const { client } = ctx;
  const table = prep.table;
  const reader = new SourceTableReader(ctx.source, table);
  const copySql = `COPY ${quoteIdent(prep.name)} (${quoteIdentList(prep.columns)}) FROM STDIN`;
  await createStage(client, prep);
  let p = progress;
  let batchNo = 0;

  for (;;) {
    ctx.signal?.throwIfAborted();
    batchNo++;
    await client.query('BEGIN');
    try {
      await client.query('SAVEPOINT nova_direct');
      const batch = await readBatch(ctx, prep, reader, p, copySql);
      if (batch.rows === 0) {
        await client.query('ROLLBACK');
        break;
      }
      let statuses: StageStatus[] | null = null;
      if (batch.sink) {
        try {
          await batch.sink.end();
        } catch (err) {
          if (!isDataError(err)) throw err;
          await client.query('ROLLBACK TO SAVEPOINT nova_direct');
          statuses = await stageBatch(client, prep, batch.lines, p.preexisting);
        }
      }
      const delta = settle(prep, reader, batch, statuses);
      await ctx.pause.at(`batch:${table.source}:${batchNo}`);
      await commitBatchState(client, ctx.jobId, table.source, delta, batch.outcomes);
      await client.query('COMMIT');
      p = applyDelta(p, delta);
      ctx.onBatch?.(p);
      if (batch.rows < ctx.batchSize) break;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }
  await setPhase(client, ctx.jobId, table.source, 'loaded');
  return { ...p, phase: 'loaded' };
}

interface Batch {
  rows: number;
  sink: CopySink | null;
  /** COPY lines of the rows that converted, and each line's row key. */
  lines: string[];
  keys: string[];
  /** Change records per line index (only lines with changes). */
  changes: Map<number, ReturnType<typeof changeRecord>[]>;
  outcomes: OutcomeRecord[];
  rejected: number;
  lastRow: unknown[] | null;
}

/** Reads, converts and streams one batch; conversion rejects are recorded right away. */
async function readBatch(
  ctx: PgLoadContext,
  prep: PreparedPgTable,
  reader: SourceTableReader,
  p: TableProgress,
  copySql: string,
): Promise<Batch> {
  const table = prep.table;
  const batch: Batch = {
    rows: 0,
    sink: null,
    lines: [],
    keys: [],
    changes: new Map(),
    outcomes: [],
    rejected: 0,
    lastRow: null,
  };
  for (const row of reader.iterate(p.cursor, ctx.batchSize)) {
    batch.rows++;
    batch.lastRow = row;
    const r = convertRow(table, row);
    if (!r.ok) {
      batch.rejected++;
      const record = convertRejectRecord(reader, row, r.reject);
      batch.outcomes.push({ key: record.rowKey, kind: 'rejected', seq: 0, record: { ...record } });
      continue;
    }
    const line = copyLine(prep.kinds, r.values);
    if (r.changes.length > 0)
      batch.changes.set(
        batch.lines.length,
        r.changes.map((c) => changeRecord(reader, row, c)),
      );
    batch.lines.push(line);
    batch.keys.push(reader.rowKey(row));
    batch.sink ??= new CopySink(ctx.client, copySql);
    if (batch.sink.push(line)) await batch.sink.flush();
  }
  return batch;
}

/** Turns the batch's per-line outcomes into counts, checksum and records. */
function settle(
  prep: PreparedPgTable,
  reader: SourceTableReader,
  batch: Batch,
  statuses: StageStatus[] | null,
): BatchDelta {
  const delta: BatchDelta = {
    cursor: reader.cursorAfter(batch.lastRow!),
    migrated: 0,
    duplicates: 0,
    rejected: batch.rejected,
    changed: 0,
    checksum: 0n,
    claimed: [],
  };
  const { lines, outcomes } = batch;
  for (let i = 0; i < lines.length; i++) {
    const st = statuses?.[i] ?? MIGRATED;
    if (st.status === 'migrated' || st.status === 'claimed') {
      delta.migrated++;
      delta.checksum += lineHash(lines[i]!);
      if (st.status === 'claimed') delta.claimed.push(st.key);
      const changes = batch.changes.get(i);
      if (changes) {
        delta.changed += changes.length;
        changes.forEach((c, seq) =>
          outcomes.push({ key: c.rowKey, kind: 'changed', seq, record: { ...c } }),
        );
      }
      continue;
    }
    const row = reader.rowByKey(batch.keys[i]!)!;
    if (st.status === 'duplicate' && prep.target.dedupe === 'exact-duplicates') {
      delta.duplicates++;
      outcomes.push({
        key: batch.keys[i]!,
        kind: 'duplicate',
        seq: 0,
        record: {
          table: prep.table.source,
          rowKey: batch.keys[i]!,
          row: rejectRecord(reader, row, '', 'duplicate key', '').row,
          duplicateOf: st.other,
        },
      });
      continue;
    }
    delta.rejected++;
    const record = stageReject(prep, reader, row, st);
    outcomes.push({ key: record.rowKey, kind: 'rejected', seq: 0, record: { ...record } });
  }
  return delta;
}

const MIGRATED: StageStatus = { status: 'migrated' };

export function stageReject(
  prep: PreparedPgTable,
  reader: SourceTableReader,
  row: unknown[],
  st: StageStatus,
): RejectRecord {
  const table = prep.table;
  const src = (target: string): string => sourceColumnOf(table, target);
  switch (st.status) {
    case 'not-null':
      return rejectRecord(
        reader,
        row,
        src(st.column),
        'not-null',
        `NULL is not allowed in ${prep.name}.${st.column}`,
      );
    case 'orphan': {
      const fk = prep.orphanChecks[st.check]!;
      return rejectRecord(
        reader,
        row,
        src(fk.columns[0]!),
        'orphan',
        `no row in ${fk.parentSql} with (${fk.parentColumns.join(', ')}) = the row's (${fk.columns.join(', ')}): the parent is missing or was itself rejected`,
      );
    }
    case 'duplicate':
    case 'conflict': {
      const key = prep.uniqueKeys[st.uniqueKey];
      const what = key
        ? `${key.lower ? 'case-insensitive ' : ''}unique key (${key.columns.join(', ')})`
        : 'a unique index';
      const how = st.status === 'duplicate' ? 'is identical to' : 'has the same';
      const message =
        st.status === 'duplicate'
          ? `identical to the row ${st.other} already in ${prep.name} (exact duplicates are merged only where the plan says dedupe: 'exact-duplicates')`
          : `${how} ${what} as the row ${st.other || 'already'} in ${prep.name}`;
      return rejectRecord(
        reader,
        row,
        src(key?.columns[0] ?? prep.columns[0]!),
        'duplicate key',
        message,
      );
    }
    case 'error': {
      const reason: RejectReason =
        st.sqlstate === '23502'
          ? 'not-null'
          : st.sqlstate === '23503'
            ? 'orphan'
            : st.sqlstate === '23505'
              ? 'duplicate key'
              : st.sqlstate === '23514'
                ? 'check'
                : 'invalid value';
      return rejectRecord(
        reader,
        row,
        table.columns[0]?.source ?? '',
        reason,
        `PostgreSQL refused the row: ${st.message}`,
      );
    }
    default:
      throw new Error(`unexpected status ${st.status}`);
  }
}
