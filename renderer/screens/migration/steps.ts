/** The wizard's first steps: pick the file, read the inspect summary. */
import { textField } from '../../components/field.js';
import { errorNotice, info } from '../../components/notice.js';
import { h, replace } from '../../lib/dom.js';
import { formatBytes, formatCount, plural } from '../../lib/format.js';
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
      placeholder: '/var/lib/nova/log.sqlite',
      value: api.state.file,
      name: 'source-file',
    },
  });
  const status = h('div', { attrs: { 'aria-live': 'polite' } });
  const submit = h('button', {
    class: 'btn btn-primary',
    text: 'Inspect file',
    attrs: { type: 'submit' },
  });
  const form = h(
    'form',
    { class: 'panel' },
    textField(
      'Legacy database file (full path on the Nova machine)',
      input,
      'Nova reads it once, read-only, into a private snapshot; a running legacy server can keep using it.',
    ),
    h('div', { class: 'actions' }, submit),
    status,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const file = input.value.trim();
    if (!file) {
      replace(status, info('Enter the full path of the legacy log.sqlite file.', 'warning'));
      input.focus();
      return;
    }
    submit.disabled = true;
    submit.textContent = 'Inspecting…';
    replace(
      status,
      h(
        'p',
        { class: 'state state-loading', attrs: { role: 'status' } },
        h('span', { class: 'spinner', attrs: { 'aria-hidden': 'true' } }),
        'Checking integrity and taking a snapshot…',
      ),
    );
    try {
      const summary = await api.ctx.api.migration.inspect({ file });
      api.go('inspect', {
        file,
        summary,
        plan: undefined,
        report: undefined,
        taskId: undefined,
        dryRunDone: undefined,
        rules: undefined,
      });
    } catch (err) {
      replace(status, errorNotice(err));
      submit.disabled = false;
      submit.textContent = 'Inspect file';
    }
  });
  return h('div', {}, stepHeading('Pick the legacy database'), form);
}

export function inspectStep(api: StepApi): HTMLElement {
  const s = api.state.summary;
  if (!s) return lost(api);
  const next = h('button', {
    class: 'btn btn-primary',
    text: 'Review the plan',
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
  const totalRows = s.tables.reduce((n, t) => n + t.rows, 0);
  return h(
    'div',
    {},
    stepHeading('What the file holds'),
    h(
      'dl',
      { class: 'facts' },
      h('dt', { text: 'File' }),
      h('dd', { class: 'mono', text: s.file }),
      h('dt', { text: 'Size' }),
      h('dd', { text: formatBytes(s.sizeBytes) }),
      h('dt', { text: 'Kind' }),
      h('dd', {
        text:
          s.kind === 'nova-legacy'
            ? 'Nova legacy database (built-in plan applies)'
            : 'Other SQLite database (an automatic plan is made)',
      }),
      h('dt', { text: 'Written by' }),
      h('dd', {
        text: `SQLite ${s.sqliteVersion}, journal ${s.journalMode}${s.hasWal ? ', with rows still in the WAL (included)' : ''}`,
      }),
      h('dt', { text: 'Contents' }),
      h('dd', {
        text: [
          plural(s.tables.length, 'table'),
          plural(totalRows, 'row'),
          plural(s.views.length, 'view'),
          plural(s.triggers.length, 'trigger'),
        ].join(', '),
      }),
    ),
    s.warnings.length
      ? h(
          'div',
          { class: 'notice notice-warning' },
          h(
            'ul',
            {},
            s.warnings.map((w) => h('li', { text: w })),
          ),
        )
      : null,
    h(
      'table',
      { class: 'table' },
      h('caption', { text: 'Tables' }),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Table', 'Rows', 'Columns', 'Indexes', 'Foreign keys', 'Mixed value types'].map((t) =>
            h('th', { attrs: { scope: 'col' }, text: t }),
          ),
        ),
      ),
      h(
        'tbody',
        {},
        s.tables.map((t) =>
          h(
            'tr',
            {},
            h('th', { attrs: { scope: 'row' }, class: 'mono', text: t.name }),
            h('td', { class: 'num', text: formatCount(t.rows) }),
            h('td', { class: 'num', text: String(t.columns) }),
            h('td', { class: 'num', text: String(t.indexes) }),
            h('td', { class: 'num', text: String(t.foreignKeys) }),
            h('td', { text: t.mixedColumns.length ? t.mixedColumns.join(', ') : '—' }),
          ),
        ),
      ),
    ),
    status,
    h(
      'div',
      { class: 'actions sticky-actions' },
      h('button', {
        class: 'btn',
        text: 'Pick another file',
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
    info(
      'This step has no data any more (Nova may have restarted). Start again from the file.',
      'warning',
    ),
    h('button', {
      class: 'btn btn-primary',
      text: 'Start again',
      attrs: { type: 'button' },
      on: { click: () => api.restart() },
    }),
  );
}
