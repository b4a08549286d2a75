/**
 * The migration wizard's handlers on a generated legacy file, through
 * dispatch as the UI calls them: inspect, plan review, dry run as a Task,
 * the report; and the refusals a wizard out of order must get.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  CallResult,
  InspectSummaryDto,
  MigrationReportDto,
  PlanPreviewDto,
  TaskSnapshotDto,
} from '../../../shared-contract/index.js';
import { AppRuntime } from '../../../main/core/app/app-runtime.js';
import { dispatch, type Handlers } from '../../../main/core/app/dispatch.js';
import { createHandlers } from '../../../main/core/app/handlers/index.js';
import { createLogger } from '../../../main/core/logger.js';
import {
  generateLegacyDatabase,
  HOSTILE_TABLE,
  type GeneratedLegacyDb,
} from '../../fixtures/legacy-db-generator.js';

let root: string;
let runtime: AppRuntime;
let handlers: Handlers;
let legacy: GeneratedLegacyDb;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'nova-migration-ui-'));
  legacy = generateLegacyDatabase(path.join(root, 'log.sqlite'), {
    users: 30,
    logs: 500,
    quirks: true,
    seed: 3,
  });
  runtime = await AppRuntime.start({
    mode: 'headless',
    logger: createLogger({ level: 'error', write: () => undefined }),
    configOptions: {
      dataDir: path.join(root, 'data'),
      env: { NOVA_BACKUP_INTERVAL_HOURS: '0' },
      cwd: root,
    },
    health: { intervalMs: 60_000 },
  });
  handlers = createHandlers(runtime);
});

afterAll(async () => {
  await runtime?.shutdown();
  await rm(root, { recursive: true, force: true });
});

async function call<T>(method: string, input: unknown): Promise<CallResult<T>> {
  return (await dispatch(handlers, method, input, { transport: 'test' })) as CallResult<T>;
}
async function ok<T>(method: string, input: unknown): Promise<T> {
  const r = await call<T>(method, input);
  if (!r.ok) throw new Error(`${method}: ${r.error.code} ${r.error.message}`);
  return r.value;
}

async function finished(taskId: string): Promise<TaskSnapshotDto> {
  for (;;) {
    const t = await ok<TaskSnapshotDto>('tasks.get', { id: taskId });
    if (t.state !== 'running' && t.state !== 'pending') return t;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('migration handlers', () => {
  let summary: InspectSummaryDto;

  it('inspects the file: every table with its real row count, the hostile name as data', async () => {
    summary = await ok<InspectSummaryDto>('migration.inspect', { file: legacy.file });
    expect(summary.kind).toBe('nova-legacy');
    const rows = Object.fromEntries(summary.tables.map((t) => [t.name, t.rows]));
    for (const [table, count] of Object.entries(legacy.rowCounts))
      expect(rows[table], table).toBe(count);
    expect(summary.tables.map((t) => t.name)).toContain(HOSTILE_TABLE);
  });

  it('refuses the later steps out of order', async () => {
    expect(await call('migration.dryRun', { sessionId: summary.sessionId })).toMatchObject({
      ok: false,
      error: {
        code: 'INVALID_ARGUMENT',
        message: 'No plan has been reviewed for this migration session yet.',
      },
    });
    expect(await call('migration.report', { sessionId: summary.sessionId })).toMatchObject({
      ok: false,
      error: { message: 'This migration session has no report yet.' },
    });
    expect(
      await call('migration.planPreview', { sessionId: '00000000-0000-4000-8000-000000000000' }),
    ).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('There is no migration session') },
    });
  });

  it('says where every table goes, and every decision', async () => {
    const plan = await ok<PlanPreviewDto>('migration.planPreview', {
      sessionId: summary.sessionId,
    });
    expect(plan.planOrigin).toBe('builtin');
    // Embedded profile: there is no PostgreSQL to run into yet, and the preview says so.
    expect(plan.destinations).toEqual({ postgres: null, mongo: null });
    const mapped = new Set(plan.tables.map((t) => t.source));
    const explained = new Set(plan.decisions.map((d) => d.table));
    for (const t of summary.tables)
      expect(mapped.has(t.name) || explained.has(t.name), t.name).toBe(true);
    expect(plan.tables.find((t) => t.source === 'users')?.target).toEqual({
      kind: 'postgres',
      name: 'users',
    });
  });

  it('refuses a plan file that is not a plan, naming the file', async () => {
    const bad = path.join(root, 'plan.json');
    await writeFile(bad, '{"version": 1, "tables": "all of them"}');
    const r = await call('migration.planPreview', { sessionId: summary.sessionId, planFile: bad });
    expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    expect(!r.ok && r.error.message).toContain('tables');
  });

  it('dry-runs every row as a Task and reports: source = migrated + duplicates + rejected, rejects with their originals', async () => {
    await ok('migration.planPreview', { sessionId: summary.sessionId });
    const { taskId } = await ok<{ taskId: string }>('migration.dryRun', {
      sessionId: summary.sessionId,
    });
    const task = await finished(taskId);
    expect(task).toMatchObject({ kind: 'migration.dry-run', state: 'succeeded' });
    const report = await ok<MigrationReportDto>('migration.report', {
      sessionId: summary.sessionId,
    });
    expect(report.kind).toBe('dry-run');
    for (const [table, c] of Object.entries(report.tables)) {
      expect(c.source, table).toBe(c.migrated + c.duplicates + c.rejected);
      expect(c.verified).toBeNull();
      if (legacy.rowCounts[table] !== undefined)
        expect(c.source, table).toBe(legacy.rowCounts[table]);
    }
    const rejected = Object.values(report.tables).reduce((n, c) => n + c.rejected, 0);
    expect(report.rejectsTotal).toBe(rejected);
    expect(rejected).toBeGreaterThan(0); // the quirky rows
    for (const r of report.rejects) {
      expect(r.table && r.column && r.reason).toBeTruthy();
      expect(typeof r.original).toBe('string');
    }
  });

  it('refuses to run without a PostgreSQL to write into, and to cancel a task that is not a migration', async () => {
    // The embedded profile keeps relational data in SQLite: there is no target yet.
    for (const method of ['migration.start', 'migration.resume']) {
      expect(await call(method, { sessionId: summary.sessionId })).toMatchObject({
        ok: false,
        error: { code: 'CONFIG_INVALID', fix: expect.stringContaining('Setup') },
      });
    }
    const other = runtime.tasks.run('backup', 'Backup', async () => 'done');
    await other.start();
    expect(await call('migration.cancel', { taskId: other.id })).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('is not a migration') },
    });
  });
});
