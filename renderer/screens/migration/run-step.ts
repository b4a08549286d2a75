/**
 * Dry run and run: per-table progress with rows, rows/s and ETA, cancel,
 * and — for the run — resume. The task's events drive the view; a reload
 * asks tasks.get for the current state, so nothing is lost by navigating.
 */
import type { TaskSnapshotDto } from '../../../shared-contract/common.js';
import { progressBar } from '../../components/progress.js';
import { errorNotice, info } from '../../components/notice.js';
import { statusBadge } from '../../components/status.js';
import { h, replace } from '../../lib/dom.js';
import { formatCount, formatDuration, formatRate } from '../../lib/format.js';
import { lost } from './steps.js';
import { targetPanel } from './target-panel.js';
import type { StepApi } from './wizard.js';

export function runStep(api: StepApi, kind: 'dry-run' | 'run'): HTMLElement {
  const { state } = api;
  if (!state.summary || !state.plan) return lost(api);
  const title =
    kind === 'dry-run' ? 'Dry run: converting every row, writing nothing' : 'Run the migration';
  if (!state.taskId) return kind === 'run' ? startRun(api) : lost(api);

  const plan = state.plan;
  type RowState = 'waiting' | 'working' | 'done' | 'stopped';
  const rows = new Map(
    plan.tables.map((t) => [t.source, { done: 0, total: t.rows, state: 'waiting' as RowState }]),
  );
  let stoppedAs: 'cancelled' | 'failed' = 'cancelled';
  const headline = h('p', { class: 'headline', attrs: { 'aria-live': 'off' } }, 'Starting…');
  const overall = h('div', { class: 'overall-progress' });
  // The total ETA from the rows done since this view opened (the engine's rate is per table).
  let firstSample: { at: number; done: number } | null = null;
  const renderOverall = (running: boolean) => {
    const total = [...rows.values()].reduce((n, r) => n + r.total, 0);
    const done = [...rows.values()].reduce(
      (n, r) => n + (r.state === 'done' ? r.total : Math.min(r.done, r.total)),
      0,
    );
    const now = Date.now();
    firstSample ??= { at: now, done };
    const rate =
      now > firstSample.at ? ((done - firstSample.done) * 1000) / (now - firstSample.at) : 0;
    const eta = running && rate > 0 ? (total - done) / rate : null;
    replace(
      overall,
      progressBar('Overall progress', done, total || 1),
      h('p', {
        class: 'overall-text',
        text: `${formatCount(done)} of ${formatCount(total)} rows${
          eta !== null ? ` · about ${formatDuration(eta)} left in total` : ''
        }`,
      }),
    );
  };
  const announcer = h('p', { class: 'sr-only', attrs: { 'aria-live': 'polite' } });
  const tbody = h('tbody', {});
  const outcome = h('div', {});
  const cancel = h('button', {
    class: 'btn btn-danger',
    text: 'Cancel',
    attrs: { type: 'button' },
  });
  const taskId = state.taskId;

  const renderRows = () => {
    replace(
      tbody,
      ...plan.tables.map((t) => {
        const r = rows.get(t.source)!;
        return h(
          'tr',
          { dataset: { table: t.source } },
          h('th', { attrs: { scope: 'row' }, class: 'mono', text: t.source }),
          h(
            'td',
            {},
            progressBar(
              `${t.source} progress`,
              r.state === 'done' ? r.total : r.done,
              r.total || 1,
            ),
          ),
          h('td', {
            class: 'num',
            text: `${formatCount(r.state === 'done' ? r.total : r.done)} / ${formatCount(r.total)}`,
          }),
          h(
            'td',
            {},
            statusBadge(
              r.state === 'done'
                ? 'succeeded'
                : r.state === 'working'
                  ? 'running'
                  : r.state === 'stopped'
                    ? stoppedAs
                    : 'pending',
            ),
          ),
        );
      }),
    );
  };

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

  const apply = (task: TaskSnapshotDto) => {
    const p = task.progress;
    const rowPhase = ROW_PHASES.has(p.phase);
    if (rowPhase && p.item && rows.has(p.item)) {
      // Two tables load at once, so progress interleaves: a table is done when every one of
      // its rows is accounted for (migrated, merged or rejected), not when another one starts.
      const r = rows.get(p.item)!;
      r.done = p.done;
      if (p.total !== null) r.total = p.total;
      if (r.done >= r.total && r.state !== 'done') {
        r.state = 'done';
        announcer.textContent = `${p.item} done`;
      } else if (r.state !== 'done') {
        r.state = 'working';
      }
    }
    if (task.state === 'succeeded' || AFTER_LOAD.has(p.phase))
      for (const r of rows.values()) r.state = 'done';
    const where = `${p.item ? `${p.item}: ` : ''}${formatCount(p.done)}${p.total !== null ? ` of ${formatCount(p.total)}` : ''} rows`;
    if (task.state === 'cancelled' || task.state === 'failed') {
      stoppedAs = task.state;
      // Every table that was in flight stopped (two load at once).
      for (const r of rows.values()) if (r.state === 'working') r.state = 'stopped';
    }
    renderRows();
    renderOverall(task.state === 'running');
    const step = `${PHASE_TEXT[p.phase] ?? p.phase}${p.item ? `: ${p.item}` : ''}${p.total ? ` (${formatCount(Math.min(p.done + 1, p.total))} of ${formatCount(p.total)})` : ''}…`;
    replace(
      headline,
      task.state === 'running'
        ? rowPhase
          ? `${where} · ${formatRate(p.rate)} · about ${formatDuration(p.etaSeconds)} left in this table`
          : step
        : task.state === 'cancelled' || task.state === 'failed'
          ? `${task.state === 'cancelled' ? 'Cancelled' : 'Failed'} ${rowPhase ? `at ${where}` : `while ${(PHASE_TEXT[p.phase] ?? p.phase).toLowerCase()}`}`
          : task.state === 'succeeded'
            ? 'Finished'
            : 'Waiting to start…',
    );
    if (task.state === 'running' || task.state === 'pending') return;
    cancel.hidden = true;
    finish(task);
  };

  const finish = async (task: TaskSnapshotDto) => {
    actionBar.hidden = true;
    if (task.state === 'succeeded') {
      try {
        const report = await api.ctx.api.migration.report({ sessionId: state.summary!.sessionId });
        api.ctx.announce(`${kind === 'dry-run' ? 'Dry run' : 'Migration'} finished`);
        api.go('report', {
          report,
          taskId: undefined,
          ...(kind === 'dry-run' ? { dryRunDone: true } : {}),
        });
      } catch (err) {
        replace(outcome, errorNotice(err));
      }
      return;
    }
    api.ctx.announce(`${kind === 'dry-run' ? 'Dry run' : 'Migration'} ${task.state}`);
    replace(
      outcome,
      task.state === 'cancelled'
        ? info(
            kind === 'run'
              ? 'The migration was cancelled; its checkpoint is kept, so Resume continues where it stopped.'
              : 'The dry run was cancelled.',
            'warning',
          )
        : errorNotice(
            task.error ?? { name: 'Error', code: 'INTERNAL', message: 'The task failed.' },
          ),
      kind === 'run' ? stoppedRun(api) : null,
      h(
        'div',
        { class: 'actions sticky-actions' },
        h('button', {
          class: 'btn',
          text: 'Back to the plan',
          attrs: { type: 'button' },
          on: { click: () => api.go('plan', { taskId: undefined }) },
        }),
      ),
    );
  };

  cancel.addEventListener('click', async () => {
    cancel.disabled = true;
    cancel.textContent = 'Cancelling…';
    try {
      apply(await api.ctx.api.migration.cancel({ taskId }));
    } catch (err) {
      replace(outcome, errorNotice(err));
    }
  });

  const actionBar = h('div', { class: 'actions sticky-actions' }, cancel);
  renderRows();
  renderOverall(false);
  api.onLeave(
    api.ctx.onEvent((event) => {
      if (event.type === 'task' && event.task.id === taskId) apply(event.task);
    }),
  );
  void api.ctx.api.tasks
    .get({ id: taskId })
    .then(apply, (err) => replace(outcome, errorNotice(err)));

  return h(
    'div',
    { class: 'run-view' },
    h('h2', { text: title, attrs: { tabindex: '-1' } }),
    overall,
    headline,
    announcer,
    h(
      'table',
      { class: 'table' },
      h('caption', { text: 'Per-table progress' }),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Table', 'Progress', 'Rows', 'State'].map((t) =>
            h('th', { attrs: { scope: 'col' }, text: t }),
          ),
        ),
      ),
      tbody,
    ),
    outcome,
    actionBar,
  );
}

function startRun(api: StepApi): HTMLElement {
  const status = h('div', { attrs: { 'aria-live': 'polite' } });
  const start = h('button', {
    class: 'btn btn-primary',
    text: 'Start the migration',
    attrs: { type: 'button', disabled: true },
  });
  const resume = () => void startResume(api, status);
  const target = targetPanel(
    api,
    (check) => {
      start.disabled = !check.ready || check.attempt.status !== 'none';
      start.title = start.disabled ? 'Decide about the target database above first.' : '';
    },
    resume,
  );
  void target.refresh();
  start.addEventListener('click', async () => {
    start.disabled = true;
    try {
      const { taskId } = await api.ctx.api.migration.start({
        sessionId: api.state.summary!.sessionId,
      });
      api.go('run', { taskId });
    } catch (err) {
      replace(status, errorNotice(err));
      start.disabled = false;
    }
  });
  return h(
    'div',
    {},
    h('h2', { text: 'Run the migration', attrs: { tabindex: '-1' } }),
    h('p', {
      text: 'A backup of the target is taken first. The run can be cancelled and resumed without losing or doubling a row.',
    }),
    target.element,
    status,
    h(
      'div',
      { class: 'actions sticky-actions' },
      h('button', {
        class: 'btn',
        text: api.state.report ? 'Back to the report' : 'Back to the plan',
        attrs: { type: 'button' },
        on: { click: () => api.go(api.state.report ? 'report' : 'plan') },
      }),
      start,
    ),
  );
}

/** After a cancelled or failed run: the target panel, with Resume and Discard this attempt. */
function stoppedRun(api: StepApi): HTMLElement {
  const status = h('div', { attrs: { 'aria-live': 'polite' } });
  let checks = 0;
  const panel = targetPanel(
    api,
    // Discarded (a later check finds no attempt): back to the start of the run step.
    (check) => {
      if (checks++ > 0 && check.attempt.status === 'none') api.go('run', { taskId: undefined });
    },
    () => void startResume(api, status),
  );
  void panel.refresh();
  return h('div', {}, panel.element, status);
}

async function startResume(api: StepApi, status: HTMLElement): Promise<void> {
  try {
    const { taskId } = await api.ctx.api.migration.resume({
      sessionId: api.state.summary!.sessionId,
    });
    api.go('run', { taskId });
  } catch (err) {
    replace(status, errorNotice(err));
  }
}
