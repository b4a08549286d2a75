/**
 * integer / bigint / real casts. SQLite integers are 64-bit and arrive as JS
 * numbers (exact only up to 2^53) or, when the reader uses
 * `statement.safeIntegers()`, as bigints — both are accepted; read bigint
 * columns with safeIntegers to keep every digit.
 */
import { changed, describeValue, invalid, ok, type CastResult } from './cast-result.js';

/** What to do with a non-integral value (3.5) bound for an integer column. */
export type Fractional = 'reject' | 'round' | 'truncate';

const INTEGER_TEXT = /^[+-]?\d+$/;
const DECIMAL_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INFINITY_TEXT = /^[+-]?(?:inf|infinity)$/i;
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

export function toInteger(value: unknown, fractional: Fractional = 'reject'): CastResult {
  return toWhole(value, fractional, false);
}

export function toBigint(value: unknown, fractional: Fractional = 'reject'): CastResult {
  return toWhole(value, fractional, true);
}

function toWhole(value: unknown, fractional: Fractional, wide: boolean): CastResult {
  if (typeof value === 'number') {
    if (Number.isInteger(value)) return inRange(value, value, wide);
    if (!Number.isFinite(value))
      return invalid(value, `${describeValue(value)} is not a whole number`);
    if (fractional === 'truncate') {
      const cut = Math.trunc(value);
      const r = inRange(cut, value, wide);
      return r.ok
        ? changed(r.value, 'truncated', value, `${value} truncated to ${cut} for an integer column`)
        : r;
    }
    if (fractional === 'round') {
      const rounded = Math.round(value);
      const r = inRange(rounded, value, wide);
      return r.ok
        ? changed(r.value, 'rounded', value, `${value} rounded to ${rounded} for an integer column`)
        : r;
    }
    return invalid(value, `${value} has a fractional part; an integer column cannot hold it`);
  }
  if (typeof value === 'bigint') {
    if (value < INT64_MIN || value > INT64_MAX)
      return invalid(value, `${value} is out of the 64-bit integer range`);
    if (!wide && (value < BigInt(INT32_MIN) || value > BigInt(INT32_MAX))) return outOfInt32(value);
    return ok(Number.isSafeInteger(Number(value)) ? Number(value) : value);
  }
  if (typeof value === 'string') {
    const text = value.trim();
    if (INTEGER_TEXT.test(text)) {
      const r = toWhole(BigInt(text), fractional, wide);
      return r.ok ? r : invalid(value, r.reason);
    }
    if (DECIMAL_TEXT.test(text)) {
      const r = toWhole(Number(text), fractional, wide);
      return r.ok ? r : invalid(value, r.reason);
    }
  }
  return invalid(value, `${describeValue(value)} is not an integer`);
}

function inRange(n: number, original: unknown, wide: boolean): CastResult {
  if (wide) {
    // A JS number beyond 2^53 already lost digits when it was read; say so rather than pretend.
    if (!Number.isSafeInteger(n))
      return invalid(
        original,
        `${describeValue(original)} is beyond 2^53; read this column with safeIntegers to keep it exact`,
      );
    return ok(n);
  }
  return n < INT32_MIN || n > INT32_MAX ? outOfInt32(original) : ok(n);
}

function outOfInt32(original: unknown): CastResult {
  return invalid(
    original,
    `${describeValue(original)} is out of range for integer (32-bit); map the column to bigint`,
  );
}

/**
 * Loads into PostgreSQL `double precision` (see pgColumnType): SQLite REAL is
 * an 8-byte double, and PostgreSQL's `real` would drop digits.
 */
export function toReal(value: unknown): CastResult {
  if (typeof value === 'number') return ok(value);
  if (typeof value === 'bigint') {
    const n = Number(value);
    return BigInt(n) === value
      ? ok(n)
      : changed(n, 'precision-lost', value, `${value} cannot be represented exactly as a double`);
  }
  if (typeof value === 'string') {
    const text = value.trim();
    if (DECIMAL_TEXT.test(text)) return ok(Number(text));
    if (INFINITY_TEXT.test(text)) return ok(text.startsWith('-') ? -Infinity : Infinity);
  }
  return invalid(value, `${describeValue(value)} is not a number`);
}
