/**
 * The legacy file changing while it is migrated (issue 13, defect 9): the
 * run is held after the largest table loaded (NOVA_MIGRATE_PAUSE_AT with
 * NOVA_MIGRATE_PAUSE_RESUME) while "the legacy program" — another SQLite
 * connection on the live file, in WAL mode as the legacy app runs it —
 * inserts 1500 rows, updates one row and deletes one. The report must say
 * so, per table, instead of a silent OK. Then the documented cutover: the
 * writer stops, `migrate --catch-up` adds exactly the new rows (by key, by
 * the job's plan, sequences moved past them), a second catch-up adds
 * nothing, and an untouched source gives no warning at all.
 */
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliCaptured } from '../../../support/run-cli-captured.js';
import type { CatchUpResult } from '../../../../main/core/migrate/catch-up.js';
import type { MigrationReport } from '../../../../main/core/migrate/report.js';
import {
  generateLegacyDatabase,
  type GeneratedLegacyDb,
} from '../../../fixtures/legacy-db-generator.js';
import { createScratchDatabase, type ScratchDatabase } from '../../../support/postgres.js';

let dir: string;
let gen: GeneratedLegacyDb;
const dbs: ScratchDatabase[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'nova-source-changes-'));
  gen = generateLegacyDatabase(join(dir, 'log.sqlite'), { users: 20, logs: 8_000, kiosks: 3 });
  const db = new Database(gen.file);
  db.pragma('journal_mode = WAL');
  db.close();
}, 60_000);

afterAll(async () => {
  for (const d of dbs) await d.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function cli(args: string[], env: Record<string, string> = {}) {
  return runCliCaptured(['--data-dir', join(dir, 'data'), '--json', 'migrate', ...args], {
    env: { NOVA_LOG_LEVEL: 'error', ...env },
    cwd: dir,
  });
}

async function count(url: string, sql: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return Number((await c.query<{ n: string }>(sql)).rows[0]!.n);
  } finally {
    await c.end();
  }
}

describe('a legacy file that changes during the migration', () => {
  it('is reported per table, and --catch-up adds the new rows exactly once', async () => {
    const target = await createScratchDatabase('nova_i13b_drift');
    dbs.push(target);
    const jobDir = join(dir, 'job');
    const marker = join(dir, 'paused');
    const args = ['--source', gen.file, '--postgres-url', target.url, '--report', jobDir];
    const run = cli(args, {
      NOVA_MIGRATE_PAUSE_AT: 'after-table:logs',
      NOVA_MIGRATE_PAUSE_MARKER: marker,
      NOVA_MIGRATE_PAUSE_RESUME: '1',
    });
    let done = false;
    void run.finally(() => (done = true));
    while (!existsSync(marker)) {
      if (done) throw new Error(`never paused: ${(await run).stderr}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    // The legacy program keeps writing after the snapshot.
    const writer = new Database(gen.file);
    writer.exec(`INSERT INTO logs (ticket_id, name, email, title, system, urgency, timestamp, email_status)
      SELECT 'new-' || id, name, email, title, system, urgency, timestamp, email_status FROM logs ORDER BY id LIMIT 1500`);
    writer.exec(
      "UPDATE logs SET title = 'edited after the snapshot' WHERE id = (SELECT min(id) FROM logs)",
    );
    writer.exec('DELETE FROM logs WHERE id = (SELECT min(id) + 1 FROM logs)');
    rmSync(marker);
    const result = await run;
    writer.close(); // the writer stops: the cutover's first step
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as MigrationReport;
    const warning = report.warnings.find((w) => w.includes('changed while it was being migrated'));
    expect(warning, JSON.stringify(report.warnings)).toBeDefined();
    expect(warning).toMatch(/1500 new, 1 changed, 1 deleted in logs/);
    expect(warning).toMatch(/catch-up/);
    expect(await count(target.url, 'SELECT count(*) AS n FROM logs')).toBe(gen.rowCounts.logs);

    const caught = await cli([...args, '--catch-up']);
    expect(caught.code, caught.stderr).toBe(0);
    const r = JSON.parse(caught.stdout) as CatchUpResult;
    expect(r.tables.find((t) => t.table === 'logs')).toMatchObject({
      newRows: 1500,
      inserted: 1500,
      alreadyThere: 0,
      rejected: [],
      changed: 1,
      removed: 1,
    });
    expect(await count(target.url, 'SELECT count(*) AS n FROM logs')).toBe(
      gen.rowCounts.logs! + 1500,
    );
    expect(
      await count(target.url, "SELECT count(*) AS n FROM logs WHERE ticket_id LIKE 'new-%'"),
    ).toBe(1500);
    // The key sequence moved past the new rows: the next insert does not collide.
    await count(
      target.url,
      "WITH i AS (INSERT INTO logs (ticket_id) VALUES ('after cutover') RETURNING id) SELECT count(*) AS n FROM i",
    );

    const again = await cli([...args, '--catch-up']);
    expect(again.code, again.stderr).toBe(0);
    const second = JSON.parse(again.stdout) as CatchUpResult;
    expect(second.tables.find((t) => t.table === 'logs')).toMatchObject({
      inserted: 0,
      alreadyThere: 1500,
    });
  }, 240_000);

  it('an untouched source gives no warning, and a catch-up finds nothing', async () => {
    const target = await createScratchDatabase('nova_i13b_still');
    dbs.push(target);
    const quiet = generateLegacyDatabase(join(dir, 'quiet.sqlite'), { users: 5, logs: 500 });
    const args = [
      '--source',
      quiet.file,
      '--postgres-url',
      target.url,
      '--report',
      join(dir, 'job-quiet'),
    ];
    const result = await cli(args);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as MigrationReport;
    expect(report.warnings.join('\n')).not.toMatch(/changed while/);
    const caught = await cli([...args, '--catch-up']);
    expect(caught.code, caught.stderr).toBe(0);
    expect((JSON.parse(caught.stdout) as CatchUpResult).tables).toEqual([]);
  }, 120_000);

  it('--catch-up refuses a job that is not completed, and bad combinations', async () => {
    const none = await cli([
      '--source',
      gen.file,
      '--report',
      join(dir, 'nothing-here'),
      '--catch-up',
    ]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/no completed migration .* to catch up/);
    expect(none.stderr).toMatch(/\nfix: /);
    const clash = await cli(['--source', gen.file, '--catch-up', '--resume']);
    expect(clash.code).toBe(2);
  });
});
