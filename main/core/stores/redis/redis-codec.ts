/**
 * Cache values are JSON in Redis (readable with redis-cli, shared with other
 * processes). Plain JSON would turn a Date into a string; here a Date is
 * written as {"$date": "<ISO>"} and revived on the way back, so it survives
 * the round trip as the Cache contract promises. (An object whose only key is
 * "$date" holding a string is therefore read back as a Date.)
 */
import { NovaError } from '../../errors.js';

export function encodeValue(value: unknown, key: string): string {
  if (value === undefined) {
    throw new NovaError('INVALID_ARGUMENT', `Cannot cache undefined under "${key}".`, {
      fix: 'Use del() to remove a key, or cache null.',
    });
  }
  let text: string | undefined;
  try {
    text = JSON.stringify(
      value,
      function replacer(this: Record<string, unknown>, k: string, v: unknown) {
        // JSON.stringify has already called Date#toJSON on `v`; the holder still has the Date itself.
        const original = this[k];
        if (original instanceof Date) {
          if (Number.isNaN(original.getTime()))
            throw new RangeError(`the Date at "${k || '(root)'}" is invalid`);
          return { $date: original.toISOString() };
        }
        if (typeof v === 'bigint')
          throw new TypeError(`the BigInt at "${k || '(root)'}" has no JSON form`);
        return v;
      },
    );
  } catch (err) {
    throw new NovaError(
      'INVALID_ARGUMENT',
      `Cannot cache the value for "${key}": ${(err as Error).message}.`,
      {
        fix: 'Cache JSON-compatible values (objects, arrays, strings, numbers, booleans, null, valid Dates) without cycles.',
        cause: err,
      },
    );
  }
  if (text === undefined) {
    throw new NovaError('INVALID_ARGUMENT', `Cannot cache a ${typeof value} under "${key}".`, {
      fix: 'Cache JSON-compatible values.',
    });
  }
  return text;
}

function isDateMarker(value: unknown): value is { $date: string } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return (
    keys.length === 1 &&
    keys[0] === '$date' &&
    typeof (value as { $date: unknown }).$date === 'string'
  );
}

/** Parses a cached value; throws SyntaxError for text that is not ours (the caller treats it as a miss). */
export function decodeValue(text: string): unknown {
  return JSON.parse(text, (_k, v: unknown) => {
    if (isDateMarker(v)) {
      const date = new Date(v.$date);
      return Number.isNaN(date.getTime()) ? v : date;
    }
    return v;
  });
}
