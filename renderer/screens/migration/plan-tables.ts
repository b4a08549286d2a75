/**
 * The plan review's tables, drawn from its model (plan-step-model.ts):
 * every source table with its row count, target and folded column mapping,
 * and the list of decisions (or the line saying there are none).
 */
import { h } from '../../lib/dom.js';
import type { DecisionModel, PlanColumnModel, PlanTableModel } from './plan-step-model.js';

function headings(texts: string[]): HTMLElement {
  return h(
    'thead',
    {},
    h(
      'tr',
      {},
      texts.map((t) => h('th', { attrs: { scope: 'col' }, text: t })),
    ),
  );
}

function columnsTable(columns: PlanColumnModel[]): HTMLElement {
  return h(
    'div',
    { class: 'table-scroll' },
    h(
      'table',
      { class: 'table table-inner' },
      headings(['Source', 'Target', 'Cast', 'Type', 'Null']),
      h(
        'tbody',
        {},
        columns.map((c) =>
          h(
            'tr',
            {},
            h('td', { class: 'mono', text: c.source }),
            h('td', { class: 'mono', text: c.target }),
            h('td', { text: c.cast }),
            h('td', { class: 'mono', text: c.targetType }),
            h('td', { text: c.nullable }),
          ),
        ),
      ),
    ),
  );
}

export function planTablesTable(tables: PlanTableModel[]): HTMLElement {
  return h(
    'table',
    { class: 'table' },
    h('caption', { text: 'Tables in load order' }),
    headings(['Source table', 'Rows', 'Target', 'Columns']),
    h(
      'tbody',
      {},
      tables.map((t) =>
        h(
          'tr',
          {},
          h('th', { attrs: { scope: 'row' }, class: 'mono', text: t.source }),
          h('td', { class: 'num', text: t.rows }),
          h(
            'td',
            {},
            h('span', { class: 'mono', text: t.target }),
            h('span', { class: 'hint block', text: t.targetHint }),
          ),
          h(
            'td',
            {},
            h('details', {}, h('summary', { text: t.columnsSummary }), columnsTable(t.columns)),
          ),
        ),
      ),
    ),
  );
}

export function decisionsList(heading: string, decisions: DecisionModel[]): HTMLElement[] {
  return [
    h('h3', { text: heading }),
    decisions.length
      ? h(
          'ul',
          { class: 'decisions' },
          decisions.map((d) =>
            h(
              'li',
              {},
              h('span', { class: 'tag', text: d.tag }),
              ' ',
              h('span', { class: 'mono', text: d.where }),
              `: ${d.reason}`,
            ),
          ),
        )
      : h('p', { class: 'muted', text: 'None: every table and column is migrated as listed.' }),
  ];
}
