/**
 * A SELECT without ORDER BY returned the legacy file's rows in the order
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
import type { Dialect } from './translate-names.js';
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
    if (dialect !== 'postgres') terms.push(name);
    else if (col.kind === 'timestamp') terms.push(legacyTimestampText(name));
    else if (col.kind === 'json')
      return; // jsonb orders by its own rules, not the legacy text's
    else if (col.kind === 'text') terms.push(`${name} COLLATE "C"`);
    else terms.push(name);
  }
  const clause = ` ORDER BY ${terms.join(', ')}`;
  if (limit !== null) edits.before(limit, `${clause.trim()} `);
  else edits.after(code[code.length - 1]!, clause);
}
