/**
 * Infrastructure failures during a migration (issue 13, defect 7): the
 * target PostgreSQL (a private cluster) shuts down in the middle of the
 * load, or this machine's disk fills up after the load (the job folder on
 * a small tmpfs). Each must end in one clear reason with a fix that names
 * --resume — never "Unexpected error … a bug in Nova DB" — and the resumed
 * run must finish exactly: every table's counts as generated, verified.
 *
 * The run is held at a point with the engine's test hook
 * (NOVA_MIGRATE_PAUSE_AT + NOVA_MIGRATE_PAUSE_RESUME, run/pause-hook.ts)
 * while the world changes underneath it. The CLI runs in-process.
 */
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  writeSync,
  closeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliCaptured } from '../../support/run-cli-captured.js';
import type { MigrationReport } from '../../../main/core/migrate/report.js';
import {
  generateLegacyDatabase,
  type GeneratedLegacyDb,
} from '../../fixtures/legacy-db-generator.js';
import { startPrivateCluster, type PrivateCluster } from '../../support/postgres.js';

let dir: string;
let gen: GeneratedLegacyDb;
let cluster: PrivateCluster;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nova-migrate-infra-'));
  gen = generateLegacyDatabase(join(dir, 'log.sqlite'), { users: 20, logs: 12_000, kiosks: 3 });
  cluster = await startPrivateCluster();
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function cli(args: string[], env: Record<string, string> = {}) {
  return runCliCaptured(
    ['--data-dir', join(dir, 'data'), '--json', 'migrate', '--batch-size', '2000', ...args],
    { env: { NOVA_LOG_LEVEL: 'error', ...env }, cwd: dir },
  );
}

async function createDb(name: string): Promise<string> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: cluster.url });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  return cluster.url.replace(/\/postgres$/, `/${name}`);
}

/** Runs the CLI held at `point`; `meanwhile` changes the world, then the run goes on. */
async function interrupted(
  args: string[],
  point: string,
  meanwhile: () => Promise<void>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const marker = join(dir, `paused-${Date.now()}`);
  const run = cli(args, {
    NOVA_MIGRATE_PAUSE_AT: point,
    NOVA_MIGRATE_PAUSE_MARKER: marker,
    NOVA_MIGRATE_PAUSE_RESUME: '1',
  });
  let done = false;
  void run.finally(() => (done = true));
  const deadline = Date.now() + 120_000;
  while (!existsSync(marker)) {
    if (done || Date.now() > deadline) {
      const r = await run;
      throw new Error(`the run never reached ${point}: exit ${r.code}\n${r.stderr}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  await meanwhile();
  rmSync(marker);
  return run;
}

function expectResumeAdvice(result: { code: number; stdout: string; stderr: string }): {
  code: string;
  message: string;
  fix: string;
} {
  expect(result.code).toBe(1);
  expect(result.stderr).not.toMatch(/Unexpected error|bug in Nova DB/);
  const error = (
    JSON.parse(result.stdout) as { error: { code: string; message: string; fix: string } }
  ).error;
  expect(error.code).not.toBe('INTERNAL');
  expect(error.fix).toContain('--resume');
  return error;
}

async function expectExactResume(args: string[]): Promise<void> {
  const resumed = await cli([...args, '--resume']);
  expect(resumed.code, resumed.stderr).toBe(0);
  const report = JSON.parse(resumed.stdout) as MigrationReport;
  expect(report).toMatchObject({ ok: true, resumed: true });
  for (const [name, t] of Object.entries(report.tables)) {
    expect(t.source, name).toBe(gen.rowCounts[name]);
    expect(t.migrated + t.duplicates + t.rejected, name).toBe(t.source);
    expect(t.verified, name).toBe(true);
  }
}

describe('infrastructure failures during a migration', () => {
  it('PostgreSQL shutting down mid-load: a clear reason, and --resume finishes exactly', async () => {
    const url = await createDb('nova_shutdown');
    const args = ['--source', gen.file, '--postgres-url', url, '--report', join(dir, 'job-pg')];
    const stopped = await interrupted(args, 'batch:logs:2', async () => {
      await cluster.pause(); // fast shutdown: every session gets 57P01
    });
    const error = expectResumeAdvice(stopped);
    console.log(`[infra] PostgreSQL shut down: ${error.message} | fix: ${error.fix}`);
    await cluster.start();
    await expectExactResume(args);
  }, 180_000);

  it('PostgreSQL restarted mid-load (back before the run notices): the same', async () => {
    const url = await createDb('nova_restart');
    const args = ['--source', gen.file, '--postgres-url', url, '--report', join(dir, 'job-rs')];
    const stopped = await interrupted(args, 'batch:logs:3', async () => {
      await cluster.restart(); // fast shutdown and start: every open session was cut
    });
    const error = expectResumeAdvice(stopped);
    console.log(`[infra] PostgreSQL restarted: ${error.message} | fix: ${error.fix}`);
    await expectExactResume(args);
  }, 180_000);

  it('PostgreSQL shutting down while indexes are rebuilt: the same', async () => {
    const url = await createDb('nova_shutdown_ix');
    const args = ['--source', gen.file, '--postgres-url', url, '--report', join(dir, 'job-ix')];
    const stopped = await interrupted(args, 'index:logs', async () => {
      await cluster.pause();
    });
    const error = expectResumeAdvice(stopped);
    console.log(`[infra] PostgreSQL shut down (indexes): ${error.message} | fix: ${error.fix}`);
    await cluster.start();
    await expectExactResume(args);
  }, 180_000);

  const mnt = join(tmpdir(), `nova-migrate-full-${process.pid}`);
  let mounted = false;
  try {
    mkdirSync(mnt, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=24m,mode=0700', 'tmpfs', mnt], {
      stdio: 'pipe',
    });
    mounted = true;
  } catch (err) {
    console.warn(`disk-full case skipped: cannot mount a tmpfs here (${String(err)})`);
  }
  afterAll(() => {
    if (mounted) execFileSync('umount', [mnt]);
    rmSync(mnt, { recursive: true, force: true });
  });

  it.skipIf(!mounted)(
    'the disk of the job folder filling up after the load: a clear reason, and --resume finishes',
    async () => {
      const url = await createDb('nova_disk_full');
      const jobDir = join(mnt, 'job');
      const args = ['--source', gen.file, '--postgres-url', url, '--report', jobDir];
      const filler = join(mnt, 'filler');
      const stopped = await interrupted(args, 'after-table:logs', async () => {
        // Fill what is left of the disk.
        const fd = openSync(filler, 'w');
        const chunk = Buffer.alloc(64 * 1024, 1);
        try {
          for (;;) writeSync(fd, chunk);
        } catch {
          // ENOSPC: full
        } finally {
          closeSync(fd);
        }
      });
      const error = expectResumeAdvice(stopped);
      expect(error.code).toBe('DISK_FULL');
      console.log(`[infra] disk full: ${error.message} | fix: ${error.fix}`);
      rmSync(filler);
      await expectExactResume(args);
    },
    180_000,
  );
});
