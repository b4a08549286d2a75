/**
 * A migration whose target fails over mid-run (the built CLI against a
 * primary + streaming standby, test/support/postgres-replication.ts, named
 * by one multi-host --postgres-url): the run is held inside a batch of the
 * largest table (NOVA_MIGRATE_PAUSE_AT with NOVA_MIGRATE_PAUSE_RESUME), the
 * primary is stopped and the standby promoted, then the run goes on — it
 * must stop with a one-line reason and a fix, and `--resume` with the same
 * URL must finish on the new primary exactly like an uninterrupted run into
 * another database: same counts per table, same content checksums, every
 * row once.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MigrationReport } from '../../../main/core/migrate/report.js';
import {
  generateLegacyDatabase,
  type GeneratedLegacyDb,
} from '../../fixtures/legacy-db-generator.js';
import { createScratchDatabase, type ScratchDatabase } from '../../support/postgres.js';
import {
  startReplicatedPostgres,
  type ReplicatedPostgres,
} from '../../support/postgres-replication.js';

const ROOT = join(import.meta.dirname, '../../..');
const BIN = join(ROOT, 'bin/nova-db.js');
const BATCH = 1000;

let dir: string;
let gen: GeneratedLegacyDb;
let ha: ReplicatedPostgres;
let reference: ScratchDatabase;
let referenceReport: MigrationReport;

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
    { env: { ...env, NOVA_LOG_LEVEL: 'warn' }, reject: false },
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

async function checksums(url: string): Promise<Record<string, string>> {
  const rows = await sql<{ source_table: string; checksum: string }>(
    url,
    'SELECT source_table, checksum::text AS checksum FROM nova_migration_progress',
  );
  return Object.fromEntries(rows.map((r) => [r.source_table, r.checksum]));
}

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist/main/cli/commands/migrate.js')))
    throw new Error('the CLI did not build');
  dir = mkdtempSync(join(tmpdir(), 'nova-migrate-failover-'));
  gen = generateLegacyDatabase(join(dir, 'log.sqlite'), {
    users: 30,
    logs: 8_000,
    kiosks: 5,
    quirks: true,
  });
  const [cluster, scratch] = await Promise.all([
    startReplicatedPostgres(),
    createScratchDatabase('nova_mig_failover'),
  ]);
  ha = cluster;
  reference = scratch;
  await sql(ha.primary.url, 'CREATE DATABASE nova');
  const result = await cli([
    '--source',
    gen.file,
    '--postgres-url',
    reference.url,
    '--report',
    join(dir, 'reference'),
  ]);
  expect(result.exitCode, result.stderr).toBe(0);
  referenceReport = JSON.parse(result.stdout) as MigrationReport;
}, 180_000);

afterAll(async () => {
  await reference?.drop();
  await ha?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the target fails over during a migration', () => {
  it('stops cleanly, and --resume finishes on the new primary with exact accounting', async () => {
    const url = ha.multiHostUrl('nova');
    const jobDir = join(dir, 'job');
    const marker = join(dir, 'paused');
    const run = cli(['--source', gen.file, '--postgres-url', url, '--report', jobDir], {
      NOVA_MIGRATE_PAUSE_AT: 'batch:logs:3',
      NOVA_MIGRATE_PAUSE_MARKER: marker,
      NOVA_MIGRATE_PAUSE_RESUME: '1',
    });
    const deadline = Date.now() + 120_000;
    while (!existsSync(marker)) {
      if (run.exitCode !== null || Date.now() > deadline) {
        run.kill('SIGKILL');
        const r = await run;
        throw new Error(`the CLI never reached the pause: exit ${r.exitCode}\n${r.stderr}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    // Two batches committed (and streamed to the standby); the third is in flight.
    await ha.stopPrimary();
    await ha.promoteStandby();
    rmSync(marker);
    const stopped = await run;
    expect(stopped.exitCode).toBe(1);
    const reason = stopped.stderr
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('nova-db: '));
    expect(reason, stopped.stderr).toHaveLength(1);
    expect(reason[0]).toContain(`127.0.0.1:${ha.primary.port}`);
    expect(stopped.stderr).toMatch(/fix: /);
    expect(stopped.stderr).not.toContain(ha.password);
    expect(stopped.stderr).not.toMatch(/\n\s+at /); // no stack trace
    const error = (JSON.parse(stopped.stdout) as { error: { code: string; fix: string } }).error;
    expect(error.code).toBe('FAILOVER');
    expect(error.fix).toContain('--resume');
    console.log(`[migrate failover] the interrupted run said: ${reason[0]}`);

    const resumed = await cli([
      '--source',
      gen.file,
      '--postgres-url',
      url,
      '--report',
      jobDir,
      '--resume',
    ]);
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    const report = JSON.parse(resumed.stdout) as MigrationReport;
    expect(report).toMatchObject({ ok: true, resumed: true });
    for (const [name, t] of Object.entries(referenceReport.tables)) {
      expect({ ...report.tables[name]!, target: t.target }, name).toMatchObject({
        source: t.source,
        migrated: t.migrated,
        duplicates: t.duplicates,
        rejected: t.rejected,
        changed: t.changed,
        verified: true,
      });
      expect(t.migrated + t.duplicates + t.rejected).toBe(t.source);
    }
    expect(await checksums(ha.standby.url.replace(/\/postgres$/, '/nova'))).toEqual(
      await checksums(reference.url),
    );
    const [logs] = await sql<{ n: string; d: string }>(
      ha.standby.url.replace(/\/postgres$/, '/nova'),
      'SELECT count(*)::text AS n, count(DISTINCT id)::text AS d FROM logs',
    );
    expect(logs).toEqual({ n: String(gen.rowCounts.logs), d: String(gen.rowCounts.logs) });
  }, 180_000);
});
