/**
 * SQLite functions on PostgreSQL. Same-named functions (COALESCE, LOWER,
 * UPPER, LENGTH, SUBSTR, REPLACE, TRIM, ABS, ROUND, COUNT, SUM, AVG, MAX,
 * MIN, NULLIF) pass through; these are rewritten:
 *
 * | SQLite                               | PostgreSQL                                                  |
 * | ------------------------------------ | ----------------------------------------------------------- |
 * | `IFNULL(a, b)`                       | `COALESCE(a, b)`                                            |
 * | `GROUP_CONCAT(x [, sep])`            | `string_agg((x)::text, sep or ',')`                         |
 * | `INSTR(a, b)`                        | `strpos(a, b)`                                              |
 * | `MAX(a, b, …)` / `MIN(a, b, …)`      | `GREATEST(…)` / `LEAST(…)`                                  |
 * | `TOTAL(x)`                           | `COALESCE(SUM(x), 0)::float8`                               |
 * | `IIF(c, a, b)`                       | `CASE WHEN c THEN a ELSE b END`                             |
 * | `datetime('now' [, '±N unit'…])`     | `now() [+ interval …]` (read back as `YYYY-MM-DD HH:MM:SS`) |
 * | `datetime(x)`                        | `date_trunc('second', (x)::timestamptz)`                    |
 * | `date(x)` / `time(x)`                | UTC date / `HH24:MI:SS` text                                |
 * | `strftime('%Y-%m-%d…', x)`           | `to_char(x AT TIME ZONE 'UTC', 'YYYY-MM-DD…')`              |
 * | `unixepoch(x)` / `julianday(x)`      | `extract(epoch …)` arithmetic                               |
 * | `last_insert_rowid()` / `changes()`  | the values node-sqlite3 would report, bound as parameters   |
 * | `random()`                           | a random 63-bit integer                                     |
 */
import { untranslatable } from './legacy-errors.js';
import { kw } from './sql-lexer.js';
import { matchingParen, nextCode, type Scope } from './statement-scope.js';
import type { TokenEdits } from './token-edits.js';

/** Values the layer binds for functions that read connection state. */
export type StateParam = 'lastID' | 'changes' | 'totalChanges';

interface Call {
  name: number;
  open: number;
  close: number;
  /** [first, last] token ranges of each argument (code tokens). */
  args: [number, number][];
}

function callAt(scope: Scope, name: number): Call | null {
  const open = nextCode(scope, name);
  if (scope.tokens[open]?.text !== '(') return null;
  const close = matchingParen(scope, open);
  const args: [number, number][] = [];
  let start = -1;
  let last = -1;
  for (let i = open + 1; i <= close; i++) {
    const t = scope.tokens[i]!;
    if (i === close || (t.text === ',' && scope.depth[i] === scope.depth[open]! + 1)) {
      if (start !== -1) args.push([start, last]);
      start = -1;
      continue;
    }
    if (t.type === 'ws' || t.type === 'comment') continue;
    if (start === -1) start = i;
    last = i;
  }
  return { name, open, close, args };
}

const TO_CHAR: Record<string, string> = {
  Y: 'YYYY',
  m: 'MM',
  d: 'DD',
  H: 'HH24',
  M: 'MI',
  S: 'SS',
  f: 'SS.MS',
  j: 'DDD',
  '%': '%',
};

/** A strftime format as a to_char pattern; null when it uses a conversion to_char lacks. */
function toCharPattern(format: string): string | null {
  let out = '';
  for (let i = 0; i < format.length; i++) {
    const ch = format[i]!;
    if (ch !== '%') {
      // Literal text: quoted so to_char does not read letters as patterns.
      out += /[A-Za-z]/.test(ch) ? `"${ch}"` : ch;
      continue;
    }
    const spec = TO_CHAR[format[i + 1] ?? ''];
    if (!spec) return null;
    out += spec;
    i++;
  }
  return out;
}

const MODIFIER = /^\s*([+-]?\d+(?:\.\d+)?)\s+(second|minute|hour|day|month|year)s?\s*$/i;

/** `'now'` or a value, with SQLite modifiers applied, as a timestamptz expression. */
function timeValue(scope: Scope, edits: TokenEdits, call: Call, from: number, sql: string): string {
  const [valueArg, ...mods] = call.args.slice(from);
  if (!valueArg) return 'now()';
  const tok = scope.tokens[valueArg[0]]!;
  let expr =
    valueArg[0] === valueArg[1] && tok.type === 'string' && tok.value.toLowerCase() === 'now'
      ? 'now()'
      : `(${edits.slice(valueArg[0], valueArg[1])})::timestamptz`;
  for (const [a, b] of mods) {
    const m = scope.tokens[a]!;
    if (a !== b || m.type !== 'string') {
      throw untranslatable('A computed date modifier', 'Pass modifiers as string literals.', sql);
    }
    const v = m.value.trim().toLowerCase();
    const num = MODIFIER.exec(v);
    if (num) expr = `(${expr} + interval '${num[1]} ${num[2]}')`;
    else if (v === 'start of day') expr = `date_trunc('day', ${expr}, 'UTC')`;
    else if (v === 'start of month') expr = `date_trunc('month', ${expr}, 'UTC')`;
    else if (v === 'start of year') expr = `date_trunc('year', ${expr}, 'UTC')`;
    else if (v === 'utc' || v === 'localtime') continue;
    else
      throw untranslatable(
        `The date modifier '${m.value}'`,
        "Use '±N days|hours|minutes|seconds|months|years' or 'start of day|month|year'.",
        sql,
      );
  }
  return expr;
}

function replaceCall(edits: TokenEdits, call: Call, text: string): void {
  edits.remove(call.name, call.close);
  edits.set(call.name, text);
}

/** Rewrites function calls; returns the connection-state values the statement needs bound. */
export function rewriteFunctions(
  scope: Scope,
  edits: TokenEdits,
  sql: string,
  nextParam: () => number,
): StateParam[] {
  const state: StateParam[] = [];
  const { tokens } = scope;
  // Innermost calls first, so an outer rewrite sees its arguments already translated.
  const calls = scope.code
    .filter((i) => tokens[i]!.type === 'word' && tokens[nextCode(scope, i)]?.text === '(')
    .map((i) => callAt(scope, i))
    .filter((c): c is Call => c !== null)
    .sort((a, b) => scope.depth[b.open]! - scope.depth[a.open]!);
  for (const call of calls) {
    const name = kw(tokens[call.name]);
    const arg = (k: number): string => {
      const a = call.args[k];
      return a ? edits.slice(a[0], a[1]) : '';
    };
    switch (name) {
      case 'IFNULL':
        edits.set(call.name, 'COALESCE');
        break;
      case 'INSTR':
        edits.set(call.name, 'strpos');
        break;
      case 'GROUP_CONCAT': {
        const first = call.args[0];
        if (!first) break;
        let body = arg(0);
        let distinct = '';
        if (kw(tokens[first[0]]) === 'DISTINCT') {
          distinct = 'DISTINCT ';
          body = edits.slice(nextCode(scope, first[0]), first[1]);
        }
        const sep = call.args.length > 1 ? arg(1) : "','";
        replaceCall(edits, call, `string_agg(${distinct}(${body})::text, ${sep})`);
        break;
      }
      case 'MAX':
      case 'MIN':
        if (call.args.length > 1) edits.set(call.name, name === 'MAX' ? 'GREATEST' : 'LEAST');
        break;
      case 'TOTAL':
        replaceCall(edits, call, `COALESCE(SUM(${arg(0)}), 0)::float8`);
        break;
      case 'IIF':
        replaceCall(edits, call, `CASE WHEN ${arg(0)} THEN ${arg(1)} ELSE ${arg(2)} END`);
        break;
      case 'DATETIME': {
        const v = timeValue(scope, edits, call, 0, sql);
        replaceCall(edits, call, v === 'now()' ? v : `date_trunc('second', ${v})`);
        break;
      }
      case 'DATE':
        replaceCall(
          edits,
          call,
          `(${timeValue(scope, edits, call, 0, sql)} AT TIME ZONE 'UTC')::date`,
        );
        break;
      case 'TIME':
        replaceCall(
          edits,
          call,
          `to_char(${timeValue(scope, edits, call, 0, sql)} AT TIME ZONE 'UTC', 'HH24:MI:SS')`,
        );
        break;
      case 'STRFTIME': {
        const fmt = tokens[call.args[0]?.[0] ?? -1];
        if (!fmt || fmt.type !== 'string' || call.args[0]![0] !== call.args[0]![1]) {
          throw untranslatable(
            'strftime() with a computed format',
            'Pass the format as a string literal.',
            sql,
          );
        }
        const v = timeValue(scope, edits, call, 1, sql);
        if (fmt.value === '%s') {
          replaceCall(edits, call, `floor(extract(epoch FROM ${v}))::bigint::text`);
          break;
        }
        const pattern = toCharPattern(fmt.value);
        if (pattern === null) {
          throw untranslatable(
            `strftime('${fmt.value}')`,
            'Use the conversions %Y %m %d %H %M %S %f %j %s, or format the date in JavaScript.',
            sql,
          );
        }
        replaceCall(
          edits,
          call,
          `to_char(${v} AT TIME ZONE 'UTC', '${pattern.replace(/'/g, "''")}')`,
        );
        break;
      }
      case 'UNIXEPOCH':
        replaceCall(
          edits,
          call,
          `floor(extract(epoch FROM ${timeValue(scope, edits, call, 0, sql)}))::bigint`,
        );
        break;
      case 'JULIANDAY':
        replaceCall(
          edits,
          call,
          `(extract(epoch FROM ${timeValue(scope, edits, call, 0, sql)}) / 86400.0 + 2440587.5)::float8`,
        );
        break;
      case 'LAST_INSERT_ROWID':
      case 'CHANGES':
      case 'TOTAL_CHANGES': {
        state.push(
          name === 'LAST_INSERT_ROWID' ? 'lastID' : name === 'CHANGES' ? 'changes' : 'totalChanges',
        );
        replaceCall(edits, call, `$${nextParam()}::bigint`);
        break;
      }
      case 'RANDOM':
        if (call.args.length === 0) {
          replaceCall(
            edits,
            call,
            '(floor(random() * 9223372036854775807) - 4611686018427387904)::bigint',
          );
        }
        break;
      default:
        break;
    }
  }
  return state;
}
