/**
 * SQLite has five storage classes; JavaScript has more. These are the portable
 * conversions promised by SqlExecutor (types.ts), so code written against the
 * PostgreSQL profile binds the same values here.
 */
import { NovaError } from '../../errors.js';

export type SqliteValue = null | number | bigint | string | Buffer;

export function toSqliteValue(value: unknown, position: number): SqliteValue {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'number':
    case 'bigint':
    case 'string':
      return value;
    case 'boolean':
      return value ? 1 : 0;
    case 'object':
      break;
    default:
      throw unbindable(position, `a ${typeof value}`);
  }
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw unbindable(position, 'an invalid Date');
    return value.toISOString();
  }
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array)
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (Array.isArray(value) || isPlainObject(value)) {
    try {
      return JSON.stringify(value);
    } catch (err) {
      throw unbindable(position, 'an object that cannot be serialised to JSON', err);
    }
  }
  throw unbindable(position, `a ${value.constructor?.name ?? 'non-plain'} object`);
}

export function toSqliteValues(values: readonly unknown[]): SqliteValue[] {
  return values.map((v, i) => toSqliteValue(v, i + 1));
}

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function unbindable(position: number, what: string, cause?: unknown): NovaError {
  return new NovaError(
    'INVALID_ARGUMENT',
    `Parameter ${position} is ${what}, which SQL cannot store.`,
    {
      fix: 'Pass strings, numbers, booleans, Dates, Buffers, or plain objects/arrays (stored as JSON).',
      cause,
    },
  );
}
