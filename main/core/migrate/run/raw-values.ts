/**
 * Source values (what better-sqlite3 returns: null, number, bigint, string,
 * Buffer) in JSON and in text, for rejects.jsonl, change records and resume
 * cursors. JSON has no bytes or 64-bit integers, so those are tagged objects
 * that decode back to exactly the value SQLite held — an admin who fixes a
 * rejected row edits these values and re-applies them.
 */
import { NovaError } from '../../errors.js';

/** A source value as JSON data. */
export type RawJson = null | number | string | { $bigint: string } | { $blob: string };

export function rawToJson(value: unknown): RawJson {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') {
    return Number.isSafeInteger(Number(value)) ? Number(value) : { $bigint: value.toString() };
  }
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return { $blob: Buffer.from(value).toString('hex') };
  if (value instanceof Date) return value.toISOString();
  return String(value as boolean);
}

/** The inverse of rawToJson; `where` names the value in the error. */
export function rawFromJson(value: unknown, where: string): unknown {
  if (value === null || typeof value === 'number' || typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'object' && !Array.isArray(value)) {
    const o = value as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1 && typeof o.$bigint === 'string' && /^-?\d+$/.test(o.$bigint))
      return BigInt(o.$bigint);
    if (keys.length === 1 && typeof o.$blob === 'string' && /^(?:[0-9a-f]{2})*$/i.test(o.$blob))
      return Buffer.from(o.$blob, 'hex');
  }
  throw new NovaError(
    'INVALID_ARGUMENT',
    `${where} is ${JSON.stringify(value)}, which is not a source value.`,
    {
      fix: 'Write a value as null, a number, a string, {"$bigint": "digits"} or {"$blob": "hex bytes"}.',
    },
  );
}

/** A source value as readable text for reports: blobs as hex, NULL as "NULL". */
export function rawToText(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (value instanceof Uint8Array) return `x'${Buffer.from(value).toString('hex')}'`;
  if (value instanceof Date) return value.toISOString();
  return String(value as string | number | bigint);
}

/** A row (values in `columns` order) as a JSON object keyed by column name. */
export function rowToJson(
  columns: readonly string[],
  row: readonly unknown[],
): Record<string, RawJson> {
  const out: Record<string, RawJson> = {};
  columns.forEach((name, i) => {
    // defineProperty keeps a column named "__proto__" an ordinary key.
    Object.defineProperty(out, name, {
      value: rawToJson(row[i]),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  });
  return out;
}
