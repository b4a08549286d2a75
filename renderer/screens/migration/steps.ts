/**
 * The wizard's first steps: pick the file, read the inspect summary. What
 * they say is computed in steps-model.ts and the summary drawn by
 * inspect-summary.ts; this module draws the form and wires the inspect and
 * plan requests.
 */
import { textField } from '../../components/field.js';
import { errorNotice, info } from '../../components/notice.js';
import { h, replace } from '../../lib/dom.js';
import { inspectFacts, inspectTables, inspectWarnings } from './inspect-summary.js';
import { inspected, inspectModel, LOST_TEXT, PICK_TEXT, pickFile } from './steps-model.js';
import type { StepApi } from './wizard.js';

export function stepHeading(text: string): HTMLElement {
  return h('h2', { text, attrs: { tabindex: '-1' } });
}

export function pickStep(api: StepApi): HTMLElement {
  const input = h('input', {
    attrs: {
      type: 'text',
      required: true,
      spellcheck: 'false',
      autocomplete: 'off',
      placeholder: PICK_TEXT.placeholder,
      value: api.state.file,
      name: 'source-file',
    },
  });
  const status = h('div', { attrs: { 'aria-live': 'polite' } });
  const submit = h('button', {
    class: 'btn btn-primary',
    text: PICK_TEXT.button,
    attrs: { type: 'submit' },
  });
  const form = h(
    'form',
    { class: 'panel' },
    textField(PICK_TEXT.label, input, PICK_TEXT.hint),
    h('div', { class: 'actions' }, submit),
    status,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const picked = pickFile(input.value);
    if ('problem' in picked) {
      replace(status, info(picked.problem, 'warning'));
      input.focus();
      return;
    }
    const { file } = picked;
    submit.disabled = true;
    submit.textContent = PICK_TEXT.busy;
    replace(
      status,
      h(
        'p',
        { class: 'state state-loading', attrs: { role: 'status' } },
        h('span', { class: 'spinner', attrs: { 'aria-hidden': 'true' } }),
        PICK_TEXT.loading,
      ),
    );
    try {
      const summary = await api.ctx.api.migration.inspect({ file });
      api.go('inspect', inspected(file, summary));
    } catch (err) {
      replace(status, errorNotice(err));
      submit.disabled = false;
      submit.textContent = PICK_TEXT.button;
    }
  });
  return h('div', {}, stepHeading(PICK_TEXT.heading), form);
}

export function inspectStep(api: StepApi): HTMLElement {
  const s = api.state.summary;
  if (!s) return lost(api);
  const m = inspectModel(s);
  const next = h('button', {
    class: 'btn btn-primary',
    text: m.next,
    attrs: { type: 'button' },
  });
  const status = h('div', { attrs: { 'aria-live': 'polite' } });
  next.addEventListener('click', async () => {
    next.disabled = true;
    try {
      const plan = await api.ctx.api.migration.planPreview({ sessionId: s.sessionId });
      api.go('plan', { plan });
    } catch (err) {
      replace(status, errorNotice(err));
      next.disabled = false;
    }
  });
  return h(
    'div',
    {},
    stepHeading(m.heading),
    inspectFacts(m),
    inspectWarnings(m),
    inspectTables(m),
    status,
    h(
      'div',
      { class: 'actions sticky-actions' },
      h('button', {
        class: 'btn',
        text: m.back,
        attrs: { type: 'button' },
        on: { click: () => api.restart() },
      }),
      next,
    ),
  );
}

export function lost(api: StepApi): HTMLElement {
  return h(
    'div',
    {},
    info(LOST_TEXT.notice, 'warning'),
    h('button', {
      class: 'btn btn-primary',
      text: LOST_TEXT.button,
      attrs: { type: 'button' },
      on: { click: () => api.restart() },
    }),
  );
}
