/**
 * `nova-db migrate` through the CLI entry (in-process, output captured):
 * the §11 JSON report, the human summary, a dry run, usage errors with
 * exit 2, and the clear refusals a person meets with bad input.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliCaptured } from '../../support/run-cli-captured.js';
import type { MigrationReport } from '../../../main/core/migrate/report.js';
import { osFreePort } from '../../../main/core/services/ports.js';
import {
  generateLegacyDatabase,
  type GeneratedLegacyDb,
} from '../../fixtures/legacy-db-generator.js';
import { ADMIN_URL, createScratchDatabase, type ScratchDatabase } from '../../support/postgres.js';

let dir: string;
let gen: GeneratedLegacyDb;
const dbs: ScratchDatabase[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'nova-migrate-cli-'));
  gen = generateLegacyDatabase(join(dir, 'log.sqlite'), { users: 12, logs: 150, quirks: true });
});

afterAll(async () => {
  for (const db of dbs) await db.drop();
  rmSync(dir, { recursive: true, force: true });
});

async function scratch(): Promise<ScratchDatabase> {
  const db = await createScratchDatabase('nova_mig_cli');
  dbs.push(db);
  return db;
}

function cli(args: string[], env: Record<string, string> = {}) {
  return runCliCaptured(['--data-dir', join(dir, 'data'), ...args], {
    env: { NOVA_LOG_LEVEL: 'warn', ...env },
    cwd: dir,
  });
}

async function sql(url: string, text: string): Promise<unknown[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows;
  } finally {
    await client.end();
  }
}

describe('nova-db migrate', () => {
  it('--json prints the §11 report: ok, source, target, tables with source = migrated + duplicates + rejected, rejectsFile, durationMs', async () => {
    const db = await scratch();
    const r = await cli([
      '--json',
      'migrate',
      '--source',
      gen.file,
      '--postgres-url',
      db.url,
      '--report',
      join(dir, 'job-json'),
    ]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as MigrationReport;
    expect(report).toMatchObject({
      ok: true,
      source: gen.file,
      target: 'postgres',
      rejectsFile: join(dir, 'job-json', 'rejects.jsonl'),
    });
    expect(report.durationMs).toBeGreaterThan(0);
    for (const [name, t] of Object.entries(report.tables)) {
      expect(Object.keys(t)).toEqual(
        expect.arrayContaining(['source', 'migrated', 'duplicates', 'rejected', 'verified']),
      );
      expect(t.source, name).toBe(t.migrated + t.duplicates + t.rejected);
    }
    // The target was backed up before the first write.
    expect(report.backup).toMatch(/backups/);
  });

  it('without --json prints the human summary on stdout; POSTGRES_URL is used when no flag is given', async () => {
    const db = await scratch();
    const r = await cli(['migrate', '--source', gen.file, '--report', join(dir, 'job-human')], {
      POSTGRES_URL: db.url,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Migration of .* → postgres: OK, verified/);
    expect(r.stdout).toMatch(/users\s+postgres:users\s+\d+/);
    expect(r.stdout).toContain('were rejected');
  });

  it('--dry-run writes nothing and reports what would happen', async () => {
    const db = await scratch();
    const r = await cli([
      '--json',
      'migrate',
      '--source',
      gen.file,
      '--postgres-url',
      db.url,
      '--dry-run',
      '--report',
      join(dir, 'dry'),
    ]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as MigrationReport;
    expect(report.kind).toBe('dry-run');
    expect(report.rejectsTotal).toBeGreaterThan(0);
    expect(await sql(db.url, "SELECT 1 FROM pg_tables WHERE tablename = 'users'")).toEqual([]);
  });

  it.each([
    [['migrate'], /needs --source FILE/],
    [
      ['migrate', '--source', 'x.sqlite', '--apply-rejects', 'r.jsonl'],
      /cannot be combined with --source/,
    ],
    [
      ['migrate', '--source', 'x.sqlite', '--dry-run', '--resume'],
      /--dry-run and --resume cannot be combined/,
    ],
    [
      ['migrate', '--source', 'x.sqlite', '--target', 'oracle'],
      /--target takes postgres, mongo or postgres,mongo \(not oracle\)/,
    ],
    [
      ['migrate', '--source', 'x.sqlite', '--batch-size', '0'],
      /--batch-size must be a whole number/,
    ],
  ])('refuses %j with exit 2 and a one-line reason', async (args, message) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('a file that is not SQLite: NOT_SQLITE, and nothing is left to resume', async () => {
    const file = join(dir, 'notes.txt');
    writeFileSync(file, 'hello, this is not a database\n');
    const r = await cli([
      '--json',
      'migrate',
      '--source',
      file,
      '--postgres-url',
      ADMIN_URL,
      '--report',
      join(dir, 'job-text'),
    ]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: 'NOT_SQLITE' } });
  });

  it('no PostgreSQL configured: says which flag or variable to set', async () => {
    const r = await cli(['migrate', '--source', gen.file, '--report', join(dir, 'job-nourl')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no --postgres-url was given and POSTGRES_URL is not set/);
  });

  it('an unreachable PostgreSQL: a connection error, and the next run starts fresh (no half job to resume)', async () => {
    const port = await osFreePort();
    const bad = await cli([
      '--json',
      'migrate',
      '--source',
      gen.file,
      '--postgres-url',
      `postgres://postgres@127.0.0.1:${port}/nova`,
      '--report',
      join(dir, 'job-retry'),
    ]);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout)).toMatchObject({ error: { code: 'CONN_REFUSED' } });
    const db = await scratch();
    const good = await cli([
      '--json',
      'migrate',
      '--source',
      gen.file,
      '--postgres-url',
      db.url,
      '--report',
      join(dir, 'job-retry'),
    ]);
    expect(good.code, good.stderr).toBe(0);
  });

  it('--resume with nothing to resume', async () => {
    const db = await scratch();
    const r = await cli([
      'migrate',
      '--source',
      gen.file,
      '--postgres-url',
      db.url,
      '--report',
      join(dir, 'job-none'),
      '--resume',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/There is no migration to resume/);
  });

  it('a plan file that is not valid: every problem listed by its path', async () => {
    const plan = join(dir, 'plan.json');
    writeFileSync(
      plan,
      JSON.stringify({
        version: 1,
        name: 'x',
        tables: [{ source: 'users', target: { kind: 'postgres', table: 'users', columns: [] } }],
      }),
    );
    const db = await scratch();
    const r = await cli([
      'migrate',
      '--source',
      gen.file,
      '--postgres-url',
      db.url,
      '--plan',
      plan,
      '--report',
      join(dir, 'job-plan'),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/tables\[0\] \(users\)\.target\.columns/);
  });

  it('a target database that is not UTF8 is refused before anything is written', async () => {
    const name = `nova_mig_latin1_${process.pid}`;
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.query(
      `CREATE DATABASE ${name} ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0`,
    );
    await admin.end();
    const url = new URL(ADMIN_URL);
    url.pathname = `/${name}`;
    try {
      const r = await cli([
        'migrate',
        '--source',
        gen.file,
        '--postgres-url',
        url.toString(),
        '--report',
        join(dir, 'job-latin1'),
      ]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/uses the LATIN1 encoding.*needs UTF8/);
      expect(
        await sql(url.toString(), "SELECT 1 FROM pg_tables WHERE tablename = 'users'"),
      ).toEqual([]);
    } finally {
      const a = new pg.Client({ connectionString: ADMIN_URL });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    }
  });

  it('a target that already holds data the plan must not overwrite is refused with the table and row count', async () => {
    const db = await scratch();
    const first = await cli([
      'migrate',
      '--source',
      gen.file,
      '--postgres-url',
      db.url,
      '--report',
      join(dir, 'job-a'),
    ]);
    expect(first.code, first.stderr).toBe(0);
    // Same rows from another copy of the file, into the same database.
    const copy = generateLegacyDatabase(join(dir, 'copy.sqlite'), {
      users: 12,
      logs: 150,
      quirks: true,
    });
    const r = await cli([
      'migrate',
      '--source',
      copy.file,
      '--postgres-url',
      db.url,
      '--report',
      join(dir, 'job-b'),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Target table "users" already holds \d+ row\(s\)/);
  });

  it('another unfinished migration in the same database is named, with the command that finishes it', async () => {
    const db = await scratch();
    await sql(
      db.url,
      `CREATE TABLE nova_migration_jobs (id text PRIMARY KEY, source_file text NOT NULL, job_dir text NOT NULL, plan_name text NOT NULL,
      plan_hash text NOT NULL, status text NOT NULL, started_at timestamptz NOT NULL DEFAULT now(), finished_at timestamptz, report text)`,
    );
    await sql(
      db.url,
      "INSERT INTO nova_migration_jobs (id, source_file, job_dir, plan_name, plan_hash, status) VALUES ('j1', '/old/log.sqlite', '/old/job', 'p', 'h', 'running')",
    );
    const r = await cli([
      'migrate',
      '--source',
      gen.file,
      '--postgres-url',
      db.url,
      '--report',
      join(dir, 'job-other'),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Another migration \(of \/old\/log\.sqlite.*--resume/s);
  });

  it('--apply-rejects outside a migration directory', async () => {
    const file = join(dir, 'loose.jsonl');
    writeFileSync(file, '');
    const r = await cli(['migrate', '--apply-rejects', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/is not a migration directory/);
  });
});
