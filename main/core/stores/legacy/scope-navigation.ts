/**
 * Moving around a statement's tokens by code position (skipping whitespace
 * and comments) and by parenthesis depth: the primitives the statement
 * analysis and the rewrites share.
 */
import { kw, type Token } from './sql-lexer.js';
import type { Scope } from './statement-scope.js';

/** Position of token index `i` in `code`. */
export function pos(scope: Scope, i: number): number {
  // code is sorted: binary search.
  let lo = 0;
  let hi = scope.code.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = scope.code[mid]!;
    if (v === i) return mid;
    if (v < i) lo = mid + 1;
    else hi = mid - 1;
  }
  return lo;
}

/** The code token index after/before token index `i` (or -1). */
export function nextCode(scope: Scope, i: number, n = 1): number {
  const p = pos(scope, i);
  const at = scope.code[p] === i ? p + n : p + n - 1;
  return scope.code[at] ?? -1;
}

export function prevCode(scope: Scope, i: number, n = 1): number {
  const p = pos(scope, i);
  return scope.code[p - n] ?? -1;
}

/** Index of the `(` enclosing token index `i`, or -1 at depth 0. */
export function enclosingOpen(scope: Scope, i: number): number {
  const d = scope.depth[i]!;
  if (d === 0) return -1;
  for (let j = i - 1; j >= 0; j--) {
    if (scope.tokens[j]!.text === '(' && scope.depth[j] === d - 1) return j;
  }
  return -1;
}

/** True inside `CAST(… AS type)`, where AS names a type, not an alias. */
export function insideCast(scope: Scope, i: number): boolean {
  const open = enclosingOpen(scope, i);
  return open !== -1 && kw(scope.tokens[prevCode(scope, open)]) === 'CAST';
}

/** Index of the `)` matching the `(` at token index `open`. */
export function matchingParen(scope: Scope, open: number): number {
  const d = scope.depth[open]!;
  for (let p = pos(scope, open) + 1; p < scope.code.length; p++) {
    const i = scope.code[p]!;
    if (scope.tokens[i]!.text === ')' && scope.depth[i] === d) return i;
  }
  return scope.tokens.length - 1;
}

export function isName(t: Token | undefined): boolean {
  return t !== undefined && (t.type === 'word' || t.type === 'qident');
}
