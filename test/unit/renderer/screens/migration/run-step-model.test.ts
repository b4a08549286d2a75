/**
 * The run view's models: table rows follow interleaved progress and stop as
 * the task did, the overall count and its ETA from samples, the headline in
 * every phase and ending.
 */
import { describe, expect, it } from 'vitest';
import type { TaskSnapshotDto } from '../../../../../shared-contract/common.js';
import type { PlanPreviewDto } from '../../../../../shared-contract/methods/migration.js';
import {
  applyTask,
  headlineText,
  isLive,
  overallModel,
  rowModels,
  runTitle,
  startProgress,
  type RunProgress,
} from '../../../../../renderer/screens/migration/run-step-model.js';

const table = (source: string, rows: number): PlanPreviewDto['tables'][number] => ({
  source,
  origin: 'plan',
  rows,
  target: { kind: 'postgres', name: source },
  columns: [],
  extra: null,
});
const plan = (tables: PlanPreviewDto['tables']): PlanPreviewDto => ({
  sessionId: 's',
  planName: 'nova',
  planOrigin: 'builtin',
  destinations: { postgres: 'postgres://x/nova', mongo: null },
  tables,
  decisions: [],
});
const task = (
  state: TaskSnapshotDto['state'],
  progress: Partial<TaskSnapshotDto['progress']> = {},
  extra: Partial<TaskSnapshotDto> = {},
): TaskSnapshotDto => ({
  id: 't',
  kind: 'migration.run',
  title: 'Run',
  state,
  progress: { phase: 'load', done: 0, total: null, rate: null, etaSeconds: null, ...progress },
  startedAt: null,
  finishedAt: null,
  ...extra,
});
/** Applies snapshots in turn, collecting the announcements. */
const run = (p: RunProgress, ...tasks: TaskSnapshotDto[]) => {
  const announced: string[] = [];
  for (const t of tasks) {
    const next = applyTask(p, t);
    p = next.progress;
    if (next.announce !== null) announced.push(next.announce);
  }
  return { p, announced };
};
const states = (p: RunProgress) => p.rows.map((r) => `${r.table}:${r.state}:${r.done}/${r.total}`);

describe('per-table rows', () => {
  const start = startProgress(plan([table('users', 40), table('logs', 3000), table('roles', 5)]));

  it('start waiting with the plan’s counts; the title says which run', () => {
    expect(states(start)).toEqual([
      'users:waiting:0/40',
      'logs:waiting:0/3000',
      'roles:waiting:0/5',
    ]);
    expect(rowModels(start).map((r) => r.badge)).toEqual(['pending', 'pending', 'pending']);
    expect(runTitle('dry-run')).toBe('Dry run: converting every row, writing nothing');
    expect(runTitle('run')).toBe('Run the migration');
  });

  it('two tables interleave: one is done when all its rows are counted, announced once', () => {
    const { p, announced } = run(
      start,
      task('running', { phase: 'load', item: 'users', done: 20, total: 40 }),
      task('running', { phase: 'load', item: 'logs', done: 100, total: 3000 }),
      task('running', { phase: 'load', item: 'users', done: 40, total: 40 }),
      task('running', { phase: 'load', item: 'users', done: 40, total: 40 }),
      task('running', { phase: 'load', item: 'logs', done: 200, total: null }),
    );
    expect(states(p)).toEqual(['users:done:40/40', 'logs:working:200/3000', 'roles:waiting:0/5']);
    expect(announced).toEqual(['users done']);
    expect(rowModels(p).map((r) => [r.badge, r.count])).toEqual([
      ['succeeded', '40 / 40'],
      ['running', '200 / 3,000'],
      ['pending', '0 / 5'],
    ]);
  });

  it('a table the engine finds bigger than planned takes the engine’s total', () => {
    const { p } = run(
      start,
      task('running', { phase: 'dry-run', item: 'roles', done: 5, total: 9 }),
    );
    expect(states(p)[2]).toBe('roles:working:5/9');
  });

  it('step phases and unknown tables leave the rows alone; after the load every row is done', () => {
    const { p } = run(
      start,
      task('running', { phase: 'snapshot', item: 'users', done: 1, total: 3 }),
      task('running', { phase: 'load', item: 'nope', done: 9, total: 9 }),
    );
    expect(p.rows).toEqual(start.rows);
    const after = run(start, task('running', { phase: 'indexes', done: 0, total: 4 })).p;
    expect(after.rows.every((r) => r.state === 'done')).toBe(true);
    expect(rowModels(after)[1]).toMatchObject({ value: 3000, count: '3,000 / 3,000' });
  });

  it('a failed task marks the tables in flight failed, a cancelled one cancelled; waiting stays waiting', () => {
    const loading = run(
      start,
      task('running', { phase: 'load', item: 'users', done: 40, total: 40 }),
      task('running', { phase: 'load', item: 'logs', done: 10, total: 3000 }),
    ).p;
    const failed = run(
      loading,
      task('failed', { phase: 'load', item: 'logs', done: 10, total: 3000 }),
    ).p;
    expect(rowModels(failed).map((r) => r.badge)).toEqual(['succeeded', 'failed', 'pending']);
    const cancelled = run(
      loading,
      task('cancelled', { phase: 'load', item: 'logs', done: 10, total: 3000 }),
    ).p;
    expect(rowModels(cancelled).map((r) => r.badge)).toEqual(['succeeded', 'cancelled', 'pending']);
  });

  it('a table of zero rows shows an empty bar out of 1, not a division by zero', () => {
    const empty = startProgress(plan([table('empty', 0)]));
    expect(rowModels(empty)[0]).toMatchObject({ value: 0, max: 1, count: '0 / 0' });
    const done = run(empty, task('running', { phase: 'load', item: 'empty', done: 0, total: 0 }));
    expect(done.p.rows[0]!.state).toBe('done');
    expect(done.announced).toEqual(['empty done']);
  });
});

describe('overall progress and ETA', () => {
  const p = run(
    startProgress(plan([table('a', 1000), table('b', 1000)])),
    task('running', { phase: 'load', item: 'a', done: 1200, total: 1000 }),
  ).p;

  it('counts a table past its total as its total; no ETA without a second sample', () => {
    const o = overallModel(p, true, 10_000, null);
    expect(o).toMatchObject({ done: 1000, max: 2000, text: '1,000 of 2,000 rows' });
    expect(o.first).toEqual({ at: 10_000, done: 1000 });
  });

  it('the total ETA from the rows done since the first sample, only while running', () => {
    const first = { at: 0, done: 0 };
    // 1,000 rows in 10 s = 100 rows/s; 1,000 left = 10 s.
    const o = overallModel(p, true, 10_000, first);
    expect(o.text).toBe('1,000 of 2,000 rows · about 10 s left in total');
    expect(o.first).toBe(first);
    expect(overallModel(p, false, 10_000, first).text).toBe('1,000 of 2,000 rows');
    // Nothing moved since the first sample: no rate, no ETA.
    expect(overallModel(p, true, 20_000, { at: 0, done: 1000 }).text).toBe('1,000 of 2,000 rows');
  });

  it('after a reload mid-run, rows done before the first task update do not count as just done', () => {
    // The view opens at 100 s with the plan's counts; half a second later the first
    // update says 1,000 rows were loaded before the reload.
    let q = startProgress(plan([table('a', 1000), table('b', 1000)]));
    let first = overallModel(q, false, 100_000, null).first;
    // No sample yet: the rows are the plan's, not the task's.
    expect(first).toBeNull();
    q = applyTask(
      q,
      task('running', { phase: 'load', item: 'a', done: 1000, total: 1000 }),
    ).progress;
    const atFirst = overallModel(q, true, 100_500, first);
    // One sample: no rate yet, so no ETA.
    expect(atFirst.text).toBe('1,000 of 2,000 rows');
    first = atFirst.first;
    q = applyTask(
      q,
      task('running', { phase: 'load', item: 'b', done: 100, total: 1000 }),
    ).progress;
    // 100 rows in the 10 s since the first update = 10 rows/s; 900 left = 90 s.
    expect(overallModel(q, true, 110_500, first).text).toBe(
      '1,100 of 2,000 rows · about 1 min 30 s left in total',
    );
  });

  it('a plan of no rows: 0 of 0, a bar out of 1', () => {
    expect(overallModel(startProgress(plan([])), true, 5, null)).toMatchObject({
      done: 0,
      max: 1,
      text: '0 of 0 rows',
    });
  });
});

describe('headline', () => {
  it('loading a table: where, rate and this table’s ETA; an unknown total is left out', () => {
    expect(
      headlineText(
        task('running', {
          phase: 'load',
          item: 'logs',
          done: 1500,
          total: 3000,
          rate: 750,
          etaSeconds: 2,
        }),
      ),
    ).toBe('logs: 1,500 of 3,000 rows · 750 rows/s · about 2 s left in this table');
    expect(headlineText(task('running', { phase: 'dry-run', done: 7 }))).toBe(
      '7 rows · — · about — left in this table',
    );
  });

  it('a step phase in words with the step it is on (never past the total); an unknown phase as named', () => {
    expect(headlineText(task('running', { phase: 'indexes', done: 3, total: 3 }))).toBe(
      'Creating keys, indexes and sequences (3 of 3)…',
    );
    expect(headlineText(task('running', { phase: 'backup', done: 0, total: null }))).toBe(
      'Backing up the target before the first write…',
    );
    expect(
      headlineText(task('running', { phase: 'warmup', item: 'users', done: 0, total: 0 })),
    ).toBe('warmup: users…');
  });

  it('cancelled at a row count, failed while a step; finished; waiting', () => {
    expect(
      headlineText(task('cancelled', { phase: 'load', item: 'logs', done: 10, total: 30 })),
    ).toBe('Cancelled at logs: 10 of 30 rows');
    expect(headlineText(task('failed', { phase: 'verify', done: 1, total: 2 }))).toBe(
      'Failed while verifying counts and checksums',
    );
    expect(headlineText(task('succeeded', { phase: 'report' }))).toBe('Finished');
    expect(headlineText(task('pending'))).toBe('Waiting to start…');
  });

  it('pending and running are followed; the rest have ended', () => {
    expect(
      ['pending', 'running', 'succeeded', 'failed', 'cancelled'].map((s) =>
        isLive(task(s as TaskSnapshotDto['state'])),
      ),
    ).toEqual([true, true, false, false, false]);
  });
});
