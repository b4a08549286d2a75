/**
 * The dashboard's service table. The status of each row is the service's
 * entry in the health summary's rollup — the same checks the cards and the
 * tray read — and the lifecycle (starting, stopped…) from services.list
 * only decides which button is offered.
 */
import type { ServiceStatusDto } from '../../shared-contract/methods/services.js';
import { errorNotice } from '../components/notice.js';
import { statusBadge } from '../components/status.js';
import type { AppContext } from '../context.js';
import { h } from '../lib/dom.js';
import { formatAgo } from '../lib/format.js';
import { forScreen } from '../lib/screen-words.js';
import type { StatusView } from '../status/status-view.js';

export const SERVICE_LABEL: Record<string, string> = {
  postgres: 'PostgreSQL',
  mongo: 'MongoDB',
  redis: 'Redis',
};

const PROFILE_WORD: Record<string, string> = {
  embedded: 'Embedded',
  docker: 'Docker',
  native: 'Native',
  external: 'External server',
};

const LIFECYCLE_NOTE: Record<string, string> = {
  stopped: 'stopped',
  starting: 'starting…',
  stopping: 'stopping…',
  failed: 'failed to start',
};

export function servicesTable(
  ctx: AppContext,
  list: ServiceStatusDto[],
  view: StatusView,
  host: HTMLElement,
  reload: () => void,
): HTMLElement {
  const busy = new Set<string>();
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
          ['Service', 'Runs', 'Status', 'Where', 'Since', 'Actions'].map((t) =>
            h('th', { text: t, attrs: { scope: 'col' } }),
          ),
        ),
      ),
      h(
        'tbody',
        {},
        list.map((s) => {
          const label = SERVICE_LABEL[s.service] ?? s.service;
          const shown = view.services[s.service];
          const running = s.state === 'healthy' || s.state === 'degraded' || s.state === 'starting';
          const action = h('button', {
            class: 'btn btn-small',
            text: running ? 'Stop' : 'Start',
            attrs: {
              type: 'button',
              'aria-label': `${running ? 'Stop' : 'Start'} ${label}`,
              disabled: view.stale,
            },
            on: {
              click: async () => {
                if (busy.has(s.service)) return;
                busy.add(s.service);
                action.disabled = true;
                action.textContent = running ? 'Stopping…' : 'Starting…';
                try {
                  await (running
                    ? ctx.api.services.stop({ service: s.service })
                    : ctx.api.services.start({ service: s.service }));
                  ctx.announce(`${label} ${running ? 'stopped' : 'started'}`);
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
          const note = LIFECYCLE_NOTE[s.state];
          // Native MongoDB without mongod: documents live in PostgreSQL, nothing runs to start or stop.
          const inPostgres = s.service === 'mongo' && s.provider === 'native' && !s.url && !s.port;
          return h(
            'tr',
            { dataset: { service: s.service } },
            h('th', { attrs: { scope: 'row' }, text: label }),
            h('td', { text: PROFILE_WORD[s.provider] ?? s.provider }),
            h(
              'td',
              { class: 'status-cell' },
              shown
                ? statusBadge(
                    shown.stale ? 'unknown' : shown.status,
                    shown.stale ? `Last known: ${shown.word}` : shown.word,
                  )
                : statusBadge('unknown'),
              note ? h('span', { class: 'hint block', text: `The service is ${note}.` }) : null,
              s.state === 'failed' && s.reason
                ? h('span', { class: 'hint block', text: forScreen(s.reason) })
                : null,
            ),
            h('td', {
              class: 'mono',
              text:
                s.provider === 'embedded'
                  ? 'inside Nova'
                  : inPostgres
                    ? 'in PostgreSQL (JSONB)'
                    : (s.url ?? (s.port ? `port ${s.port}` : '—')),
            }),
            h('td', { text: formatAgo(s.since) }),
            h(
              'td',
              {},
              s.provider === 'embedded' || inPostgres
                ? h('span', {
                    class: 'muted',
                    text: inPostgres ? 'part of PostgreSQL' : 'runs inside Nova',
                  })
                : s.provider === 'external'
                  ? h('span', { class: 'muted', text: 'run elsewhere' })
                  : action,
            ),
          );
        }),
      ),
    ),
  );
}
