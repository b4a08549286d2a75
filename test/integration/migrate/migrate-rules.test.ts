/**
 * Migration rules against a real PostgreSQL, on the quirky legacy file: a
 * fractional passkey counter kept by `round` or `keep-in-extra`, the
 * case-duplicate e-mail kept by `keep-first-rename` (its roles and passkeys
 * follow it) or merged (its roles re-pointed), orphans dropped as recorded
 * changes; cascades told apart from a row's own defects; rejects re-applied
 * with a rule; bad rules refused with the valid choices listed. Every run
 * still accounts for every row and verifies.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliCaptured, type CapturedRun } from '../../support/run-cli-captured.js';
import { applyRejects } from '../../../main/core/migrate/apply-rejects.js';
import { dryRunMigration } from '../../../main/core/migrate/dry-run.js';
import { runMigration } from '../../../main/core/migrate/migration-job.js';
import type { MigrationReport } from '../../../main/core/migrate/report.js';
import { parseRuleFlags, type MigrationRules } from '../../../main/core/migrate/rules.js';
import { planForSnapshot } from '../../../main/core/migrate/run/job-setup.js';
import { Task } from '../../../main/core/tasks/task.js';
import {
  generateLegacyDatabase,
  type GeneratedLegacyDb,
} from '../../fixtures/legacy-db-generator.js';
import { createScratchDatabase, type ScratchDatabase } from '../../support/postgres.js';

let dir: string;
let gen: GeneratedLegacyDb;
const dbs: ScratchDatabase[] = [];

function run<R>(
  body: (ctx: Parameters<ConstructorParameters<typeof Task<R>>[2]>[0]) => Promise<R>,
): Promise<R> {
  return new Task<R>('migration', 'test', body).start();
}

async function migrate(
  name: string,
  rules?: MigrationRules,
): Promise<{ report: MigrationReport; db: ScratchDatabase }> {
  const db = await createScratchDatabase(`nova_rules_${name}`);
  dbs.push(db);
  const report = await run((ctx) =>
    runMigration(
      {
        source: gen.file,
        jobDir: join(dir, name),
        postgresUrl: db.url,
        batchSize: 97,
        ...(rules ? { rules } : {}),
      },
      ctx,
    ),
  );
  return { report, db };
}

/** A migration of another file into a fresh scratch database. */
async function migrateFile(
  file: string,
  name: string,
  rules?: MigrationRules,
): Promise<{ report: MigrationReport; db: ScratchDatabase }> {
  const db = await createScratchDatabase(`nova_rules_${name.replaceAll('-', '_')}`);
  dbs.push(db);
  const report = await run((ctx) =>
    runMigration(
      { source: file, jobDir: join(dir, name), postgresUrl: db.url, ...(rules ? { rules } : {}) },
      ctx,
    ),
  );
  return { report, db };
}

async function query<T extends pg.QueryResultRow>(
  db: ScratchDatabase,
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

const jsonl = (file: string | null): Record<string, unknown>[] =>
  file
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>)
    : [];

function expectAccounted(report: MigrationReport): void {
  expect(report.ok).toBe(true);
  for (const [name, t] of Object.entries(report.tables)) {
    expect(t.migrated + t.duplicates + t.rejected + (t.dropped ?? 0), name).toBe(t.source);
    expect(t.verified, name).toBe(true);
  }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'nova-migrate-rules-'));
  gen = generateLegacyDatabase(join(dir, 'log.sqlite'), {
    users: 25,
    logs: 300,
    kiosks: 4,
    quirks: true,
  });
});

afterAll(async () => {
  for (const db of dbs) await db.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('without rules', () => {
  let report: MigrationReport;
  beforeAll(async () => {
    ({ report } = await migrate('none'));
  }, 120_000);

  it('tells cascades (a rejected parent) from a row’s own defects, per reject, per table and per group', () => {
    expectAccounted(report);
    const [bob, bobDup] = gen.quirks!.caseDuplicateUserIds;
    const rejects = jsonl(report.rejectsFile);
    const dupRoles = rejects.find(
      (r) => r.table === 'user_roles' && (r.row as { user_id: number }).user_id === bobDup,
    );
    expect(dupRoles).toMatchObject({ reason: 'orphan', cascade: true, parent: `users:${bobDup}` });
    const missingUser = rejects.find(
      (r) => r.table === 'user_roles' && (r.row as { user_id: number }).user_id === 9999,
    );
    expect(missingUser?.reason).toBe('orphan');
    expect(missingUser?.cascade).toBeUndefined();
    const roles = report.tables.user_roles!;
    const cascades = rejects.filter((r) => r.table === 'user_roles' && r.cascade === true).length;
    expect(cascades).toBeGreaterThanOrEqual(2); // the case-duplicate and the user without an e-mail
    expect(roles.cascaded).toBe(cascades);
    expect(roles.cascaded).toBeLessThan(roles.rejected);
    const cascadeGroup = report.rejectGroups.find((g) => g.table === 'user_roles' && g.cascade);
    expect(cascadeGroup?.count).toBe(cascades);
    const ownGroup = report.rejectGroups.find(
      (g) => g.table === 'user_roles' && !g.cascade && g.reason === 'orphan',
    );
    expect(ownGroup?.fixes).toEqual(['drop']);
    expect(bob).toBe(bobDup - 1);
  });

  it('groups every reject with its safe fixes and says them in report.txt', () => {
    const counter = report.rejectGroups.find(
      (g) => g.table === 'passkeys' && g.column === 'counter',
    );
    expect(counter).toMatchObject({ reason: 'fractional', count: 1, cascade: false });
    expect(counter!.fixes).toEqual(['round', 'truncate', 'keep-in-extra']);
    const email = report.rejectGroups.find(
      (g) => g.table === 'users' && g.reason === 'duplicate key',
    );
    expect(email).toMatchObject({
      column: 'email',
      key: ['email'],
      fixes: ['keep-first-rename', 'merge'],
    });
    expect(email!.examples.length).toBeGreaterThan(0);
    expect(report.rejectGroups.reduce((n, g) => n + g.count, 0)).toBe(report.rejectsTotal);
    const txt = readFileSync(join(report.reportDir!, 'report.txt'), 'utf8');
    expect(txt).toContain('--value-rule passkeys.counter=round');
    expect(txt).toContain('--duplicate-rule users(email)=keep-first-rename');
    expect(txt).toMatch(/only because their parent row was rejected \(cascades\)/);
  });

  it('re-applying the rejects file with a value rule lets the passkey in, rounded and recorded', async () => {
    const db = dbs[0]!;
    const result = await run((ctx) =>
      applyRejects(
        {
          file: report.rejectsFile!,
          jobDir: join(dir, 'none'),
          postgresUrl: db.url,
          rules: parseRuleFlags({ value: ['passkeys.counter=round'] }),
        },
        ctx,
      ),
    );
    const passkey = result.lines.find((l) => l.table === 'passkeys' && l.outcome === 'applied');
    expect(passkey).toBeDefined();
    const [bob] = gen.quirks!.caseDuplicateUserIds;
    const rows = await query<{ counter: string }>(
      db,
      "SELECT counter::text FROM passkeys WHERE user_id = $1 AND credential_id = 'shared-credential'",
      [bob],
    );
    expect(rows).toEqual([{ counter: '4' }]);
    expect(result.report.ok).toBe(true);
    expect(result.report.tables.passkeys!.changed).toBe(report.tables.passkeys!.changed + 1);
    const rounded = jsonl(result.report.changesFile).filter(
      (c) => c.table === 'passkeys' && c.code === 'rounded',
    );
    expect(rounded).toHaveLength(1);
    expect(rounded[0]).toMatchObject({ column: 'counter', original: '3.5', converted: 4 });
  }, 120_000);
});

describe('re-applying rejects with a duplicate rule', () => {
  it('lets the case-duplicate user in under a recorded name, and its cascaded roles and passkey after it', async () => {
    const { report, db } = await migrate('apply-dup');
    const [, bobDup] = gen.quirks!.caseDuplicateUserIds;
    const result = await run((ctx) =>
      applyRejects(
        {
          file: report.rejectsFile!,
          jobDir: join(dir, 'apply-dup'),
          postgresUrl: db.url,
          rules: parseRuleFlags({ duplicate: ['users.email=keep-first-rename'] }),
        },
        ctx,
      ),
    );
    const applied = result.lines.filter((l) => l.outcome === 'applied').map((l) => l.table);
    expect(applied).toEqual(expect.arrayContaining(['users', 'user_roles', 'passkeys']));
    expect(await query(db, 'SELECT email FROM users WHERE id = $1', [bobDup])).toEqual([
      { email: `bob+dup-${bobDup}@x.com` },
    ]);
    const roles = await query<{ n: string }>(
      db,
      'SELECT count(*)::text AS n FROM user_roles WHERE user_id = $1',
      [bobDup],
    );
    expect(Number(roles[0]!.n)).toBeGreaterThan(0);
    expectAccounted(result.report);
    expect(result.report.tables.users!.rejected).toBe(report.tables.users!.rejected - 1);
    expect(result.report.tables.user_roles!.cascaded).toBe(report.tables.user_roles!.cascaded - 1);
    const rename = jsonl(result.report.changesFile).find((c) => c.code === 'renamed-duplicate');
    expect(rename).toMatchObject({ table: 'users', original: 'bob@x.com' });
  }, 120_000);
});

describe('re-applying rejects with edited rows (the wizard’s editor)', () => {
  it('applies an edited row by its line number, and refuses a line the file does not have', async () => {
    const { report, db } = await migrate('apply-edit');
    const text = readFileSync(report.rejectsFile!, 'utf8').split('\n');
    const at = text.findIndex(
      (l) => l.includes('"reason":"not-null"') && l.includes('"table":"users"'),
    );
    expect(at).toBeGreaterThanOrEqual(0);
    const record = JSON.parse(text[at]!) as { row: Record<string, unknown>; rowKey: string };
    const nobody = gen.quirks!.nullEmailUserId;
    await expect(
      run((ctx) =>
        applyRejects(
          {
            file: report.rejectsFile!,
            jobDir: join(dir, 'apply-edit'),
            postgresUrl: db.url,
            edits: [{ line: 999, row: record.row }],
          },
          ctx,
        ),
      ),
    ).rejects.toThrow(/line 999: there is no reject on this line to edit/);
    const result = await run((ctx) =>
      applyRejects(
        {
          file: report.rejectsFile!,
          jobDir: join(dir, 'apply-edit'),
          postgresUrl: db.url,
          edits: [{ line: at + 1, row: { ...record.row, email: 'nobody@example.com' } }],
        },
        ctx,
      ),
    );
    expect(result.lines.find((l) => l.line === at + 1)?.outcome).toBe('applied');
    expect(await query(db, 'SELECT email FROM users WHERE id = $1', [nobody])).toEqual([
      { email: 'nobody@example.com' },
    ]);
    expectAccounted(result.report);
    // The rejects file is rewritten with what is still rejected: the user is no longer in it.
    expect(
      jsonl(result.report.rejectsFile).some((r) => r.table === 'users' && r.reason === 'not-null'),
    ).toBe(false);
    expect(result.report.tables.users!.rejected).toBe(report.tables.users!.rejected - 1);
  }, 120_000);
});

describe('round, keep-first-rename and drop', () => {
  let report: MigrationReport;
  let db: ScratchDatabase;
  beforeAll(async () => {
    ({ report, db } = await migrate(
      'keep',
      parseRuleFlags({
        value: ['passkeys.counter=round'],
        duplicate: ['users.email=keep-first-rename'],
        orphan: ['user_roles=drop'],
      }),
    ));
  }, 120_000);

  it('still accounts for every row and verifies every table', () => {
    expectAccounted(report);
    expect(report.rules?.values).toEqual([
      { table: 'passkeys', column: 'counter', action: 'round' },
    ]);
  });

  it('rounds the fractional counter (value in PostgreSQL, change record in changes.jsonl and the job state)', async () => {
    const [bob] = gen.quirks!.caseDuplicateUserIds;
    const rows = await query<{ counter: string }>(
      db,
      "SELECT counter::text FROM passkeys WHERE user_id = $1 AND credential_id = 'shared-credential'",
      [bob],
    );
    expect(rows).toEqual([{ counter: '4' }]);
    const change = jsonl(report.changesFile).find(
      (c) => c.table === 'passkeys' && c.code === 'rounded',
    );
    expect(change).toMatchObject({ column: 'counter', original: '3.5', converted: 4 });
    const stored = await query<{ n: string }>(
      db,
      `SELECT count(*)::text AS n FROM nova_migration_outcomes WHERE source_table = 'passkeys' AND kind = 'changed' AND record LIKE '%"code":"rounded"%'`,
    );
    expect(stored[0]!.n).toBe('1');
    expect(
      report.changeGroups.find((g) => g.table === 'passkeys' && g.kind === 'rounded')?.count,
    ).toBe(1);
  });

  it('keeps the case-duplicate user under a recorded name, with its roles and passkey migrated (not orphaned)', async () => {
    const [, bobDup] = gen.quirks!.caseDuplicateUserIds;
    const users = await query<{ email: string }>(db, 'SELECT email FROM users WHERE id = $1', [
      bobDup,
    ]);
    expect(users).toEqual([{ email: `bob+dup-${bobDup}@x.com` }]);
    const roles = await query<{ n: string }>(
      db,
      'SELECT count(*)::text AS n FROM user_roles WHERE user_id = $1',
      [bobDup],
    );
    expect(Number(roles[0]!.n)).toBeGreaterThan(0);
    const passkeys = await query<{ n: string }>(
      db,
      'SELECT count(*)::text AS n FROM passkeys WHERE user_id = $1',
      [bobDup],
    );
    expect(passkeys[0]!.n).toBe('1');
    const rename = jsonl(report.changesFile).find((c) => c.code === 'renamed-duplicate');
    expect(rename).toMatchObject({
      table: 'users',
      column: 'email',
      original: 'bob@x.com',
      converted: `bob+dup-${bobDup}@x.com`,
    });
    const rejects = jsonl(report.rejectsFile);
    expect(rejects.some((r) => r.table === 'users' && r.reason === 'duplicate key')).toBe(false);
    expect(rejects.some((r) => r.parent === `users:${bobDup}`)).toBe(false);
  });

  it('drops orphan roles as recorded changes, not rejects, counted apart', async () => {
    const roles = report.tables.user_roles!;
    const dropped = jsonl(report.changesFile).filter(
      (c) => c.table === 'user_roles' && c.code === 'dropped-orphan',
    );
    expect(dropped.length).toBeGreaterThanOrEqual(2); // (9999, 3) and (2, 99), and the role of the user without an e-mail
    expect(roles.dropped).toBe(dropped.length);
    expect(jsonl(report.rejectsFile).filter((r) => r.table === 'user_roles')).toHaveLength(
      roles.rejected,
    );
    expect(roles.changed).toBeGreaterThanOrEqual(dropped.length);
    const inTarget = await query<{ n: string }>(
      db,
      'SELECT count(*)::text AS n FROM user_roles WHERE user_id = 9999',
    );
    expect(inTarget[0]!.n).toBe('0');
  });
});

describe('merge and keep-in-extra', () => {
  let report: MigrationReport;
  let db: ScratchDatabase;
  beforeAll(async () => {
    ({ report, db } = await migrate(
      'merge',
      parseRuleFlags({
        value: ['passkeys.counter=keep-in-extra'],
        duplicate: ['users(email)=merge'],
      }),
    ));
  }, 120_000);

  it('merges the case-duplicate user into the first and re-points its roles there', async () => {
    expectAccounted(report);
    const [bob, bobDup] = gen.quirks!.caseDuplicateUserIds;
    expect(await query(db, 'SELECT id FROM users WHERE id = $1', [bobDup])).toEqual([]);
    const merged = jsonl(report.changesFile).find(
      (c) => c.code === 'merged-duplicate' && c.table === 'users',
    );
    expect(merged).toMatchObject({ mergedFrom: { id: bobDup }, mergedInto: { id: bob } });
    expect(report.tables.users!.duplicates).toBe(1);
    // Both users had role 3: the re-pointed role is the same row, merged as a duplicate.
    const roles = await query<{ role_id: number }>(
      db,
      'SELECT role_id FROM user_roles WHERE user_id = $1',
      [bob],
    );
    expect(roles.map((r) => r.role_id)).toContain(3);
    const rejects = jsonl(report.rejectsFile);
    expect(rejects.some((r) => r.table === 'user_roles' && r.parent === `users:${bobDup}`)).toBe(
      false,
    );
  });

  it('keeps the fractional counter in legacy_extra and the column at its replacement', async () => {
    const [bob] = gen.quirks!.caseDuplicateUserIds;
    const rows = await query<{ counter: string; legacy_extra: unknown }>(
      db,
      "SELECT counter::text, legacy_extra FROM passkeys WHERE user_id = $1 AND public_key = 'pk-shared-a'",
      [bob],
    );
    expect(rows).toEqual([{ counter: '0', legacy_extra: { counter: 3.5 } }]);
    const change = jsonl(report.changesFile).find(
      (c) => c.table === 'passkeys' && c.code === 'kept-in-extra',
    );
    expect(change).toMatchObject({ column: 'counter', original: '3.5', converted: 0 });
  });
});

describe('bad rules are refused with the valid choices', () => {
  it('refuses bad flag syntax and unknown actions', () => {
    expect(() => parseRuleFlags({ value: ['passkeys-counter'] })).toThrow(/table\.column=action/);
    expect(() => parseRuleFlags({ value: ['passkeys.counter=ceil'] })).toThrow(
      /"ceil" is not an action here; use one of round, truncate, keep-in-extra, reject/,
    );
    expect(() => parseRuleFlags({ duplicate: ['users.email=rename'] })).toThrow(
      /keep-first-rename, merge, reject/,
    );
    expect(() => parseRuleFlags({ orphan: ['user_roles'] })).toThrow(/table=action/);
  });

  it('refuses unknown tables, columns and keys, and actions a column cannot take, listing what exists', async () => {
    const bad = async (rules: MigrationRules): Promise<string> => {
      try {
        await planForSnapshot(gen.file, undefined, rules);
      } catch (err) {
        return `${(err as Error).message}\n${(err as { fix?: string }).fix ?? ''}`;
      }
      throw new Error('accepted');
    };
    expect(await bad(parseRuleFlags({ value: ['passkey.counter=round'] }))).toMatch(
      /no migrated table "passkey"; tables: .*passkeys/,
    );
    expect(await bad(parseRuleFlags({ value: ['passkeys.count=round'] }))).toMatch(
      /no mapped column "count"; columns: .*counter/,
    );
    expect(await bad(parseRuleFlags({ value: ['users.email=round'] }))).toMatch(
      /round applies to whole-number columns/,
    );
    expect(await bad(parseRuleFlags({ duplicate: ['users.name=merge'] }))).toMatch(
      /\(name\) is not a unique key of users; its keys: \(id\), \(email\)/,
    );
    expect(
      await bad(parseRuleFlags({ duplicate: ['user_roles(user_id,role_id)=keep-first-rename'] })),
    ).toMatch(/has none; use merge or reject/);
    expect(await bad(parseRuleFlags({ orphan: ['users=drop'] }))).toMatch(
      /users has no foreign keys.*tables with foreign keys: .*user_roles/,
    );
    const all = await bad(parseRuleFlags({ value: ['nope.x=round', 'users.email=truncate'] }));
    expect(all).toMatch(/nope[\s\S]*users\.email=truncate/); // every problem at once
    expect(all).toMatch(/Value actions: round, truncate, keep-in-extra, reject/);
  });
});

describe('nova-db migrate with rule flags', () => {
  function cli(args: string[]): Promise<CapturedRun> {
    return runCliCaptured(['--data-dir', join(dir, 'data'), ...args], {
      env: { NOVA_LOG_LEVEL: 'warn' },
      cwd: dir,
    });
  }

  it('--help documents the three flags and their actions', async () => {
    const r = await cli(['migrate', '--help']);
    expect(r.code).toBe(0);
    const help = r.stdout + r.stderr;
    expect(help).toContain('--value-rule <table.column=action>');
    expect(help).toContain('--duplicate-rule <table.column=action>');
    expect(help).toContain('--orphan-rule <table=action>');
    expect(help).toMatch(/keep-first-rename/);
    expect(help).toContain('docs/migration-rules.md');
  });

  it('a bad rule stops the command before anything is written, naming the valid choices', async () => {
    const db = await createScratchDatabase('nova_rules_cli_bad');
    dbs.push(db);
    const job = join(dir, 'cli-bad');
    const r = await cli([
      'migrate',
      '--source',
      gen.file,
      '--postgres-url',
      db.url,
      '--report',
      job,
      '--value-rule',
      'passkeys.counter=ceil',
      '--orphan-rule',
      'user_roles',
    ]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(
      /"ceil" is not an action here; use one of round, truncate, keep-in-extra, reject/,
    );
    expect(r.stderr).toMatch(/--orphan-rule "user_roles": write it as table=action/);
    const unknown = await cli([
      'migrate',
      '--source',
      gen.file,
      '--postgres-url',
      db.url,
      '--report',
      job,
      '--value-rule',
      'passkeys.countr=round',
    ]);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/passkeys has no mapped column "countr"; columns: .*counter/);
    const tables = await query<{ n: string }>(
      db,
      "SELECT count(*)::text AS n FROM information_schema.tables WHERE table_schema = 'public'",
    );
    expect(tables[0]!.n).toBe('0');
  });

  it('a run with rule flags reports the rules, the change groups and verifies', async () => {
    const db = await createScratchDatabase('nova_rules_cli');
    dbs.push(db);
    const r = await cli([
      '--json',
      'migrate',
      '--source',
      gen.file,
      '--postgres-url',
      db.url,
      '--report',
      join(dir, 'cli-run'),
      '--value-rule',
      'passkeys.counter=truncate',
      '--duplicate-rule',
      'users(email)=keep-first-rename',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as MigrationReport;
    expectAccounted(report);
    expect(report.rules).toEqual({
      values: [{ table: 'passkeys', column: 'counter', action: 'truncate' }],
      duplicates: [{ table: 'users', key: ['email'], action: 'keep-first-rename' }],
      orphans: [],
    });
    expect(report.changeGroups.map((g) => g.kind)).toEqual(
      expect.arrayContaining(['truncated', 'renamed-duplicate']),
    );
    const [bob] = gen.quirks!.caseDuplicateUserIds;
    const rows = await query<{ counter: string }>(
      db,
      "SELECT counter::text FROM passkeys WHERE user_id = $1 AND credential_id = 'shared-credential'",
      [bob],
    );
    expect(rows).toEqual([{ counter: '3' }]);
  }, 120_000);

  it('--apply-rejects with a rule flag re-applies the file with that rule', async () => {
    const db = await createScratchDatabase('nova_rules_cli_apply');
    dbs.push(db);
    const job = join(dir, 'cli-apply');
    const first = await cli([
      'migrate',
      '--source',
      gen.file,
      '--postgres-url',
      db.url,
      '--report',
      job,
    ]);
    expect(first.code, first.stderr).toBe(0);
    const r = await cli([
      '--json',
      'migrate',
      '--apply-rejects',
      join(job, 'rejects.jsonl'),
      '--postgres-url',
      db.url,
      '--value-rule',
      'passkeys.counter=round',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as MigrationReport & {
      lines: { table: string; outcome: string }[];
    };
    expect(out.lines.filter((l) => l.outcome === 'applied').map((l) => l.table)).toEqual([
      'passkeys',
    ]);
    expect(out.rules?.values).toEqual([{ table: 'passkeys', column: 'counter', action: 'round' }]);
    expectAccounted(out);
  }, 120_000);
});

describe('a resumed migration keeps its rules', () => {
  it('resumes with the rules it started with, and refuses other rules', async () => {
    const db = await createScratchDatabase('nova_rules_resume');
    dbs.push(db);
    const jobDir = join(dir, 'resume');
    const marker = join(dir, 'resume-paused-at');
    const rules = parseRuleFlags({ value: ['passkeys.counter=round'] });
    const task = new Task<MigrationReport>('migration', 'test', (ctx) =>
      runMigration(
        {
          source: gen.file,
          jobDir,
          postgresUrl: db.url,
          batchSize: 97,
          rules,
          env: {
            NOVA_MIGRATE_PAUSE_AT: 'after-table:users',
            NOVA_MIGRATE_PAUSE_RESUME: '1',
            NOVA_MIGRATE_PAUSE_MARKER: marker,
          },
        },
        ctx,
      ),
    );
    const first = task.start();
    first.catch(() => undefined);
    while (!existsSync(marker)) await new Promise((r) => setTimeout(r, 50));
    task.cancel();
    rmSync(marker);
    await expect(first).rejects.toThrow(/cancelled/);

    const other = parseRuleFlags({ value: ['passkeys.counter=truncate'] });
    await expect(
      run((ctx) =>
        runMigration(
          { source: gen.file, jobDir, postgresUrl: db.url, resume: true, rules: other },
          ctx,
        ),
      ),
    ).rejects.toThrow(/plan or its rules differ/);

    const report = await run((ctx) =>
      runMigration({ source: gen.file, jobDir, postgresUrl: db.url, resume: true }, ctx),
    );
    expectAccounted(report);
    expect(report.resumed).toBe(true);
    expect(report.rules?.values).toEqual(rules.values);
    const [bob] = gen.quirks!.caseDuplicateUserIds;
    const rows = await query<{ counter: string }>(
      db,
      "SELECT counter::text FROM passkeys WHERE user_id = $1 AND credential_id = 'shared-credential'",
      [bob],
    );
    expect(rows).toEqual([{ counter: '4' }]);
  }, 120_000);
});

describe('a dirty file (defects spread through every table) with the site’s rules', () => {
  it('keeps the fractional counters and the case-duplicate users with their children, drops the orphans, and still verifies', async () => {
    const dirty = generateLegacyDatabase(join(dir, 'dirty.sqlite'), {
      users: 1500,
      logs: 3000,
      passkeys: 1200,
      defectRate: 0.05,
      seed: 7,
    });
    const before = await migrateFile(dirty.file, 'dirty-before');
    expectAccounted(before.report);
    const fractional = before.report.rejectGroups.find(
      (g) => g.table === 'passkeys' && g.column === 'counter' && g.reason === 'fractional',
    );
    expect(fractional?.count).toBeGreaterThan(0);
    const cascades = before.report.rejectGroups.filter((g) => g.cascade);
    expect(cascades.length).toBeGreaterThan(0);

    const rules = parseRuleFlags({
      value: ['passkeys.counter=round'],
      duplicate: ['users.email=keep-first-rename'],
      orphan: ['user_roles=drop', 'passkeys=drop'],
    });
    const after = await migrateFile(dirty.file, 'dirty-after', rules);
    expectAccounted(after.report);
    const p0 = before.report.tables.passkeys!;
    const p1 = after.report.tables.passkeys!;
    expect(p1.migrated).toBeGreaterThanOrEqual(p0.migrated + fractional!.count);
    expect(
      after.report.rejectGroups.some(
        (g) => g.table === 'passkeys' && g.column === 'counter' && g.reason === 'fractional',
      ),
    ).toBe(false);
    expect(
      after.report.rejectGroups.some((g) => g.table === 'users' && g.reason === 'duplicate key'),
    ).toBe(false);
    expect(after.report.tables.user_roles!.cascaded).toBeLessThan(
      before.report.tables.user_roles!.cascaded,
    );
    const kinds = new Map(after.report.changeGroups.map((g) => [`${g.table}:${g.kind}`, g.count]));
    expect(kinds.get('passkeys:rounded')).toBe(fractional!.count);
    expect(kinds.get('users:renamed-duplicate')).toBeGreaterThan(0);
    // Every change the report counts is a line in changes.jsonl.
    const changed = Object.values(after.report.tables).reduce((n, t) => n + t.changed, 0);
    expect(jsonl(after.report.changesFile)).toHaveLength(changed);
  }, 300_000);
});

describe('the dry run', () => {
  it('marks cascades like the run, and applies value and orphan rules', async () => {
    const plainRun = await migrateFile(gen.file, 'dry-compare');
    const plain = await run((ctx) =>
      dryRunMigration({ source: gen.file, reportDir: join(dir, 'dry-plain') }, ctx),
    );
    expect(plain.ok).toBe(true);
    for (const name of ['user_roles', 'passkeys'])
      expect(plain.tables[name]!.cascaded, name).toBe(plainRun.report.tables[name]!.cascaded);
    expect(jsonl(plain.rejectsFile).filter((r) => r.cascade === true).length).toBe(
      plain.rejectGroups.filter((g) => g.cascade).reduce((n, g) => n + g.count, 0),
    );
    const ruled = await run((ctx) =>
      dryRunMigration(
        {
          source: gen.file,
          reportDir: join(dir, 'dry-rules'),
          rules: parseRuleFlags({ value: ['passkeys.counter=round'], orphan: ['user_roles=drop'] }),
        },
        ctx,
      ),
    );
    expect(ruled.ok).toBe(true);
    const roles = ruled.tables.user_roles!;
    expect(roles.dropped).toBe(plain.tables.user_roles!.rejected);
    expect(roles.rejected).toBe(0);
    expect(roles.migrated + roles.duplicates + roles.rejected + roles.dropped!).toBe(roles.source);
    expect(jsonl(ruled.changesFile).some((c) => c.code === 'rounded')).toBe(true);
  }, 120_000);
});
