/**
 * SourceTableReader reads a table in chunks by keyset: a batch limit that is
 * not a multiple of the chunk, and resuming from a cursor, return every row
 * exactly once and in order — for a rowid table and a WITHOUT ROWID table.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { autoPlan } from '../../../../main/core/migrate/auto-plan.js';
import { inspect } from '../../../../main/core/migrate/inspect.js';
import type { ResolvedTable } from '../../../../main/core/migrate/resolved-plan.js';
import { resolvePlan } from '../../../../main/core/migrate/resolve-plan.js';
import {
  SourceTableReader,
  type SourceCursor,
} from '../../../../main/core/migrate/run/source-reader.js';

const ROWS = 2_345; // more than two 1000-row chunks, not a multiple of one
let dir: string;
let db: Database.Database;
let tables: Map<string, ResolvedTable>;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'nova-source-reader-'));
  const file = join(dir, 'src.sqlite');
  const w = new Database(file);
  w.exec(`CREATE TABLE r (id INTEGER PRIMARY KEY, v TEXT);
          CREATE TABLE k (a TEXT, b INTEGER, v TEXT, PRIMARY KEY (a, b)) WITHOUT ROWID;`);
  const r = w.prepare('INSERT INTO r (id, v) VALUES (?, ?)');
  const k = w.prepare('INSERT INTO k (a, b, v) VALUES (?, ?, ?)');
  w.transaction(() => {
    // Rowids with gaps, inserted out of order: the reader must page by value, not by position.
    for (let i = ROWS; i >= 1; i--) r.run(i * 3, `v${i}`);
    for (let i = 0; i < ROWS; i++) k.run(`g${i % 7}`, i, `w${i}`);
  })();
  w.close();
  const report = inspect(file);
  tables = new Map(resolvePlan(autoPlan(report), report).tables.map((t) => [t.source, t]));
  db = new Database(file, { readonly: true });
});

afterAll(() => {
  db?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Reads the whole table in batches of `limit`, resuming from each batch's cursor. */
function readAll(
  reader: SourceTableReader,
  limit: number,
): { rows: unknown[][]; batches: number[] } {
  const rows: unknown[][] = [];
  const batches: number[] = [];
  let cursor: SourceCursor | null = null;
  for (;;) {
    const batch = [...reader.iterate(cursor, limit)];
    if (batch.length === 0) break;
    batches.push(batch.length);
    rows.push(...batch);
    // Through JSON, as a checkpoint stores it.
    cursor = JSON.parse(JSON.stringify(reader.cursorAfter(batch.at(-1)!))) as SourceCursor;
    if (batch.length < limit) break;
  }
  return { rows, batches };
}

describe('SourceTableReader', () => {
  it('rowid table: batches across chunk boundaries, resumed by cursor, every row once in order', () => {
    const reader = new SourceTableReader(db, tables.get('r')!);
    const { rows, batches } = readAll(reader, 1_100);
    expect(batches).toEqual([1_100, 1_100, 145]);
    expect(rows.map((r) => reader.rowKey(r))).toEqual(
      Array.from({ length: ROWS }, (_, i) => String((i + 1) * 3)),
    );
    expect(rows[0]!.slice(0, 2)).toEqual([3, 'v1']);
  });

  it('a limit below one chunk, and a limit that is an exact multiple of it', () => {
    const reader = new SourceTableReader(db, tables.get('r')!);
    expect([...reader.iterate(null, 7)].map((r) => r[0])).toEqual([3, 6, 9, 12, 15, 18, 21]);
    const { rows, batches } = readAll(reader, 1_000);
    expect(batches).toEqual([1_000, 1_000, 345]);
    expect(new Set(rows.map((r) => r[0])).size).toBe(ROWS);
  });

  it('WITHOUT ROWID table: pages by its primary key', () => {
    const reader = new SourceTableReader(db, tables.get('k')!);
    const { rows, batches } = readAll(reader, 999);
    expect(batches).toEqual([999, 999, 347]);
    const keys = rows.map((r) => `${String(r[0])}/${String(r[1])}`);
    expect(new Set(keys).size).toBe(ROWS);
    const sorted = [...rows].sort((x, y) =>
      x[0] === y[0] ? Number(x[1]) - Number(y[1]) : String(x[0]) < String(y[0]) ? -1 : 1,
    );
    expect(rows).toEqual(sorted);
  });

  it('keeps integers beyond 2^53 exact: the rare row is read again with bigints, the rest stay fast', () => {
    const file = join(dir, 'big-ints.sqlite');
    const w = new Database(file);
    w.exec(`CREATE TABLE b (id INTEGER PRIMARY KEY, n INTEGER, r REAL, t TEXT);
            INSERT INTO b VALUES (1, 5, 1.5, 'a'), (2, 9007199254740993, 2.5, 'b'),
                                 (3, -9223372036854775808, 1e20, 'c'), (4, 7, 1e20, 'd');
            CREATE TABLE huge (v TEXT);
            INSERT INTO huge (rowid, v) VALUES (9007199254740995, 'x'), (1, 'y');`);
    w.close();
    const report = inspect(file, { countTypes: false });
    const resolved = new Map(
      resolvePlan(autoPlan(inspect(file)), report).tables.map((t) => [t.source, t]),
    );
    const big = new Database(file, { readonly: true });
    try {
      const rows = [...new SourceTableReader(big, resolved.get('b')!).iterate(null, 10)];
      expect(rows.map((r) => r.slice(0, 3))).toEqual([
        [1, 5, 1.5],
        [2n, 9007199254740993n, 2.5],
        [3n, -9223372036854775808n, 1e20],
        [4n, 7n, 1e20], // a real that large is re-read too, and comes back the same
      ]);
      // A rowid beyond 2^53: the whole table is read with bigints (a rounded rowid finds no row).
      const huge = new SourceTableReader(big, resolved.get('huge')!);
      expect([...huge.iterate(null, 10)].map((r) => huge.rowKey(r))).toEqual([
        '1',
        '9007199254740995',
      ]);
    } finally {
      big.close();
    }
  });
});
