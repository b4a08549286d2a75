/**
 * What every cast returns. A cast never throws on bad data: it either
 * converts (reporting a `change` when the stored value had to be altered to
 * fit — main/core/migrate/README.md#nothing-lost "values that must change are recorded with their
 * original") or says why the value is invalid, and the column's `onInvalid`
 * rule decides what happens next (convert-row.ts).
 */

/** Target value kinds; named after the PostgreSQL types they load into (see pgColumnType). */
export const CAST_KINDS = [
  'text',
  'integer',
  'bigint',
  'real',
  'boolean',
  'timestamptz',
  'date',
  'jsonb',
  'bytea',
] as const;
export type CastKind = (typeof CAST_KINDS)[number];

/** Stable codes for recorded changes, so reports can group and count them. */
export type ChangeCode =
  | 'nul-stripped'
  | 'blob-decoded-utf8'
  | 'blob-base64'
  | 'text-to-bytes'
  | 'empty-to-null'
  | 'invalid-to-null'
  | 'invalid-kept-as-text'
  | 'null-replaced'
  | 'rounded'
  | 'truncated'
  | 'kept-in-extra'
  | 'precision-lost'
  | 'sub-millisecond-dropped'
  | 'time-dropped';

/** A value that was altered to fit its target, with what it was. */
export interface ValueChange {
  code: ChangeCode;
  /** The value as stored in SQLite (string, number, bigint, Buffer or null). */
  original: unknown;
  converted: unknown;
  reason: string;
}

export type CastResult =
  | { ok: true; value: unknown; change?: ValueChange }
  | { ok: false; reason: string; original: unknown };

export function ok(value: unknown): CastResult {
  return { ok: true, value };
}

export function changed(
  value: unknown,
  code: ChangeCode,
  original: unknown,
  reason: string,
): CastResult {
  return { ok: true, value, change: { code, original, converted: value, reason } };
}

export function invalid(original: unknown, reason: string): CastResult {
  return { ok: false, reason, original };
}

/** Short, safe rendering of a stored value for a reason string. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (typeof value === 'bigint') return `${value}`;
  if (value instanceof Uint8Array) return `a ${value.length}-byte BLOB`;
  if (typeof value === 'object') return Object.prototype.toString.call(value);
  return String(value as number | boolean);
}
