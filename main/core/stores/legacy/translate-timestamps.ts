/**
 * Timestamps on PostgreSQL behave as the TEXT they were in the legacy file.
 * The migration typed them `timestamptz`, but the old API compared, sorted
 * and matched them as strings — and two forms lived side by side
 * (`2024-01-02T10:00:00.123Z` from JavaScript, `2024-01-02 10:00:00` from
 * CURRENT_TIMESTAMP), which sort differently as text than as instants. So in
 * every expression a timestamp column stands for its legacy text (the same
 * text the driver formats results into), compared byte by byte as SQLite's
 * BINARY collation did, and SQLite's date functions give text as in SQLite:
 *
 * | legacy                                    | PostgreSQL                                                     |
 * | ----------------------------------------- | -------------------------------------------------------------- |
 * | `timestamp >= ?`, `ORDER BY created_at`   | `<legacy text of the column> COLLATE "C" >= $1`, `ORDER BY …`  |
 * | `created_at LIKE '2024-%'`, `substr(…)`   | the same, on the legacy text                                   |
 * | `CURRENT_TIMESTAMP` / `_DATE` / `_TIME`   | `YYYY-MM-DD HH:MM:SS` / `YYYY-MM-DD` / `HH:MM:SS` text (UTC)   |
 * | `SET ts = <expression>`, `VALUES (…)`     | `(<expression>)::timestamptz` when the column is a timestamp   |
 *
 * Not rewritten: an INSERT's column list and SET targets (they name the
 * column), and the select list of `INSERT … SELECT` (it feeds timestamp
 * columns). Comparing a timestamp with a number (`created_at > 0`) is not
 * translated. datetime()/date() are in pg-functions.ts.
 */
import { kw } from './sql-lexer.js';
import { enclosingOpen, nextCode, prevCode, type Scope } from './statement-scope.js';
import { updateAssignments } from './statement-clauses.js';
import type { TokenEdits } from './token-edits.js';
import type { ResolvedColumn } from './translate-names.js';

const UTC_SECONDS = 'YYYY-MM-DD HH24:MI:SS';
export const NOW_TEXT = `to_char(now() AT TIME ZONE 'UTC', '${UTC_SECONDS}')`;
const KEYWORD_TEXT: Record<string, string> = {
  CURRENT_TIMESTAMP: NOW_TEXT,
  CURRENT_DATE: "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
  CURRENT_TIME: "to_char(now() AT TIME ZONE 'UTC', 'HH24:MI:SS')",
};

/**
 * The legacy text of a timestamptz expression, by the rule the driver formats
 * results with (pg-legacy-types.ts formatTimestamp): exactly milliseconds →
 * JavaScript's ISO form; no fraction or a finer one → SQLite's form, to the second.
 */
export function legacyTimestampText(expr: string): string {
  const micros = `mod(extract(microseconds FROM ${expr})::bigint, 1000000)`;
  return (
    `(CASE WHEN mod(${micros}, 1000) = 0 AND ${micros} <> 0` +
    ` THEN to_char(${expr} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')` +
    ` ELSE to_char(${expr} AT TIME ZONE 'UTC', '${UTC_SECONDS}') END COLLATE "C")`
  );
}

/** SQLite's date functions read the instant themselves (pg-functions.ts casts their argument). */
const DATE_FUNCTIONS = new Set(['DATETIME', 'DATE', 'TIME', 'STRFTIME', 'JULIANDAY', 'UNIXEPOCH']);

/** The reference is a whole argument of a date function. */
function dateFunctionArgument(scope: Scope, ref: ResolvedColumn): boolean {
  const before = scope.tokens[prevCode(scope, ref.first)]?.text;
  const after = scope.tokens[nextCode(scope, ref.last)]?.text;
  if ((before !== '(' && before !== ',') || (after !== ')' && after !== ',')) return false;
  const open = enclosingOpen(scope, ref.first);
  return open >= 0 && DATE_FUNCTIONS.has(kw(scope.tokens[prevCode(scope, open)]));
}

function isDml(scope: Scope): boolean {
  return ['select', 'insert', 'update', 'delete'].includes(scope.kind);
}

/** Token indices of the columns a SET assigns (UPDATE, or an upsert's DO UPDATE). */
function setTargets(scope: Scope): Set<number> {
  if (scope.kind === 'update') return new Set(scope.assignments);
  if (scope.kind === 'insert' && scope.insert?.upsertIndex != null) {
    return new Set(updateAssignments(scope));
  }
  return new Set();
}

/** Timestamp columns in expressions → their legacy text; CURRENT_* → text. */
export function rewriteTimestampReads(
  scope: Scope,
  edits: TokenEdits,
  columns: Map<number, ResolvedColumn>,
): void {
  if (!isDml(scope)) return;
  const { tokens, depth } = scope;
  const named = new Set([...(scope.insert?.columns ?? []), ...setTargets(scope)]);
  const insertSelect = scope.kind === 'insert' && scope.insert?.source === 'select';
  for (const [at, ref] of columns) {
    if (ref.col.kind !== 'timestamp' || named.has(at)) continue;
    if (insertSelect && depth[ref.first] === 0) continue;
    if (dateFunctionArgument(scope, ref)) continue;
    const text = edits.slice(ref.first, ref.last);
    edits.remove(ref.first, ref.last);
    edits.set(ref.first, legacyTimestampText(text));
  }
  for (const i of scope.code) {
    const replacement = KEYWORD_TEXT[kw(tokens[i])];
    if (replacement && tokens[nextCode(scope, i)]?.text !== '(') edits.set(i, replacement);
  }
}

/** A value that PostgreSQL types from its column by itself: a parameter, a literal, NULL. */
function selfTyped(scope: Scope, first: number, last: number): boolean {
  if (first !== last) return false;
  const t = scope.tokens[first]!;
  return t.type === 'param' || t.type === 'string' || t.type === 'number' || kw(t) === 'NULL';
}

function castRange(scope: Scope, edits: TokenEdits, first: number, last: number): void {
  if (selfTyped(scope, first, last)) return;
  edits.before(first, '(');
  edits.after(last, ')::timestamptz');
}

/**
 * A text expression (datetime('now'), another timestamp's legacy text)
 * assigned to a timestamp column is cast back to timestamptz: PostgreSQL has
 * no implicit text → timestamptz assignment.
 */
export function castTimestampWrites(scope: Scope, edits: TokenEdits): void {
  if (scope.kind !== 'insert' && scope.kind !== 'update') return;
  const target = scope.refs.find((r) => r.depth === 0 && !r.fromClause) ?? scope.refs[0];
  const view = target?.view;
  if (!view) return;
  const isTimestamp = (i: number): boolean =>
    view.byLegacy.get(scope.tokens[i]!.value.toLowerCase())?.kind === 'timestamp';
  const shape = scope.insert;
  if (shape?.source === 'values') {
    const names = shape.columns ?? null;
    shape.rows.forEach((row) => {
      row.values.forEach(([first, last], k) => {
        const ts = names
          ? names[k] !== undefined && isTimestamp(names[k]!)
          : view.columns[k]?.kind === 'timestamp';
        if (ts) castRange(scope, edits, first, last);
      });
    });
  }
  for (const name of setTargets(scope)) {
    if (!isTimestamp(name)) continue;
    const eq = nextCode(scope, name);
    if (scope.tokens[eq]?.text !== '=') continue;
    const [first, last] = assignedRange(scope, eq);
    if (first <= last) castRange(scope, edits, first, last);
  }
}

/** The code tokens of the expression after a SET's `=`, up to the next assignment or clause. */
function assignedRange(scope: Scope, eq: number): [number, number] {
  const { code, tokens, depth } = scope;
  const start = code.indexOf(eq) + 1;
  let end = start - 1;
  for (let p = start; p < code.length; p++) {
    const i = code[p]!;
    if (depth[i]! < depth[eq]!) break;
    if (depth[i] === depth[eq]) {
      const k = kw(tokens[i]);
      if (tokens[i]!.text === ',' || ['WHERE', 'FROM', 'RETURNING', 'ORDER', 'LIMIT'].includes(k)) {
        break;
      }
    }
    end = p;
  }
  return [code[start] ?? 0, code[end] ?? -1];
}
