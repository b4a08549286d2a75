/**
 * Crash safety of the built CLI (main/core/migrate/README.md#resume-rules): `nova-db migrate` is killed with
 * SIGKILL at three points — inside a batch of the largest table, between two
 * tables, and while an index is being rebuilt — then run again with
 * --resume. The resumed job must end exactly like an uninterrupted one:
 * same counts per table, same content checksums, no row lost or doubled,
 * the same rejects.
 *
 * The kill points are reached deterministically with the engine's test hook
 * NOVA_MIGRATE_PAUSE_AT (run/pause-hook.ts): the process writes a marker file
 * at the point and waits there to be killed.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { MongoClient } from 'mongodb';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MigrationReport } from '../../../main/core/migrate/report.js';
import {
  generateLegacyDatabase,
  type GeneratedLegacyDb,
} from '../../fixtures/legacy-db-generator.js';
import { startMongo, type MongoTestServer } from '../../support/mongo-server.js';
import { createScratchDatabase, type ScratchDatabase } from '../../support/postgres.js';
import { createEventsSource } from './events-fixture.js';

const ROOT = join(import.meta.dirname, '../../..');
const BIN = join(ROOT, 'bin/nova-db.js');
const BATCH = 2000;

let dir: string;
let gen: GeneratedLegacyDb;
const databases: ScratchDatabase[] = [];
let reference: { report: MigrationReport; checksums: Record<string, string>; rejects: string[] };

beforeAll(async () => {
  // The CLI as shipped, compiled to dist/ once per run by test/support/global-setup.ts.
  if (!existsSync(join(ROOT, 'dist/main/cli/commands/migrate.js')))
    throw new Error('the CLI did not build');
  dir = mkdtempSync(join(tmpdir(), 'nova-migrate-kill-'));
  gen = generateLegacyDatabase(join(dir, 'log.sqlite'), {
    users: 30,
    logs: 20_000,
    kiosks: 5,
    quirks: true,
  });
  const db = await scratch();
  const result = await cli([
    '--source',
    gen.file,
    '--postgres-url',
    db.url,
    '--report',
    join(dir, 'reference'),
  ]);
  expect(result.exitCode, result.stderr).toBe(0);
  const report = JSON.parse(result.stdout) as MigrationReport;
  reference = { report, checksums: await checksums(db.url), rejects: rejectLines(report) };
}, 240_000);

afterAll(async () => {
  for (const db of databases) await db.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function scratch(): Promise<ScratchDatabase> {
  const db = await createScratchDatabase('nova_mig_kill');
  databases.push(db);
  return db;
}

function cli(args: string[], env: Record<string, string> = {}) {
  return execa(
    'node',
    [
      BIN,
      '--data-dir',
      join(dir, 'data'),
      '--json',
      'migrate',
      '--batch-size',
      String(BATCH),
      ...args,
    ],
    {
      env: { ...env, NOVA_LOG_LEVEL: 'warn' },
      reject: false,
    },
  );
}

async function sql<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

/** Each table's committed content checksum, as the job recorded it. */
async function checksums(url: string): Promise<Record<string, string>> {
  const rows = await sql<{ source_table: string; checksum: string }>(
    url,
    'SELECT source_table, checksum::text AS checksum FROM nova_migration_progress',
  );
  return Object.fromEntries(rows.map((r) => [r.source_table, r.checksum]));
}

function rejectLines(report: MigrationReport): string[] {
  return readFileSync(report.rejectsFile!, 'utf8')
    .trim()
    .split('\n')
    .map((l) => {
      const r = JSON.parse(l) as { table: string; key: string; reason: string };
      return `${r.table} ${r.key} ${r.reason}`;
    })
    .sort();
}

/** Starts the CLI paused at `point`, waits for it to get there, and kills it with SIGKILL. */
async function killAt(
  point: string,
  url: string,
  jobDir: string,
  args = ['--source', gen.file],
  env: Record<string, string> = {},
): Promise<void> {
  const marker = join(dir, `marker-${point.replaceAll(':', '-')}-${Date.now()}`);
  const child = cli([...args, '--postgres-url', url, '--report', jobDir], {
    ...env,
    NOVA_MIGRATE_PAUSE_AT: point,
    NOVA_MIGRATE_PAUSE_MARKER: marker,
  });
  const deadline = Date.now() + 120_000;
  while (!existsSync(marker)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      const r = await child;
      throw new Error(`the CLI never reached ${point}: exit ${r.exitCode}\n${r.stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  const result = await child;
  expect(result.signal).toBe('SIGKILL');
}

async function resumeAndCompare(url: string, jobDir: string): Promise<void> {
  const result = await cli([
    '--source',
    gen.file,
    '--postgres-url',
    url,
    '--report',
    jobDir,
    '--resume',
  ]);
  expect(result.exitCode, result.stderr).toBe(0);
  const report = JSON.parse(result.stdout) as MigrationReport;
  expect(report).toMatchObject({ ok: true, resumed: true });
  for (const [name, t] of Object.entries(reference.report.tables)) {
    const got = report.tables[name]!;
    expect({ ...got, target: t.target }, name).toMatchObject({
      source: t.source,
      migrated: t.migrated,
      duplicates: t.duplicates,
      rejected: t.rejected,
      changed: t.changed,
      verified: true,
    });
  }
  expect(await checksums(url)).toEqual(reference.checksums);
  expect(rejectLines(report)).toEqual(reference.rejects);
  // No row doubled: every key once, and exactly as many rows as were migrated.
  const [logs] = await sql<{ n: string; d: string }>(
    url,
    'SELECT count(*)::text AS n, count(DISTINCT id)::text AS d FROM logs',
  );
  expect(logs).toEqual({ n: String(gen.rowCounts.logs), d: String(gen.rowCounts.logs) });
  const [ur] = await sql<{ n: string; d: string }>(
    url,
    'SELECT count(*)::text AS n, count(DISTINCT (user_id, role_id))::text AS d FROM user_roles',
  );
  expect(ur!.n).toBe(ur!.d);
}

describe('kill -9 and --resume', () => {
  it('reference run: the accounting adds up', () => {
    for (const t of Object.values(reference.report.tables))
      expect(t.migrated + t.duplicates + t.rejected).toBe(t.source);
    expect(reference.report.ok).toBe(true);
  });

  it('killed inside a batch of the largest table: the batch in flight is rolled back, the rest resumes', async () => {
    const db = await scratch();
    const jobDir = join(dir, 'job-batch');
    await killAt('batch:logs:3', db.url, jobDir);
    // Two batches committed; the third was written but not committed.
    const [partial] = await sql<{ n: string }>(db.url, 'SELECT count(*)::text AS n FROM logs');
    expect(Number(partial!.n)).toBe(2 * BATCH);
    await resumeAndCompare(db.url, jobDir);
  }, 180_000);

  it('killed between two tables', async () => {
    const db = await scratch();
    const jobDir = join(dir, 'job-between');
    await killAt('after-table:users', db.url, jobDir);
    const [phase] = await sql<{ phase: string }>(
      db.url,
      "SELECT phase FROM nova_migration_progress WHERE source_table = 'users'",
    );
    // Loaded; its indexes may already have been rebuilt alongside (PostLoad).
    expect(['loaded', 'indexed']).toContain(phase!.phase);
    // Its child waits for it (the other load lane may be anywhere in an unrelated table).
    expect(
      await sql(db.url, "SELECT 1 FROM nova_migration_progress WHERE source_table = 'user_roles'"),
    ).toEqual([]);
    await resumeAndCompare(db.url, jobDir);
  }, 180_000);

  it('killed while an index is being rebuilt', async () => {
    const db = await scratch();
    const jobDir = join(dir, 'job-index');
    await killAt('index:logs', db.url, jobDir);
    const pending = await sql<{ index_name: string }>(
      db.url,
      "SELECT index_name FROM nova_migration_deferred_indexes WHERE target_table = 'logs'",
    );
    expect(pending.length).toBeGreaterThan(0);
    await resumeAndCompare(db.url, jobDir);
    const indexes = await sql<{ indexname: string }>(
      db.url,
      "SELECT indexname FROM pg_indexes WHERE tablename = 'logs'",
    );
    expect(indexes.map((i) => i.indexname)).toEqual(
      expect.arrayContaining(['idx_logs_timestamp', 'idx_logs_ticket_id']),
    );
  }, 180_000);

  it('an unfinished job is not started over by accident', async () => {
    const db = await scratch();
    const jobDir = join(dir, 'job-refuse');
    await killAt('batch:logs:1', db.url, jobDir);
    const again = await cli(['--source', gen.file, '--postgres-url', db.url, '--report', jobDir]);
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toMatch(/unfinished migration .* --resume/s);
    expect(JSON.parse(again.stdout)).toMatchObject({ error: { code: 'INVALID_ARGUMENT' } });
  }, 180_000);
});

describe('kill -9 and --resume with a MongoDB target', () => {
  let mongo: MongoTestServer;
  let events: { source: string; planFile: string };
  const EVENTS = 3000;
  const mongoDb = `nova_mig_kill_${process.pid}`;

  beforeAll(async () => {
    mongo = await startMongo();
    events = createEventsSource(mkdtempSync(join(dir, 'mongo-')), EVENTS);
  }, 120_000);

  afterAll(async () => {
    const client = new MongoClient(mongo.url);
    await client
      .connect()
      .then(() => client.db(mongoDb).dropDatabase())
      .catch(() => undefined);
    await client.close();
    await mongo?.stop();
  });

  it('killed after a batch reached MongoDB but before its checkpoint: the redone batch finds its documents, nothing doubles', async () => {
    const db = await scratch();
    const jobDir = join(dir, 'job-mongo');
    const args = [
      '--source',
      events.source,
      '--plan',
      events.planFile,
      '--target',
      'postgres,mongo',
      '--mongo-url',
      mongo.url,
    ];
    const env = { MONGODB_DB: mongoDb };
    await killAt('batch:events:2', db.url, jobDir, args, env);
    const client = new MongoClient(mongo.url);
    await client.connect();
    try {
      // Both batches are in MongoDB; only the first was checkpointed.
      expect(await client.db(mongoDb).collection('events').countDocuments()).toBe(EVENTS + 1);
      const result = await cli(
        [...args, '--postgres-url', db.url, '--report', jobDir, '--resume'],
        env,
      );
      expect(result.exitCode, result.stderr).toBe(0);
      const report = JSON.parse(result.stdout) as MigrationReport;
      expect(report.tables.events).toMatchObject({
        source: EVENTS + 4,
        migrated: EVENTS + 1,
        duplicates: 1,
        rejected: 2,
        verified: true,
      });
      expect(await client.db(mongoDb).collection('events').countDocuments()).toBe(EVENTS + 1);
    } finally {
      await client.close();
    }
  }, 180_000);
});
