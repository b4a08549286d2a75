/**
 * Text and bytea casts. PostgreSQL text cannot hold NUL (0x00) characters and
 * must be valid UTF-8, while SQLite stores whatever it was given — including
 * BLOBs in TEXT columns. Both fixes are recorded.
 */
import { isUtf8 } from 'node:buffer';
import { changed, describeValue, invalid, ok, type CastResult } from './cast-result.js';

const NUL = '\u0000';

export function toText(value: unknown): CastResult {
  if (typeof value === 'string') {
    // Fast path: the overwhelmingly common case allocates nothing but the result.
    if (value.indexOf(NUL) === -1) return ok(value);
    const stripped = value.replaceAll(NUL, '');
    return changed(
      stripped,
      'nul-stripped',
      value,
      'NUL characters removed: PostgreSQL text cannot store them',
    );
  }
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
    return ok(String(value));
  if (value instanceof Uint8Array) {
    const bytes = Buffer.isBuffer(value)
      ? value
      : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    if (isUtf8(bytes)) {
      const decoded = bytes.toString('utf8');
      const text = decoded.indexOf(NUL) === -1 ? decoded : decoded.replaceAll(NUL, '');
      const reason =
        text === decoded
          ? 'BLOB in a text column, decoded as UTF-8'
          : 'BLOB in a text column, decoded as UTF-8, NUL characters removed';
      return changed(text, 'blob-decoded-utf8', value, reason);
    }
    const text = bytes.toString('base64');
    return changed(
      text,
      'blob-base64',
      value,
      'BLOB in a text column is not valid UTF-8; stored as base64',
    );
  }
  return invalid(value, `cannot store ${describeValue(value)} as text`);
}

export function toBytea(value: unknown): CastResult {
  if (Buffer.isBuffer(value)) return ok(value);
  if (value instanceof Uint8Array)
    return ok(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
  if (typeof value === 'string') {
    return changed(
      Buffer.from(value, 'utf8'),
      'text-to-bytes',
      value,
      'text in a bytea column, stored as its UTF-8 bytes',
    );
  }
  return invalid(value, `${describeValue(value)} is not binary data`);
}
