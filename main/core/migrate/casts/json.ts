/**
 * JSON text (kiosks.schedule, sso_configurations.configuration, …) → a JS
 * value for jsonb / a Mongo document. Two PostgreSQL limits are handled
 * here rather than left to fail the load: jsonb cannot store the \u0000
 * escape, and raw NUL characters make the text invalid JSON anyway — both
 * are stripped and recorded.
 *
 * Known limit: JSON numbers beyond 2^53 lose digits in JSON.parse (Node 20
 * has no source-text access in revivers). The legacy JSON columns hold
 * schedules, settings and PIN maps, not such numbers.
 */
import { isUtf8 } from 'node:buffer';
import { changed, describeValue, invalid, ok, type CastResult } from './cast-result.js';

const NUL = '\u0000';
const NUL_ESCAPE = '\\u0000';

export function toJsonb(value: unknown): CastResult {
  if (typeof value === 'string') return parseJsonText(value, value, null);
  if (typeof value === 'number')
    return Number.isFinite(value) ? ok(value) : invalid(value, `${value} is not valid JSON`);
  if (typeof value === 'bigint') {
    return Number.isSafeInteger(Number(value))
      ? ok(Number(value))
      : invalid(value, `${value} is too large for a JSON number in JavaScript`);
  }
  if (value instanceof Uint8Array) {
    const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    if (!isUtf8(bytes))
      return invalid(value, `${describeValue(value)} that is not UTF-8 text cannot be JSON`);
    return parseJsonText(bytes.toString('utf8'), value, 'BLOB decoded as UTF-8 JSON text');
  }
  return invalid(value, `${describeValue(value)} is not JSON text`);
}

function parseJsonText(text: string, original: unknown, note: string | null): CastResult {
  const notes: string[] = note === null ? [] : [note];
  let source = text;
  if (source.indexOf(NUL) !== -1) {
    source = source.replaceAll(NUL, '');
    notes.push('NUL characters removed');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(source);
  } catch (err) {
    return invalid(original, `invalid JSON (${(err as Error).message})`);
  }
  if (source.includes(NUL_ESCAPE)) {
    const stripped = stripNul(parsed);
    if (stripped !== parsed) {
      parsed = stripped;
      notes.push('\\u0000 escapes removed: PostgreSQL jsonb cannot store them');
    }
  }
  return notes.length === 0
    ? ok(parsed)
    : changed(
        parsed,
        note === null ? 'nul-stripped' : 'blob-decoded-utf8',
        original,
        notes.join('; '),
      );
}

/** A copy of `v` without NUL characters in strings and keys; `v` itself when it has none. */
function stripNul(v: unknown): unknown {
  if (typeof v === 'string') return v.indexOf(NUL) === -1 ? v : v.replaceAll(NUL, '');
  if (Array.isArray(v)) {
    let copy: unknown[] | null = null;
    v.forEach((item, i) => {
      const s = stripNul(item);
      if (s !== item) (copy ??= v.slice())[i] = s;
    });
    return copy ?? v;
  }
  if (v !== null && typeof v === 'object') {
    let dirty = false;
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(v)) {
      const k = key.indexOf(NUL) === -1 ? key : key.replaceAll(NUL, '');
      const s = stripNul(item);
      if (k !== key || s !== item) dirty = true;
      // defineProperty, not assignment: a "__proto__" key from JSON.parse must stay a key.
      Object.defineProperty(out, k, {
        value: s,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return dirty ? out : v;
  }
  return v;
}
