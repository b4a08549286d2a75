/**
 * Dashboard: the aggregate with its reasons, one card per health check
 * (state, latency history, pool usage, sizes, cache hit rate), and the
 * orchestrated services with start/stop. Live: pushed health and service
 * events re-render it without polling.
 */
import type { z } from 'zod';
import type {
  healthHistorySchema,
  HealthSummaryDto,
} from '../../shared-contract/methods/health.js';
import type { ServiceStatusDto } from '../../shared-contract/methods/services.js';
import { pageHeader } from '../app-shell.js';
import { latencyChart } from '../components/chart.js';
import { empty, errorNotice, loading } from '../components/notice.js';
import { statusBadge } from '../components/status.js';
import type { Screen } from '../context.js';
import { append, h, replace } from '../lib/dom.js';
import { formatAgo, formatLatency } from '../lib/format.js';
import { metricLines } from './dashboard-metrics.js';

type History = z.infer<typeof healthHistorySchema>;

const SERVICE_LABEL: Record<string, string> = {
  postgres: 'PostgreSQL',
  mongo: 'MongoDB',
  redis: 'Redis',
};

export const dashboardScreen: Screen = (ctx, host) => {
  const overview = h(
    'section',
    { class: 'overview', attrs: { 'aria-labelledby': 'overview-h' } },
    loading('health'),
  );
  const checks = h('div', { class: 'cards' });
  const services = h('div', {}, loading('services'));
  const refresh = h('button', { class: 'btn', text: 'Check now', attrs: { type: 'button' } });
  append(host, [
    pageHeader(
      'Dashboard',
      'Live health of the data services. Updates by itself; "Check now" runs every check at once.',
      refresh,
    ),
    overview,
    h(
      'section',
      { attrs: { 'aria-labelledby': 'checks-h' } },
      h('h2', { id: 'checks-h', text: 'Checks' }),
      checks,
    ),
    h(
      'section',
      { attrs: { 'aria-labelledby': 'services-h' } },
      h('h2', { id: 'services-h', text: 'Services' }),
      services,
    ),
  ]);

  let history: History | null = null;
  const renderHealth = (health: HealthSummaryDto) => {
    replace(
      overview,
      h('h2', { id: 'overview-h', class: 'sr-only', text: 'Overall state' }),
      h(
        'div',
        { class: `overall overall-${health.status}` },
        statusBadge(
          health.status,
          health.status === 'ok'
            ? 'All services healthy'
            : health.status === 'degraded'
              ? 'Degraded'
              : 'Down',
        ),
        h('span', { class: 'muted', text: `checked ${formatAgo(health.at)}` }),
      ),
      health.reasons.length
        ? h(
            'ul',
            { class: 'reasons' },
            health.reasons.map((r) =>
              h(
                'li',
                { class: `reason reason-${r.effect}` },
                h('p', { text: r.message }),
                h('p', { class: 'hint' }, h('strong', { text: 'Fix: ' }), r.fix),
              ),
            ),
          )
        : null,
    );
    replace(
      checks,
      ...(health.checks.length
        ? health.checks.map((c) =>
            h(
              'article',
              {
                class: `card card-${c.status}`,
                attrs: { 'aria-labelledby': `check-${c.id}` },
                dataset: { check: c.id },
              },
              h(
                'header',
                { class: 'card-head' },
                h('h3', { id: `check-${c.id}`, text: c.label }),
                statusBadge(c.status),
              ),
              h('p', { class: 'card-detail', text: c.detail }),
              h(
                'dl',
                { class: 'metrics' },
                c.latencyMs !== null
                  ? [h('dt', { text: 'Latency' }), h('dd', { text: formatLatency(c.latencyMs) })]
                  : null,
                metricLines(c.metrics).map((line) => [
                  h('dt', { text: line.label }),
                  h(
                    'dd',
                    {},
                    line.value,
                    line.ratio !== undefined
                      ? h('meter', {
                          attrs: {
                            min: 0,
                            max: 1,
                            value: line.ratio,
                            high: 0.85,
                            optimum: 0,
                            'aria-label': `${line.label} ${Math.round(line.ratio * 100)} percent`,
                          },
                        })
                      : null,
                  ),
                ]),
              ),
              history?.checks[c.id]?.some((s) => s.latencyMs !== null)
                ? [
                    h('p', {
                      class: 'chart-label',
                      text: `Latency, last ${history.checks[c.id]!.length} checks`,
                    }),
                    latencyChart(history.checks[c.id]!, c.label),
                  ]
                : null,
              c.status !== 'ok' && c.fix
                ? h('p', { class: 'hint' }, h('strong', { text: 'Fix: ' }), c.fix)
                : null,
            ),
          )
        : [empty('No health checks have run yet.')]),
    );
  };

  const renderServices = (list: ServiceStatusDto[]) => {
    const busy = new Set<string>();
    replace(
      services,
      h(
        'table',
        { class: 'table' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['Service', 'Profile', 'State', 'Where', 'Since', 'Actions'].map((t) =>
              h('th', { text: t, attrs: { scope: 'col' } }),
            ),
          ),
        ),
        h(
          'tbody',
          {},
          list.map((s) => {
            const running =
              s.state === 'healthy' || s.state === 'degraded' || s.state === 'starting';
            const action = h('button', {
              class: 'btn btn-small',
              text: running ? 'Stop' : 'Start',
              attrs: {
                type: 'button',
                'aria-label': `${running ? 'Stop' : 'Start'} ${SERVICE_LABEL[s.service]}`,
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
                    ctx.announce(`${SERVICE_LABEL[s.service]} ${running ? 'stopped' : 'started'}`);
                  } catch (err) {
                    services.prepend(errorNotice(err));
                  } finally {
                    void loadServices();
                  }
                },
              },
            });
            return h(
              'tr',
              { dataset: { service: s.service } },
              h('th', { attrs: { scope: 'row' }, text: SERVICE_LABEL[s.service] ?? s.service }),
              h('td', { text: s.provider }),
              h(
                'td',
                {},
                statusBadge(s.state),
                s.reason ? h('p', { class: 'hint', text: s.reason }) : null,
              ),
              h('td', {
                class: 'mono',
                text:
                  s.provider === 'embedded'
                    ? 'inside Nova'
                    : (s.url ?? (s.port ? `port ${s.port}` : '—')),
              }),
              h('td', { text: formatAgo(s.since) }),
              h(
                'td',
                {},
                s.provider === 'embedded'
                  ? h('span', { class: 'muted', text: 'runs inside Nova' })
                  : s.provider === 'external'
                    ? h('span', { class: 'muted', text: 'managed elsewhere' })
                    : action,
              ),
            );
          }),
        ),
      ),
    );
  };

  const loadHealth = async (run: 'current' | 'refresh' = 'current') => {
    try {
      const [health, hist] = await Promise.all([
        run === 'refresh' ? ctx.api.health.refresh() : ctx.api.health.current(),
        ctx.api.health.history(),
      ]);
      history = hist;
      renderHealth(health);
    } catch (err) {
      replace(
        overview,
        errorNotice(err, () => void loadHealth()),
      );
    }
  };
  const loadServices = async () => {
    try {
      renderServices((await ctx.api.services.list()).services);
    } catch (err) {
      replace(
        services,
        errorNotice(err, () => void loadServices()),
      );
    }
  };

  refresh.addEventListener('click', async () => {
    refresh.disabled = true;
    refresh.textContent = 'Checking…';
    await loadHealth('refresh');
    refresh.disabled = false;
    refresh.textContent = 'Check now';
    ctx.announce('Health checked');
  });

  void loadHealth();
  void loadServices();
  const off = ctx.onEvent((event) => {
    if (event.type === 'health') {
      void ctx.api.health.history().then(
        (hist) => {
          history = hist;
          renderHealth(event.health);
        },
        () => renderHealth(event.health),
      );
    }
    if (event.type === 'health-transition') ctx.announce(`Health is now ${event.to}`);
    if (event.type === 'service') void loadServices();
  });
  return off;
};
