/**
 * What the dry-run and run views show, as pure functions of the plan and
 * the task snapshots the engine pushes: each table's row state, the overall
 * count and its ETA, and the headline. Time comes in as `now`, so the ETA
 * is testable. What is offered around the task (Start, and what follows a
 * stop) is run-start-model.ts; run-progress.ts draws, run-step.ts wires.
 */
import type { TaskSnapshotDto } from '../../../shared-contract/common.js';
import type { PlanPreviewDto } from '../../../shared-contract/methods/migration.js';
import { formatCount, formatDuration, formatRate } from '../../lib/format.js';

export type RunKind = 'dry-run' | 'run';
export type RowState = 'waiting' | 'working' | 'done' | 'stopped';
export type StoppedAs = 'cancelled' | 'failed';

export interface RunRow {
  table: string;
  done: number;
  total: number;
  state: RowState;
}

export interface RunProgress {
  rows: RunRow[];
  /**
   * A task snapshot has been applied. Before it the rows are the plan's
   * (nothing done), whatever the task has already done.
   */
  fromTask: boolean;
  /** How the tables in flight stopped, once the task did. */
  stoppedAs: StoppedAs;
}

export function runTitle(kind: RunKind): string {
  return kind === 'dry-run'
    ? 'Dry run: converting every row, writing nothing'
    : 'Run the migration';
}

/** Every table of the plan, waiting, with the plan's row count until the engine says more. */
export function startProgress(plan: PlanPreviewDto): RunProgress {
  return {
    rows: plan.tables.map((t) => ({ table: t.source, done: 0, total: t.rows, state: 'waiting' })),
    stoppedAs: 'cancelled',
    fromTask: false,
  };
}

// Phases whose done/total count rows of one table; the others count steps (tables, pages).
const ROW_PHASES = new Set(['load', 'dry-run']);
const AFTER_LOAD = new Set(['indexes', 'verify', 'report']);
const PHASE_TEXT: Record<string, string> = {
  snapshot: 'Taking a consistent copy of the source',
  integrity: 'Checking the integrity of the copy',
  plan: 'Fitting the plan to the file',
  backup: 'Backing up the target before the first write',
  indexes: 'Creating keys, indexes and sequences',
  verify: 'Verifying counts and checksums',
  report: 'Writing the report',
};

const stopped = (task: TaskSnapshotDto): task is TaskSnapshotDto & { state: StoppedAs } =>
  task.state === 'cancelled' || task.state === 'failed';

/**
 * The rows after one snapshot, and what to announce (a table that just
 * finished), if anything.
 */
export function applyTask(
  p: RunProgress,
  task: TaskSnapshotDto,
): { progress: RunProgress; announce: string | null } {
  const pr = task.progress;
  let announce: string | null = null;
  let rows = p.rows.map((r) => {
    if (!ROW_PHASES.has(pr.phase) || r.table !== pr.item) return r;
    // Two tables load at once, so progress interleaves: a table is done when every one of
    // its rows is accounted for (migrated, merged or rejected), not when another one starts.
    const next = { ...r, done: pr.done, total: pr.total ?? r.total };
    if (next.done >= next.total && r.state !== 'done') {
      announce = `${r.table} done`;
      return { ...next, state: 'done' as const };
    }
    return r.state === 'done' ? next : { ...next, state: 'working' as const };
  });
  if (task.state === 'succeeded' || AFTER_LOAD.has(pr.phase))
    rows = rows.map((r) => ({ ...r, state: 'done' }));
  let stoppedAs = p.stoppedAs;
  if (stopped(task)) {
    stoppedAs = task.state;
    // Every table that was in flight stopped (two load at once).
    rows = rows.map((r) => (r.state === 'working' ? { ...r, state: 'stopped' } : r));
  }
  return { progress: { rows, stoppedAs, fromTask: true }, announce };
}

export interface RowModel {
  table: string;
  progressLabel: string;
  /** The bar's value and maximum (an unknown total of 0 shows an empty bar of 1). */
  value: number;
  max: number;
  count: string;
  /** The badge's status word (components/status.ts). */
  badge: 'succeeded' | 'running' | 'pending' | StoppedAs;
}

export function rowModels(p: RunProgress): RowModel[] {
  return p.rows.map((r) => {
    const shown = r.state === 'done' ? r.total : r.done;
    return {
      table: r.table,
      progressLabel: `${r.table} progress`,
      value: shown,
      max: r.total || 1,
      count: `${formatCount(shown)} / ${formatCount(r.total)}`,
      badge:
        r.state === 'done'
          ? 'succeeded'
          : r.state === 'working'
            ? 'running'
            : r.state === 'stopped'
              ? p.stoppedAs
              : 'pending',
    };
  });
}

/** The overall count at the first task update this view heard, and when: the total ETA's rate is measured from it. */
export interface Sample {
  at: number;
  done: number;
}

export interface OverallModel {
  done: number;
  max: number;
  text: string;
  /** The first sample (none before the first task update), kept by the caller for the next call. */
  first: Sample | null;
}

/**
 * The overall bar; the total ETA from the rows done since `first` (the
 * engine's rate is per table). The first sample is taken at the first task
 * update, not when the view opens: after a reload mid-run the rows done
 * before the reload would otherwise count as done in the moment since the
 * view opened, and the ETA come out far too short.
 */
export function overallModel(
  p: RunProgress,
  running: boolean,
  now: number,
  first: Sample | null,
): OverallModel {
  const total = p.rows.reduce((n, r) => n + r.total, 0);
  const done = p.rows.reduce(
    (n, r) => n + (r.state === 'done' ? r.total : Math.min(r.done, r.total)),
    0,
  );
  const from = first ?? (p.fromTask ? { at: now, done } : null);
  const rate = from && now > from.at ? ((done - from.done) * 1000) / (now - from.at) : 0;
  const eta = running && rate > 0 ? (total - done) / rate : null;
  return {
    done,
    max: total || 1,
    text: `${formatCount(done)} of ${formatCount(total)} rows${
      eta !== null ? ` · about ${formatDuration(eta)} left in total` : ''
    }`,
    first: from,
  };
}

/** The line above the table: where the engine is, or how the task ended. */
export function headlineText(task: TaskSnapshotDto): string {
  const p = task.progress;
  const rowPhase = ROW_PHASES.has(p.phase);
  const phase = PHASE_TEXT[p.phase] ?? p.phase;
  const where = `${p.item ? `${p.item}: ` : ''}${formatCount(p.done)}${p.total !== null ? ` of ${formatCount(p.total)}` : ''} rows`;
  if (task.state === 'running')
    return rowPhase
      ? `${where} · ${formatRate(p.rate)} · about ${formatDuration(p.etaSeconds)} left in this table`
      : `${phase}${p.item ? `: ${p.item}` : ''}${p.total ? ` (${formatCount(Math.min(p.done + 1, p.total))} of ${formatCount(p.total)})` : ''}…`;
  if (stopped(task))
    return `${task.state === 'cancelled' ? 'Cancelled' : 'Failed'} ${rowPhase ? `at ${where}` : `while ${phase.toLowerCase()}`}`;
  return task.state === 'succeeded' ? 'Finished' : 'Waiting to start…';
}

/** Still going: the view keeps following it and offers Cancel. */
export function isLive(task: TaskSnapshotDto): boolean {
  return task.state === 'running' || task.state === 'pending';
}
