/**
 * Placeholder rewriting that skips string literals, quoted identifiers and
 * comments, so a `?` or `$1` inside `'…'` is data, not a parameter.
 */

import { skipLiteralOrComment } from './sql-scan.js';

type Visitor = (token: string) => string;

/** Walks `sql`, calling `onPlaceholder` for each `?`/`$N` outside literals, identifiers and comments. */
function rewrite(sql: string, pattern: RegExp, onPlaceholder: Visitor): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    // PostgreSQL dollar-quoted bodies ($$…$$ or $tag$…$tag$) are copied verbatim too.
    const skipped = skipLiteralOrComment(sql, i, { dollarQuotes: true });
    if (skipped !== -1) {
      out += sql.slice(i, skipped);
      i = skipped;
      continue;
    }
    pattern.lastIndex = i;
    const m = pattern.exec(sql);
    if (m && m.index === i) {
      out += onPlaceholder(m[0]);
      i += m[0].length;
    } else {
      out += sql[i];
      i += 1;
    }
  }
  return out;
}

/** `?` → `$1, $2…` (legacy sqlite3-style SQL onto the factory's PostgreSQL-style placeholders). */
export function questionToDollar(sql: string): { sql: string; count: number } {
  let n = 0;
  const out = rewrite(sql, /\?(?!\d)/y, () => `$${++n}`);
  return { sql: out, count: n };
}
