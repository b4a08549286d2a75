/**
 * The built-in Nova plan against the real things it describes: the quirky
 * legacy fixture (resolve + convert every row) and the PostgreSQL target
 * schema file applied to a scratch database on the machine's server.
 */
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  isNovaLegacyDatabase,
  novaLegacyPlan,
} from '../../../main/core/migrate/builtin-nova-plan.js';
import { pgColumnType } from '../../../main/core/migrate/casts/index.js';
import { convertRow, type Change, type Reject } from '../../../main/core/migrate/convert-row.js';
import {
  inspect,
  inspectDatabase,
  type InspectReport,
} from '../../../main/core/migrate/inspect.js';
import { preflight } from '../../../main/core/migrate/preflight.js';
import { planForSnapshot } from '../../../main/core/migrate/run/job-setup.js';
import {
  resolvePlan,
  type ResolvedPlan,
  type ResolvedTable,
} from '../../../main/core/migrate/resolve-plan.js';
import { selectSql } from '../../../main/core/migrate/source-select.js';
import {
  generateLegacyDatabase,
  HOSTILE_TABLE,
  type GeneratedLegacyDb,
} from '../../fixtures/legacy-db-generator.js';
import { createFirstReleaseSchema } from '../../fixtures/legacy-db-schema.js';
import {
  createScratchDatabase,
  withAdminClient,
  type ScratchDatabase,
} from '../../support/postgres.js';

let dir: string;
let generated: GeneratedLegacyDb;
let snapshot: string;
let report: InspectReport;
let resolved: ResolvedPlan;

interface TableOutcome {
  rows: unknown[][];
  rejects: (Reject & { rowid: unknown })[];
  changes: Change[];
}
const outcomes = new Map<string, TableOutcome>();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nova-builtin-plan-'));
  generated = generateLegacyDatabase(join(dir, 'log.sqlite'), {
    users: 10,
    logs: 40,
    kiosks: 3,
    quirks: true,
  });
  snapshot = (await preflight(generated.file, join(dir, 'work'))).snapshotFile;
  report = inspect(snapshot);
  resolved = resolvePlan(novaLegacyPlan, report);

  // A dry run of every table: what convertRow makes of each source row.
  const db = new Database(snapshot, { readonly: true });
  for (const table of resolved.tables) {
    const outcome: TableOutcome = { rows: [], rejects: [], changes: [] };
    for (const row of db.prepare(selectSql(table)).raw().iterate() as Iterable<unknown[]>) {
      const r = convertRow(table, row);
      if (r.ok) {
        outcome.rows.push(r.values);
        outcome.changes.push(...r.changes);
      } else {
        outcome.rejects.push({ ...r.reject, rowid: row[table.readColumns.length] });
      }
    }
    outcomes.set(table.source, outcome);
  }
  db.close();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const tableOf = (source: string): ResolvedTable =>
  resolved.tables.find((t) => t.source === source)!;
const outcome = (source: string): TableOutcome => outcomes.get(source)!;
/** The converted rows of `source` as objects keyed by target column. */
const rowsOf = (source: string): Record<string, unknown>[] =>
  outcome(source).rows.map((values) =>
    Object.fromEntries(tableOf(source).outputColumns.map((c, i) => [c, values[i]])),
  );

describe('built-in plan on the quirky legacy file', () => {
  it('recognises the file as Nova legacy', () => {
    expect(isNovaLegacyDatabase(report)).toBe(true);
  });

  it('lists everything it does not migrate as-is: unknown table and column, view, trigger', () => {
    const d = (table: string, column?: string) =>
      resolved.decisions
        .filter((x) => x.table === table && x.column === column)
        .map((x) => x.decision);
    expect(d('legacy_notes')).toEqual(['auto-mapped']);
    expect(d(HOSTILE_TABLE)).toEqual(['auto-mapped']);
    expect(d('users', 'nickname')).toEqual(['kept-in-extra']);
    expect(d('active_users')).toEqual(['left-out']);
    expect(d('users_delete_roles')).toEqual(['left-out']);
    for (const decision of resolved.decisions) expect(decision.reason.length).toBeGreaterThan(10);
  });

  it('a job counts storage classes only where a plan decision needs them, and resolves the same plan', async () => {
    const sp = await planForSnapshot(snapshot);
    expect(sp.origin).toBe('builtin');
    const counted = (name: string): boolean =>
      sp.inspect.tables.find((t) => t.name === name)!.columns.every((c) => c.observed !== null);
    // Unknown tables (automatic mapping) and a table with an unknown column: counted.
    expect(counted('legacy_notes')).toBe(true);
    expect(counted(HOSTILE_TABLE)).toBe(true);
    expect(counted('users')).toBe(true);
    // Fully mapped tables: not scanned at all.
    expect(counted('logs')).toBe(false);
    expect(counted('roles')).toBe(false);
    expect(sp.inspect.tables.find((t) => t.name === 'logs')!.rowCount).toBe(48);
    // The same decisions and mappings as with a fully counted report.
    expect(sp.resolved).toEqual(resolved);
  });

  it('loads parents before children (largest ready table first) and maps every source table', () => {
    const order = resolved.tables.map((t) => t.source);
    const before = (a: string, b: string) =>
      expect(order.indexOf(a), `${a} before ${b}`).toBeLessThan(order.indexOf(b));
    before('users', 'user_roles');
    before('roles', 'user_roles');
    before('roles', 'role_permissions');
    before('permissions', 'role_permissions');
    before('users', 'passkeys');
    // Among tables whose parents are loaded, the largest goes first (its index builds and
    // verification then overlap the loading of the rest).
    expect(order[0]).toBe('logs');
    expect(new Set(order)).toEqual(new Set(report.tables.map((t) => t.name)));
  });

  it('gives unknown tables sanitized, deterministic targets that are created', () => {
    const hostile = tableOf(HOSTILE_TABLE);
    expect(hostile.origin).toBe('auto');
    expect(hostile.target).toMatchObject({
      kind: 'postgres',
      table: 'x_drop_table_users',
      create: true,
    });
    expect(hostile.outputColumns).toEqual(['id', 'we_ird_col']);
    expect(selectSql(hostile)).toBe(
      `SELECT "id", "we""ird col", "rowid" FROM "x""; DROP TABLE users; --" ORDER BY "rowid"`,
    );
    expect(rowsOf(HOSTILE_TABLE)).toEqual([
      { id: 1, we_ird_col: 'still here' },
      { id: 2, we_ird_col: "'); DROP TABLE logs; --" },
    ]);
  });

  it('accounts for every source row: converted or rejected', () => {
    for (const table of resolved.tables) {
      const o = outcome(table.source);
      expect(o.rows.length + o.rejects.length, table.source).toBe(
        generated.rowCounts[table.source],
      );
    }
  });

  it('users: flags to booleans, timestamps parsed or NULLed with the original kept, NULL email rejected, extra column kept', () => {
    const users = rowsOf('users');
    const byEmail = (e: string) => users.find((u) => u.email === e)!;
    expect(byEmail('Bob@x.com')).toMatchObject({
      disabled: true,
      last_login: new Date('2024-03-01T08:00:00Z'),
      legacy_extra: { nickname: 'bobby' },
    });
    expect(byEmail('bob@x.com')).toMatchObject({
      disabled: false,
      is_default: false,
      last_login: new Date('2024-03-01T00:00:00Z'),
      legacy_extra: null,
    });
    expect(byEmail('millis@example.com')).toMatchObject({
      disabled: true,
      last_login: new Date(1700000000000),
    });
    expect(byEmail('float@example.com').last_login).toEqual(new Date(1700000000123));
    expect(byEmail('baddate@example.com')).toMatchObject({ last_login: null, created_at: null });
    expect(byEmail('empty@example.com').created_at).toEqual(new Date('2024-02-03T04:05:06.789Z'));
    expect(byEmail('admin@example.com')).toMatchObject({
      id: 1,
      is_default: true,
      password_hash: expect.stringMatching(/^\$2a\$12\$/),
    });

    expect(outcome('users').rejects).toEqual([
      {
        column: 'email',
        original: null,
        reason: 'NULL is not allowed in email',
        rowid: generated.quirks!.nullEmailUserId,
      },
    ]);
    const codes = outcome('users').changes.map(
      (c) => `${c.column}:${c.code}:${String(c.original)}`,
    );
    expect(codes).toEqual(
      expect.arrayContaining([
        'last_login:invalid-to-null:not a date',
        'created_at:empty-to-null:',
        'last_login:empty-to-null:',
      ]),
    );
  });

  it('junction tables: exact duplicates and orphans survive conversion for the load to merge and reject', () => {
    // Dedupe and orphan checks need all rows; convertRow passes them on unchanged.
    expect(outcome('user_roles').rejects).toEqual([]);
    expect(tableOf('user_roles').target).toMatchObject({
      dedupe: 'exact-duplicates',
      primaryKey: ['user_id', 'role_id'],
    });
    expect(tableOf('users').target).toMatchObject({
      uniqueKeys: [{ columns: ['email'], normalize: 'lower' }],
    });
  });

  it('passkeys: 3.5 is rejected, 3 kept, the shared credential kept on both users', () => {
    expect(outcome('passkeys').rejects).toEqual([
      expect.objectContaining({
        column: 'counter',
        original: 3.5,
        reason: expect.stringContaining('fractional part'),
      }),
    ]);
    const shared = rowsOf('passkeys').filter((p) => p.credential_id === 'shared-credential');
    expect(shared).toEqual([
      expect.objectContaining({ counter: 3, backed_up: true, last_used: null }),
    ]);
  });

  it('logs: NUL bytes stripped, BLOBs decoded or base64, every timestamp shape parsed, garbage NULLed — all recorded', () => {
    const logs = rowsOf('logs');
    const ticket = (id: string) => logs.find((l) => l.ticket_id === id)!;
    expect(ticket('Q-NUL').title).toBe('Printer jam');
    expect(ticket('Q-BLOB-UTF8')).toMatchObject({
      name: 'Zoë',
      timestamp: new Date('2024-01-01T10:00:00Z'),
    });
    expect(ticket('Q-BLOB-BIN')).toMatchObject({
      name: '//4AQQ==',
      timestamp: new Date('2024-01-01T12:00:00Z'),
    });
    expect(ticket('Q-DATE-ONLY')).toMatchObject({
      timestamp: new Date('2024-01-01T00:00:00Z'),
      servicenow_id: '',
    });
    expect(ticket('Q-EPOCH-S').timestamp).toEqual(new Date(1700000000000));
    expect(ticket('Q-EPOCH-MS').timestamp).toEqual(new Date(1700000000000));
    expect(ticket('Q-BAD-DATE').timestamp).toBeNull();
    expect(ticket('Q-EMPTY')).toMatchObject({ timestamp: null, email: '' });
    expect(outcome('logs').rejects).toEqual([]);
    expect(
      outcome('logs')
        .changes.map((c) => c.code)
        .sort(),
    ).toEqual([
      'blob-base64',
      'blob-decoded-utf8',
      'empty-to-null',
      'invalid-to-null',
      'nul-stripped',
    ]);
    expect(logs.filter((l) => !(l.timestamp instanceof Date)).length).toBe(2);
  });

  it('JSON columns: valid parsed, invalid NULLed with the original recorded, \\u0000 removed', () => {
    expect(rowsOf('kiosks').find((k) => k.id === 'kiosk-001')!.schedule).toMatchObject({
      enabled: true,
    });
    expect(rowsOf('kiosks').find((k) => k.id === 'kiosk-q1')).toMatchObject({
      schedule: null,
      active: true,
      status_enabled: true,
      current_status: '',
      last_seen: new Date(1700000000000),
    });
    expect(rowsOf('kiosks').find((k) => k.id === 'kiosk-q2')).toMatchObject({
      schedule: null,
      active: false,
      status_enabled: false,
    });
    expect(rowsOf('admin_pins')).toEqual([expect.objectContaining({ id: 1, kiosk_pins: null })]);
    expect(outcome('admin_pins').changes).toEqual([
      expect.objectContaining({
        column: 'kiosk_pins',
        code: 'invalid-to-null',
        original: '{"kiosk-001": "4321",}',
      }),
    ]);
    const sso = rowsOf('sso_configurations');
    expect(sso.find((s) => s.provider === 'ldap')!.configuration).toEqual({ note: 'ab' });
    expect(sso.find((s) => s.provider === 'oidc')).toMatchObject({
      enabled: true,
      configuration: null,
    });
    expect(rowsOf('directory_integrations').map((d) => d.settings)).toEqual([[], null, null]);
  });

  it('NOT NULL targets: legacy NULLs take the documented replacement, an unreadable expiry rejects', () => {
    const notes = rowsOf('notifications');
    expect(notes.find((n) => n.message === 'Yes-active')).toMatchObject({
      active: true,
      type: 'system',
      created_at: new Date('2024-01-01T00:00:00Z'),
    });
    expect(notes.find((n) => n.message === 'Null-active')).toMatchObject({
      active: false,
      type: 'banner',
      created_at: null,
    });
    expect(outcome('notifications').changes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ column: 'type', code: 'null-replaced', converted: 'system' }),
        expect.objectContaining({ column: 'active', code: 'null-replaced', converted: false }),
      ]),
    );
    expect(outcome('kiosk_activations').rejects).toEqual([
      expect.objectContaining({ column: 'expires_at', original: 'not a date' }),
    ]);
    expect(rowsOf('assets').find((a) => a.name === 'Binary url')).toMatchObject({
      url: '//4AQQ==',
      uploaded_at: null,
    });
  });
});

describe('built-in plan on an older file', () => {
  it('lets the target default apply to later columns and skips later tables, saying so', () => {
    const db = new Database(':memory:');
    createFirstReleaseSchema(db);
    const old = inspectDatabase(db, 'old.sqlite');
    db.close();
    const plan = resolvePlan(novaLegacyPlan, old);
    const decisions = plan.decisions.map(
      (d) => `${d.decision}:${d.table}${d.column ? `.${d.column}` : ''}`,
    );
    expect(decisions).toEqual(
      expect.arrayContaining([
        'target-default:kiosks.logoUrl',
        'target-default:kiosks.schedule',
        'target-default:users.passwordHash',
        'target-default:logs.servicenow_id',
        'target-default:roles.description',
        'source-absent:passkeys',
        'source-absent:admin_pins',
      ]),
    );
    expect(plan.tables.find((t) => t.source === 'kiosks')!.outputColumns).toEqual([
      'id',
      'last_seen',
      'version',
    ]);
  });
});

describe('built-in plan against the PostgreSQL target schema (0001_nova_schema.sql)', () => {
  let scratch: ScratchDatabase;
  interface PgColumn {
    table_name: string;
    column_name: string;
    data_type: string;
    is_nullable: 'YES' | 'NO';
    has_default: boolean;
  }
  let columns: PgColumn[];
  let constraints: {
    table: string;
    type: string;
    columns: string[];
    ref_table: string | null;
    ref_columns: string[] | null;
  }[];

  beforeAll(async () => {
    scratch = await createScratchDatabase('nova_migrate_plan');
    const ddl = readFileSync(
      new URL('../../../main/core/schema/sql/postgres/0001_nova_schema.sql', import.meta.url),
      'utf8',
    );
    await withAdminClient(async (c) => {
      await c.query(ddl);
      columns = (
        await c.query<PgColumn>(
          `SELECT table_name, column_name, data_type, is_nullable,
                  (column_default IS NOT NULL OR is_identity = 'YES') AS has_default
             FROM information_schema.columns WHERE table_schema = 'public'`,
        )
      ).rows;
      constraints = (
        await c.query(
          `SELECT rel.relname AS table, con.contype AS type,
                  ARRAY(SELECT attname::text FROM unnest(con.conkey) WITH ORDINALITY k(n, i) JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n ORDER BY i) AS columns,
                  ref.relname AS ref_table,
                  CASE WHEN con.contype = 'f' THEN ARRAY(SELECT attname::text FROM unnest(con.confkey) WITH ORDINALITY k(n, i) JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n ORDER BY i) END AS ref_columns
             FROM pg_constraint con
             JOIN pg_class rel ON rel.oid = con.conrelid
             JOIN pg_namespace ns ON ns.oid = rel.relnamespace AND ns.nspname = 'public'
             LEFT JOIN pg_class ref ON ref.oid = con.confrelid
            WHERE con.contype IN ('p', 'u', 'f')`,
        )
      ).rows;
    }, scratch.url);
  });

  afterAll(async () => {
    await scratch?.drop();
  });

  const pgTargets = () =>
    novaLegacyPlan.tables.flatMap((t) => (t.target.kind === 'postgres' ? [t.target] : []));

  it('maps onto tables and columns that exist, with the same types and NULL-ability', () => {
    expect(pgTargets()).toHaveLength(16);
    for (const target of pgTargets()) {
      for (const c of target.columns) {
        const pg = columns.find((x) => x.table_name === target.table && x.column_name === c.target);
        expect(pg, `${target.table}.${c.target} exists`).toBeDefined();
        expect(`${target.table}.${c.target} ${pg!.data_type}`).toBe(
          `${target.table}.${c.target} ${pgColumnType(c.type).replace('timestamptz', 'timestamp with time zone')}`,
        );
        expect(`${target.table}.${c.target} nullable=${pg!.is_nullable === 'YES'}`).toBe(
          `${target.table}.${c.target} nullable=${c.nullable}`,
        );
      }
    }
  });

  it('leaves no NOT NULL column without a default unmapped', () => {
    for (const target of pgTargets()) {
      const required = columns
        .filter((x) => x.table_name === target.table && x.is_nullable === 'NO' && !x.has_default)
        .map((x) => x.column_name);
      for (const name of required)
        expect(
          target.columns.map((c) => c.target),
          `${target.table}.${name}`,
        ).toContain(name);
    }
  });

  it('declares the primary keys, unique keys and foreign keys the target enforces', () => {
    for (const target of pgTargets()) {
      const own = constraints.filter((c) => c.table === target.table);
      expect(own.find((c) => c.type === 'p')?.columns, `${target.table} primary key`).toEqual(
        target.primaryKey,
      );
      for (const u of target.uniqueKeys) {
        expect(
          own.some(
            (c) => (c.type === 'u' || c.type === 'p') && c.columns.join() === u.columns.join(),
          ),
          `${target.table} unique (${u.columns})`,
        ).toBe(true);
      }
      const fks = own
        .filter((c) => c.type === 'f')
        .map((c) => `${c.columns.join()}→${c.ref_table}(${c.ref_columns!.join()})`);
      expect(
        target.foreignKeys
          .map(
            (fk) => `${fk.columns.join()}→${fk.references.table}(${fk.references.columns.join()})`,
          )
          .sort(),
        `${target.table} foreign keys`,
      ).toEqual(fks.sort());
    }
  });
});
