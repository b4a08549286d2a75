import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  defaultMigrationsDir,
  migrationChecksum,
} from '../../../main/core/schema/migration-files.js';
import { MigrationRunner, migrateSchema } from '../../../main/core/schema/migration-runner.js';
import { enqueueAudit, pendingCount } from '../../../main/core/stores/audit-outbox.js';
import { PostgresStore } from '../../../main/core/stores/postgres/postgres-store.js';
import { POSTGRES_MIGRATION_LOCK_KEY } from '../../../main/core/schema/migration-dialects.js';
import {
  createScratchDatabase,
  createScratchSchema,
  withAdminClient,
  type ScratchDatabase,
  type ScratchSchema,
} from '../../support/postgres.js';
import {
  copyMigrations,
  NOVA_INDEXES,
  NOVA_TABLES,
  type MigrationsCopy,
} from './migration-fixtures.js';
import { rejection } from '../../support/rejection.js';

const cleanups: (() => Promise<void> | void)[] = [];
let shared: ScratchDatabase;

beforeAll(async () => {
  shared = await createScratchDatabase('nova_migr');
});
afterAll(async () => {
  await shared?.drop();
});

/** An empty schema (standing in for a fresh database) and a store on it, both gone after the test. */
async function freshStore(): Promise<{ store: PostgresStore; db: ScratchSchema }> {
  const db = await createScratchSchema(shared.url);
  const store = new PostgresStore({ url: db.url });
  cleanups.push(
    () => db.drop(),
    () => store.close(),
  );
  return { store, db };
}

function tempMigrations(): MigrationsCopy {
  const copy = copyMigrations('postgres');
  cleanups.push(() => copy.remove());
  return copy;
}

const tableExists = async (store: PostgresStore, name: string): Promise<boolean> =>
  (await store.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [name])).rows[0]!
    .t !== null;

afterEach(async () => {
  // Stores close before their databases are dropped (reverse order of creation).
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

describe('a fresh PostgreSQL database', () => {
  let store: PostgresStore;
  let db: ScratchDatabase;
  beforeAll(async () => {
    db = await createScratchDatabase('nova_migr_fresh');
    store = new PostgresStore({ url: db.url });
  });
  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });

  it('status() lists every shipped file as pending without creating anything', async () => {
    const status = await new MigrationRunner(store).status();
    expect(status.map((s) => [s.version, s.name, s.state])).toEqual([
      [1, 'nova_schema', 'pending'],
      [2, 'audit_outbox', 'pending'],
    ]);
    expect(await tableExists(store, 'nova_schema_migrations')).toBe(false);
  });

  it('migrate() applies all files in order and records their checksums', async () => {
    const summary = await migrateSchema(store);
    expect(summary.alreadyApplied).toBe(0);
    expect(summary.applied.map((m) => m.file)).toEqual([
      '0001_nova_schema.sql',
      '0002_audit_outbox.sql',
    ]);
    expect(
      summary.applied.every((m) => Number.isInteger(m.executionMs) && m.executionMs >= 0),
    ).toBe(true);
    const { rows } = await store.query<{ version: number; checksum: string; execution_ms: number }>(
      'SELECT version, checksum, execution_ms FROM nova_schema_migrations ORDER BY version',
    );
    const dir = defaultMigrationsDir('postgres');
    expect(rows.map((r) => r.checksum)).toEqual([
      migrationChecksum(readFileSync(join(dir, '0001_nova_schema.sql'), 'utf8')),
      migrationChecksum(readFileSync(join(dir, '0002_audit_outbox.sql'), 'utf8')),
    ]);
  });

  it('creates the 16 tables, the outbox and the listed indexes', async () => {
    const { rows } = await store.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
    );
    expect(rows.map((r) => r.table_name).sort()).toEqual(
      [...NOVA_TABLES, 'nova_audit_outbox', 'nova_schema_migrations'].sort(),
    );
    const idx = await store.query<{ indexname: string }>(
      "SELECT indexname FROM pg_indexes WHERE schemaname = 'public'",
    );
    expect(idx.rows.map((r) => r.indexname)).toEqual(expect.arrayContaining(NOVA_INDEXES));
  });

  it('uses booleans, timestamptz and jsonb where the target schema says', async () => {
    const { rows } = await store.query<{ key: string; data_type: string }>(
      `SELECT table_name || '.' || column_name AS key, data_type FROM information_schema.columns
       WHERE table_schema = 'public' AND table_name || '.' || column_name = ANY ($1)`,
      [
        [
          'users.disabled',
          'users.last_login',
          'kiosks.schedule',
          'kiosks.status_enabled',
          'directory_integrations.settings',
          'sso_configurations.configuration',
          'admin_pins.kiosk_pins',
          'logs.timestamp',
          'users.password_hash',
          'kiosks.logo_url',
        ],
      ],
    );
    expect(Object.fromEntries(rows.map((r) => [r.key, r.data_type]))).toEqual({
      'users.disabled': 'boolean',
      'users.last_login': 'timestamp with time zone',
      'users.password_hash': 'text',
      'kiosks.schedule': 'jsonb',
      'kiosks.status_enabled': 'boolean',
      'kiosks.logo_url': 'text',
      'directory_integrations.settings': 'jsonb',
      'sso_configurations.configuration': 'jsonb',
      'admin_pins.kiosk_pins': 'jsonb',
      'logs.timestamp': 'timestamp with time zone',
    });
  });

  it('seeds the legacy roles and permissions with their ids, sequences past them', async () => {
    expect((await store.query('SELECT id, name FROM roles ORDER BY id')).rows).toEqual([
      { id: 1, name: 'superadmin' },
      { id: 2, name: 'admin' },
      { id: 3, name: 'user' },
    ]);
    expect(
      (await store.query('SELECT name FROM permissions ORDER BY id')).rows.map((r) => r.name),
    ).toEqual([
      'manage_users',
      'manage_roles',
      'manage_integrations',
      'manage_system',
      'view_admin_ui',
      'manage_admins',
    ]);
    expect(
      (await store.query("INSERT INTO roles (name) VALUES ('auditor') RETURNING id")).lastInsertId,
    ).toBe(4);
  });

  it('keeps updated_at current on UPDATE of users, kiosks, notifications and config', async () => {
    const old = '2000-01-01T00:00:00Z';
    await store.exec(`
      INSERT INTO users (email, updated_at) VALUES ('a@example.org', '${old}');
      INSERT INTO kiosks (id, updated_at) VALUES ('k1', '${old}');
      INSERT INTO notifications (message, updated_at) VALUES ('hi', '${old}');
      INSERT INTO config (key, value, updated_at) VALUES ('k', 'v', '${old}');`);
    await store.query("UPDATE users SET name = 'A' WHERE email = 'a@example.org'");
    await store.query("UPDATE kiosks SET active = true WHERE id = 'k1'");
    await store.query("UPDATE notifications SET active = false WHERE message = 'hi'");
    await store.query("UPDATE config SET value = 'w' WHERE key = 'k'");
    for (const table of ['users', 'kiosks', 'notifications', 'config']) {
      const { rows } = await store.query<{ updated_at: Date }>(`SELECT updated_at FROM ${table}`);
      expect(rows[0]!.updated_at.getTime(), table).toBeGreaterThan(Date.parse('2020-01-01'));
    }
    // An UPDATE that sets updated_at itself (the legacy migration) keeps its value.
    await store.query(
      "UPDATE users SET name = 'B', updated_at = $1 WHERE email = 'a@example.org'",
      [new Date(old)],
    );
    expect((await store.query('SELECT updated_at FROM users')).rows[0]!.updated_at).toEqual(
      new Date(old),
    );
  });

  it('enforces the keys and constraints of the target schema', async () => {
    const violation = async (sql: string): Promise<string> =>
      (await rejection(store.query(sql))).code;
    expect(
      await violation('INSERT INTO users (name) VALUES ($1)'.replace('$1', "'no email'")),
    ).toBe('CONSTRAINT_VIOLATION');
    expect(await violation("INSERT INTO users (email) VALUES ('a@example.org')")).toBe(
      'CONSTRAINT_VIOLATION',
    );
    expect(await violation('INSERT INTO admin_pins (id) VALUES (2)')).toBe('CONSTRAINT_VIOLATION');
    expect(
      await violation(
        "INSERT INTO passkeys (user_id, credential_id, public_key) VALUES (999, 'c', 'p')",
      ),
    ).toBe('CONSTRAINT_VIOLATION');
    expect(await violation('INSERT INTO user_roles (user_id, role_id) VALUES (999, 1)')).toBe(
      'CONSTRAINT_VIOLATION',
    );
    await store.query("INSERT INTO admin_pins (global_pin, kiosk_pins) VALUES ('1234', $1)", [
      { k1: '0000' },
    ]);
    expect((await store.query('SELECT id, kiosk_pins FROM admin_pins')).rows).toEqual([
      { id: 1, kiosk_pins: { k1: '0000' } },
    ]);
  });

  it('cascades deletes through user_roles, role_permissions and passkeys', async () => {
    const { lastInsertId: userId } = await store.query(
      "INSERT INTO users (email) VALUES ('c@example.org') RETURNING id",
    );
    await store.query('INSERT INTO user_roles (user_id, role_id) VALUES ($1, 2)', [userId]);
    await store.query(
      "INSERT INTO passkeys (user_id, credential_id, public_key) VALUES ($1, 'cred', 'pk')",
      [userId],
    );
    await store.query('INSERT INTO role_permissions (role_id, permission_id) VALUES (3, 5)');
    await store.query('DELETE FROM users WHERE id = $1', [userId]);
    await store.query('DELETE FROM permissions WHERE id = 5');
    const counts = await store.query(
      'SELECT (SELECT count(*) FROM user_roles) AS ur, (SELECT count(*) FROM passkeys) AS pk, (SELECT count(*) FROM role_permissions) AS rp',
    );
    expect(counts.rows[0]).toEqual({ ur: 0, pk: 0, rp: 0 });
  });

  it('has an audit outbox the data layer can write to', async () => {
    await enqueueAudit(store, 'user.login', 7, { ip: '127.0.0.1' });
    expect(await pendingCount(store)).toBe(1);
  });

  it('a second migrate() is a no-op and status() shows everything applied', async () => {
    expect(await migrateSchema(store)).toEqual({ applied: [], alreadyApplied: 2 });
    const status = await new MigrationRunner(store).status();
    expect(status.map((s) => s.state)).toEqual(['applied', 'applied']);
    expect(
      status.every((s) => s.appliedAt instanceof Date && s.checksum === s.appliedChecksum),
    ).toBe(true);
  });
});

describe('refusing and failing', () => {
  it('refuses when an applied file was edited, before applying anything else', async () => {
    const { store } = await freshStore();
    const copy = tempMigrations();
    await migrateSchema(store, { dir: copy.dir });
    const original = readFileSync(join(copy.dir, '0001_nova_schema.sql'), 'utf8');
    copy.write('0001_nova_schema.sql', `${original}\nCREATE TABLE sneaky (id int);\n`);
    copy.write('0003_next.sql', 'CREATE TABLE next_table (id int);');

    const err = await rejection(migrateSchema(store, { dir: copy.dir }));
    expect(err.code).toBe('MIGRATION_CHECKSUM_MISMATCH');
    expect(err.message).toContain('0001_nova_schema.sql');
    expect(err.message).toContain(migrationChecksum(original));
    expect(err.message).toContain(
      migrationChecksum(`${original}\nCREATE TABLE sneaky (id int);\n`),
    );
    expect(err.fix).toMatch(/Restore the original 0001_nova_schema\.sql/);
    expect(err.fix).toContain('new migration');
    expect(await tableExists(store, 'next_table')).toBe(false);
    expect(await tableExists(store, 'sneaky')).toBe(false);

    const status = await new MigrationRunner(store, { dir: copy.dir }).status();
    expect(status.map((s) => [s.version, s.state])).toEqual([
      [1, 'modified'],
      [2, 'applied'],
      [3, 'pending'],
    ]);
  });

  it('accepts the checksum of an earlier text of a file whose comments alone were reworded', async () => {
    const { store } = await freshStore();
    await migrateSchema(store);
    // What a database migrated before 0001's comments were reworded recorded.
    await store.query('UPDATE nova_schema_migrations SET checksum = $1 WHERE version = 1', [
      'e3aa75e144de1a96f6e5b04d7a4633f6042355ea048a97b21a4493dd18e5c11d',
    ]);
    expect(await migrateSchema(store)).toEqual({ applied: [], alreadyApplied: 2 });
    expect((await new MigrationRunner(store).status())[0]!.state).toBe('applied');
    // Any other recorded checksum is still an edit.
    await store.query("UPDATE nova_schema_migrations SET checksum = 'abc' WHERE version = 1");
    expect((await rejection(migrateSchema(store))).code).toBe('MIGRATION_CHECKSUM_MISMATCH');
  });

  it('does not treat CRLF line endings of a checkout as an edit', async () => {
    const { store } = await freshStore();
    const copy = tempMigrations();
    await migrateSchema(store, { dir: copy.dir });
    const original = readFileSync(join(copy.dir, '0002_audit_outbox.sql'), 'utf8');
    copy.write('0002_audit_outbox.sql', original.replace(/\n/g, '\r\n'));
    expect(await migrateSchema(store, { dir: copy.dir })).toEqual({
      applied: [],
      alreadyApplied: 2,
    });
  });

  it('rolls a failing migration back completely and does not record it', async () => {
    const { store } = await freshStore();
    const copy = tempMigrations();
    copy.write(
      '0003_broken.sql',
      'CREATE TABLE half_done (id int);\nINSERT INTO no_such_table VALUES (1);\n',
    );

    const err = await rejection(migrateSchema(store, { dir: copy.dir }));
    expect(err.code).toBe('MIGRATION_FAILED');
    expect(err.message).toContain('0003_broken.sql');
    expect(err.message).toContain('relation "no_such_table" does not exist');
    expect(err.message).toContain('SQLSTATE 42P01');
    expect(err.message).toContain('0001_nova_schema.sql, 0002_audit_outbox.sql');
    expect(err.fix).toContain(join(copy.dir, '0003_broken.sql'));
    expect(await tableExists(store, 'half_done')).toBe(false);
    expect(await tableExists(store, 'users')).toBe(true);
    const status = await new MigrationRunner(store, { dir: copy.dir }).status();
    expect(status.map((s) => s.state)).toEqual(['applied', 'applied', 'pending']);

    // Not recorded, so fixing the file in place is allowed.
    copy.write('0003_broken.sql', 'CREATE TABLE half_done (id int);\n');
    expect((await migrateSchema(store, { dir: copy.dir })).applied.map((m) => m.version)).toEqual([
      3,
    ]);
    expect(await tableExists(store, 'half_done')).toBe(true);
  });

  it('reports a migration recorded in the database without a file as missing', async () => {
    const { store } = await freshStore();
    await migrateSchema(store);
    await store.query(
      "INSERT INTO nova_schema_migrations (version, name, checksum, execution_ms) VALUES (9999, 'from_newer_nova', 'abc', 1)",
    );
    const status = await new MigrationRunner(store).status();
    expect(status.at(-1)).toMatchObject({
      version: 9999,
      name: 'from_newer_nova',
      file: null,
      state: 'missing',
      appliedChecksum: 'abc',
    });
  });

  it('a migrations directory that does not exist is a clear MIGRATION_FAILED, before any connection', async () => {
    // Nothing listens on port 1: reaching the server would fail differently.
    const store = new PostgresStore({ url: 'postgres://postgres@127.0.0.1:1/nova' });
    cleanups.push(() => store.close());
    const err = await rejection(migrateSchema(store, { dir: '/nonexistent/nova-sql' }));
    expect(err.code).toBe('MIGRATION_FAILED');
    expect(err.message).toContain('/nonexistent/nova-sql');
  });
});

describe('concurrent runners', () => {
  it('two runners on separate pools apply each file exactly once', async () => {
    const { db } = await freshStore();
    const copy = tempMigrations();
    // A slow file widens the window in which the two runners overlap.
    copy.write(
      '0003_slow.sql',
      'SELECT pg_sleep(0.3);\nCREATE TABLE slow_done (id int);\nINSERT INTO slow_done VALUES (1);\n',
    );
    copy.write('0004_after.sql', 'INSERT INTO slow_done VALUES (2);\n');
    const a = new PostgresStore({ url: db.url });
    const b = new PostgresStore({ url: db.url });
    cleanups.push(
      () => a.close(),
      () => b.close(),
    );

    const [ra, rb] = await Promise.all([
      migrateSchema(a, { dir: copy.dir }),
      migrateSchema(b, { dir: copy.dir }),
    ]);

    const appliedVersions = [...ra.applied, ...rb.applied].map((m) => m.version).sort();
    expect(appliedVersions).toEqual([1, 2, 3, 4]);
    expect(ra.applied.length + ra.alreadyApplied).toBe(4);
    expect(rb.applied.length + rb.alreadyApplied).toBe(4);
    expect(
      (await a.query('SELECT version FROM nova_schema_migrations ORDER BY version')).rows.map(
        (r) => r.version,
      ),
    ).toEqual([1, 2, 3, 4]);
    // Data inserted by a migration appears once, not once per runner.
    expect((await a.query('SELECT id FROM slow_done ORDER BY id')).rows).toEqual([
      { id: 1 },
      { id: 2 },
    ]);
    expect((await a.query('SELECT count(*) AS n FROM roles')).rows[0]).toEqual({ n: 3 });
  });

  it('a runner that read "pending" before the other applied the file re-checks under the lock', async () => {
    const { db, store } = await freshStore();
    const empty = tempMigrations();
    for (const f of ['0001_nova_schema.sql', '0002_audit_outbox.sql']) rmSync(join(empty.dir, f));
    await migrateSchema(store, { dir: empty.dir }); // only the bookkeeping table
    const copy = tempMigrations();
    const a = new PostgresStore({ url: db.url });
    const b = new PostgresStore({ url: db.url });
    cleanups.push(
      () => a.close(),
      () => b.close(),
    );

    // Hold the runners' lock so both read "nothing applied" and then queue
    // for it; when it is released one applies 0001 and the other must notice.
    await withAdminClient(async (admin) => {
      await admin.query(`SELECT pg_advisory_lock(${POSTGRES_MIGRATION_LOCK_KEY})`);
      const both = Promise.all([
        migrateSchema(a, { dir: copy.dir }),
        migrateSchema(b, { dir: copy.dir }),
      ]);
      const waiting = async () =>
        (
          await admin.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM pg_locks
             WHERE locktype = 'advisory' AND NOT granted
               AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
          )
        ).rows[0]!.n;
      const deadline = Date.now() + 5_000;
      while ((await waiting()) < 2 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 10));
      expect(await waiting()).toBe(2);
      await admin.query(`SELECT pg_advisory_unlock(${POSTGRES_MIGRATION_LOCK_KEY})`);
      const [ra, rb] = await both;
      expect([...ra.applied, ...rb.applied].map((m) => m.version).sort()).toEqual([1, 2]);
      expect(ra.alreadyApplied + rb.alreadyApplied).toBe(2);
    }, db.url);
  });
});
