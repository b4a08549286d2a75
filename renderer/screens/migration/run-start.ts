/**
 * Starting a run and resuming a stopped one. Before the run, the target
 * panel decides whether Start is offered (a target holding rows or a
 * stopped attempt needs a decision first); after a cancelled or failed run
 * it offers Resume and Discard this attempt.
 */
import { errorNotice } from '../../components/notice.js';
import { h, replace } from '../../lib/dom.js';
import { startBack, startButton } from './run-start-model.js';
import { targetPanel } from './target-panel.js';
import type { StepApi } from './wizard.js';

export function startRun(api: StepApi): HTMLElement {
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
      const b = startButton(check);
      start.disabled = b.disabled;
      start.title = b.title;
    },
    resume,
  );
  void target.refresh();
  const back = startBack(Boolean(api.state.report));
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
        text: back.text,
        attrs: { type: 'button' },
        on: { click: () => api.go(back.step) },
      }),
      start,
    ),
  );
}

/** After a cancelled or failed run: the target panel, with Resume and Discard this attempt. */
export function stoppedRun(api: StepApi): HTMLElement {
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
