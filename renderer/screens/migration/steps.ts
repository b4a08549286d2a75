/** The wizard's first three steps: pick the file, read the inspect summary, review the plan. */
import { textField } from '../../components/field.js';
import { errorNotice, info } from '../../components/notice.js';
import { h, replace } from '../../lib/dom.js';
import { formatBytes, formatCount } from '../../lib/format.js';
import type { StepApi } from './wizard.js';

function stepHeading(text: string): HTMLElement {
  return h('h2', { text, attrs: { tabindex: '-1' } });
}

export function pickStep(api: StepApi): HTMLElement {
  const input = h('input', { attrs: { type: 'text', required: true, spellcheck: 'false', autocomplete: 'off', placeholder: '/var/lib/nova/log.sqlite', value: api.state.file, name: 'source-file' } });
  const status = h('div', { attrs: { 'aria-live': 'polite' } });
  const submit = h('button', { class: 'btn btn-primary', text: 'Inspect file', attrs: { type: 'submit' } });
  const form = h('form', { class: 'panel' },
    textField('Legacy database file (full path on the Nova machine)', input, 'Nova reads it once, read-only, into a private snapshot; a running legacy server can keep using it.'),
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
    replace(status, h('p', { class: 'state state-loading', attrs: { role: 'status' } }, h('span', { class: 'spinner', attrs: { 'aria-hidden': 'true' } }), 'Checking integrity and taking a snapshot…'));
    try {
      const summary = await api.ctx.api.migration.inspect({ file });
      api.go('inspect', { file, summary, plan: undefined, report: undefined, taskId: undefined });
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
  const next = h('button', { class: 'btn btn-primary', text: 'Review the plan', attrs: { type: 'button' } });
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
  return h('div', {},
    stepHeading('What the file holds'),
    h('dl', { class: 'facts' },
      h('dt', { text: 'File' }), h('dd', { class: 'mono', text: s.file }),
      h('dt', { text: 'Size' }), h('dd', { text: formatBytes(s.sizeBytes) }),
      h('dt', { text: 'Kind' }), h('dd', { text: s.kind === 'nova-legacy' ? 'Nova legacy database (built-in plan applies)' : 'Other SQLite database (an automatic plan is made)' }),
      h('dt', { text: 'Written by' }), h('dd', { text: `SQLite ${s.sqliteVersion}, journal ${s.journalMode}${s.hasWal ? ', with rows still in the WAL (included)' : ''}` }),
      h('dt', { text: 'Contents' }), h('dd', { text: `${s.tables.length} tables, ${formatCount(totalRows)} rows, ${s.views.length} views, ${s.triggers.length} triggers` }),
    ),
    s.warnings.length ? h('div', { class: 'notice notice-warning' }, h('ul', {}, s.warnings.map((w) => h('li', { text: w })))) : null,
    h('table', { class: 'table' },
      h('caption', { text: 'Tables' }),
      h('thead', {}, h('tr', {}, ['Table', 'Rows', 'Columns', 'Indexes', 'Foreign keys', 'Mixed value types'].map((t) => h('th', { attrs: { scope: 'col' }, text: t })))),
      h('tbody', {}, s.tables.map((t) =>
        h('tr', {},
          h('th', { attrs: { scope: 'row' }, class: 'mono', text: t.name }),
          h('td', { class: 'num', text: formatCount(t.rows) }),
          h('td', { class: 'num', text: String(t.columns) }),
          h('td', { class: 'num', text: String(t.indexes) }),
          h('td', { class: 'num', text: String(t.foreignKeys) }),
          h('td', { text: t.mixedColumns.length ? t.mixedColumns.join(', ') : '—' }),
        ),
      )),
    ),
    status,
    h('div', { class: 'actions' }, h('button', { class: 'btn', text: 'Pick another file', attrs: { type: 'button' }, on: { click: () => api.restart() } }), next),
  );
}

export function planStep(api: StepApi): HTMLElement {
  const p = api.state.plan;
  const s = api.state.summary;
  if (!p || !s) return lost(api);
  const status = h('div', { attrs: { 'aria-live': 'polite' } });
  const planInput = h('input', { attrs: { type: 'text', spellcheck: 'false', placeholder: '/path/to/plan.json', value: api.state.planFile ?? '', name: 'plan-file' } });
  const usePlan = h('button', { class: 'btn', text: 'Use this plan file', attrs: { type: 'button' } });
  usePlan.addEventListener('click', async () => {
    const planFile = planInput.value.trim();
    try {
      const plan = await api.ctx.api.migration.planPreview({ sessionId: s.sessionId, ...(planFile ? { planFile } : {}) });
      api.go('plan', { plan, planFile });
    } catch (err) {
      replace(status, errorNotice(err));
    }
  });
  const dry = h('button', { class: 'btn btn-primary', text: 'Start the dry run', attrs: { type: 'button' } });
  dry.addEventListener('click', async () => {
    dry.disabled = true;
    try {
      const { taskId } = await api.ctx.api.migration.dryRun({ sessionId: s.sessionId });
      api.go('dryrun', { taskId, report: undefined });
    } catch (err) {
      replace(status, errorNotice(err));
      dry.disabled = false;
    }
  });
  const origin = { builtin: 'the built-in Nova plan', auto: 'an automatic plan', file: 'your plan file' }[p.planOrigin];
  return h('div', {},
    stepHeading('Where everything goes'),
    h('p', {}, `Plan "${p.planName}" (${origin}). Every source table and column is listed below with its target; anything not migrated as-is is explained under Decisions.`),
    h('dl', { class: 'facts' },
      h('dt', { text: 'PostgreSQL target' }), h('dd', { class: 'mono', text: p.destinations.postgres ?? 'not configured — choose PostgreSQL in Setup before running' }),
      h('dt', { text: 'MongoDB target' }), h('dd', { class: 'mono', text: p.destinations.mongo ?? 'none (documents stay in the relational store)' }),
    ),
    p.destinations.postgres ? null : info('The dry run works without a target. To run the migration, set PostgreSQL up in Setup first.', 'warning'),
    h('table', { class: 'table' },
      h('caption', { text: 'Tables in load order' }),
      h('thead', {}, h('tr', {}, ['Source table', 'Rows', 'Target', 'Columns'].map((t) => h('th', { attrs: { scope: 'col' }, text: t })))),
      h('tbody', {}, p.tables.map((t) =>
        h('tr', {},
          h('th', { attrs: { scope: 'row' }, class: 'mono', text: t.source }),
          h('td', { class: 'num', text: formatCount(t.rows) }),
          h('td', { class: 'mono', text: `${t.target.kind === 'postgres' ? 'PostgreSQL table' : 'Mongo collection'} ${t.target.name}${t.origin === 'auto' ? ' (auto)' : ''}` }),
          h('td', {},
            h('details', {},
              h('summary', { text: `${t.columns.length} columns${t.extra ? ` + ${t.extra.sources.length} into ${t.extra.target}` : ''}` }),
              h('table', { class: 'table table-inner' },
                h('thead', {}, h('tr', {}, ['Source', 'Target', 'Cast', 'Type', 'Null'].map((x) => h('th', { attrs: { scope: 'col' }, text: x })))),
                h('tbody', {}, t.columns.map((c) =>
                  h('tr', {}, h('td', { class: 'mono', text: c.source }), h('td', { class: 'mono', text: c.target }), h('td', { text: c.cast }), h('td', { class: 'mono', text: c.targetType }), h('td', { text: c.nullable ? 'yes' : 'no' })),
                )),
              ),
            ),
          ),
        ),
      )),
    ),
    h('h3', { text: `Decisions (${p.decisions.length})` }),
    p.decisions.length
      ? h('ul', { class: 'decisions' }, p.decisions.map((d) => h('li', {}, h('span', { class: 'tag', text: d.decision }), ' ', h('span', { class: 'mono', text: d.column ? `${d.table}.${d.column}` : d.table }), `: ${d.reason}`)))
      : h('p', { class: 'muted', text: 'None: every table and column is migrated as listed.' }),
    h('details', { class: 'panel' }, h('summary', { text: 'Use a plan file instead' }), textField('Plan file (JSON)', planInput), usePlan),
    status,
    h('div', { class: 'actions' }, h('button', { class: 'btn', text: 'Back', attrs: { type: 'button' }, on: { click: () => api.go('inspect') } }), dry),
  );
}

export function lost(api: StepApi): HTMLElement {
  return h('div', {}, info('This step has no data any more (Nova may have restarted). Start again from the file.', 'warning'),
    h('button', { class: 'btn btn-primary', text: 'Start again', attrs: { type: 'button' }, on: { click: () => api.restart() } }));
}
