/**
 * The legacy SQL translator on its own: the rewrites of
 * main/core/stores/legacy/ on a catalog shaped like the upgraded PostgreSQL
 * schema (the compatibility suite runs them against real databases).
 */
import { describe, expect, it } from 'vitest';
import type { LiveCatalog } from '../../../../main/core/stores/legacy/legacy-schema.js';
import { buildLegacyView } from '../../../../main/core/stores/legacy/legacy-schema.js';
import {
  compactJson,
  formatTimestamp,
} from '../../../../main/core/stores/legacy/pg-legacy-types.js';
import { splitScript, tokenize } from '../../../../main/core/stores/legacy/sql-lexer.js';
import { sqliteLimitValue } from '../../../../main/core/stores/legacy/driver-common.js';
import { translate } from '../../../../main/core/stores/legacy/translate.js';
import { legacyTimestampText } from '../../../../main/core/stores/legacy/translate-timestamps.js';

const col = (
  name: string,
  dataType = 'text',
  notNull = false,
  defaultSql: string | null = null,
) => ({
  name,
  dataType,
  notNull,
  defaultSql,
});

const catalog: LiveCatalog = new Map([
  [
    'users',
    {
      name: 'users',
      columns: [
        col('id', 'integer', true),
        col('name'),
        col('email', 'text', true),
        col('password_hash'),
        col('disabled', 'boolean', true, 'false'),
        col('is_default', 'boolean', true, 'false'),
        col('last_login', 'timestamp with time zone'),
        col('created_at', 'timestamp with time zone', false, 'now()'),
        col('updated_at', 'timestamp with time zone', true, 'now()'),
      ],
      primaryKey: ['id'],
      uniqueKeys: [['email']],
    },
  ],
  [
    'kiosks',
    {
      name: 'kiosks',
      columns: [
        col('id', 'text', true),
        col('active', 'boolean', true),
        col('logo_url'),
        col('schedule', 'jsonb'),
      ],
      primaryKey: ['id'],
      uniqueKeys: [],
    },
  ],
  [
    'config',
    {
      name: 'config',
      columns: [col('key', 'text', true), col('value')],
      primaryKey: ['key'],
      uniqueKeys: [],
    },
  ],
  [
    'user_roles',
    {
      name: 'user_roles',
      columns: [col('user_id', 'integer', true), col('role_id', 'integer', true)],
      primaryKey: ['user_id', 'role_id'],
      uniqueKeys: [],
    },
  ],
]);
const view = buildLegacyView(catalog);
const pg = (sql: string) => translate(sql, view, 'postgres');

describe('lexer', () => {
  it('round-trips every character, quotes and comments included', () => {
    const sql = `SELECT "a""b", 'it''s', [x], \`y\`, x'00', 1.5e3, ?, ?2, :n -- c\n/* d */ FROM t;`;
    expect(
      tokenize(sql)
        .map((t) => t.text)
        .join(''),
    ).toBe(sql);
  });

  it('splits scripts on top-level semicolons only', () => {
    expect(splitScript("INSERT INTO t VALUES ('a;b'); -- x;\nUPDATE t SET a = 1;")).toEqual([
      "INSERT INTO t VALUES ('a;b')",
      '-- x;\nUPDATE t SET a = 1',
    ]);
  });
});

describe('names and keys', () => {
  it('renames legacy columns and keeps SQLite’s result keys', () => {
    const p = pg(
      'SELECT id, passwordHash, COUNT(*) AS userCount, u.email FROM users u WHERE u.passwordHash IS NOT NULL',
    );
    expect(p.sql).toBe(
      'SELECT "id", "password_hash", COUNT(*) AS "usercount", "u"."email" FROM "users" "u" WHERE "u"."password_hash" IS NOT NULL',
    );
    expect(p.keys).toEqual(['id', 'passwordHash', 'userCount', 'email']);
  });

  it('expands * to the legacy columns only (no updated_at)', () => {
    const p = pg('SELECT * FROM users');
    expect(p.keys).toEqual([
      'id',
      'name',
      'email',
      'passwordHash',
      'disabled',
      'is_default',
      'last_login',
      'created_at',
    ]);
    expect(p.sql).not.toMatch(/updated_at/);
  });

  it('names unaliased expressions by their source text', () => {
    expect(pg('SELECT count(*), 1 + 1 FROM users').keys).toEqual(['count(*)', '1 + 1']);
  });

  it('turns double-quoted words that name nothing into strings', () => {
    expect(pg('SELECT key FROM config WHERE key LIKE "integration_%"').sql).toBe(
      `SELECT "key" FROM "config" WHERE "key" ILIKE 'integration_%' ESCAPE ''`,
    );
  });

  it('hides product-only columns with SQLite’s errors', () => {
    expect(() => pg('UPDATE users SET updated_at = ? WHERE id = ?')).toThrow(
      'SQLITE_ERROR: no such column: updated_at',
    );
    expect(() => pg('INSERT INTO users (email, auth_method) VALUES (?, ?)')).toThrow(
      'SQLITE_ERROR: table users has no column named auth_method',
    );
  });
});

describe('idioms', () => {
  it('writes boolean literals for flag columns in comparisons, SET and VALUES', () => {
    expect(pg('SELECT id FROM users WHERE disabled=0 AND is_default IN (0, 1)').sql).toBe(
      'SELECT "id" FROM "users" WHERE "disabled"=FALSE AND "is_default" IN (FALSE, TRUE)',
    );
    expect(pg('UPDATE kiosks SET active=1 WHERE id=?').sql).toBe(
      'UPDATE "kiosks" SET "active"=TRUE WHERE "id"=$1',
    );
    expect(pg('INSERT INTO users (email, is_default) VALUES (?, 1)').sql).toMatch(
      /VALUES \(\$1, TRUE\)/,
    );
    expect(pg('SELECT SUM(active) FROM kiosks').sql).toBe(
      'SELECT SUM(("active")::int) FROM "kiosks"',
    );
  });

  it('INSERT OR IGNORE → ON CONFLICT DO NOTHING; lastID comes back with RETURNING', () => {
    const p = pg("INSERT OR IGNORE INTO users (id, email) VALUES (1, 'a')");
    expect(p.sql).toBe(
      `INSERT  INTO "users" ("id", "email") VALUES (1, 'a') ON CONFLICT DO NOTHING RETURNING "id"`,
    );
    expect(p.lastIdReturned).toBe(true);
    expect(p.bumpSequence).toEqual({ table: 'users', column: 'id' });
  });

  it('INSERT OR REPLACE deletes what conflicts on any unique key, then inserts', () => {
    const p = pg('INSERT OR REPLACE INTO users (id, email, name) VALUES (?, ?, ?)');
    expect(p.action).toBe('replace');
    expect(p.replace).toEqual({
      deleteSql: 'DELETE FROM "users" WHERE ("id" = $1) OR ("email" = $2)',
      deleteParams: [0, 1],
    });
  });

  it('keyless legacy junction tables report every row as inserted', () => {
    const p = pg('INSERT INTO user_roles (user_id, role_id) VALUES (?, 1)');
    expect(p.sql).toMatch(/ON CONFLICT DO NOTHING$/);
    expect(p.attemptedRows).toBe(1);
  });

  it('rewrites SQLite functions and operators', () => {
    expect(pg("SELECT IFNULL(name, ''), GROUP_CONCAT(email) FROM users").sql).toBe(
      `SELECT COALESCE("name", ''), string_agg(("email")::text, ',') FROM "users"`,
    );
    expect(pg("SELECT id FROM users WHERE created_at > datetime('now', '-7 days')").sql).toBe(
      `SELECT "id" FROM "users" WHERE ${legacyTimestampText('"created_at"')} > to_char((now() + interval '-7 day') AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')`,
    );
    expect(pg("SELECT strftime('%Y-%m-%d', created_at) AS d FROM users").sql).toBe(
      `SELECT to_char(("created_at")::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS "d" FROM "users"`,
    );
    expect(pg('SELECT id FROM users WHERE id == 1 LIMIT 2, 5').sql).toBe(
      'SELECT "id" FROM "users" WHERE "id" = 1 LIMIT 5 OFFSET 2',
    );
    const state = pg('SELECT last_insert_rowid() AS id, changes() AS n');
    expect(state.sql).toBe('SELECT $1::bigint AS "id", $2::bigint AS "n"');
    expect(state.stateParams).toEqual(['lastID', 'changes']);
  });

  it('compares and sorts timestamps as their legacy text; date functions give text', () => {
    const lt = legacyTimestampText('"created_at"');
    expect(pg('SELECT id FROM users WHERE created_at >= ? ORDER BY created_at DESC').sql).toBe(
      `SELECT "id" FROM "users" WHERE ${lt} >= $1 ORDER BY ${lt} DESC NULLS LAST`,
    );
    // A whole argument of a date function is read as an instant already.
    expect(pg('SELECT date(created_at) AS d FROM users').sql).toBe(
      `SELECT to_char(("created_at")::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS "d" FROM "users"`,
    );
    // Writes: the column list and SET targets stay; text expressions are cast back.
    expect(
      pg("UPDATE users SET created_at = datetime('now'), last_login = ? WHERE id = 1").sql,
    ).toBe(
      `UPDATE "users" SET "created_at" = (to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'))::timestamptz, "last_login" = $1 WHERE "id" = 1`,
    );
    expect(pg('INSERT INTO users (name, created_at) VALUES (?, CURRENT_TIMESTAMP)').sql).toContain(
      `VALUES ($1, (to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'))::timestamptz)`,
    );
  });

  it('orders NULLs and text as SQLite did', () => {
    expect(pg('SELECT id FROM users ORDER BY name, id DESC').sql).toBe(
      'SELECT "id" FROM "users" ORDER BY "name" COLLATE "C" NULLS FIRST, "id" DESC NULLS LAST',
    );
    // Under DISTINCT, PostgreSQL wants ORDER BY as the select list has it.
    expect(pg('SELECT DISTINCT name FROM users ORDER BY name ASC').sql).toBe(
      'SELECT DISTINCT "name" FROM "users" ORDER BY "name" ASC NULLS FIRST',
    );
    // Without ORDER BY: the order SQLite's plan read the rows in (from the shadow).
    expect(translate('SELECT email FROM users LIMIT 2', view, 'postgres', ['id']).sql).toBe(
      'SELECT "email" FROM "users" ORDER BY "users"."id" NULLS FIRST LIMIT 2',
    );
  });

  it('LIMIT/OFFSET: negative literals as SQLite read them, parameters checked by the driver', () => {
    const p = pg('SELECT id FROM users LIMIT ? OFFSET ?');
    expect(p.limitSlots).toEqual([
      { slot: 0, clause: 'limit' },
      { slot: 1, clause: 'offset' },
    ]);
    expect(pg('SELECT id FROM users LIMIT ?, ?').limitSlots).toEqual([
      { slot: 0, clause: 'offset' },
      { slot: 1, clause: 'limit' },
    ]);
    expect(pg('SELECT id FROM users LIMIT -1 OFFSET -5').sql).toBe(
      'SELECT "id" FROM "users" LIMIT ALL OFFSET 0',
    );
    expect(sqliteLimitValue('2.0', 'limit')).toBe(2);
    expect(sqliteLimitValue(-1, 'limit')).toBeNull();
    expect(sqliteLimitValue(-3, 'offset')).toBe(0);
    expect(() => sqliteLimitValue(null, 'limit')).toThrow('SQLITE_MISMATCH: datatype mismatch');
    expect(() => sqliteLimitValue('abc', 'offset')).toThrow('SQLITE_MISMATCH: datatype mismatch');
    expect(() => sqliteLimitValue(2.5, 'limit')).toThrow('SQLITE_MISMATCH: datatype mismatch');
  });

  it('named parameters become positional slots', () => {
    const p = pg('SELECT id FROM users WHERE email = $email OR name = $email');
    expect(p.sql).toBe('SELECT "id" FROM "users" WHERE "email" = $1 OR "name" = $1');
    expect(p.paramNames).toEqual(['$email']);
  });
});

describe('start-up DDL and PRAGMA', () => {
  it('CREATE TABLE IF NOT EXISTS of an upgraded table is a no-op; a new table gets PostgreSQL types', () => {
    expect(
      pg('CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY AUTOINCREMENT)').action,
    ).toBe('noop');
    expect(
      pg(
        'CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL, kind TEXT DEFAULT "plain", at TEXT DEFAULT CURRENT_TIMESTAMP)',
      ).sql,
    ).toBe(
      `CREATE TABLE IF NOT EXISTS "notes" ("id" bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "body" text NOT NULL, "kind" text DEFAULT 'plain', "at" text DEFAULT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'))`,
    );
  });

  it('ALTER TABLE ADD COLUMN of an existing column fails as SQLite did', () => {
    expect(() => pg('ALTER TABLE users ADD COLUMN passwordHash TEXT')).toThrow(
      'SQLITE_ERROR: duplicate column name: passwordHash',
    );
    expect(pg('ALTER TABLE users ADD COLUMN nickName TEXT').sql).toBe(
      'ALTER TABLE "users" ADD COLUMN "nickName" text',
    );
  });

  it('PRAGMA table_info is answered from the catalog; other PRAGMAs name the idiom', () => {
    expect(pg('PRAGMA table_info(users)')).toMatchObject({ action: 'table-info', table: 'users' });
    expect(pg('PRAGMA foreign_keys = ON').action).toBe('pragma-set');
    expect(() => pg('PRAGMA index_list(users)')).toThrow(/PRAGMA index_list is not supported/);
    expect(() => pg("SELECT 1 FROM users WHERE name GLOB 'A*'")).toThrow(
      /GLOB matching is not supported/,
    );
    expect(() => pg('CREATE TEMP TABLE scratch (x TEXT)')).toThrow(
      /CREATE TEMP TABLE is not supported/,
    );
  });
});

describe('legacy value shapes', () => {
  it('recovers the form a timestamp was written in from its fraction', () => {
    expect(formatTimestamp('2024-01-02 10:00:00.123+00')).toBe('2024-01-02T10:00:00.123Z');
    expect(formatTimestamp('2024-01-02 10:00:00+00')).toBe('2024-01-02 10:00:00');
    expect(formatTimestamp('2024-01-02 11:00:00.123456+01')).toBe('2024-01-02 10:00:00');
  });

  it('prints jsonb compactly, as JSON.stringify did', () => {
    expect(compactJson('{"a": 1, "b": [1, 2], "c": "x, y: z"}')).toBe(
      '{"a":1,"b":[1,2],"c":"x, y: z"}',
    );
  });
});
