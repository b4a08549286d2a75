import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import {
  autoPlan,
  chooseType,
  sanitizeIdentifier,
  uniqueName,
} from '../../../main/core/migrate/auto-plan.js';
import { inspectDatabase, type ColumnInfo } from '../../../main/core/migrate/inspect.js';
import { affinityOf } from '../../../main/core/migrate/sqlite-ident.js';

const column = (declaredType: string, observed: Partial<ColumnInfo['observed']>): ColumnInfo => ({
  name: 'c',
  declaredType,
  affinity: affinityOf(declaredType),
  notNull: false,
  defaultSql: null,
  pkPosition: 0,
  generated: false,
  observed: { integer: 0, real: 0, text: 0, blob: 0, null: 0, ...observed },
});

describe('sanitizeIdentifier', () => {
  it.each([
    ['users', 'users'],
    ['UserRoles', 'user_roles'],
    ['passwordHash', 'password_hash'],
    ['x"; DROP TABLE users; --', 'x_drop_table_users'],
    ['Café Orders', 'cafe_orders'],
    ['2fa codes', 'table_2fa_codes'],
    ['"""', 'table'],
    ['__a__b__', 'a_b'],
    ['a'.repeat(80), 'a'.repeat(63)],
  ])('%j → %j', (input, expected) => {
    expect(sanitizeIdentifier(input, 'table')).toBe(expected);
  });

  it('numbers collisions deterministically and keeps within 63 bytes', () => {
    const used = new Set(['users']);
    expect(uniqueName('users', used)).toBe('users_2');
    expect(uniqueName('users', used)).toBe('users_3');
    const long = 'b'.repeat(63);
    used.add(long);
    expect(uniqueName(long, used)).toBe(`${'b'.repeat(61)}_2`);
  });
});

describe('chooseType: declared type and observed values', () => {
  it.each([
    ['INTEGER', { integer: 5, null: 1 }, 'bigint'],
    ['INTEGER', { integer: 5, real: 1 }, 'real'],
    ['INTEGER', { integer: 5, text: 1 }, 'text'],
    ['INT', {}, 'bigint'],
    ['REAL', { real: 2, integer: 1 }, 'real'],
    ['DOUBLE PRECISION', { real: 2 }, 'real'],
    ['NUMERIC', { integer: 2 }, 'bigint'],
    ['DECIMAL(10,2)', { integer: 2, real: 1 }, 'real'],
    ['DECIMAL(10,2)', { text: 1 }, 'text'],
    ['TEXT', { text: 3 }, 'text'],
    ['VARCHAR(20)', { text: 3, blob: 1 }, 'text'],
    ['BOOLEAN', { integer: 3 }, 'boolean'],
    ['BOOLEAN', { integer: 3, text: 1 }, 'text'],
    ['DATETIME', { text: 3 }, 'timestamptz'],
    ['TIMESTAMP', { integer: 3 }, 'timestamptz'],
    ['DATE', { text: 3 }, 'date'],
    ['JSON', { text: 3 }, 'jsonb'],
    ['JSON', { text: 3, integer: 1 }, 'text'],
    ['BLOB', { blob: 3 }, 'bytea'],
    ['', { blob: 3 }, 'bytea'],
    ['', { integer: 3 }, 'bigint'],
    ['', { integer: 3, real: 1 }, 'real'],
    ['', { text: 3 }, 'text'],
    ['', { text: 3, integer: 1, blob: 1 }, 'text'],
    ['', { null: 4 }, 'text'],
  ] as [string, Partial<ColumnInfo['observed']>, string][])(
    '%j with %o → %s',
    (declared, observed, expected) => {
      expect(chooseType(column(declared, observed)).type).toBe(expected);
    },
  );

  it('explains a mixed column in a note', () => {
    expect(chooseType(column('INTEGER', { integer: 10, text: 2 })).note).toBe(
      'declared INTEGER but holds 10 integer, 2 text; mapped to text so no value is rejected',
    );
  });
});

describe('autoPlan', () => {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = OFF');
  db.exec(`
    CREATE TABLE "Customer Accounts" (Id INTEGER PRIMARY KEY, "E-Mail" TEXT UNIQUE NOT NULL, Balance REAL, Meta JSON, Created DATETIME, Total AS (Balance * 2));
    CREATE TABLE orders (id INTEGER PRIMARY KEY, customer INTEGER REFERENCES "Customer Accounts", note, placed DATE,
                         FOREIGN KEY (note) REFERENCES missing (id));
    CREATE INDEX orders_placed ON orders (placed);
    CREATE INDEX orders_expr ON orders (lower(note));
    CREATE TABLE customer_accounts (x);
    CREATE VIRTUAL TABLE docs USING fts5(body);
    INSERT INTO "Customer Accounts" (Id, "E-Mail", Balance, Meta, Created) VALUES (1, 'a@x', 1.5, '{}', '2024-01-01');
    INSERT INTO orders VALUES (1, 1, 'x', '2024-01-02'), (2, 1, 5, NULL);
  `);
  const report = inspectDatabase(db, 'other.sqlite');
  const plan = autoPlan(report);
  const mapping = (source: string) => plan.tables.find((t) => t.source === source)!;

  it('maps every ordinary table to a new table with deterministic names', () => {
    expect(
      plan.tables.map((t) => [
        t.source,
        t.target.kind === 'postgres' ? t.target.table : t.target.kind,
      ]),
    ).toEqual(
      expect.arrayContaining([
        ['Customer Accounts', 'customer_accounts'],
        ['customer_accounts', 'customer_accounts_2'],
        ['orders', 'orders'],
        ['docs', 'skip'],
      ]),
    );
    expect(autoPlan(report)).toEqual(plan);
  });

  it('types columns, keeps keys and indexes, skips generated columns with a note', () => {
    const t = mapping('Customer Accounts');
    if (t.target.kind !== 'postgres') throw new Error('expected postgres');
    expect(
      t.target.columns.map((c) => [c.source, c.target, c.type, c.nullable, c.onInvalid]),
    ).toEqual([
      ['Id', 'id', 'bigint', false, 'reject'],
      ['E-Mail', 'e_mail', 'text', false, 'reject'],
      ['Balance', 'balance', 'real', true, 'reject'],
      ['Meta', 'meta', 'jsonb', true, 'keep-text'],
      ['Created', 'created', 'timestamptz', true, 'null'],
    ]);
    expect(t.target).toMatchObject({
      primaryKey: ['id'],
      uniqueKeys: [{ columns: ['e_mail'] }],
      create: true,
    });
    expect(t.note).toContain('generated column(s) Total not copied');
  });

  it('recreates foreign keys to migrated tables (implicit parent key included) and notes the rest', () => {
    const t = mapping('orders');
    if (t.target.kind !== 'postgres') throw new Error('expected postgres');
    expect(t.target.foreignKeys).toEqual([
      {
        columns: ['customer'],
        references: { table: 'customer_accounts', columns: ['id'] },
        onOrphan: 'reject',
      },
    ]);
    expect(t.target.indexes).toEqual([{ columns: ['placed'] }]);
    expect(t.note).toContain(
      'foreign key (note) → missing not recreated: the parent table is not migrated',
    );
    expect(t.note).toContain('index orders_expr not recreated: it is on an expression');
    expect(t.target.columns.find((c) => c.source === 'note')).toMatchObject({
      type: 'text',
      note: expect.stringContaining('1 integer, 1 text'),
    });
  });
});
