/**
 * The inspect step's summary, drawn from its model (steps-model.ts): the
 * facts about the file, its warnings, and one row per table. The step's
 * heading, buttons and the plan request are steps.ts's.
 */
import { h } from '../../lib/dom.js';
import type { InspectModel } from './steps-model.js';

export function inspectFacts(m: InspectModel): HTMLElement {
  return h(
    'dl',
    { class: 'facts' },
    m.facts.map((f) => [
      h('dt', { text: f.term }),
      h('dd', { ...(f.mono ? { class: 'mono' } : {}), text: f.text }),
    ]),
  );
}

export function inspectWarnings(m: InspectModel): HTMLElement | null {
  return m.warnings.length
    ? h(
        'div',
        { class: 'notice notice-warning' },
        h(
          'ul',
          {},
          m.warnings.map((w) => h('li', { text: w })),
        ),
      )
    : null;
}

export function inspectTables(m: InspectModel): HTMLElement {
  return h(
    'table',
    { class: 'table' },
    h('caption', { text: m.caption }),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        m.columns.map((t) => h('th', { attrs: { scope: 'col' }, text: t })),
      ),
    ),
    h(
      'tbody',
      {},
      m.tables.map((t) =>
        h(
          'tr',
          {},
          h('th', { attrs: { scope: 'row' }, class: 'mono', text: t.name }),
          h('td', { class: 'num', text: t.rows }),
          h('td', { class: 'num', text: t.columns }),
          h('td', { class: 'num', text: t.indexes }),
          h('td', { class: 'num', text: t.foreignKeys }),
          h('td', { text: t.mixed }),
        ),
      ),
    ),
  );
}
