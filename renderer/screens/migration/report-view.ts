/**
 * The report: per-table counts (source = migrated + duplicates + rejected),
 * rejects with their original values, verification. What it says is
 * computed in report-model.ts; this module draws it and wires the
 * navigation and the rejects fix-it view.
 */
import { info } from '../../components/notice.js';
import { fixRejects } from './fix-rejects.js';
import { statusBadge } from '../../components/status.js';
import { h } from '../../lib/dom.js';
import { appliedModel, reportModel, type ReportRowModel } from './report-model.js';
import { lost } from './steps.js';
import type { StepApi } from './wizard.js';

export function reportStep(api: StepApi): HTMLElement {
  const r = api.state.report;
  if (!r) return lost(api);
  const m = reportModel(r);
  const applySlot = h('span', { class: 'apply-slot' });
  return h(
    'div',
    { class: 'report' },
    h('h2', { text: m.title, attrs: { tabindex: '-1' } }),
    api.state.applied ? appliedNotice(api.state.applied) : null,
    m.done !== null ? doneSummary(m.done) : null,
    h(
      'div',
      { class: `overall overall-${m.tone}` },
      statusBadge(m.tone, m.headline),
      h('span', { class: 'muted', text: m.totalsLine }),
    ),
    m.dry
      ? h('p', {
          class: 'muted',
          text: 'Counts and checksums are verified against the source after the real run.',
        })
      : null,
    h(
      'dl',
      { class: 'facts' },
      m.facts.map((f) => [
        h('dt', { text: f.label }),
        h('dd', { ...(f.mono ? { class: 'mono' } : {}), text: f.value }),
      ]),
    ),
    m.warnings.length
      ? h(
          'div',
          { class: 'notice notice-warning' },
          h(
            'ul',
            {},
            m.warnings.map((w) => h('li', { text: w })),
          ),
        )
      : null,
    h(
      'table',
      { class: 'table' },
      h('caption', { text: 'Per table' }),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          m.headings.map((t) => h('th', { attrs: { scope: 'col' }, text: t })),
        ),
      ),
      h('tbody', {}, m.rows.map(tableRow)),
    ),
    fixRejects(api, applySlot),
    h(
      'div',
      { class: 'actions sticky-actions' },
      h('button', {
        class: 'btn',
        text: 'Back to the plan',
        attrs: { type: 'button' },
        on: { click: () => api.go('plan') },
      }),
      h('button', {
        class: 'btn',
        text: 'Start over with another file',
        attrs: { type: 'button' },
        on: { click: () => api.restart() },
      }),
      applySlot,
      m.dry
        ? h('button', {
            class: 'btn btn-primary',
            text: 'Continue to the run',
            attrs: { type: 'button' },
            on: { click: () => api.go('run', { taskId: undefined }) },
          })
        : null,
    ),
  );
}

function tableRow(c: ReportRowModel): HTMLElement {
  const v = c.verified;
  return h(
    'tr',
    { dataset: { table: c.table } },
    h('th', { attrs: { scope: 'row' }, class: 'mono', text: c.table }),
    h('td', { class: 'num', text: c.source }),
    h('td', { class: 'num', text: c.migrated }),
    h('td', { class: 'num', text: c.duplicates }),
    h('td', { class: `num${c.rejectedWarn ? ' warn' : ''}`, text: c.rejected }),
    c.dropped !== null ? h('td', { class: 'num', text: c.dropped }) : null,
    h('td', { class: 'num', text: c.changed }),
    v
      ? h(
          'td',
          {},
          v.ok === null
            ? 'not verified'
            : statusBadge(v.ok ? 'ok' : 'down', v.ok ? 'Matches' : 'MISMATCH'),
          v.problems ? h('span', { class: 'hint block', text: v.problems }) : null,
        )
      : null,
  );
}

/** What the last "Apply fixed rejects" did (removed when the next one starts). */
function appliedNotice(a: { applied: number; stillRejected: number }): HTMLElement {
  const { text, kind } = appliedModel(a);
  const notice = info(text, kind);
  notice.classList.add('applied-notice');
  return notice;
}

/** After a verified run: what was done and the next step. */
function doneSummary(done: string): HTMLElement {
  return h(
    'section',
    { class: 'panel done-summary', attrs: { 'aria-labelledby': 'done-h' } },
    h('h3', { id: 'done-h', text: 'Done' }),
    h('p', { text: done }),
    h('h4', { text: 'Next steps' }),
    h(
      'ol',
      {},
      h(
        'li',
        {},
        'Point the Nova API at the new database: in the Nova API’s database settings, use the server, port, database and user shown in ',
        h('a', { attrs: { href: '#/setup' }, text: 'Setup' }),
        ' for PostgreSQL, then restart the Nova API.',
      ),
      h(
        'li',
        {},
        'Take the first backup of the migrated data and let Nova verify it: ',
        h('a', { attrs: { href: '#/backups' }, text: 'Backups' }),
        '.',
      ),
      h('li', {
        text: 'Keep the legacy file until the Nova API has run on the new database for a while.',
      }),
    ),
  );
}
