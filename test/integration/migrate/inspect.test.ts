import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NovaError } from '../../../main/core/errors.js';
import {
  inspect,
  inspectDatabase,
  type InspectReport,
  type TableInfo,
} from '../../../main/core/migrate/inspect.js';
import { preflight } from '../../../main/core/migrate/preflight.js';
import {
  generateLegacyDatabase,
  HOSTILE_COLUMN,
  HOSTILE_TABLE,
} from '../../fixtures/legacy-db-generator.js';

let dir: string;
let report: InspectReport;
const table = (name: string): TableInfo => {
  const t = report.tables.find((x) => x.name === name);
  if (!t) throw new Error(`no table ${name}`);
  return t;
};
const column = (t: string, c: string) => table(t).columns.find((x) => x.name === c)!;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nova-inspect-'));
  const g = generateLegacyDatabase(join(dir, 'log.sqlite'), {
    users: 10,
    logs: 40,
    kiosks: 3,
    quirks: true,
  });
  const { snapshotFile } = await preflight(g.file, join(dir, 'work'));
  report = inspect(snapshotFile);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('inspect on the quirky legacy snapshot', () => {
  it('lists the tables (internals excluded) with row counts', () => {
    const names = report.tables.map((t) => t.name);
    expect(names).toContain('users');
    expect(names).toContain('legacy_notes');
    expect(names).toContain(HOSTILE_TABLE);
    expect(names.some((n) => n.startsWith('sqlite_'))).toBe(false);
    expect(table('users').rowCount).toBe(18);
    expect(table('logs').rowCount).toBe(48);
    expect(table(HOSTILE_TABLE).rowCount).toBe(2);
  });

  it('describes columns: declared type, affinity, NOT NULL, default, primary key position', () => {
    expect(column('users', 'id')).toMatchObject({
      declaredType: 'INTEGER',
      affinity: 'INTEGER',
      pkPosition: 1,
      notNull: false,
    });
    expect(column('users', 'created_at')).toMatchObject({
      declaredType: 'TEXT',
      affinity: 'TEXT',
      defaultSql: 'CURRENT_TIMESTAMP',
      pkPosition: 0,
    });
    expect(column('notifications', 'type')).toMatchObject({ defaultSql: '"system"' });
    expect(column('assets', 'url')).toMatchObject({ notNull: true });
    expect(column('passkeys', 'user_id')).toMatchObject({ notNull: true });
    expect(
      table('users')
        .columns.map((c) => c.name)
        .slice(-4),
    ).toEqual(['passwordHash', 'disabled', 'is_default', 'nickname']);
  });

  it('counts the storage classes actually found in each column', () => {
    expect(column('passkeys', 'counter').observed).toEqual({
      integer: 6,
      real: 1,
      text: 0,
      blob: 0,
      null: 0,
    });
    expect(column('users', 'disabled').observed).toEqual({
      integer: 15,
      real: 0,
      text: 3,
      blob: 0,
      null: 0,
    });
    expect(column('logs', 'name').observed).toMatchObject({ blob: 2, text: 46 });
    expect(column('users', 'email').observed).toMatchObject({ null: 1, text: 17 });
    expect(column('assets', 'url').observed).toMatchObject({ blob: 1, text: 4 });
  });

  it('reports indexes with their columns, foreign keys, rowid access and AUTOINCREMENT high-water marks', () => {
    const users = table('users');
    expect(users.indexes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          name: 'idx_users_email',
          unique: true,
          origin: 'c',
          columns: ['email'],
          sql: 'CREATE UNIQUE INDEX idx_users_email ON users(email)',
        }),
        expect.objectContaining({ unique: true, origin: 'u', columns: ['email'], sql: null }),
      ]),
    );
    expect(table('passkeys').indexes).toEqual([
      expect.objectContaining({ unique: true, origin: 'u', columns: ['user_id', 'credential_id'] }),
    ]);
    expect(table('config').indexes).toEqual([
      expect.objectContaining({ origin: 'pk', columns: ['key'] }),
    ]);
    expect(users.foreignKeys).toEqual([]);
    expect(users.rowidName).toBe('rowid');
    expect(users.withoutRowid).toBe(false);
    expect(users.autoincrementSeq).toBe(18);
    expect(table('config').autoincrementSeq).toBeNull();
  });

  it('reports the view and the trigger with their SQL', () => {
    expect(report.views).toEqual([
      { name: 'active_users', sql: expect.stringContaining('CREATE VIEW active_users') },
    ]);
    expect(report.triggers).toEqual([
      {
        name: 'users_delete_roles',
        table: 'users',
        sql: expect.stringContaining('DELETE FROM user_roles'),
      },
    ]);
  });

  it('inspects the hostile table name and column like any other', () => {
    const hostile = table(HOSTILE_TABLE);
    expect(hostile.columns.map((c) => c.name)).toEqual(['id', HOSTILE_COLUMN]);
    expect(hostile.columns[1]!.observed).toEqual({
      integer: 0,
      real: 0,
      text: 2,
      blob: 0,
      null: 0,
    });
    // …and the users table it "drops" is still there.
    expect(table('users').rowCount).toBe(18);
  });

  it('is plain data', () => {
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
    expect(report).toMatchObject({
      pageSize: 4096,
      encoding: 'UTF-8',
      sqliteVersion: expect.stringMatching(/^3\./),
    });
  });
});

describe('inspect on other shapes', () => {
  it('handles WITHOUT ROWID, shadowed rowid names, foreign keys, expression and partial indexes, generated columns', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = OFF'); // orphans on purpose; this build enables FKs by default
    db.exec(`
      CREATE TABLE parent (a INTEGER, b TEXT, PRIMARY KEY (a, b)) WITHOUT ROWID;
      CREATE TABLE child (rowid TEXT, _rowid_ TEXT, x INTEGER, y TEXT, z AS (x * 2),
                          FOREIGN KEY (x, y) REFERENCES parent (a, b) ON DELETE CASCADE);
      CREATE TABLE shadowed (rowid TEXT, _rowid_ TEXT, oid TEXT);
      CREATE INDEX child_expr ON child (lower(y));
      CREATE INDEX child_partial ON child (x) WHERE x > 0;
      INSERT INTO child (x, y) VALUES (1, 'a'), (2.5, 'b'), (NULL, x'00');
    `);
    const r = inspectDatabase(db);
    const get = (n: string): TableInfo => r.tables.find((t) => t.name === n)!;
    expect(get('parent')).toMatchObject({ withoutRowid: true, rowidName: null });
    expect(get('child').rowidName).toBe('oid');
    expect(get('shadowed').rowidName).toBeNull();
    expect(get('child').foreignKeys).toEqual([
      {
        columns: ['x', 'y'],
        table: 'parent',
        references: ['a', 'b'],
        onUpdate: 'NO ACTION',
        onDelete: 'CASCADE',
      },
    ]);
    expect(get('child').indexes).toEqual([
      expect.objectContaining({ name: 'child_expr', columns: [null], partial: false }),
      expect.objectContaining({ name: 'child_partial', columns: ['x'], partial: true }),
    ]);
    const z = get('child').columns.find((c) => c.name === 'z')!;
    expect(z).toMatchObject({ generated: true, affinity: 'BLOB' });
    expect(z.observed).toEqual({ integer: 1, real: 1, text: 0, blob: 0, null: 1 });
    expect(get('child').columns.find((c) => c.name === 'y')!.observed).toEqual({
      integer: 0,
      real: 0,
      text: 2,
      blob: 1,
      null: 0,
    });
    db.close();
  });

  it('scans tables wider than one query can count', () => {
    const db = new Database(':memory:');
    const cols = Array.from({ length: 450 }, (_, i) => `c${i} INTEGER`).join(', ');
    db.exec(
      `CREATE TABLE wide (${cols}); INSERT INTO wide (c0, c449) VALUES (1, 'x'); INSERT INTO wide (c0) VALUES (2);`,
    );
    const wide = inspectDatabase(db).tables[0]!;
    expect(wide.rowCount).toBe(2);
    expect(wide.columns[0]!.observed).toEqual({ integer: 2, real: 0, text: 0, blob: 0, null: 0 });
    expect(wide.columns[449]!.observed).toEqual({ integer: 0, real: 0, text: 1, blob: 0, null: 1 });
    expect(wide.columns[300]!.observed!.null).toBe(2);
    db.close();
  });

  it('refuses a file that is not a database with NOT_SQLITE', () => {
    const file = join(dir, 'not-a-db');
    writeFileSync(
      file,
      'hello world, this is not a database at all.........................................................',
    );
    let err: unknown;
    try {
      inspect(file);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NovaError);
    expect((err as NovaError).code).toBe('NOT_SQLITE');
  });
});
