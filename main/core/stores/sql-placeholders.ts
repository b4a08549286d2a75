/**
 * Placeholder rewriting that skips string literals, quoted identifiers and
 * comments, so a `?` or `$1` inside `'…'` is data, not a parameter.
 */

type Visitor = (token: string) => string;

/** Walks `sql`, calling `onPlaceholder` for each `?`/`$N` outside literals, identifiers and comments. */
function rewrite(sql: string, pattern: RegExp, onPlaceholder: Visitor): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i]!;
    const next = sql[i + 1];
    if (ch === "'" || ch === '"' || ch === '`') {
      const end = closingQuote(sql, i, ch);
      out += sql.slice(i, end);
      i = end;
    } else if (ch === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end === -1 ? sql.length : end;
      out += sql.slice(i, stop);
      i = stop;
    } else if (ch === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      const stop = end === -1 ? sql.length : end + 2;
      out += sql.slice(i, stop);
      i = stop;
    } else if (ch === '$' && isDollarQuoteStart(sql, i)) {
      // PostgreSQL dollar-quoted body ($$…$$ or $tag$…$tag$): copy verbatim.
      const tag = sql.slice(i, sql.indexOf('$', i + 1) + 1);
      const end = sql.indexOf(tag, i + tag.length);
      const stop = end === -1 ? sql.length : end + tag.length;
      out += sql.slice(i, stop);
      i = stop;
    } else {
      pattern.lastIndex = i;
      const m = pattern.exec(sql);
      if (m && m.index === i) {
        out += onPlaceholder(m[0]);
        i += m[0].length;
      } else {
        out += ch;
        i += 1;
      }
    }
  }
  return out;
}

function closingQuote(sql: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < sql.length) {
    if (sql[i] === quote) {
      // A doubled quote is an escaped quote inside the literal.
      if (sql[i + 1] === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i += 1;
  }
  return sql.length;
}

function isDollarQuoteStart(sql: string, i: number): boolean {
  return /^\$[A-Za-z_]*\$/.test(sql.slice(i, i + 64)) && !/^\$\d/.test(sql.slice(i, i + 2));
}

/** `?` → `$1, $2…` (legacy sqlite3-style SQL onto the factory's PostgreSQL-style placeholders). */
export function questionToDollar(sql: string): { sql: string; count: number } {
  let n = 0;
  const out = rewrite(sql, /\?(?!\d)/y, () => `$${++n}`);
  return { sql: out, count: n };
}
