/**
 * The wizard owning its job, through dispatch as the UI calls it, on a real
 * PostgreSQL: the target check before anything is written (ready, then not
 * empty after a run, with the tables named), Start refused before the
 * backup on a target that is not empty, "keep their rows" and "empty these
 * tables" (refused without the typed word), a stopped attempt that Start
 * will not overwrite, Discard this attempt, and the rejects grouped, edited
 * and applied again — with the bad inputs an out-of-order UI may send.
 */
import { existsSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  CallResult,
  InspectSummaryDto,
  MigrationReportDto,
  RejectsViewDto,
  TargetCheckDto,
  TaskSnapshotDto,
} from '../../../shared-contract/index.js';
import { AppRuntime } from '../../../main/core/app/app-runtime.js';
import { dispatch, type Handlers } from '../../../main/core/app/dispatch.js';
import { createHandlers } from '../../../main/core/app/handlers/index.js';
import { createLogger } from '../../../main/core/logger.js';
import { generateLegacyDatabase } from '../../fixtures/legacy-db-generator.js';
import { createScratchDatabase, type ScratchDatabase } from '../../support/postgres.js';

let root: string;
let db: ScratchDatabase;
let runtime: AppRuntime;
let handlers: Handlers;
let fileA: string;
let fileB: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'nova-wizard-job-'));
  db = await createScratchDatabase('nova_wizard_job');
  fileA = generateLegacyDatabase(path.join(root, 'a.sqlite'), {
    users: 20,
    logs: 300,
    quirks: true,
    seed: 4,
  }).file;
  fileB = generateLegacyDatabase(path.join(root, 'b.sqlite'), {
    users: 10,
    logs: 100,
    seed: 5,
  }).file;
  runtime = await AppRuntime.start({
    mode: 'headless',
    logger: createLogger({ level: 'error', write: () => undefined }),
    configOptions: {
      dataDir: path.join(root, 'data'),
      env: {
        NOVA_BACKUP_INTERVAL_HOURS: '0',
        NOVA_RESTORE_TEST_INTERVAL_HOURS: '0',
        NOVA_POSTGRES_PROFILE: 'external',
        POSTGRES_URL: db.url,
      },
      cwd: root,
    },
    health: { intervalMs: 60_000 },
  });
  handlers = createHandlers(runtime);
}, 120_000);

afterAll(async () => {
  await runtime?.shutdown();
  await db?.drop();
  await rm(root, { recursive: true, force: true });
});

async function call<T>(method: string, input: unknown): Promise<CallResult<T>> {
  return (await dispatch(handlers, method, input, { transport: 'test' })) as CallResult<T>;
}
async function ok<T>(method: string, input: unknown): Promise<T> {
  const r = await call<T>(method, input);
  if (!r.ok) throw new Error(`${method}: ${r.error.code} ${r.error.message} (${r.error.fix})`);
  return r.value;
}
async function finished(taskId: string): Promise<TaskSnapshotDto> {
  for (;;) {
    const t = await ok<TaskSnapshotDto>('tasks.get', { id: taskId });
    if (t.state !== 'running' && t.state !== 'pending') return t;
    await new Promise((r) => setTimeout(r, 25));
  }
}
async function session(file: string): Promise<string> {
  const s = await ok<InspectSummaryDto>('migration.inspect', { file });
  await ok('migration.planPreview', { sessionId: s.sessionId });
  return s.sessionId;
}

describe('the wizard owns its job', () => {
  let a: string;
  let b: string;

  it('checks the target before anything is written: ready on a fresh database', async () => {
    a = await session(fileA);
    const check = await ok<TargetCheckDto>('migration.targetCheck', { sessionId: a });
    expect(check).toMatchObject({ ready: true, occupied: [], blockers: [] });
    expect(check.attempt.status).toBe('none');
    expect(check.target).toContain(db.name);
    expect(check.target).not.toContain(new URL(db.url).password || '\u0000');
  });

  it('runs, groups the rejects, and applies an edited row and a round rule', async () => {
    const { taskId } = await ok<{ taskId: string }>('migration.start', { sessionId: a });
    expect((await finished(taskId)).state).toBe('succeeded');
    const report = await ok<MigrationReportDto>('migration.report', { sessionId: a });
    const view = await ok<RejectsViewDto>('migration.rejects', { sessionId: a });
    expect(view.applicable).toBe(true);
    expect(view.total).toBe(report.rejectsTotal);
    // Every reject is in exactly one group.
    expect(view.groups.reduce((n, g) => n + g.count, 0)).toBe(view.total);
    const counter = view.groups.find((g) => g.table === 'passkeys' && g.column === 'counter');
    expect(counter?.fixes).toContain('round');
    expect(view.groups.find((g) => g.reason === 'orphan')?.fixes).toContain('drop');
    expect(view.changeGroups.length).toBeGreaterThan(0);
    expect(report.rejectGroups?.length).toBe(view.groups.length);

    // Bad inputs: a line that does not exist; rejects of a session that has not run.
    const bad = await call('migration.applyRejects', {
      sessionId: a,
      edits: [{ line: view.total + 5, row: { x: 1 } }],
    });
    const badTask = bad.ok ? await finished((bad.value as { taskId: string }).taskId) : null;
    expect(badTask?.state).toBe('failed');
    expect(badTask?.error?.message).toMatch(/does not exist/);

    const expiry = view.lines.find((l) => l.table === 'kiosk_activations');
    const { taskId: applyId } = await ok<{ taskId: string }>('migration.applyRejects', {
      sessionId: a,
      rules: { values: [{ table: 'passkeys', column: 'counter', action: 'round' }] },
      edits: [{ line: expiry!.line, row: { expires_at: '2030-01-01 00:00:00' } }],
    });
    const applied = await finished(applyId);
    expect(applied.state).toBe('succeeded');
    expect(applied.result).toMatchObject({ applied: 2 });
    const after = await ok<MigrationReportDto>('migration.report', { sessionId: a });
    expect(after.rejectsTotal).toBe(report.rejectsTotal - 2);
    expect(Object.values(after.tables).every((t) => t.verified === true)).toBe(true);
    // Dropping orphans leaves rows out, which only a run does: applied again, they stay rejected.
    const orphans = after.rejects.filter(
      (r) => r.table === 'role_permissions' && r.reason === 'orphan',
    );
    const { taskId: dropId } = await ok<{ taskId: string }>('migration.applyRejects', {
      sessionId: a,
      rules: { orphans: [{ table: 'role_permissions', action: 'drop' }] },
    });
    expect((await finished(dropId)).result).toMatchObject({ applied: 0 });
    expect(orphans.length).toBeGreaterThan(0);
    // The rule's use is a recorded change, shown by kind.
    const changed = await ok<RejectsViewDto>('migration.rejects', { sessionId: a });
    expect(
      changed.changeGroups.find((g) => g.table === 'passkeys' && g.column === 'counter')?.kind,
    ).toBe('rounded');
  }, 120_000);

  it('a second file: the target is not empty, Start refuses before the backup; keep their rows or empty them', async () => {
    b = await session(fileB);
    const check = await ok<TargetCheckDto>('migration.targetCheck', { sessionId: b });
    expect(check.ready).toBe(false);
    expect(check.occupied.map((o) => o.table)).toContain('users');
    const refused = await call('migration.start', { sessionId: b });
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.error.message).toMatch(/already holds rows in .*users/);
      expect(refused.error.fix).toContain('Target database');
    }
    // The dry run says so, instead of "would migrate".
    const { taskId } = await ok<{ taskId: string }>('migration.dryRun', { sessionId: b });
    await finished(taskId);
    const dry = await ok<MigrationReportDto>('migration.report', { sessionId: b });
    expect(dry.ok).toBe(false);
    expect(dry.warnings?.[0]).toMatch(/already holds rows/);

    const kept = await ok<TargetCheckDto>('migration.prepareTarget', {
      sessionId: b,
      action: 'skip-existing',
    });
    expect(kept.skipExisting).toBe(true);
    expect(kept.occupied.length).toBeLessThan(check.occupied.length);

    // Emptying needs the typed word.
    const unconfirmed = await call('migration.prepareTarget', {
      sessionId: b,
      action: 'empty-tables',
      confirm: 'yes',
    });
    expect(unconfirmed.ok).toBe(false);
    if (!unconfirmed.ok) expect(unconfirmed.error.fix).toContain('Type EMPTY');
    const emptied = await ok<TargetCheckDto>('migration.prepareTarget', {
      sessionId: b,
      action: 'empty-tables',
      confirm: 'EMPTY',
    });
    expect(emptied.occupied).toEqual([]);
  }, 120_000);

  it('a stopped attempt: Start will not overwrite it; Discard this attempt forgets it', async () => {
    // The engine's test hook holds the run after its first table, so it is cancelled mid-way.
    const marker = path.join(root, 'paused-at');
    Object.assign(process.env, {
      NOVA_MIGRATE_PAUSE_AT: 'after-table:logs',
      NOVA_MIGRATE_PAUSE_MARKER: marker,
      NOVA_MIGRATE_PAUSE_RESUME: '1',
    });
    let taskId: string;
    try {
      ({ taskId } = await ok<{ taskId: string }>('migration.start', { sessionId: b }));
      await expect.poll(() => existsSync(marker), { timeout: 60_000 }).toBe(true);
    } finally {
      delete process.env.NOVA_MIGRATE_PAUSE_AT;
      delete process.env.NOVA_MIGRATE_PAUSE_MARKER;
      delete process.env.NOVA_MIGRATE_PAUSE_RESUME;
    }
    await ok('migration.cancel', { taskId });
    rmSync(marker);
    expect((await finished(taskId)).state).toBe('cancelled');
    const check = await ok<TargetCheckDto>('migration.targetCheck', { sessionId: b });
    expect(check.attempt.status).toBe('unfinished');
    const again = await call('migration.start', { sessionId: b });
    expect(again.ok).toBe(false);
    if (!again.ok) expect(again.error.fix).toContain('Discard this attempt');
    const discarded = await ok<TargetCheckDto>('migration.discard', { sessionId: b });
    expect(discarded.attempt.status).toBe('none');
    expect(discarded.blockers).toEqual([]);
    // Rows the attempt wrote stay (kept, as chosen above, so the new run skips them); a new run starts.
    expect(discarded.skipExisting).toBe(true);
    expect(discarded.ready).toBe(true);
    // Nothing left to discard.
    const twice = await call('migration.discard', { sessionId: b });
    expect(twice.ok).toBe(false);
    await ok('migration.prepareTarget', { sessionId: b, action: 'empty-tables', confirm: 'EMPTY' });
    const { taskId: fresh } = await ok<{ taskId: string }>('migration.start', { sessionId: b });
    expect((await finished(fresh)).state).toBe('succeeded');
    const report = await ok<MigrationReportDto>('migration.report', { sessionId: b });
    expect(report.resumed).toBeFalsy();
    expect(Object.values(report.tables).every((t) => t.verified === true)).toBe(true);
  }, 120_000);
});
