/**
 * The run view's progress, drawn from its models (run-step-model.ts): the
 * overall bar with its line, one row per table (bar, count, state badge),
 * the table that holds them, and the words after a stop. What the task
 * events do is run-step.ts's.
 */
import { progressBar } from '../../components/progress.js';
import { errorNotice, info } from '../../components/notice.js';
import { statusBadge } from '../../components/status.js';
import { h, type Child } from '../../lib/dom.js';
import type { StoppedModel } from './run-start-model.js';
import type { OverallModel, RowModel } from './run-step-model.js';

export function overallView(o: OverallModel): Child[] {
  return [
    progressBar('Overall progress', o.done, o.max),
    h('p', { class: 'overall-text', text: o.text }),
  ];
}

export function progressRows(rows: RowModel[]): HTMLElement[] {
  return rows.map((r) =>
    h(
      'tr',
      { dataset: { table: r.table } },
      h('th', { attrs: { scope: 'row' }, class: 'mono', text: r.table }),
      h('td', {}, progressBar(r.progressLabel, r.value, r.max)),
      h('td', { class: 'num', text: r.count }),
      h('td', {}, statusBadge(r.badge)),
    ),
  );
}

export function progressTable(tbody: HTMLElement): HTMLElement {
  return h(
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
  );
}

/** The notice after a cancelled or failed task. */
export function stoppedNotice(m: StoppedModel): HTMLElement {
  return m.notice.kind === 'cancelled'
    ? info(m.notice.text, 'warning')
    : errorNotice(m.notice.error);
}
