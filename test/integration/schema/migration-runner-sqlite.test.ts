import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { migrationChecksum } from '../../../main/core/schema/migration-files.js';
import {
  MigrationRunner,
  migrateSchema,
  type MigrationSummary,
} from '../../../main/core/schema/migration-runner.js';
import { enqueueAudit, pendingCount } from '../../../main/core/stores/audit-outbox.js';
import { SqliteRelationalStore } from '../../../main/core/stores/sqlite/relational-store.js';
import { transpileForChild, type TranspiledTree } from './child-process-modules.js';
import {
  copyMigrations,
  NOVA_INDEXES,
  NOVA_TABLES,
  type MigrationsCopy,
} from './migration-fixtures.js';
import { rejection } from '../../support/rejection.js';

let workDir: string;
const cleanups: (() => Promise<void> | void)[] = [];

beforeAll(() => {
  workDir = mkdtempSync(join(tmpdir(), 'nova-sqlite-migr-'));
});
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});
afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

let counter = 0;
function freshStore(): SqliteRelationalStore {
  counter += 1;
  const store = SqliteRelationalStore.open(join(workDir, `db${counter}.sqlite`), {
    busyTimeoutMs: 5_000,
  });
  cleanups.push(() => store.close());
  return store;
}

function tempMigrations(): MigrationsCopy {
  const copy = copyMigrations('sqlite');
  cleanups.push(() => copy.remove());
  return copy;
}

const tableExists = async (store: SqliteRelationalStore, name: string): Promise<boolean> =>
  (await store.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = $1", [name])).rows
    .length === 1;

describe('a fresh SQLite database', () => {
  let store: SqliteRelationalStore;
  beforeAll(() => {
    store = SqliteRelationalStore.open(join(workDir, 'fresh.sqlite'), { busyTimeoutMs: 5_000 });
  });
  afterAll(async () => {
    await store?.close();
  });

  it('status() lists the shipped files as pending without creating anything', async () => {
    const status = await new MigrationRunner(store).status();
    expect(status.map((s) => [s.file, s.state])).toEqual([
      ['0001_nova_schema.sql', 'pending'],
      ['0002_audit_outbox.sql', 'pending'],
    ]);
    expect(await tableExists(store, 'nova_schema_migrations')).toBe(false);
  });

  it('migrate() applies every file, creating the 16 tables, the outbox and the indexes', async () => {
    const summary = await migrateSchema(store);
    expect(summary.applied.map((m) => m.version)).toEqual([1, 2]);
    const { rows } = await store.query<{ name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    );
    expect(rows.map((r) => r.name).sort()).toEqual(
      [...NOVA_TABLES, 'nova_audit_outbox', 'nova_schema_migrations'].sort(),
    );
    const idx = await store.query<{ name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'index'",
    );
    expect(idx.rows.map((r) => r.name)).toEqual(expect.arrayContaining(NOVA_INDEXES));
    const recorded = await store.query<{ checksum: string; applied_at: string }>(
      'SELECT checksum, applied_at FROM nova_schema_migrations WHERE version = 1',
    );
    expect(recorded.rows[0]!.checksum).toBe(
      migrationChecksum(
        readFileSync(
          new URL('../../../main/core/schema/sql/sqlite/0001_nova_schema.sql', import.meta.url),
          'utf8',
        ),
      ),
    );
    expect(recorded.rows[0]!.applied_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('seeds roles and permissions with the legacy ids', async () => {
    expect((await store.query('SELECT id, name FROM roles ORDER BY id')).rows).toEqual([
      { id: 1, name: 'superadmin' },
      { id: 2, name: 'admin' },
      { id: 3, name: 'user' },
    ]);
    expect((await store.query('SELECT count(*) AS n FROM permissions')).rows[0]).toEqual({ n: 6 });
  });

  it('keeps updated_at current on UPDATE, unless the UPDATE sets it', async () => {
    const old = '2000-01-01T00:00:00.000Z';
    await store.exec(`
      INSERT INTO users (email, updated_at) VALUES ('a@example.org', '${old}');
      INSERT INTO kiosks (id, updated_at) VALUES ('k1', '${old}');
      INSERT INTO notifications (message, updated_at) VALUES ('hi', '${old}');
      INSERT INTO config (key, value, updated_at) VALUES ('k', 'v', '${old}');`);
    await store.query("UPDATE users SET name = 'A'");
    await store.query('UPDATE kiosks SET active = 1');
    await store.query('UPDATE notifications SET active = 0');
    await store.query("UPDATE config SET value = 'w'");
    for (const table of ['users', 'kiosks', 'notifications', 'config']) {
      const { rows } = await store.query<{ updated_at: string }>(`SELECT updated_at FROM ${table}`);
      expect(Date.parse(rows[0]!.updated_at), table).toBeGreaterThan(Date.parse('2020-01-01'));
    }
    await store.query("UPDATE users SET name = 'B', updated_at = $1", [old]);
    expect((await store.query('SELECT updated_at FROM users')).rows[0]).toEqual({
      updated_at: old,
    });
  });

  it('enforces booleans, JSON, the single admin_pins row, foreign keys and unique email', async () => {
    const violation = async (sql: string): Promise<string> =>
      (await rejection(store.query(sql))).code;
    expect(await violation("INSERT INTO kiosks (id, active) VALUES ('k2', 2)")).toBe(
      'CONSTRAINT_VIOLATION',
    );
    expect(await violation("INSERT INTO kiosks (id, schedule) VALUES ('k3', '{not json')")).toBe(
      'CONSTRAINT_VIOLATION',
    );
    expect(await violation('INSERT INTO admin_pins (id) VALUES (2)')).toBe('CONSTRAINT_VIOLATION');
    expect(
      await violation(
        "INSERT INTO passkeys (user_id, credential_id, public_key) VALUES (999, 'c', 'p')",
      ),
    ).toBe('CONSTRAINT_VIOLATION');
    expect(await violation("INSERT INTO users (email) VALUES ('a@example.org')")).toBe(
      'CONSTRAINT_VIOLATION',
    );
    expect(await violation('INSERT INTO users (name) VALUES (NULL)')).toBe('CONSTRAINT_VIOLATION');
  });

  it('cascades deletes from users to user_roles and passkeys', async () => {
    const { lastInsertId: id } = await store.query(
      "INSERT INTO users (email) VALUES ('c@example.org')",
    );
    await store.query('INSERT INTO user_roles (user_id, role_id) VALUES ($1, 1)', [id]);
    await store.query(
      "INSERT INTO passkeys (user_id, credential_id, public_key) VALUES ($1, 'c', 'p')",
      [id],
    );
    await store.query('DELETE FROM users WHERE id = $1', [id]);
    expect(
      (
        await store.query(
          'SELECT (SELECT count(*) FROM user_roles) + (SELECT count(*) FROM passkeys) AS n',
        )
      ).rows[0],
    ).toEqual({ n: 0 });
  });

  it('has an audit outbox the data layer can write to', async () => {
    await enqueueAudit(store, 'user.login', 'u-1', { ok: true });
    expect(await pendingCount(store)).toBe(1);
  });

  it('a second migrate() is a no-op and status() shows everything applied', async () => {
    expect(await migrateSchema(store)).toEqual({ applied: [], alreadyApplied: 2 });
    const status = await new MigrationRunner(store).status();
    expect(status.map((s) => s.state)).toEqual(['applied', 'applied']);
    expect(status[0]!.appliedAt).toBeInstanceOf(Date);
  });
});

describe('refusing and failing on SQLite', () => {
  it('refuses when an applied file was edited, before applying anything', async () => {
    const store = freshStore();
    const copy = tempMigrations();
    await migrateSchema(store, { dir: copy.dir });
    const original = readFileSync(join(copy.dir, '0002_audit_outbox.sql'), 'utf8');
    copy.write('0002_audit_outbox.sql', original.replace('attempts', 'tries'));
    copy.write('0003_next.sql', 'CREATE TABLE next_table (id INTEGER);');
    const err = await rejection(migrateSchema(store, { dir: copy.dir }));
    expect(err.code).toBe('MIGRATION_CHECKSUM_MISMATCH');
    expect(err.message).toContain('0002_audit_outbox.sql');
    expect(err.message).toContain(migrationChecksum(original));
    expect(await tableExists(store, 'next_table')).toBe(false);
  });

  it('rolls a failing migration back completely, including DDL, and does not record it', async () => {
    const store = freshStore();
    const copy = tempMigrations();
    copy.write(
      '0003_broken.sql',
      'CREATE TABLE half_done (id INTEGER);\nINSERT INTO no_such_table VALUES (1);\n',
    );
    const err = await rejection(migrateSchema(store, { dir: copy.dir }));
    expect(err.code).toBe('MIGRATION_FAILED');
    expect(err.message).toContain('0003_broken.sql');
    expect(err.message).toContain('no_such_table');
    expect(await tableExists(store, 'half_done')).toBe(false);
    const status = await new MigrationRunner(store, { dir: copy.dir }).status();
    expect(status.map((s) => s.state)).toEqual(['applied', 'applied', 'pending']);
  });
});

describe('concurrent runners in separate processes on one file', () => {
  let tree: TranspiledTree;
  beforeAll(() => {
    tree = transpileForChild(
      ['main/core/stores/sqlite/relational-store.ts', 'main/core/schema/migration-runner.ts'],
      ['main/core/schema/sql'],
    );
    writeFileSync(
      join(tree.root, 'run-migrations.mjs'),
      `import { SqliteRelationalStore } from './main/core/stores/sqlite/relational-store.js';
import { migrateSchema } from './main/core/schema/migration-runner.js';
const [file, dir] = process.argv.slice(2);
const store = SqliteRelationalStore.open(file, { busyTimeoutMs: 20000 });
process.stderr.write('opened\\n');
try {
  process.stdout.write(JSON.stringify(await migrateSchema(store, { dir })));
} finally {
  await store.close();
}
`,
    );
  });
  afterAll(() => tree?.remove());

  it('applies each file exactly once, even when both read "pending" before either applied', async () => {
    const file = join(workDir, 'shared.sqlite');
    const empty = mkdtempSync(join(tmpdir(), 'nova-empty-migrations-'));
    cleanups.push(() => rmSync(empty, { recursive: true, force: true }));
    const setup = SqliteRelationalStore.open(file, { busyTimeoutMs: 5_000 });
    await migrateSchema(setup, { dir: empty }); // only the bookkeeping table
    await setup.close();

    const copy = tempMigrations();
    copy.write(
      '0003_marks.sql',
      "CREATE TABLE marks (who TEXT);\nINSERT INTO marks VALUES ('0003');",
    );
    copy.write('0004_after.sql', "INSERT INTO marks VALUES ('0004');");

    // Hold the write lock so both runners read "nothing applied" and then wait
    // in BEGIN IMMEDIATE; on release one applies 0001 and the other must re-check.
    const holder = new Database(file);
    holder.exec('BEGIN IMMEDIATE');
    const opened: Promise<void>[] = [];
    const runs = [0, 1].map(() => {
      const child = execa('node', [join(tree.root, 'run-migrations.mjs'), file, copy.dir]);
      opened.push(new Promise((resolve) => child.stderr?.once('data', () => resolve())));
      return child;
    });
    try {
      await Promise.all(opened);
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      holder.exec('COMMIT');
      holder.close();
    }
    const results = await Promise.all(runs);
    const [a, b] = results.map((r) => JSON.parse(r.stdout) as MigrationSummary) as [
      MigrationSummary,
      MigrationSummary,
    ];

    expect([...a.applied, ...b.applied].map((m) => m.version).sort()).toEqual([1, 2, 3, 4]);
    expect(a.applied.length + a.alreadyApplied).toBe(4);
    expect(b.applied.length + b.alreadyApplied).toBe(4);
    const store = SqliteRelationalStore.open(file, { busyTimeoutMs: 5_000 });
    cleanups.push(() => store.close());
    expect((await store.query('SELECT who FROM marks ORDER BY who')).rows).toEqual([
      { who: '0003' },
      { who: '0004' },
    ]);
    expect((await store.query('SELECT count(*) AS n FROM roles')).rows[0]).toEqual({ n: 3 });
  });
});
