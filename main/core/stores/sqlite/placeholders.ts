/**
 * Every store speaks PostgreSQL-style `$1, $2…` placeholders (types.ts). SQLite
 * understands `?NNN`, but better-sqlite3 binds those as named parameters, so we
 * rewrite each `$n` to an anonymous `?` and record which argument feeds it.
 * That also lets one `$1` appear several times, as PostgreSQL allows.
 */
import { NovaError } from '../../errors.js';
import { skipLiteralOrComment } from '../sql-scan.js';

export interface TranslatedSql {
  sql: string;
  /**
   * For each `?` produced from a `$n`, the zero-based index of the argument it
   * takes; null when the statement has no `$n` (arguments pass through as-is,
   * which is how legacy `?` statements are bound).
   */
  argOrder: number[] | null;
}

const IDENT_CHAR = /[A-Za-z0-9_$]/;
const DIGIT = /[0-9]/;

/**
 * Rewrites `$n` placeholders outside string literals, quoted identifiers and
 * comments. Mixing `$n` with bare `?` is refused because the positions would be
 * ambiguous.
 */
export function translatePlaceholders(sql: string): TranslatedSql {
  let out = '';
  const order: number[] = [];
  let sawBareQuestion = false;
  let i = 0;
  const n = sql.length;

  while (i < n) {
    const ch = sql[i] as string;
    const next = sql[i + 1];

    // Literals, quoted identifiers ([x] too) and comments: copy verbatim.
    const skipped = skipLiteralOrComment(sql, i, { brackets: true });
    if (skipped !== -1) {
      out += sql.slice(i, skipped);
      i = skipped;
      continue;
    }
    if (ch === '$' && next !== undefined && DIGIT.test(next) && !isIdentTail(sql, i)) {
      let j = i + 1;
      while (j < n && DIGIT.test(sql[j] as string)) j++;
      const position = Number(sql.slice(i + 1, j));
      if (position < 1) {
        throw new NovaError(
          'INVALID_ARGUMENT',
          `Placeholder $${position} is invalid: placeholders start at $1.`,
          {
            fix: 'Number placeholders $1, $2, … in the order of the parameters array.',
          },
        );
      }
      order.push(position - 1);
      out += '?';
      i = j;
      continue;
    }
    if (ch === '?') {
      // `?NNN` is SQLite's own numbered form; only a bare `?` is positional.
      if (next === undefined || !DIGIT.test(next)) sawBareQuestion = true;
    }
    out += ch;
    i++;
  }

  if (order.length === 0) return { sql, argOrder: null };
  if (sawBareQuestion) {
    throw new NovaError('INVALID_ARGUMENT', 'The SQL mixes $n and ? placeholders.', {
      fix: 'Use either $1, $2, … or ? placeholders in one statement, not both.',
    });
  }
  return { sql: out, argOrder: order };
}

/** `a$1` is an identifier in SQLite, not a placeholder. */
function isIdentTail(sql: string, dollarIndex: number): boolean {
  const prev = sql[dollarIndex - 1];
  return prev !== undefined && IDENT_CHAR.test(prev);
}

/** Orders the caller's arguments for the `?`s produced by {@link translatePlaceholders}. */
export function reorderArgs(args: readonly unknown[], argOrder: number[] | null): unknown[] {
  if (argOrder === null) return [...args];
  return argOrder.map((index) => {
    if (index >= args.length) {
      throw new NovaError(
        'INVALID_ARGUMENT',
        `The SQL uses $${index + 1} but only ${args.length} parameter(s) were given.`,
        { fix: 'Pass one value in the parameters array for every $n placeholder.' },
      );
    }
    return args[index];
  });
}
