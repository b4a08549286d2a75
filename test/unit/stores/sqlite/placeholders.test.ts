// $n → ? translation for the SQLite store, and portable parameter binding.
import { describe, expect, it } from 'vitest';
import { NovaError } from '../../../../main/core/errors.js';
import { toSqliteValues } from '../../../../main/core/stores/sqlite/bind-params.js';
import {
  reorderArgs,
  translatePlaceholders,
} from '../../../../main/core/stores/sqlite/placeholders.js';

describe('translatePlaceholders', () => {
  it('rewrites $n and records which argument each ? takes (repeats allowed)', () => {
    expect(translatePlaceholders('SELECT * FROM t WHERE a = $2 AND b = $1 OR c = $2')).toEqual({
      sql: 'SELECT * FROM t WHERE a = ? AND b = ? OR c = ?',
      argOrder: [1, 0, 1],
    });
    expect(reorderArgs(['x', 'y'], [1, 0, 1])).toEqual(['y', 'x', 'y']);
  });

  it('leaves string literals, quoted identifiers and comments alone', () => {
    const sql = `SELECT '$1', 'it''s $2', "a$1""b", \`$3\`, [$4], x -- $5\n, $1 /* $6 */ FROM t$1`;
    expect(translatePlaceholders(sql)).toEqual({
      sql: `SELECT '$1', 'it''s $2', "a$1""b", \`$3\`, [$4], x -- $5\n, ? /* $6 */ FROM t$1`,
      argOrder: [0],
    });
  });

  it('handles $10 and beyond, unterminated literals, and statements without placeholders', () => {
    expect(translatePlaceholders('SELECT $10, $1').argOrder).toEqual([9, 0]);
    expect(translatePlaceholders("SELECT 'open $1")).toEqual({
      sql: "SELECT 'open $1",
      argOrder: null,
    });
    expect(translatePlaceholders('SELECT ? , ?').argOrder).toBeNull();
    expect(translatePlaceholders('SELECT ?1, $1').argOrder).toEqual([0]); // SQLite's own ?NNN is not a bare ?
  });

  it('refuses $0, mixing with bare ?, and missing arguments', () => {
    for (const run of [
      () => translatePlaceholders('SELECT $0'),
      () => translatePlaceholders('SELECT $1, ?'),
      () => reorderArgs([1], [0, 1]),
    ]) {
      expect(run).toThrow(NovaError);
      try {
        run();
      } catch (err) {
        expect((err as NovaError).code).toBe('INVALID_ARGUMENT');
      }
    }
  });
});

describe('toSqliteValues', () => {
  it('binds portable values', () => {
    const bytes = new Uint8Array([9, 8, 7]);
    expect(
      toSqliteValues([true, false, new Date(0), { a: [1] }, undefined, null, 3n, 'x', 1.5, bytes]),
    ).toEqual([
      1,
      0,
      '1970-01-01T00:00:00.000Z',
      '{"a":[1]}',
      null,
      null,
      3n,
      'x',
      1.5,
      Buffer.from([9, 8, 7]),
    ]);
  });

  it('refuses what SQL cannot store, naming the parameter', () => {
    expect(() => toSqliteValues([1, Symbol('s')])).toThrow(/Parameter 2/);
    expect(() => toSqliteValues([new Set()])).toThrow(/Set/);
  });
});
