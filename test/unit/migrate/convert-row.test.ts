import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { convertRow } from '../../../main/core/migrate/convert-row.js';
import { inspectDatabase } from '../../../main/core/migrate/inspect.js';
import { parsePlan } from '../../../main/core/migrate/plan-schema.js';
import { resolvePlan, type ResolvedTable } from '../../../main/core/migrate/resolve-plan.js';

const db = new Database(':memory:');
db.exec(
  'CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, seen TEXT, flag INTEGER, doc TEXT, qty INTEGER, kind TEXT, extra1, extra2)',
);
const report = inspectDatabase(db, 'src.sqlite');
db.close();

const table: ResolvedTable = resolvePlan(
  parsePlan({
    version: 1,
    name: 'rules',
    unknownColumns: 'jsonb-extra',
    tables: [
      {
        source: 't',
        target: {
          kind: 'postgres',
          table: 't',
          columns: [
            { source: 'id', target: 'id', type: 'integer', nullable: false },
            { source: 'name', target: 'name', type: 'text', nullable: false },
            { source: 'seen', target: 'seen', type: 'timestamptz', onInvalid: 'null' },
            {
              source: 'flag',
              target: 'flag',
              type: 'boolean',
              nullable: false,
              nullReplacement: false,
            },
            { source: 'doc', target: 'doc', type: 'jsonb', onInvalid: 'keep-text' },
            { source: 'qty', target: 'qty', type: 'integer', fractional: 'round' },
            { source: 'kind', target: 'kind', type: 'text', allowedValues: ['a', 'b'] },
          ],
        },
      },
    ],
  }),
  report,
).tables[0]!;

/** A source row; unspecified columns are NULL. The trailing value stands for the rowid, which convertRow ignores. */
const row = (
  values: Partial<
    Record<'id' | 'name' | 'seen' | 'flag' | 'doc' | 'qty' | 'kind' | 'extra1' | 'extra2', unknown>
  >,
): unknown[] => [
  ...table.readColumns.map((c) => (c in values ? values[c as keyof typeof values] : null)),
  999,
];
const base = { id: 1, name: 'x' };

describe('convertRow', () => {
  it('converts a clean row without recording anything (and shares the empty change list)', () => {
    const a = convertRow(
      table,
      row({ ...base, seen: '2024-01-01 10:00:00', flag: 1, doc: '{"a":1}', qty: 2, kind: 'a' }),
    );
    expect(a).toEqual({
      ok: true,
      values: [1, 'x', new Date('2024-01-01T10:00:00Z'), true, { a: 1 }, 2, 'a', null],
      changes: [],
    });
    const b = convertRow(table, row({ ...base, flag: 'no' }));
    expect(b.ok && a.ok && b.changes === a.changes).toBe(true);
    expect(table.outputColumns).toEqual([
      'id',
      'name',
      'seen',
      'flag',
      'doc',
      'qty',
      'kind',
      'legacy_extra',
    ]);
  });

  it('NULL: stays NULL where allowed, takes the replacement where not, else rejects the row', () => {
    const r = convertRow(table, row(base));
    expect(r).toMatchObject({ ok: true, values: [1, 'x', null, false, null, null, null, null] });
    expect(r.ok && r.changes).toEqual([
      {
        column: 'flag',
        code: 'null-replaced',
        original: null,
        converted: false,
        reason: 'NULL; flag does not allow NULL, so false was written',
      },
    ]);
    expect(convertRow(table, row({ id: 1 }))).toEqual({
      ok: false,
      reject: { column: 'name', original: null, reason: 'NULL is not allowed in name' },
    });
  });

  it("'': NULL for typed columns (recorded), kept for text, and never slips into a NOT NULL column", () => {
    const r = convertRow(table, row({ ...base, name: '', seen: '', flag: '' }));
    expect(r).toMatchObject({ ok: true, values: [1, '', null, false, null, null, null, null] });
    expect(r.ok && r.changes).toEqual([
      {
        column: 'seen',
        code: 'empty-to-null',
        original: '',
        converted: null,
        reason: 'empty string stored as NULL',
      },
      {
        column: 'flag',
        code: 'null-replaced',
        original: '',
        converted: false,
        reason: 'empty string stored as NULL; flag does not allow NULL, so false was written',
      },
    ]);
    const strict = {
      ...table,
      columns: table.columns.map((c) =>
        c.target === 'flag' ? { ...c, nullReplacement: null } : c,
      ),
    };
    expect(convertRow(strict, row({ ...base, flag: '' }))).toEqual({
      ok: false,
      reject: {
        column: 'flag',
        original: '',
        reason: 'empty string stored as NULL, but flag does not allow NULL',
      },
    });
  });

  it("invalid values follow onInvalid: 'reject', 'null', 'keep-text'", () => {
    expect(convertRow(table, row({ ...base, flag: 'maybe' }))).toEqual({
      ok: false,
      reject: {
        column: 'flag',
        original: 'maybe',
        reason: '"maybe" is not a boolean (expected 0/1, true/false, yes/no, on/off or t/f)',
      },
    });
    const r = convertRow(table, row({ ...base, seen: 'not a date', doc: '{broken' }));
    expect(r.ok && r.values.slice(2, 5)).toEqual([null, false, '{broken']);
    expect(r.ok && r.changes.map((c) => [c.column, c.code, c.original, c.converted])).toEqual([
      ['seen', 'invalid-to-null', 'not a date', null],
      ['flag', 'null-replaced', null, false],
      ['doc', 'invalid-kept-as-text', '{broken', '{broken'],
    ]);
    expect(r.ok && r.changes[2]!.reason).toMatch(/^invalid JSON \(.*\); kept as text$/);
  });

  it('records changes the casts make, per source column', () => {
    const r = convertRow(table, row({ ...base, name: 'a\u0000b', qty: 2.5 }));
    expect(r.ok && r.values.slice(0, 2)).toEqual([1, 'ab']);
    expect(r.ok && r.values[5]).toBe(3);
    expect(r.ok && r.changes.map((c) => `${c.column}:${c.code}`)).toEqual([
      'name:nul-stripped',
      'flag:null-replaced',
      'qty:rounded',
    ]);
  });

  it('rejects values outside allowedValues', () => {
    expect(convertRow(table, row({ ...base, kind: 'c' }))).toEqual({
      ok: false,
      reject: {
        column: 'kind',
        original: 'c',
        reason: 'c is not an allowed value (allowed: a, b)',
      },
    });
  });

  it('collects unknown columns into the extra object as JSON-safe values', () => {
    const blob = Buffer.from([0xff, 0x00]);
    const r = convertRow(table, row({ ...base, extra1: 2n ** 60n, extra2: blob }));
    expect(r.ok && r.values[7]).toEqual({ extra1: '1152921504606846976', extra2: '/wA=' });
    expect(r.ok && r.changes).toContainEqual(
      expect.objectContaining({ column: 'extra2', code: 'blob-base64', original: blob }),
    );
    const s = convertRow(table, row({ ...base, extra1: 5, extra2: 'a\u0000' }));
    expect(s.ok && s.values[7]).toEqual({ extra1: 5, extra2: 'a' });
    expect(JSON.stringify(s.ok && s.values[7])).toBe('{"extra1":5,"extra2":"a"}');
  });
});
