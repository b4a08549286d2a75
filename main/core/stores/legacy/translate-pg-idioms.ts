/**
 * SQLite idioms that PostgreSQL spells differently, rewritten in place:
 *
 * | legacy                                   | PostgreSQL                                   |
 * | ---------------------------------------- | -------------------------------------------- |
 * | `flag = 0`, `SET flag = 1`, `IN (0, 1)`  | `flag = FALSE`, `SET flag = TRUE`, …         |
 * | `VALUES (…, 1)` into a flag column       | `VALUES (…, TRUE)`                           |
 * | `SUM(flag)`, `flag + 1`                  | `SUM("flag"::int)`, `"flag"::int + 1`        |
 * | `a == b`                                 | `a = b`                                      |
 * | `a IS b` / `a IS NOT b` (b not NULL)     | `a IS NOT DISTINCT FROM b` / `IS DISTINCT …` |
 * | `x LIKE 'p%'` (ASCII case-insensitive)   | `x ILIKE 'p%' ESCAPE ''`                     |
 * | `x COLLATE NOCASE`                       | `lower(x)`                                   |
 * | `LIMIT a, b`                             | `LIMIT b OFFSET a`                           |
 * | `?`, `?NNN`                              | `$1…`, `$NNN`                                |
 *
 * Functions are in pg-functions.ts.
 */
import { untranslatable } from './legacy-errors.js';
import { kw, type Token } from './sql-lexer.js';
import { matchingParen, nextCode, prevCode, type Scope } from './statement-scope.js';
import type { TokenEdits } from './token-edits.js';
import type { ResolvedColumn } from './translate-names.js';

const COMPARE = new Set(['=', '==', '!=', '<>']);
const ARITH = new Set(['+', '-', '*', '/', '%']);
const BOOL_AGGREGATES = new Set(['SUM', 'AVG', 'TOTAL', 'MAX', 'MIN', 'GROUP_CONCAT']);

function isIntLiteral(t: Token | undefined): boolean {
  return t !== undefined && t.type === 'number' && /^\d+$/.test(t.text);
}

function boolWord(t: Token): string {
  return Number(t.text) === 0 ? 'FALSE' : 'TRUE';
}

/** Rewrites 0/1 literals that meet a boolean column, and arithmetic on booleans. */
export function rewriteBooleans(
  scope: Scope,
  edits: TokenEdits,
  columns: Map<number, ResolvedColumn>,
): void {
  const { tokens } = scope;
  for (const [, ref] of columns) {
    if (ref.col.kind !== 'boolean') continue;
    const after = nextCode(scope, ref.last);
    const before = prevCode(scope, ref.first);
    const afterTok = tokens[after];
    const beforeTok = tokens[before];
    // flag = 1, flag IS 0, flag != 0
    if (afterTok && (COMPARE.has(afterTok.text) || kw(afterTok) === 'IS')) {
      let lit = nextCode(scope, after);
      if (kw(afterTok) === 'IS' && kw(tokens[lit]) === 'NOT') lit = nextCode(scope, lit);
      if (isIntLiteral(tokens[lit]) && !ARITH.has(tokens[nextCode(scope, lit)]?.text ?? '')) {
        edits.set(lit, boolWord(tokens[lit]!));
      }
    }
    // 1 = flag
    if (beforeTok && COMPARE.has(beforeTok.text)) {
      const lit = prevCode(scope, before);
      if (isIntLiteral(tokens[lit]) && !ARITH.has(tokens[prevCode(scope, lit)]?.text ?? '')) {
        edits.set(lit, boolWord(tokens[lit]!));
      }
    }
    // flag [NOT] IN (0, 1)
    let inAt = after;
    if (kw(tokens[inAt]) === 'NOT') inAt = nextCode(scope, inAt);
    if (kw(tokens[inAt]) === 'IN' && tokens[nextCode(scope, inAt)]?.text === '(') {
      const open = nextCode(scope, inAt);
      const close = matchingParen(scope, open);
      for (let i = open + 1; i < close; i++) {
        if (isIntLiteral(tokens[i]) && scope.depth[i] === scope.depth[open]! + 1) {
          edits.set(i, boolWord(tokens[i]!));
        }
      }
    }
    // SUM(flag), flag + 1: PostgreSQL has no arithmetic on booleans.
    const inAggregate =
      beforeTok?.text === '(' &&
      BOOL_AGGREGATES.has(kw(tokens[prevCode(scope, before)])) &&
      afterTok?.text === ')';
    const inArithmetic =
      (afterTok !== undefined && ARITH.has(afterTok.text)) ||
      (beforeTok !== undefined && ARITH.has(beforeTok.text) && beforeTok.text !== '*');
    if (inAggregate || inArithmetic) {
      edits.before(ref.first, '(');
      edits.after(ref.last, ')::int');
    }
  }
  rewriteInsertBooleans(scope, edits);
}

function rewriteInsertBooleans(scope: Scope, edits: TokenEdits): void {
  const shape = scope.insert;
  const target = scope.refs.find((r) => !r.fromClause && r.depth === 0);
  if (!shape || !target?.view) return;
  const names = shape.columns
    ? shape.columns.map((i) => scope.tokens[i]!.value.toLowerCase())
    : target.view.columns.map((c) => c.legacy.toLowerCase());
  names.forEach((name, k) => {
    if (target.view!.byLegacy.get(name)?.kind !== 'boolean') return;
    for (const row of shape.rows) {
      const v = row.values[k];
      if (v && v[0] === v[1] && isIntLiteral(scope.tokens[v[0]])) {
        edits.set(v[0], boolWord(scope.tokens[v[0]]!));
      }
    }
  });
}

/** Operators and clauses (see the table above). */
export function rewriteOperators(scope: Scope, edits: TokenEdits, sql: string): void {
  const { tokens, code } = scope;
  for (let p = 0; p < code.length; p++) {
    const i = code[p]!;
    const t = tokens[i]!;
    const k = kw(t);
    if (t.text === '==') edits.set(i, '=');
    else if (k === 'IS') {
      let rhs = nextCode(scope, i);
      const negated = kw(tokens[rhs]) === 'NOT';
      if (negated) rhs = nextCode(scope, rhs);
      const r = kw(tokens[rhs]);
      if (
        r !== 'NULL' &&
        r !== 'TRUE' &&
        r !== 'FALSE' &&
        r !== 'DISTINCT' &&
        !edits.changed(rhs)
      ) {
        if (negated) {
          edits.set(i, 'IS DISTINCT FROM');
          edits.remove(nextCode(scope, i));
        } else edits.set(i, 'IS NOT DISTINCT FROM');
      }
    } else if (k === 'LIKE') {
      edits.set(i, 'ILIKE');
      const operand = nextCode(scope, i);
      const afterOperand = nextCode(scope, operand);
      const simple = ['string', 'param', 'qident'].includes(tokens[operand]?.type ?? '');
      if (simple && kw(tokens[afterOperand]) !== 'ESCAPE') edits.after(operand, " ESCAPE ''");
    } else if (k === 'GLOB' || k === 'REGEXP' || k === 'MATCH') {
      throw untranslatable(
        `${k} matching`,
        `Use LIKE (case-insensitive, as in SQLite) or compare with lower()/substr().`,
        sql,
      );
    } else if (k === 'COLLATE') {
      const name = nextCode(scope, i);
      if (kw(tokens[name]) === 'NOCASE') {
        const operand = prevCode(scope, i);
        edits.remove(i, name);
        edits.before(operand, 'lower(');
        edits.after(operand, ')');
        const op = prevCode(scope, operand);
        if (COMPARE.has(tokens[op]?.text ?? '')) {
          const left = prevCode(scope, op);
          edits.before(left, 'lower(');
          edits.after(left, ')');
        }
      } else if (kw(tokens[name]) === 'BINARY' || kw(tokens[name]) === 'RTRIM') {
        edits.remove(i, name);
      }
    } else if (k === 'LIMIT' && scope.depth[i] === 0) {
      const a = code[p + 1];
      const comma = code[p + 2];
      const b = code[p + 3];
      if (
        a !== undefined &&
        comma !== undefined &&
        b !== undefined &&
        tokens[comma]!.text === ','
      ) {
        const first = edits.get(a);
        edits.set(a, edits.get(b));
        edits.set(comma, ' OFFSET');
        edits.set(b, first);
      }
    }
  }
}

/**
 * `?` → `$1…` in order, `?NNN` → `$NNN` (PostgreSQL); `:name`, `@name`,
 * `$name` → positional slots on every dialect, with the names recorded so an
 * object of values (`{ $name: 1 }`, node-sqlite3's named form) can be bound.
 * Returns the number of slots (node-sqlite3 refuses more values than that).
 */
export function rewriteParams(
  scope: Scope,
  edits: TokenEdits,
  dialect: 'postgres' | 'sqlite',
): { slots: number; names: string[] | null } {
  let anonymous = 0;
  let highest = 0;
  const names: string[] = [];
  for (const i of scope.code) {
    const t = scope.tokens[i]!;
    if (t.type !== 'param') continue;
    if (t.text === '?') {
      anonymous++;
      highest = Math.max(highest, anonymous);
      if (dialect === 'postgres') edits.set(i, `$${anonymous}`);
    } else if (/^\?\d+$/.test(t.text)) {
      const n = Number(t.text.slice(1));
      highest = Math.max(highest, n);
      anonymous = Math.max(anonymous, n);
      if (dialect === 'postgres') edits.set(i, `$${n}`);
    } else if (dialect === 'postgres') {
      let slot = names.indexOf(t.text);
      if (slot === -1) slot = names.push(t.text) - 1;
      edits.set(i, `$${slot + 1}`);
      highest = Math.max(highest, names.length);
    } else {
      names.push(t.text);
      edits.set(i, '?');
      highest = names.length;
    }
  }
  return { slots: highest, names: names.length > 0 ? names : null };
}
