/**
 * SQLite compared a value with an INTEGER column through the column's
 * affinity: text that reads as a number was compared as that number
 * (`id = '5.0'` matched id 5), and anything else simply did not match
 * (`WHERE id = ?` with a UUID from a URL found no row). PostgreSQL types the
 * parameter from the column and refuses such text (`invalid input syntax for
 * type bigint`), which turned a 404 into a 500. So a parameter compared for
 * equality with an integer column (`=`, `==`, `IN (…)`, either side) is
 * marked, and the driver binds it as SQLite read it: the integer for text
 * that is an integral number, NULL (no match) for anything else.
 *
 * Not covered: `<>`, `<`, `>` with such text (SQLite ordered every integer
 * before every text), and `NOT (id = ?)`; a NULL there does not read as
 * SQLite's true. Both are rare in code that looks rows up by id.
 */
import { kw } from './sql-lexer.js';
import { matchingParen, nextCode, prevCode, type Scope } from './statement-scope.js';
import type { TokenEdits } from './token-edits.js';
import type { ResolvedColumn } from './translate-names.js';

const EQUALS = new Set(['=', '==']);

function slotOf(scope: Scope, edits: TokenEdits, i: number): number | null {
  if (scope.tokens[i]?.type !== 'param') return null;
  const n = /^\$(\d+)$/.exec(edits.get(i));
  return n ? Number(n[1]) - 1 : null;
}

/** Parameter slots compared for equality with an integer column. Runs after rewriteParams. */
export function integerEqualitySlots(
  scope: Scope,
  edits: TokenEdits,
  columns: Map<number, ResolvedColumn>,
): number[] {
  const { tokens } = scope;
  const slots = new Set<number>();
  const add = (i: number, boundary: number): void => {
    // The parameter must be the whole operand: `id = ? + 1` is arithmetic.
    const beyond = tokens[boundary]?.text ?? '';
    if (['+', '-', '*', '/', '%', '||', '.'].includes(beyond)) return;
    const slot = slotOf(scope, edits, i);
    if (slot !== null) slots.add(slot);
  };
  for (const [, ref] of columns) {
    if (ref.col.kind !== 'integer') continue;
    const after = nextCode(scope, ref.last);
    const before = prevCode(scope, ref.first);
    if (EQUALS.has(tokens[after]?.text ?? '')) {
      const operand = nextCode(scope, after);
      add(operand, nextCode(scope, operand));
    }
    if (EQUALS.has(tokens[before]?.text ?? '')) {
      const operand = prevCode(scope, before);
      if (!['+', '-', '*', '/', '%', '||'].includes(tokens[prevCode(scope, operand)]?.text ?? '')) {
        add(operand, after);
      }
    }
    // NOT IN is left alone: a NULL there would exclude every row.
    if (kw(tokens[after]) === 'IN' && tokens[nextCode(scope, after)]?.text === '(') {
      const open = nextCode(scope, after);
      const close = matchingParen(scope, open);
      for (let i = open + 1; i < close; i++) {
        if (scope.depth[i] !== scope.depth[open]! + 1) continue;
        const prev = tokens[prevCode(scope, i)]?.text;
        const next = tokens[nextCode(scope, i)]?.text;
        if ((prev === '(' || prev === ',') && (next === ')' || next === ',')) {
          const slot = slotOf(scope, edits, i);
          if (slot !== null) slots.add(slot);
        }
      }
    }
  }
  return [...slots].sort((a, b) => a - b);
}

const SQLITE_NUMBER = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/;

/** A value compared with an integer column, as SQLite's affinity read it (null: matches nothing). */
export function integerComparand(value: unknown): unknown {
  if (typeof value === 'number') return Number.isInteger(value) ? value : null;
  if (typeof value !== 'string') return value;
  if (/^\s*[+-]?\d+\s*$/.test(value)) return value.trim(); // exact, beyond 2^53 too
  if (!SQLITE_NUMBER.test(value)) return null;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : null;
}
