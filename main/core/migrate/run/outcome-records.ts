/**
 * The records a migration keeps about rows that were not migrated as they
 * were (main/core/migrate/README.md#nothing-lost): a reject names its table, key, column, original value and
 * a reason code — and carries the whole original row, so an admin can fix it
 * in rejects.jsonl and re-apply it (apply-rejects.ts). A change record keeps
 * the original of a value that had to change to fit.
 */
import { castValue } from '../casts/index.js';
import type { Change, Reject } from '../convert-row.js';
import type { ResolvedTable } from '../resolved-plan.js';
import { rawToJson, rawToText, rowToJson, type RawJson } from './raw-values.js';
import type { SourceTableReader } from './source-reader.js';

/** Why a row was rejected; stable codes reports and scripts can group by. */
export type RejectReason =
  | 'orphan'
  | 'duplicate key'
  | 'not-null'
  | 'unparseable'
  /** A fractional number in a whole-number column (a round/truncate rule keeps it). */
  | 'fractional'
  | 'not allowed'
  | 'check'
  | 'invalid value';

/** One line of rejects.jsonl. */
export interface RejectRecord {
  table: string;
  /** Where the row was going: `postgres:users`, `mongo:events`. */
  target: string;
  /** The row's key for people: `id=5`, or `rowid=12` for tables without a key. */
  key: string;
  /** The row's identity inside the job (rowid, or the key as JSON) — keep it when editing. */
  rowKey: string;
  column: string;
  /** The original value as text (blobs as x'hex', NULL as "NULL"). */
  original: string;
  value: RawJson;
  reason: RejectReason;
  message: string;
  /** Every source column of the row, by name: edit these to fix the row, then re-apply. */
  row: Record<string, RawJson>;
  /** Rejected only because its parent row was not migrated (rules-apply.ts). */
  cascade?: boolean;
  /** That parent, e.g. `users:42`. */
  parent?: string;
}

/** One line of changes.jsonl: a value altered to fit, with its original. */
export interface ChangeRecord {
  table: string;
  key: string;
  rowKey: string;
  column: string;
  code: string;
  original: string;
  value: RawJson;
  converted: unknown;
  reason: string;
}

export function targetLabel(table: ResolvedTable): string {
  return table.target.kind === 'postgres'
    ? `postgres:${table.target.table}`
    : `mongo:${table.target.collection}`;
}

export function keyText(reader: SourceTableReader, row: readonly unknown[]): string {
  return Object.entries(reader.keyObject(row))
    .map(([k, v]) => `${k}=${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`)
    .join(', ');
}

export function rejectRecord(
  reader: SourceTableReader,
  row: readonly unknown[],
  column: string,
  reason: RejectReason,
  message: string,
): RejectRecord {
  const table = reader.table;
  const at = table.readColumns.indexOf(column);
  const value = at === -1 ? null : row[at];
  return {
    table: table.source,
    target: targetLabel(table),
    key: keyText(reader, row),
    rowKey: reader.rowKey(row),
    column,
    original: rawToText(value),
    value: rawToJson(value),
    reason,
    message,
    row: rowToJson(table.readColumns, row),
  };
}

/** A row convertRow refused. */
export function convertRejectRecord(
  reader: SourceTableReader,
  row: readonly unknown[],
  reject: Reject,
): RejectRecord {
  return rejectRecord(
    reader,
    row,
    reject.column,
    rejectReasonOf(reader.table, reject),
    reject.reason,
  );
}

/** convertRow says why in words; the code is derived from the column's rules, not from the text. */
export function rejectReasonOf(table: ResolvedTable, reject: Reject): RejectReason {
  const col = table.columns.find((c) => c.source === reject.column);
  const raw = reject.original;
  if (!col || raw === null || raw === undefined || (raw === '' && col.emptyToNull))
    return 'not-null';
  const cast = castValue(col.type, raw, col.fractional);
  if (!cast.ok) {
    const whole = col.type === 'integer' || col.type === 'bigint';
    // Would rounding make it fit? Then it is a fraction, not garbage (the fix differs).
    return whole && castValue(col.type, raw, 'round').ok ? 'fractional' : 'unparseable';
  }
  if (col.allowedValues !== null) return 'not allowed';
  return 'not-null';
}

export function changeRecord(
  reader: SourceTableReader,
  row: readonly unknown[],
  change: Change,
): ChangeRecord {
  return {
    table: reader.table.source,
    key: keyText(reader, row),
    rowKey: reader.rowKey(row),
    column: change.column,
    code: change.code,
    original: rawToText(change.original),
    value: rawToJson(change.original),
    converted: convertedToJson(change.converted),
    reason: change.reason,
  };
}

/** A converted value as JSON data (dates as ISO text, bytes as {$blob}). */
export function convertedToJson(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array || typeof value === 'bigint') return rawToJson(value);
  return value ?? null;
}

/** The source column a target column is loaded from ('' for the extra column). */
export function sourceColumnOf(table: ResolvedTable, target: string): string {
  const col = table.columns.find((c) => c.target === target);
  if (col) return col.source;
  return table.extra && table.extra.target === target ? (table.extra.sources[0]?.name ?? '') : '';
}
