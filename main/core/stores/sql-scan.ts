/**
 * The part of SQL that is data or commentary, not code: string literals,
 * quoted identifiers and comments. Placeholder rewriting (legacy `?` → `$n`,
 * `$n` → SQLite `?`) must leave a `?` or `$1` inside them alone, so both
 * rewriters skip these regions with the same scanner.
 */

export interface SqlScanOptions {
  /** `[identifier]` quoting (SQLite, SQL Server); its `]` is not escaped by doubling. */
  brackets?: boolean;
  /** PostgreSQL dollar-quoted bodies: `$$…$$`, `$tag$…$tag$`. */
  dollarQuotes?: boolean;
}

/**
 * When a literal, quoted identifier or comment starts at `i`, the index just
 * past its end (the end of `sql` when it is never closed); otherwise -1.
 */
export function skipLiteralOrComment(sql: string, i: number, options: SqlScanOptions = {}): number {
  const ch = sql[i];
  const next = sql[i + 1];
  if (ch === "'" || ch === '"' || ch === '`') return closingQuote(sql, i, ch, true);
  if (ch === '[' && options.brackets === true) return closingQuote(sql, i, ']', false);
  if (ch === '-' && next === '-') {
    const end = sql.indexOf('\n', i);
    return end === -1 ? sql.length : end;
  }
  if (ch === '/' && next === '*') {
    const end = sql.indexOf('*/', i + 2);
    return end === -1 ? sql.length : end + 2;
  }
  if (ch === '$' && options.dollarQuotes === true && isDollarQuoteStart(sql, i)) {
    const tag = sql.slice(i, sql.indexOf('$', i + 1) + 1);
    const end = sql.indexOf(tag, i + tag.length);
    return end === -1 ? sql.length : end + tag.length;
  }
  return -1;
}

/** Index past the quote closing the one at `start`; a doubled quote escapes itself where `doubling`. */
function closingQuote(sql: string, start: number, close: string, doubling: boolean): number {
  let i = start + 1;
  while (i < sql.length) {
    if (sql[i] === close) {
      if (doubling && sql[i + 1] === close) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i += 1;
  }
  return sql.length;
}

/** `$$` or `$tag$`, but not a `$1` placeholder. */
function isDollarQuoteStart(sql: string, i: number): boolean {
  return /^\$[A-Za-z_]*\$/.test(sql.slice(i, i + 64)) && !/^\$\d/.test(sql.slice(i, i + 2));
}
