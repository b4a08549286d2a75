/**
 * A whole migration of the quirky legacy file into a real PostgreSQL: every
 * quirk ends in its stated outcome, the accounting adds up exactly for every
 * table, the target verifies, and the report, rejects and the fix-and-
 * re-apply loop work as an admin would use them.
 */
import { readFileSync, rmSync, writeFileSync, mkdtempSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyRejects } from '../../../main/core/migrate/apply-rejects.js';
import { dryRunMigration } from '../../../main/core/migrate/dry-run.js';
import { runMigration } from '../../../main/core/migrate/migration-job.js';
import type { MigrationReport } from '../../../main/core/migrate/report.js';
import { planForSnapshot } from '../../../main/core/migrate/run/job-setup.js';
import { JOB_STATE_FILE, LocalJobState } from '../../../main/core/migrate/run/local-job-state.js';
import type { RejectRecord } from '../../../main/core/migrate/run/outcome-records.js';
import { loadProgress } from '../../../main/core/migrate/run/pg-job-state.js';
import { openMigrationPg } from '../../../main/core/migrate/run/pg-session.js';
import { verifyPgTable } from '../../../main/core/migrate/verify.js';
import { Task, type TaskProgress } from '../../../main/core/tasks/task.js';
import {
  generateLegacyDatabase,
  HOSTILE_TABLE,
  WAL_ONLY_LOGS,
  type GeneratedLegacyDb,
} from '../../fixtures/legacy-db-generator.js';
import { createScratchDatabase, type ScratchDatabase } from '../../support/postgres.js';

let dir: string;
let gen: GeneratedLegacyDb;
let db: ScratchDatabase;
let report: MigrationReport;
let rejects: RejectRecord[];
const progress: TaskProgress[] = [];

function run<R>(
  body: (ctx: Parameters<ConstructorParameters<typeof Task<R>>[2]>[0]) => Promise<R>,
): Promise<R> {
  const task = new Task<R>('migration', 'test', body);
  task.on('progress', (s) => progress.push(s.progress));
  return task.start();
}

async function query<T extends pg.QueryResultRow>(
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

const readRejects = (file: string): RejectRecord[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as RejectRecord);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nova-migrate-run-'));
  gen = generateLegacyDatabase(join(dir, 'log.sqlite'), {
    users: 25,
    logs: 700,
    kiosks: 4,
    quirks: true,
    walRows: true,
  });
  db = await createScratchDatabase('nova_mig_run');
  report = await run((ctx) =>
    runMigration(
      { source: gen.file, jobDir: join(dir, 'job'), postgresUrl: db.url, batchSize: 97 },
      ctx,
    ),
  );
  rejects = readRejects(report.rejectsFile!);
});

afterAll(async () => {
  await db?.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('migration of the quirky legacy file into PostgreSQL', () => {
  it('accounts for every source row of every table exactly, and verifies every table', () => {
    expect(report.ok).toBe(true);
    expect(Object.keys(report.tables).sort()).toEqual(Object.keys(gen.rowCounts).sort());
    for (const [name, t] of Object.entries(report.tables)) {
      expect(t.source, name).toBe(gen.rowCounts[name]);
      expect(t.migrated + t.duplicates + t.rejected, name).toBe(t.source);
      expect(t.verified, name).toBe(true);
    }
    expect(report.rejectsTotal).toBe(rejects.length);
    const rejectedPerTable = Object.fromEntries(
      Object.entries(report.tables).map(([n, t]) => [n, t.rejected]),
    );
    for (const [name, n] of Object.entries(rejectedPerTable))
      expect(rejects.filter((r) => r.table === name).length, name).toBe(n);
  });

  it('the target holds exactly the migrated rows', async () => {
    for (const [name, t] of Object.entries(report.tables)) {
      const target = t.target.replace('postgres:', '');
      const [row] = await query<{ n: string }>(
        `SELECT count(*)::text AS n FROM "${target.replaceAll('"', '""')}"`,
      );
      expect(Number(row!.n), name).toBe(t.migrated);
    }
  });

  it('verification escapes only the columns the load escaped, and still catches a changed value anywhere', async () => {
    const [row] = await query<{ escaped: string[] | null }>(
      "SELECT escaped FROM nova_migration_progress WHERE source_table = 'logs'",
    );
    // The quirk row's multi-line title (with a tab and a backslash); NUL bytes are removed, not escaped.
    expect(row!.escaped).toEqual(['title']);
    const snapshot = report.sourceCopy!;
    const sp = await planForSnapshot(snapshot);
    const logs = sp.resolved.tables.find((t) => t.source === 'logs')!;
    const local = new LocalJobState(join(dir, 'job', JOB_STATE_FILE));
    const hash = local.job()!.hash;
    local.close();
    const source = new Database(snapshot, { readonly: true });
    const target = await openMigrationPg(db.url);
    const client = await target.connect();
    try {
      const progress = (await loadProgress(client, report.jobId!)).get('logs')!;
      const verify = async (): Promise<boolean> =>
        (await verifyPgTable(client, source, logs, progress, hash)).verified;
      expect(await verify()).toBe(true);
      const first = "(SELECT min(id) FROM logs WHERE ticket_id = 'Q-BLOB-UTF8')";
      // Each change inside a transaction that is rolled back: later tests need the target as loaded.
      for (const change of [
        `UPDATE logs SET urgency = 'High' WHERE id = ${first}`, // a column that was not escaped
        `UPDATE logs SET system = E'Other\\tsplit' WHERE id = ${first}`, // a tab where there was none
        `UPDATE logs SET servicenow_id = E'\\\\N' WHERE id = ${first}`, // the text \N where NULL was
        `UPDATE logs SET title = replace(title, E'\\n', ' ') WHERE id = ${first}`, // an escaped column
      ]) {
        await client.query('BEGIN');
        try {
          expect((await client.query(change)).rowCount, change).toBe(1);
          expect(await verify(), change).toBe(false);
        } finally {
          await client.query('ROLLBACK');
        }
      }
      expect(await verify()).toBe(true);
    } finally {
      client.release();
      await target.close();
      source.close();
    }
  });

  it('rows only in the WAL are migrated', async () => {
    const wal = await query<{ n: string }>(
      "SELECT count(*)::text AS n FROM logs WHERE ticket_id LIKE 'WAL-%'",
    );
    expect(Number(wal[0]!.n)).toBe(WAL_ONLY_LOGS);
    const fb = await query("SELECT 1 FROM feedback WHERE message = 'Only in the WAL'");
    expect(fb).toHaveLength(1);
  });

  it('case-duplicate emails: the first is migrated, the second rejected as a duplicate key; the NULL email is rejected as not-null', async () => {
    const [bob, bob2] = gen.quirks!.caseDuplicateUserIds;
    const users = await query<{ id: number; email: string }>(
      'SELECT id, email FROM users WHERE lower(email) = $1',
      ['bob@x.com'],
    );
    expect(users).toEqual([{ id: bob, email: 'Bob@x.com' }]);
    const dup = rejects.find((r) => r.table === 'users' && r.key === `id=${bob2}`)!;
    expect(dup).toMatchObject({
      reason: 'duplicate key',
      column: 'email',
      original: 'bob@x.com',
      value: 'bob@x.com',
    });
    expect(dup.message).toMatch(/case-insensitive unique key \(email\)/);
    const noEmail = rejects.find(
      (r) => r.table === 'users' && r.key === `id=${gen.quirks!.nullEmailUserId}`,
    )!;
    expect(noEmail).toMatchObject({
      reason: 'not-null',
      column: 'email',
      original: 'NULL',
      value: null,
    });
    expect(noEmail.row).toMatchObject({ name: 'No Email', email: null, nickname: 'ghost' });
  });

  it('junction tables: exact duplicates merged and counted, orphans rejected with their missing parent', () => {
    expect(report.tables.role_permissions).toMatchObject({
      duplicates: gen.quirks!.duplicateRolePermissions.length,
      rejected: 2,
    });
    expect(report.tables.user_roles!.duplicates).toBe(gen.quirks!.duplicateUserRoles.length);
    const orphans = rejects
      .filter((r) => r.table === 'user_roles')
      .map((r) => [r.row.user_id, r.row.role_id]);
    // Explicit orphans, plus the roles of the two users that were themselves rejected.
    expect(orphans).toEqual(
      expect.arrayContaining([
        ...gen.quirks!.orphanUserRoles,
        [gen.quirks!.caseDuplicateUserIds[1], 3],
        [gen.quirks!.nullEmailUserId, 3],
      ]),
    );
    expect(
      rejects.filter((r) => r.table === 'user_roles').every((r) => r.reason === 'orphan'),
    ).toBe(true);
    expect(
      rejects
        .filter((r) => r.table === 'role_permissions')
        .map((r) => [r.row.role_id, r.row.permission_id]),
    ).toEqual(expect.arrayContaining(gen.quirks!.orphanRolePermissions));
  });

  it('the shared passkey credential: kept on the migrated user, its 3.5 counter twin rejected as a fraction', async () => {
    const keys = await query<{ user_id: number }>(
      'SELECT user_id FROM passkeys WHERE credential_id = $1',
      [gen.quirks!.sharedCredentialId],
    );
    expect(keys).toEqual([]); // a: counter 3.5 → fractional; b: its user was rejected → orphan
    expect(
      rejects
        .filter((r) => r.table === 'passkeys')
        .map((r) => r.reason)
        .sort(),
    ).toEqual(['fractional', 'orphan']);
  });

  it('unknown table, unknown column, view, trigger and the hostile table name are all accounted for', async () => {
    const notes = await query('SELECT id, body FROM legacy_notes ORDER BY id');
    expect(notes).toHaveLength(3);
    const extra = await query<{ legacy_extra: unknown }>(
      'SELECT legacy_extra FROM users WHERE id = $1',
      [gen.quirks!.caseDuplicateUserIds[0]],
    );
    expect(extra[0]!.legacy_extra).toEqual({ nickname: 'bobby' });
    const hostile = await query('SELECT id, we_ird_col FROM x_drop_table_users ORDER BY id');
    expect(hostile).toEqual([
      { id: '1', we_ird_col: 'still here' },
      { id: '2', we_ird_col: "'); DROP TABLE logs; --" },
    ]);
    expect(report.tables[HOSTILE_TABLE]).toMatchObject({ migrated: 2, verified: true });
    const decisions = report.decisions.map(
      (d) => `${d.table}${d.column ? `.${d.column}` : ''}:${d.decision}`,
    );
    expect(decisions).toEqual(
      expect.arrayContaining([
        'users.nickname:kept-in-extra',
        'active_users:left-out',
        'users_delete_roles:left-out',
        'legacy_notes:auto-mapped',
      ]),
    );
    // The hostile name was data, never SQL: the users table is still there.
    expect((await query('SELECT 1 FROM users LIMIT 1')).length).toBe(1);
  });

  it('keys, indexes, foreign keys and sequences exist after the load', async () => {
    const indexes = (
      await query<{ indexname: string }>(
        "SELECT indexname FROM pg_indexes WHERE schemaname = 'public'",
      )
    ).map((r) => r.indexname);
    expect(indexes).toEqual(
      expect.arrayContaining([
        'idx_logs_timestamp',
        'idx_logs_ticket_id',
        'idx_users_is_default',
        'users_email_lower_key',
        'idx_user_roles_role_id',
      ]),
    );
    const fks = await query<{ conname: string; convalidated: boolean }>(
      "SELECT conname, convalidated FROM pg_constraint WHERE contype = 'f'",
    );
    expect(fks.length).toBeGreaterThanOrEqual(5);
    expect(fks.every((f) => f.convalidated)).toBe(true);
    // The next id continues after the legacy ids and the AUTOINCREMENT high-water mark.
    const [next] = await query<{ id: number }>(
      "INSERT INTO feedback (name, message) VALUES ('t', 'next') RETURNING id",
    );
    const [max] = await query<{ m: number }>(
      "SELECT max(id) AS m FROM feedback WHERE message <> 'next'",
    );
    expect(next!.id).toBe(max!.m + 1);
    await query("DELETE FROM feedback WHERE message = 'next'");
    const deferred = await query('SELECT * FROM nova_migration_deferred_indexes');
    expect(deferred).toEqual([]);
  });

  it('values that had to change are recorded with their original', () => {
    const changes = readFileSync(report.changesFile!, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { table: string; code: string; original: string });
    expect(changes.length).toBe(Object.values(report.tables).reduce((n, t) => n + t.changed, 0));
    expect(changes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          table: 'logs',
          code: 'nul-stripped',
          original: 'Printer\u0000 jam',
        }),
      ]),
    );
  });

  it('reports progress by phase and table, and writes the report files with private permissions', () => {
    const phases = new Set(progress.map((p) => p.phase));
    for (const phase of ['snapshot', 'plan', 'load', 'indexes', 'report'])
      expect(phases).toContain(phase);
    expect(
      progress.some(
        (p) => p.phase === 'load' && p.item === 'logs' && p.total === gen.rowCounts.logs,
      ),
    ).toBe(true);
    const summary = readFileSync(join(dir, 'job', 'report.txt'), 'utf8');
    expect(summary).toMatch(/OK, verified/);
    expect(summary).toContain('--apply-rejects');
    const json = JSON.parse(
      readFileSync(join(dir, 'job', 'report.json'), 'utf8'),
    ) as MigrationReport;
    expect(json).toMatchObject({
      ok: true,
      source: gen.file,
      target: 'postgres',
      rejectsFile: report.rejectsFile,
    });
    expect(typeof json.durationMs).toBe('number');
    for (const f of ['report.json', 'rejects.jsonl', 'source-snapshot.sqlite', 'job-state.sqlite'])
      expect(statSync(join(dir, 'job', f)).mode & 0o077, f).toBe(0);
    expect(existsSync(report.sourceCopy!)).toBe(true);
  });

  it('refuses to run the same job again, with or without --resume', async () => {
    await expect(
      run((ctx) =>
        runMigration({ source: gen.file, jobDir: join(dir, 'job'), postgresUrl: db.url }, ctx),
      ),
    ).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('already migrated'),
    });
    await expect(
      run((ctx) =>
        runMigration({ source: gen.file, jobDir: join(dir, 'job2'), postgresUrl: db.url }, ctx),
      ),
    ).rejects.toMatchObject({
      code: 'MIGRATION_FAILED',
      message: expect.stringContaining('already migrated into this database'),
    });
  });
});

describe('dry run', () => {
  it('predicts the run: same counts per table, same rejects, nothing written', async () => {
    const before = await query<{ n: string }>('SELECT count(*)::text AS n FROM logs');
    const dry = await run((ctx) =>
      dryRunMigration({ source: gen.file, reportDir: join(dir, 'dry') }, ctx),
    );
    expect(dry.kind).toBe('dry-run');
    for (const [name, t] of Object.entries(report.tables)) {
      const d = dry.tables[name]!;
      expect(
        { source: d.source, migrated: d.migrated, duplicates: d.duplicates, rejected: d.rejected },
        name,
      ).toEqual({
        source: t.source,
        migrated: t.migrated,
        duplicates: t.duplicates,
        rejected: t.rejected,
      });
      expect(d.verified).toBeNull();
    }
    const dryRejects = readRejects(dry.rejectsFile!);
    expect(dryRejects.map((r) => `${r.table} ${r.key} ${r.reason}`).sort()).toEqual(
      rejects.map((r) => `${r.table} ${r.key} ${r.reason}`).sort(),
    );
    expect(await query<{ n: string }>('SELECT count(*)::text AS n FROM logs')).toEqual(before);
  });

  it('yields to the event loop between batches, so a cancel arriving from outside stops it', async () => {
    const task = new Task('migration', 'test', (ctx) =>
      dryRunMigration({ source: gen.file, batchSize: 10 }, ctx),
    );
    let batches = 0;
    let timerRan = false;
    task.on('progress', (s) => {
      if (s.progress.phase !== 'dry-run' || ++batches !== 1) return;
      // Like an HTTP cancel request: it can only run if the loop gives the event loop a turn.
      setImmediate(() => {
        timerRan = true;
        task.cancel();
      });
    });
    await expect(task.start()).rejects.toMatchObject({ code: 'TASK_CANCELLED' });
    expect(timerRan).toBe(true);
    expect(task.snapshot().state).toBe('cancelled');
    expect(batches).toBeLessThan(5);
  });
});

describe('fixing rejects and applying them again', () => {
  it('applies fixed rows, keeps still-broken ones with their new reason, and skips them on a second run', async () => {
    const file = join(dir, 'fixed.jsonl');
    const fixed = rejects.map((r) => {
      if (r.table === 'users' && r.row.email === null)
        return { ...r, row: { ...r.row, email: 'ghost@example.com' } };
      if (r.table === 'kiosk_activations')
        return { ...r, row: { ...r.row, expires_at: 'still not a date' } };
      return r;
    });
    writeFileSync(file, `${fixed.map((r) => JSON.stringify(r)).join('\n')}\n`);
    const result = await run((ctx) =>
      applyRejects({ file, jobDir: join(dir, 'job'), postgresUrl: db.url }, ctx),
    );
    const ghost = result.lines.find(
      (l) => l.table === 'users' && l.key === `id=${gen.quirks!.nullEmailUserId}`,
    );
    expect(ghost?.outcome).toBe('applied');
    const activation = result.lines.find((l) => l.table === 'kiosk_activations');
    expect(activation).toMatchObject({ outcome: 'rejected', reason: 'unparseable' });
    expect(result.applied).toBeGreaterThanOrEqual(1);
    expect(result.report.ok).toBe(true);
    expect(result.report.tables.users).toMatchObject({
      rejected: report.tables.users!.rejected - 1,
      migrated: report.tables.users!.migrated + 1,
      verified: true,
    });
    const users = await query<{ id: number }>('SELECT id FROM users WHERE email = $1', [
      'ghost@example.com',
    ]);
    expect(users).toEqual([{ id: gen.quirks!.nullEmailUserId }]);
    // Applied in load order: the fixed user's role, an orphan until then, went in on the same pass.
    expect(
      await query('SELECT 1 FROM user_roles WHERE user_id = $1', [gen.quirks!.nullEmailUserId]),
    ).toHaveLength(1);
    // The new rejects.jsonl keeps the edited value and its new reason.
    const remaining = readRejects(result.report.rejectsFile!);
    expect(remaining.find((r) => r.table === 'kiosk_activations')).toMatchObject({
      original: 'still not a date',
      row: { expires_at: 'still not a date' },
    });
    expect(remaining.find((r) => r.table === 'users' && r.row.email === null)).toBeUndefined();

    const again = await run((ctx) =>
      applyRejects({ file, jobDir: join(dir, 'job'), postgresUrl: db.url }, ctx),
    );
    expect(again.applied).toBe(0);
    expect(
      again.lines.find((l) => l.key === `id=${gen.quirks!.nullEmailUserId}` && l.table === 'users'),
    ).toMatchObject({ outcome: 'skipped' });
    expect(await query('SELECT 1 FROM users WHERE email = $1', ['ghost@example.com'])).toHaveLength(
      1,
    );
  });

  it('refuses a rejects file it cannot read, naming the line', async () => {
    const file = join(dir, 'bad.jsonl');
    writeFileSync(file, '{"table": "users"}\nnot json\n');
    await expect(
      run((ctx) => applyRejects({ file, jobDir: join(dir, 'job'), postgresUrl: db.url }, ctx)),
    ).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('line 1'),
    });
  });
});
