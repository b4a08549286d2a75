/**
 * The dashboard's service table: the rows of dashboard-services-model.ts as
 * a table, and the Start/Stop buttons wired to the services API.
 */
import type { ServiceStatusDto } from '../../shared-contract/methods/services.js';
import { errorNotice } from '../components/notice.js';
import { statusBadge } from '../components/status.js';
import type { AppContext } from '../context.js';
import { h } from '../lib/dom.js';
import type { StatusView } from '../status/status-view.js';
import { SERVICE_COLUMNS, serviceRow, type ServiceRowModel } from './dashboard-services-model.js';

export function servicesTable(
  ctx: AppContext,
  list: ServiceStatusDto[],
  view: StatusView,
  host: HTMLElement,
  reload: () => void,
): HTMLElement {
  const busy = new Set<string>();
  const now = Date.now();
  return h(
    'div',
    { class: 'table-scroll' },
    h(
      'table',
      { class: 'table services-table' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          SERVICE_COLUMNS.map((t) => h('th', { text: t, attrs: { scope: 'col' } })),
        ),
      ),
      h(
        'tbody',
        {},
        list.map((s) => {
          const row = serviceRow(s, view, now);
          return h(
            'tr',
            { dataset: { service: row.service } },
            h('th', { attrs: { scope: 'row' }, text: row.label }),
            h('td', { text: row.runs }),
            h(
              'td',
              { class: 'status-cell' },
              statusBadge(row.badge.status, row.badge.text),
              row.notes.map((text) => h('span', { class: 'hint block', text })),
            ),
            h('td', { class: 'mono', text: row.where }),
            h('td', { text: row.since }),
            h('td', {}, actionCell(ctx, row, view, busy, host, reload)),
          );
        }),
      ),
    ),
  );
}

function actionCell(
  ctx: AppContext,
  row: ServiceRowModel,
  view: StatusView,
  busy: Set<string>,
  host: HTMLElement,
  reload: () => void,
): HTMLElement {
  const action = row.action;
  if (action.kind === 'none') return h('span', { class: 'muted', text: action.text });
  const button = h('button', {
    class: 'btn btn-small',
    text: action.verb,
    attrs: { type: 'button', 'aria-label': action.label, disabled: view.stale },
    on: {
      click: async () => {
        if (busy.has(row.service)) return;
        busy.add(row.service);
        button.disabled = true;
        button.textContent = action.busyText;
        try {
          const target = { service: row.service };
          await (action.verb === 'Stop'
            ? ctx.api.services.stop(target)
            : ctx.api.services.start(target));
          ctx.announce(`${row.label} ${action.doneWord}`);
          // The status column follows the health check run the action triggered.
          void ctx.api.health.current().then((health) => ctx.status.setHealth(health));
        } catch (err) {
          host.prepend(errorNotice(err));
        } finally {
          reload();
        }
      },
    },
  });
  return button;
}
