/**
 * The COPY line of a stored row, rebuilt in SQL: each column's text output
 * (`col::text`), escaped the way COPY escapes it, `\N` for NULL, joined by
 * tabs — the same bytes pg-text.ts produced when the row was sent. Used to
 * match staged rows to the rows an INSERT returned (pg-stage.ts) and to
 * checksum a whole table (verify.ts).
 *
 * Requires the session settings of pg-session.ts (UTC, ISO dates, hex bytea,
 * extra_float_digits = 1): text output depends on them.
 */
import { castDefinition, type CastKind } from '../casts/index.js';

/** COPY text escaping in SQL (standard_conforming_strings is on: '\' is one backslash). */
function escapeSql(expr: string): string {
  return `replace(replace(replace(replace(${expr}, '\\', '\\\\'), chr(9), '\\t'), chr(10), '\\n'), chr(13), '\\r')`;
}

/** Only the backslashes escaped (see lineSql). */
function backslashSql(expr: string): string {
  return `replace(${expr}, '\\', '\\\\')`;
}

/**
 * `refs` are SQL column references (already quoted), aligned with `kinds`.
 * `escaped`, when given, says which of them can hold a value that needs
 * escaping (TableProgress.escaped); the others only get their backslashes
 * escaped.
 */
export function lineSql(
  refs: readonly string[],
  kinds: readonly CastKind[],
  escaped?: (index: number) => boolean,
): string {
  const parts = refs.map((ref, i) => {
    // Each kind prints its stored column the way pg-text.ts wrote the value (the cast registry).
    const def = castDefinition(kinds[i]!);
    const text = def.storedText(ref);
    if (!def.mayNeedEscape) return `coalesce(${text}, '\\N')`;
    // A column the load never escaped held no backslash, tab or line break: escaping only its
    // backslashes (one replace, not four) still tells a stored text "\N" from NULL, and a stored
    // tab or line break shows up as a byte the sent line did not have.
    const full = escaped?.(i) ?? true;
    return `coalesce(${full ? escapeSql(text) : backslashSql(text)}, '\\N')`;
  });
  return parts.length === 1 ? parts[0]! : `concat_ws(chr(9), ${parts.join(', ')})`;
}
