/**
 * Dry run and run: per-table progress with rows, rows/s and ETA, cancel,
 * and — for the run — resume. The task's events drive the view; a reload
 * asks tasks.get for the current state, so nothing is lost by navigating.
 * What is shown is computed in run-step-model.ts and drawn by
 * run-progress.ts; this module wires the task, the API and the buttons.
 */
import type { TaskSnapshotDto } from '../../../shared-contract/common.js';
import { errorNotice } from '../../components/notice.js';
import { h, replace } from '../../lib/dom.js';
import { overallView, progressRows, progressTable, stoppedNotice } from './run-progress.js';
import {
  applyTask,
  headlineText,
  isLive,
  overallModel,
  rowModels,
  runTitle,
  startProgress,
  type RunKind,
  type Sample,
} from './run-step-model.js';
import { endAnnouncement, stoppedModel } from './run-start-model.js';
import { startRun, stoppedRun } from './run-start.js';
import { lost } from './steps.js';
import type { StepApi } from './wizard.js';

export function runStep(api: StepApi, kind: RunKind): HTMLElement {
  const { state } = api;
  if (!state.summary || !state.plan) return lost(api);
  if (!state.taskId) return kind === 'run' ? startRun(api) : lost(api);

  let progress = startProgress(state.plan);
  let firstSample: Sample | null = null;
  const headline = h('p', { class: 'headline', attrs: { 'aria-live': 'off' } }, 'Starting…');
  const overall = h('div', { class: 'overall-progress' });
  const renderOverall = (running: boolean) => {
    const o = overallModel(progress, running, Date.now(), firstSample);
    firstSample = o.first;
    replace(overall, ...overallView(o));
  };
  const announcer = h('p', { class: 'sr-only', attrs: { 'aria-live': 'polite' } });
  const tbody = h('tbody', {});
  const renderRows = () => replace(tbody, ...progressRows(rowModels(progress)));
  const outcome = h('div', {});
  const cancel = h('button', {
    class: 'btn btn-danger',
    text: 'Cancel',
    attrs: { type: 'button' },
  });
  const taskId = state.taskId;

  const apply = (task: TaskSnapshotDto) => {
    const next = applyTask(progress, task);
    progress = next.progress;
    if (next.announce !== null) announcer.textContent = next.announce;
    renderRows();
    renderOverall(task.state === 'running');
    replace(headline, headlineText(task));
    if (isLive(task)) return;
    cancel.hidden = true;
    finish(task);
  };

  const finish = async (task: TaskSnapshotDto) => {
    actionBar.hidden = true;
    if (task.state === 'succeeded') {
      try {
        const report = await api.ctx.api.migration.report({ sessionId: state.summary!.sessionId });
        api.ctx.announce(endAnnouncement(kind, task));
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
    api.ctx.announce(endAnnouncement(kind, task));
    const stopped = stoppedModel(kind, task);
    replace(
      outcome,
      stoppedNotice(stopped),
      stopped.offerResume ? stoppedRun(api) : null,
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
    h('h2', { text: runTitle(kind), attrs: { tabindex: '-1' } }),
    overall,
    headline,
    announcer,
    progressTable(tbody),
    outcome,
    actionBar,
  );
}
