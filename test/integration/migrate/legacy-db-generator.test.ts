import { copyFileSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  generateLegacyDatabase,
  HOSTILE_COLUMN,
  HOSTILE_TABLE,
  WAL_ONLY_LOGS,
  type GeneratedLegacyDb,
} from '../../fixtures/legacy-db-generator.js';

let dir: string;
let generated: GeneratedLegacyDb;
let db: Database.Database;

const typeOf = (sql: string, ...params: unknown[]): string | undefined =>
  db
    .prepare(sql)
    .pluck()
    .get(...params) as string | undefined;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'nova-legacy-gen-'));
  generated = generateLegacyDatabase(join(dir, 'log.sqlite'), {
    users: 10,
    logs: 50,
    kiosks: 3,
    quirks: true,
  });
  db = new Database(generated.file, { readonly: true });
});

afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('legacy fixture: schema as the old API grew it', () => {
  it('has the legacy tables with camelCase columns appended by ALTER TABLE', () => {
    const cols = (t: string): string[] =>
      db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all(t) as string[];
    expect(cols('users')).toEqual([
      'id',
      'name',
      'email',
      'last_login',
      'created_at',
      'passwordHash',
      'disabled',
      'is_default',
      'nickname',
    ]);
    expect(cols('kiosks')).toEqual([
      'id',
      'last_seen',
      'version',
      'active',
      'logoUrl',
      'bgUrl',
      'statusEnabled',
      'currentStatus',
      'openMsg',
      'closedMsg',
      'errorMsg',
      'schedule',
      'meetingMsg',
      'brbMsg',
      'lunchMsg',
      'unavailableMsg',
    ]);
    expect(cols('notifications')).toEqual([
      'id',
      'message',
      'level',
      'active',
      'created_at',
      'type',
    ]);
    expect(cols('roles')).toEqual(['id', 'name', 'description']);
    expect(cols('logs').at(-1)).toBe('servicenow_id');
    expect(
      db
        .prepare("SELECT dflt_value FROM pragma_table_info('notifications') WHERE name = 'type'")
        .pluck()
        .get(),
    ).toBe('"system"');
  });

  it('has the seeded roles and permissions and the late unique index on email', () => {
    expect(db.prepare('SELECT id, name FROM roles ORDER BY id').raw().all()).toEqual([
      [1, 'superadmin'],
      [2, 'admin'],
      [3, 'user'],
    ]);
    expect(db.prepare('SELECT count(*) FROM permissions').pluck().get()).toBe(6);
    expect(
      db
        .prepare("SELECT \"unique\" FROM pragma_index_list('users') WHERE name = 'idx_users_email'")
        .pluck()
        .get(),
    ).toBe(1);
  });

  it('reports row counts as a reader sees them', () => {
    for (const [table, count] of Object.entries(generated.rowCounts)) {
      expect(
        db
          .prepare(`SELECT count(*) FROM "${table.replaceAll('"', '""')}"`)
          .pluck()
          .get(),
        table,
      ).toBe(count);
    }
    expect(generated.rowCounts.users).toBe(10 + 8);
    expect(generated.rowCounts.logs).toBe(50 + 8);
  });
});

describe('legacy fixture: every quirk is in the file', () => {
  it('stores booleans as integers and as text', () => {
    const shapes = db
      .prepare("SELECT DISTINCT typeof(disabled) || ':' || disabled FROM users ORDER BY 1")
      .pluck()
      .all();
    expect(shapes).toEqual(
      expect.arrayContaining(['integer:0', 'integer:1', 'text:true', 'text:yes', 'text:no']),
    );
  });

  it('stores timestamps in every shape', () => {
    const logins = db.prepare('SELECT last_login FROM users').pluck().all() as (string | null)[];
    expect(logins).toEqual(
      expect.arrayContaining([
        '2024-03-01T10:00:00+02:00',
        '2024-03-01',
        '1700000000',
        '1700000000000',
        '1700000000123.0',
        'not a date',
        '',
        '2024-05-06T07:08:09.123Z',
      ]),
    );
    expect(
      logins.some(
        (v) => typeof v === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(v),
      ),
    ).toBe(true);
    const stamps = db.prepare('SELECT timestamp FROM logs').pluck().all() as string[];
    expect(stamps.some((v) => /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(v))).toBe(true);
  });

  it("stores '' in nullable columns", () => {
    expect(db.prepare("SELECT count(*) FROM logs WHERE servicenow_id = ''").pluck().get()).toBe(2);
    expect(db.prepare("SELECT count(*) FROM kiosks WHERE currentStatus = ''").pluck().get()).toBe(
      1,
    );
  });

  it('stores valid and invalid JSON in the JSON columns', () => {
    const valid = (sql: string): number[] => db.prepare(sql).pluck().all() as number[];
    expect(valid('SELECT json_valid(schedule) FROM kiosks WHERE schedule IS NOT NULL')).toEqual(
      expect.arrayContaining([0, 1]),
    );
    expect(valid('SELECT json_valid(settings) FROM directory_integrations')).toEqual(
      expect.arrayContaining([0, 1]),
    );
    expect(valid('SELECT json_valid(configuration) FROM sso_configurations')).toEqual(
      expect.arrayContaining([0, 1]),
    );
    expect(valid('SELECT json_valid(kiosk_pins) FROM admin_pins')).toEqual([0]);
  });

  it('stores text with NUL bytes, a BLOB in a TEXT column and a REAL in an INTEGER column', () => {
    expect(
      db.prepare('SELECT count(*) FROM logs WHERE instr(title, char(0)) > 0').pluck().get(),
    ).toBe(1);
    expect(
      db.prepare('SELECT count(*) FROM feedback WHERE instr(message, char(0)) > 0').pluck().get(),
    ).toBe(1);
    expect(db.prepare("SELECT count(*) FROM logs WHERE typeof(name) = 'blob'").pluck().get()).toBe(
      2,
    );
    expect(typeOf("SELECT typeof(url) FROM assets WHERE name = 'Binary url'")).toBe('blob');
    const counters = db
      .prepare(
        "SELECT typeof(counter) || ':' || counter FROM passkeys WHERE credential_id = 'shared-credential'",
      )
      .pluck()
      .all();
    // 3.0 is stored as the integer 3: INTEGER affinity converts exact reals.
    expect(counters.sort()).toEqual(['integer:3', 'real:3.5']);
  });

  it('has duplicate and orphan junction rows', () => {
    const dupes = (t: string, a: string, b: string): number =>
      db
        .prepare(
          `SELECT count(*) FROM (SELECT ${a}, ${b} FROM ${t} GROUP BY 1, 2 HAVING count(*) > 1)`,
        )
        .pluck()
        .get() as number;
    expect(dupes('user_roles', 'user_id', 'role_id')).toBe(1);
    expect(dupes('role_permissions', 'role_id', 'permission_id')).toBe(8);
    expect(
      db
        .prepare(
          'SELECT count(*) FROM user_roles WHERE user_id NOT IN (SELECT id FROM users) OR role_id NOT IN (SELECT id FROM roles)',
        )
        .pluck()
        .get(),
    ).toBe(2);
    expect(
      db
        .prepare(
          'SELECT count(*) FROM role_permissions WHERE role_id NOT IN (SELECT id FROM roles) OR permission_id NOT IN (SELECT id FROM permissions)',
        )
        .pluck()
        .get(),
    ).toBe(2);
  });

  it('has case-duplicate emails, a NULL email and one credential on two users', () => {
    expect(
      db
        .prepare("SELECT email FROM users WHERE lower(email) = 'bob@x.com' ORDER BY email")
        .pluck()
        .all(),
    ).toEqual(['Bob@x.com', 'bob@x.com']);
    expect(db.prepare('SELECT count(*) FROM users WHERE email IS NULL').pluck().get()).toBe(1);
    expect(
      db
        .prepare(
          "SELECT count(DISTINCT user_id) FROM passkeys WHERE credential_id = 'shared-credential'",
        )
        .pluck()
        .get(),
    ).toBe(2);
  });

  it('has an unknown table and column, a view, a trigger and a hostile table name', () => {
    const objects = db
      .prepare("SELECT type || ':' || name FROM sqlite_schema ORDER BY 1")
      .pluck()
      .all();
    expect(objects).toEqual(
      expect.arrayContaining([
        'table:legacy_notes',
        'view:active_users',
        'trigger:users_delete_roles',
        `table:${HOSTILE_TABLE}`,
      ]),
    );
    expect(
      db
        .prepare("SELECT count(*) FROM pragma_table_info('users') WHERE name = 'nickname'")
        .pluck()
        .get(),
    ).toBe(1);
    const q = `"${HOSTILE_TABLE.replaceAll('"', '""')}"`;
    expect(
      db
        .prepare(`SELECT "${HOSTILE_COLUMN.replaceAll('"', '""')}" FROM ${q} ORDER BY id`)
        .pluck()
        .all(),
    ).toEqual(['still here', "'); DROP TABLE logs; --"]);
  });
});

describe('legacy fixture generation', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const dump = (file: string): string => {
      const d = new Database(file, { readonly: true });
      try {
        return JSON.stringify(
          ['users', 'logs', 'kiosks'].map((t) =>
            d.prepare(`SELECT * FROM ${t} ORDER BY rowid`).raw().all(),
          ),
        );
      } finally {
        d.close();
      }
    };
    const a = generateLegacyDatabase(join(dir, 'a.sqlite'), { users: 5, logs: 30, seed: 7 });
    const b = generateLegacyDatabase(join(dir, 'b.sqlite'), { users: 5, logs: 30, seed: 7 });
    const c = generateLegacyDatabase(join(dir, 'c.sqlite'), { users: 5, logs: 30, seed: 8 });
    expect(dump(a.file)).toBe(dump(b.file));
    expect(dump(a.file)).not.toBe(dump(c.file));
    expect(a.quirks).toBeNull();
  });

  it('leaves rows that exist only in the WAL file', () => {
    const g = generateLegacyDatabase(join(dir, 'wal.sqlite'), {
      users: 3,
      logs: 20,
      walRows: true,
    });
    expect(existsSync(`${g.file}-wal`)).toBe(true);
    expect(statSync(`${g.file}-wal`).size).toBeGreaterThan(32);
    expect(g.walOnlyRows).toEqual({ logs: WAL_ONLY_LOGS, feedback: 1 });
    // The main file alone (WAL moved away) does not have them…
    const alone = join(dir, 'main-only.sqlite');
    copyFileSync(g.file, alone);
    const mainOnly = new Database(alone, { readonly: true });
    expect(
      mainOnly.prepare("SELECT count(*) FROM logs WHERE ticket_id LIKE 'WAL-%'").pluck().get(),
    ).toBe(0);
    mainOnly.close();
    // …and a reader of the file with its WAL does.
    const reader = new Database(g.file, { readonly: true });
    expect(
      reader.prepare("SELECT count(*) FROM logs WHERE ticket_id LIKE 'WAL-%'").pluck().get(),
    ).toBe(WAL_ONLY_LOGS);
    expect(reader.prepare('SELECT count(*) FROM logs').pluck().get()).toBe(g.rowCounts.logs);
    reader.close();
  });
});

describe('legacy fixture: dirty data (defectRate)', () => {
  const options = { users: 4000, logs: 20_000, kiosks: 1000, passkeys: 1000, seed: 5 };

  it('spreads defects through every large table at about the rate, anywhere in the table', () => {
    const clean = generateLegacyDatabase(join(dir, 'clean.sqlite'), options);
    const dirty = generateLegacyDatabase(join(dir, 'dirty.sqlite'), {
      ...options,
      defectRate: 0.02,
    });
    expect(clean.defects).toBeNull();
    for (const table of ['users', 'user_roles', 'passkeys', 'logs', 'kiosks']) {
      const n = Object.values(dirty.defects![table] ?? {}).reduce((a, b) => a + (b ?? 0), 0);
      // ±50% of 2% of the rows: a seeded Bernoulli draw, not an exact count.
      expect(n, table).toBeGreaterThan(clean.rowCounts[table]! * 0.01);
      expect(n, table).toBeLessThan(clean.rowCounts[table]! * 0.03);
    }
    // The dirty file holds the clean file's rows (plus repeated junction rows), values changed in place.
    for (const table of ['users', 'passkeys', 'logs', 'kiosks'])
      expect(dirty.rowCounts[table], table).toBe(clean.rowCounts[table]);
    expect(dirty.rowCounts.user_roles).toBe(
      clean.rowCounts.user_roles! + (dirty.defects!.user_roles!['duplicate-row'] ?? 0),
    );

    const d = new Database(dirty.file, { readonly: true });
    try {
      const rowids = (sql: string): number[] => d.prepare(sql).pluck().all() as number[];
      const spread = (ids: number[], total: number): void => {
        expect(ids.length).toBeGreaterThan(5);
        // Not bunched at the end: some in the first third, some in the last.
        expect(ids.some((r) => r < total / 3)).toBe(true);
        expect(ids.some((r) => r > (2 * total) / 3)).toBe(true);
      };
      spread(rowids("SELECT id FROM users WHERE email GLOB 'User*@Example.COM'"), 4000);
      spread(
        rowids('SELECT id FROM logs WHERE instr(title, char(0)) OR instr(name, char(0))'),
        20_000,
      );
      spread(
        rowids(
          "SELECT rowid FROM user_roles WHERE typeof(role_id) <> 'integer' OR typeof(user_id) <> 'integer' OR user_id > 4000",
        ),
        dirty.rowCounts.user_roles!,
      );
      // Each case-duplicate e-mail is another user's e-mail in other case.
      const dupes = d
        .prepare(
          "SELECT count(*) FROM users a JOIN users b ON lower(a.email) = lower(b.email) AND a.id <> b.id WHERE a.email GLOB 'User*'",
        )
        .pluck()
        .get() as number;
      expect(dupes).toBe(dirty.defects!.users!['case-duplicate-email']);
      expect(
        d.prepare("SELECT count(*) FROM passkeys WHERE typeof(counter) = 'real'").pluck().get(),
      ).toBe(dirty.defects!.passkeys!['fraction-in-integer'] ?? 0);
    } finally {
      d.close();
    }
  });

  it('refuses a rate outside 0.1%–5%', () => {
    for (const defectRate of [0, 0.0001, 0.06, Number.NaN])
      expect(() =>
        generateLegacyDatabase(join(dir, 'bad-rate.sqlite'), { ...options, defectRate }),
      ).toThrow(/outside 0.001–0.05/);
  });
});
