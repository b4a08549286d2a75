/**
 * Converted values as PostgreSQL's own text output, escaped for COPY.
 *
 * The load sends every row as one line of COPY text. Each value is written in
 * exactly the form PostgreSQL's output function prints it back (timestamps in
 * UTC with trimmed fractions, jsonb with its key order and spacing, floats in
 * float8out's shortest form, `t`/`f`), so that the line sent for a row is
 * byte-for-byte the line the target can rebuild from its stored values. That
 * makes verification cheap and strict: the source checksum is the md5 of each
 * line we sent, the target checksum is the md5 of the same line rebuilt in SQL
 * (verify.ts), and any difference — a lost row, a doubled row, a value the
 * target stored differently — shows up as a mismatch.
 */
import { castDefinition, type CastKind } from '../casts/index.js';

// The output-function printers moved to the casts (each kind's text encoding is part of its
// registry entry); re-exported for the callers and tests that print values directly.
export { float8Text, jsonbText, jsonNumberText, timestamptzText } from '../casts/pg-output.js';

/** COPY's NULL marker. */
export const COPY_NULL = '\\N';

const NEEDS_ESCAPE = /[\\\t\n\r]/;

/** COPY text escaping: backslash, tab, newline and carriage return. */
export function escapeCopy(text: string): string {
  if (!NEEDS_ESCAPE.test(text)) return text;
  let out = '';
  for (const ch of text) {
    if (ch === '\\') out += '\\\\';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else out += ch;
  }
  return out;
}

/** One converted value as COPY text (already escaped); `\N` for NULL. */
export function copyValue(kind: CastKind, value: unknown): string {
  if (value === null || value === undefined) return COPY_NULL;
  return escapeCopy(pgText(kind, value));
}

/** Encodes convertRow's values as one COPY text line (without the newline). */
export type LineEncoder = (values: readonly unknown[]) => string;

/**
 * A line encoder specialised for one table's column kinds: one small
 * function per column chosen once, not a switch per value — this runs for
 * every value of every row. With `escaped`, it sets `escaped[i]` once a
 * value of column i needed escaping (job-types.ts TableProgress.escaped).
 */
export function lineEncoder(kinds: readonly CastKind[], escaped?: Uint8Array): LineEncoder {
  const fns = kinds.map((kind, i) => valueEncoder(kind, escaped ? () => (escaped[i] = 1) : null));
  const n = fns.length;
  return (values) => {
    let line = encodeOne(fns[0]!, values[0]);
    for (let i = 1; i < n; i++) line += `\t${encodeOne(fns[i]!, values[i])}`;
    return line;
  };
}

/** A converted row as one COPY text line (see lineEncoder for the hot path). */
export function copyLine(kinds: readonly CastKind[], values: readonly unknown[]): string {
  return lineEncoder(kinds)(values);
}

function encodeOne(fn: (v: never) => string, v: unknown): string {
  return v === null || v === undefined ? COPY_NULL : fn(v as never);
}

function valueEncoder(kind: CastKind, onEscape: (() => void) | null): (v: never) => string {
  const def = castDefinition(kind);
  const print = def.pgText as (v: never) => string;
  if (!def.mayNeedEscape) return print;
  return (v: never) => {
    const text = print(v);
    if (!NEEDS_ESCAPE.test(text)) return text;
    onEscape?.();
    return escapeCopy(text);
  };
}

/** A converted value as PostgreSQL prints it (unescaped). */
export function pgText(kind: CastKind, value: unknown): string {
  return castDefinition(kind).pgText(value);
}
