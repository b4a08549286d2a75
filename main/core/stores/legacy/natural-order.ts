/**
 * Row order as SQLite gave it.
 *
 * ORDER BY: SQLite sorted NULL before every value (first when ascending,
 * last when descending; PostgreSQL does the opposite) and compared text
 * byte by byte (BINARY; PostgreSQL uses the database's collation, often
 * en_US, where `alice` < `Bob`). Every ORDER BY term therefore gets an
 * explicit `NULLS FIRST`/`NULLS LAST`, and a term that is a text column
 * `COLLATE "C"` (not under SELECT DISTINCT, where PostgreSQL wants the
 * ORDER BY expressions as the select list has them).
 *
 * No ORDER BY: a SELECT without ORDER BY returned the legacy file's rows in the order
 * SQLite's plan read them — rowid order for a table scan, index order for an
 * index scan — and code relied on it (`rows[0]` of `SELECT email FROM users
 * WHERE is_default = 1` is the admin the CLI resets). PostgreSQL returns them
 * in storage order, which changes as rows are updated. For a single-table
 * SELECT the shadow (legacy-shadow.ts) asks SQLite which order its plan
 * gives, and that order is written out:
 *
 * | legacy                                             | PostgreSQL                                            |
 * | -------------------------------------------------- | ----------------------------------------------------- |
 * | `SELECT email FROM users WHERE is_default = 1`     | `… ORDER BY "id"` (table scan: rowid order)           |
 * | `SELECT credential_id FROM passkeys WHERE user_id=?` | `… ORDER BY "user_id", "credential_id" COLLATE "C", "id"` (index) |
 *
 * Text is ordered byte by byte (COLLATE "C"), as SQLite's BINARY indexes
 * were. Not written: statements with GROUP BY, DISTINCT, aggregates, UNION or
 * joins (their order came from SQLite's sorting or join plan), and tables
 * without an integer key (their rowid has no counterpart after the upgrade).
 */
import { kw, quoteIdent } from './sql-lexer.js';
import { nextCode, type Scope } from './statement-scope.js';
import type { TokenEdits } from './token-edits.js';
import type { Dialect, ResolvedColumn } from './translate-names.js';
import { legacyTimestampText } from './translate-timestamps.js';

const BLOCKERS = new Set(['ORDER', 'GROUP', 'DISTINCT', 'UNION', 'INTERSECT', 'EXCEPT', 'HAVING']);
const AGGREGATES = new Set(['COUNT', 'SUM', 'AVG', 'MIN', 'MAX', 'TOTAL', 'GROUP_CONCAT']);

export function appendNaturalOrder(
  scope: Scope,
  edits: TokenEdits,
  order: string[] | null,
  dialect: Dialect,
): void {
  if (!order || order.length === 0 || scope.kind !== 'select') return;
  const { tokens, code, depth } = scope;
  const from = scope.refs.filter((r) => r.fromClause);
  const ref = from[0];
  if (from.length !== 1 || !ref?.view || ref.derived || ref.depth !== 0) return;
  let limit: number | null = null;
  for (const i of code) {
    const k = kw(tokens[i]);
    if (AGGREGATES.has(k) && tokens[nextCode(scope, i)]?.text === '(') return;
    if (depth[i] !== 0) continue;
    if (BLOCKERS.has(k) || k === 'WINDOW') return;
    if ((k === 'LIMIT' || k === 'OFFSET') && limit === null) limit = i;
  }
  const qualifier =
    ref.alias !== null
      ? quoteIdent(dialect === 'postgres' ? ref.alias.toLowerCase() : ref.alias)
      : quoteIdent(ref.view.target);
  const terms: string[] = [];
  for (const legacy of order) {
    const col = ref.view.byLegacy.get(legacy.toLowerCase());
    if (!col) return;
    const name = `${qualifier}.${quoteIdent(col.target)}`;
    // SQLite's indexes kept NULL first and text in byte order.
    if (dialect !== 'postgres') terms.push(name);
    else if (col.kind === 'timestamp') terms.push(`${legacyTimestampText(name)} NULLS FIRST`);
    else if (col.kind === 'json')
      return; // jsonb orders by its own rules, not the legacy text's
    else if (col.kind === 'text') terms.push(`${name} COLLATE "C" NULLS FIRST`);
    else terms.push(`${name} NULLS FIRST`);
  }
  const clause = ` ORDER BY ${terms.join(', ')}`;
  if (limit !== null) edits.before(limit, `${clause.trim()} `);
  else edits.after(code[code.length - 1]!, clause);
}

const CLAUSE_END = new Set([
  'LIMIT',
  'OFFSET',
  'UNION',
  'INTERSECT',
  'EXCEPT',
  'WINDOW',
  'ROWS',
  'RANGE',
  'GROUPS',
]);

/** NULLs and text in every ORDER BY term ordered as SQLite ordered them (PostgreSQL only). */
export function orderLikeSqlite(
  scope: Scope,
  edits: TokenEdits,
  columns: Map<number, ResolvedColumn>,
): void {
  const { tokens, code, depth } = scope;
  const distinct = code.some((i) => depth[i] === 0 && kw(tokens[i]) === 'DISTINCT');
  const byLast = new Map([...columns.values()].map((r) => [r.last, r]));
  for (let p = 0; p < code.length; p++) {
    const i = code[p]!;
    if (kw(tokens[i]) !== 'ORDER' || kw(tokens[code[p + 1]!]) !== 'BY') continue;
    const d = depth[i]!;
    let start = p + 2;
    let q = start;
    for (; q <= code.length; q++) {
      const j = code[q];
      const t = j === undefined ? undefined : tokens[j];
      const ended =
        !t || depth[j!]! < d || t.text === ';' || (depth[j!] === d && CLAUSE_END.has(kw(t)));
      if (ended || (depth[j!] === d && t.text === ',')) {
        if (q > start) orderTerm(scope, edits, code.slice(start, q), byLast, distinct);
        start = q + 1;
      }
      if (ended) break;
    }
    p = q;
  }
}

function orderTerm(
  scope: Scope,
  edits: TokenEdits,
  term: number[],
  byLast: Map<number, ResolvedColumn>,
  distinct: boolean,
): void {
  const { tokens } = scope;
  const words = term.map((i) => kw(tokens[i]));
  if (words.includes('NULLS')) return;
  let end = term.length - 1;
  const desc = words[end] === 'DESC';
  if (desc || words[end] === 'ASC') end--;
  const ref = end >= 0 ? byLast.get(term[end]!) : undefined;
  if (!distinct && ref && ref.first === term[0] && ref.col.kind === 'text') {
    edits.after(term[end]!, ' COLLATE "C"');
  }
  edits.after(term[term.length - 1]!, desc ? ' NULLS LAST' : ' NULLS FIRST');
}
