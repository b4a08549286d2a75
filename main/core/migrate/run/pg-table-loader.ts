/**
 * Loads one source table into PostgreSQL, batch by batch (main/core/migrate/README.md#invariants).
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
import type { TableInfo } from '../inspect.js';
import type pg from 'pg';
import { convertRow } from '../convert-row.js';
import { quoteIdent, quoteIdentList } from '../sqlite-ident.js';
import { commitBatchState, setPhase } from './pg-job-state.js';
import type { BatchDelta, OutcomeRecord, TableProgress } from './job-types.js';
import { applyDelta } from './job-types.js';
import {
  changeRecord,
  convertRejectRecord,
  keyText,
  rejectRecord,
  sourceColumnOf,
  type RejectReason,
  type RejectRecord,
} from './outcome-records.js';
import { CopySink } from './pg-copy.js';
import { createStage, isDataError, type StageStatus } from './pg-stage.js';
import { lineEncoder, type LineEncoder } from './pg-text.js';
import { RowHasher, type HashKind } from './row-hash.js';
import { rowToJson } from './raw-values.js';
import type { PreparedPgTable } from './pg-target.js';
import type { PauseHook } from './pause-hook.js';
import { SourceTableReader } from './source-reader.js';
import type { ResolvedTable } from '../resolved-plan.js';
import { StagedRules } from '../rules-apply.js';

export interface PgLoadContext {
  client: pg.ClientBase;
  source: Database.Database;
  jobId: string;
  batchSize: number;
  hash: HashKind;
  /** What inspect found in the source table (narrows a scan; optional). */
  info?: TableInfo | undefined;
  pause: PauseHook;
  /** Throws TASK_CANCELLED when the task was cancelled (TaskContext.throwIfCancelled); checked between batches. */
  throwIfCancelled?: () => void;
  /** Called after each committed batch with the table's progress. */
  onBatch?: (progress: TableProgress) => void;
  /** Every table of the plan: the row rules look up parents in it (rules-apply.ts). */
  planTables?: readonly ResolvedTable[] | undefined;
}

/** Loads `prep.table` from where `progress` left it; returns the final progress (phase 'loaded'). */
export async function loadPgTable(
  ctx: PgLoadContext,
  prep: PreparedPgTable,
  progress: TableProgress,
): Promise<TableProgress> {
  const { client } = ctx;
  const table = prep.table;
  const reader = new SourceTableReader(ctx.source, table, ctx.info);
  // Which columns needed COPY escaping: verification escapes only those (job-types.ts).
  const escapedFlags = new Uint8Array(prep.kinds.length);
  const encode = lineEncoder(prep.kinds, escapedFlags);
  const escaped = (): string[] => prep.columns.filter((_, i) => escapedFlags[i] === 1);
  const hasher = new RowHasher(ctx.hash);
  const copySql = `COPY ${quoteIdent(prep.name)} (${quoteIdentList(prep.columns)}) FROM STDIN`;
  // The staging table is created only when a batch first needs it: most tables never do,
  // and two DDL round trips per table are a visible share of loading a small one.
  let stageReady = false;
  let p = progress;
  let batchNo = 0;

  for (;;) {
    ctx.throwIfCancelled?.();
    batchNo++;
    await client.query('BEGIN');
    try {
      await client.query('SAVEPOINT nova_direct');
      const direct = await streamBatch(ctx, prep, reader, encode, hasher, p, copySql);
      if (direct.rows === 0) {
        await client.query('ROLLBACK');
        break;
      }
      let delta: BatchDelta;
      let outcomes: OutcomeRecord[];
      try {
        await direct.sink?.end();
        delta = { ...direct.delta, checksum: hasher.take(), escaped: escaped() };
        outcomes = direct.outcomes;
      } catch (err) {
        if (!isDataError(err)) throw err;
        // Something in the batch is refused: classify it row by row (the lines are rebuilt
        // from the snapshot rather than kept, so the plain path holds no batch in memory).
        hasher.take();
        await client.query('ROLLBACK TO SAVEPOINT nova_direct');
        // Inside this batch's transaction: committed with it, or rolled back (then made again).
        if (!stageReady) await createStage(client, prep);
        stageReady = true;
        ({ delta, outcomes } = await stagedBatch(ctx, prep, reader, encode, hasher, p));
        delta = { ...delta, escaped: escaped() };
      }
      await ctx.pause.at(`batch:${table.source}:${batchNo}`);
      await commitBatchState(client, ctx.jobId, table.source, delta, outcomes);
      await client.query('COMMIT');
      p = applyDelta(p, delta);
      ctx.onBatch?.(p);
      if (direct.rows < ctx.batchSize) break;
    } catch (err) {
      stageReady = false;
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }
  await setPhase(client, ctx.jobId, table.source, 'loaded');
  return { ...p, phase: 'loaded' };
}

interface DirectBatch {
  rows: number;
  sink: CopySink | null;
  /** Counts as if every converted row goes in (true once the COPY succeeds). */
  delta: BatchDelta;
  outcomes: OutcomeRecord[];
}

/**
 * Reads, converts and streams one batch into the target with COPY, hashing
 * each line as it goes. Conversion rejects and change records are kept; the
 * lines themselves are not.
 */
async function streamBatch(
  ctx: PgLoadContext,
  prep: PreparedPgTable,
  reader: SourceTableReader,
  encode: LineEncoder,
  hasher: RowHasher,
  p: TableProgress,
  copySql: string,
): Promise<DirectBatch> {
  const table = prep.table;
  const delta = emptyDelta();
  const outcomes: OutcomeRecord[] = [];
  let sink: CopySink | null = null;
  let rows = 0;
  let last: unknown[] | null = null;
  for (const row of reader.iterate(p.cursor, ctx.batchSize)) {
    rows++;
    last = row;
    const r = convertRow(table, row);
    if (!r.ok) {
      delta.rejected++;
      const record = convertRejectRecord(reader, row, r.reject);
      outcomes.push({ key: record.rowKey, kind: 'rejected', seq: 0, record: { ...record } });
      continue;
    }
    const line = encode(r.values);
    sink ??= new CopySink(ctx.client, copySql);
    // The line is encoded once, into the COPY chunk, and hashed from there.
    const ready = sink.push(line);
    if (!sink.failed) hasher.addUtf8(sink.bytes, sink.lineStart, sink.lineEnd);
    delta.migrated++;
    if (r.changes.length > 0) {
      delta.changed += r.changes.length;
      r.changes.forEach((c, seq) => {
        const record = changeRecord(reader, row, c);
        outcomes.push({ key: record.rowKey, kind: 'changed', seq, record: { ...record } });
      });
    }
    if (ready) {
      await sink.flush();
      // Converting is synchronous: without a turn of the event loop per chunk, the other
      // load lane (job-phases.ts) would get its query results only between whole batches.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
  if (last) delta.cursor = reader.cursorAfter(last);
  return { rows, sink, delta, outcomes };
}

function emptyDelta(): BatchDelta {
  return {
    cursor: { rowid: null },
    migrated: 0,
    duplicates: 0,
    rejected: 0,
    changed: 0,
    checksum: 0n,
    claimed: [],
    escaped: [],
  };
}

/**
 * Rows staged at a time when a batch takes the careful path. The batch is
 * still one transaction; staging it in slices bounds what the engine holds
 * (each slice's lines, source rows and change records) and the size of every
 * statement over the staging table, whatever the batch size.
 */
export const CAREFUL_SLICE_ROWS = 5_000;

/** The batch again, through the staging table, slice by slice: every row gets its own outcome. */
async function stagedBatch(
  ctx: PgLoadContext,
  prep: PreparedPgTable,
  reader: SourceTableReader,
  encode: LineEncoder,
  hasher: RowHasher,
  p: TableProgress,
): Promise<{ delta: BatchDelta; outcomes: OutcomeRecord[] }> {
  const delta = emptyDelta();
  const outcomes: OutcomeRecord[] = [];
  let lines: string[] = [];
  let rows: unknown[][] = [];
  let changes: ReturnType<typeof changeRecord>[][] = [];
  let last: unknown[] | null = null;
  // Rows the site's rules keep (renamed, re-pointed at a merged row) are staged once more.
  const rules = new StagedRules(ctx, prep, reader, encode);
  const flush = async (): Promise<void> => {
    if (lines.length === 0) return;
    const statuses = await rules.stage(lines, rows, changes, p.preexisting);
    classifySlice(prep, reader, hasher, delta, outcomes, rules, { lines, rows, changes, statuses });
    lines = [];
    rows = [];
    changes = [];
  };
  for (const row of reader.iterate(p.cursor, ctx.batchSize)) {
    last = row;
    const r = convertRow(prep.table, row);
    if (!r.ok) {
      delta.rejected++;
      const record = convertRejectRecord(reader, row, r.reject);
      outcomes.push({ key: record.rowKey, kind: 'rejected', seq: 0, record: { ...record } });
      continue;
    }
    lines.push(encode(r.values));
    rows.push(row);
    changes.push(r.changes.map((c) => changeRecord(reader, row, c)));
    if (lines.length >= CAREFUL_SLICE_ROWS) await flush();
  }
  await flush();
  delta.cursor = reader.cursorAfter(last!);
  delta.checksum = hasher.take();
  return { delta, outcomes };
}

interface StagedSlice {
  lines: string[];
  rows: unknown[][];
  changes: ReturnType<typeof changeRecord>[][];
  statuses: StageStatus[];
}

/** Counts and records the outcome of each row of one staged slice, in source order. */
function classifySlice(
  prep: PreparedPgTable,
  reader: SourceTableReader,
  hasher: RowHasher,
  delta: BatchDelta,
  outcomes: OutcomeRecord[],
  rules: StagedRules,
  slice: StagedSlice,
): void {
  const { lines, rows, changes, statuses } = slice;
  statuses.forEach((st, i) => {
    if (st.status === 'migrated' || st.status === 'claimed') {
      delta.migrated++;
      hasher.add(lines[i]!);
      if (st.status === 'claimed') delta.claimed.push(st.key);
      delta.changed += changes[i]!.length;
      changes[i]!.forEach((c, seq) =>
        outcomes.push({ key: c.rowKey, kind: 'changed', seq, record: { ...c } }),
      );
      return;
    }
    const row = rows[i]!;
    if (st.status === 'duplicate' && prep.target.dedupe === 'exact-duplicates') {
      delta.duplicates++;
      const key = reader.rowKey(row);
      outcomes.push({
        key,
        kind: 'duplicate',
        seq: 0,
        record: {
          table: prep.table.source,
          rowKey: key,
          key: keyText(reader, row),
          row: rowToJson(prep.table.readColumns, row),
          duplicateOf: st.other,
        },
      });
      return;
    }
    const o = rules.outcome(row, st, i, () => stageReject(prep, reader, row, st));
    delta[o.count]++;
    delta.changed += o.changed;
    outcomes.push(o.outcome);
  });
}

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
