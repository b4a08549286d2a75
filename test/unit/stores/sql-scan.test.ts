import { describe, expect, it } from 'vitest';
import { questionToDollar } from '../../../main/core/stores/sql-placeholders.js';
import { skipLiteralOrComment } from '../../../main/core/stores/sql-scan.js';

describe('skipLiteralOrComment', () => {
  it('returns the end of literals, quoted identifiers and comments, or -1 for code', () => {
    const sql = `'it''s' "a""b" \`c\` -- note\n/* block */ x`;
    expect(skipLiteralOrComment(sql, 0)).toBe(7);
    expect(skipLiteralOrComment(sql, 8)).toBe(14);
    expect(skipLiteralOrComment(sql, 15)).toBe(18);
    expect(skipLiteralOrComment(sql, 19)).toBe(sql.indexOf('\n'));
    expect(skipLiteralOrComment(sql, sql.indexOf('/*'))).toBe(sql.indexOf('*/') + 2);
    expect(skipLiteralOrComment(sql, sql.length - 1)).toBe(-1);
  });

  it('runs to the end of the text when a literal or comment is never closed', () => {
    expect(skipLiteralOrComment("x = 'open", 4)).toBe(9);
    expect(skipLiteralOrComment('/* open', 0)).toBe(7);
  });

  it('knows [identifiers] and dollar quotes only when asked, and never takes $1 for a dollar quote', () => {
    expect(skipLiteralOrComment('[a]] b', 0)).toBe(-1);
    expect(skipLiteralOrComment('[a]] b', 0, { brackets: true })).toBe(3);
    const body = '$fn$ select ? $fn$ + 1';
    expect(skipLiteralOrComment(body, 0)).toBe(-1);
    expect(skipLiteralOrComment(body, 0, { dollarQuotes: true })).toBe(18);
    expect(skipLiteralOrComment('$$ ? $$', 0, { dollarQuotes: true })).toBe(7);
    expect(skipLiteralOrComment('$1', 0, { dollarQuotes: true })).toBe(-1);
  });
});

describe('questionToDollar', () => {
  it('numbers bare ? in order and leaves literals, comments and dollar-quoted bodies alone', () => {
    expect(questionToDollar(`SELECT ?, '?', "a?" -- ?\n, ? /* ? */, $q$ ? $q$, ?`)).toEqual({
      sql: `SELECT $1, '?', "a?" -- ?\n, $2 /* ? */, $q$ ? $q$, $3`,
      count: 3,
    });
    expect(questionToDollar('SELECT 1')).toEqual({ sql: 'SELECT 1', count: 0 });
  });
});
