/**
 * Dashboard: the overall state with its reasons, data safety, one card per
 * liveness check, and the services. Every status on it comes from the one
 * status snapshot (status-view.ts): pushed health updates re-render it, and
 * when Nova cannot be reached everything greys out with "last known at …".
 */
import type { ServiceStatusDto } from '../../shared-contract/methods/services.js';
import { pageHeader } from '../components/page-header.js';
import { latencyChart } from '../components/chart.js';
import { empty, errorNotice, loading } from '../components/notice.js';
import { statusBadge } from '../components/status.js';
import type { Screen } from '../context.js';
import { append, h, replace } from '../lib/dom.js';
import { statusView } from '../status/status-view.js';
import type { MetricLine } from './dashboard-metrics.js';
import {
  checkCards,
  overviewModel,
  safetyLines,
  type CheckCardModel,
  type History,
  type OverviewModel,
} from './dashboard-model.js';
import { fixHint, safetyPanel } from './dashboard-safety.js';
import { servicesTable } from './dashboard-services.js';

export const dashboardScreen: Screen = (ctx, host) => {
  const overview = h(
    'section',
    { class: 'overview', attrs: { 'aria-labelledby': 'overview-h' } },
    loading('health'),
  );
  const safety = h('div', {});
  const checks = h('div', { class: 'cards' });
  const services = h('div', {}, loading('services'));
  const refresh = h('button', { class: 'btn', text: 'Check now', attrs: { type: 'button' } });
  append(host, [
    pageHeader(
      'Dashboard',
      'Live health of the data services and the safety of the data. Updates by itself.',
      refresh,
    ),
    overview,
    safety,
    h(
      'section',
      { attrs: { 'aria-labelledby': 'services-h' } },
      h('h2', { id: 'services-h', text: 'Services' }),
      services,
    ),
    h(
      'section',
      { attrs: { 'aria-labelledby': 'checks-h' } },
      h('h2', { id: 'checks-h', text: 'Checks' }),
      checks,
    ),
  ]);

  let history: History | null = null;
  let serviceList: ServiceStatusDto[] | null = null;
  let lastHealthAt = -1;

  const render = () => {
    const snap = ctx.status.snapshot();
    const view = statusView(snap, Date.now());
    if (snap.health || view.stale) renderOverview(overview, overviewModel(snap.health, view));
    replace(safety, safetyPanel(safetyLines(snap.health, view)));
    if (snap.health) renderChecks(checks, checkCards(snap.health.checks, view, history));
    if (serviceList)
      replace(
        services,
        servicesTable(ctx, serviceList, view, services, () => void loadServices()),
      );
    refresh.disabled = view.stale;
  };

  const loadServices = async () => {
    try {
      serviceList = (await ctx.api.services.list()).services;
      render();
    } catch (err) {
      if (!serviceList)
        replace(
          services,
          errorNotice(err, () => void loadServices()),
        );
    }
  };
  const loadHistory = async () => {
    try {
      history = await ctx.api.health.history();
      render();
    } catch {
      // The charts wait for the next update; the status itself comes from the store.
    }
  };

  refresh.addEventListener('click', async () => {
    refresh.disabled = true;
    refresh.textContent = 'Checking…';
    try {
      ctx.status.setHealth(await ctx.api.health.refresh());
      ctx.announce('Health checked');
    } catch (err) {
      overview.append(errorNotice(err));
    } finally {
      refresh.textContent = 'Check now';
      refresh.disabled = false;
    }
  });

  void loadServices();
  void loadHistory();
  let lastSnap: unknown = null;
  const offStatus = ctx.status.subscribe((snap) => {
    if (snap === lastSnap) {
      // A clock tick: only "checked 12 s ago" moves (re-rendering would take the keyboard focus away).
      const checked = overview.querySelector('.overall .muted');
      if (checked) checked.textContent = statusView(snap, Date.now()).overall.checked;
      return;
    }
    lastSnap = snap;
    // A new summary also brings new history points.
    if (snap.health && snap.health.at !== lastHealthAt) {
      lastHealthAt = snap.health.at;
      void loadHistory();
    }
    render();
  });
  const offEvents = ctx.onEvent((event) => {
    if (event.type === 'health-transition') ctx.announce(`Health is now ${event.to}`);
    if (event.type === 'service') void loadServices();
  });
  return () => {
    offStatus();
    offEvents();
  };
};

function renderOverview(host: HTMLElement, o: OverviewModel): void {
  replace(
    host,
    h('h2', { id: 'overview-h', class: 'sr-only', text: 'Overall state' }),
    h(
      'div',
      { class: `overall overall-${o.tone}`, dataset: { status: o.status } },
      statusBadge(o.tone, o.headline),
      h('span', { class: 'muted', text: o.checked }),
    ),
    o.reasons.length
      ? h(
          'ul',
          { class: 'reasons' },
          o.reasons.map((r) =>
            h(
              'li',
              { class: `reason reason-${r.effect}` },
              h('p', { text: r.message }),
              fixHint(r.fix),
            ),
          ),
        )
      : null,
  );
}

function renderChecks(host: HTMLElement, cards: CheckCardModel[]): void {
  replace(
    host,
    ...(cards.length ? cards.map(checkCard) : [empty('No health checks have run yet.')]),
  );
}

function checkCard(c: CheckCardModel): HTMLElement {
  return h(
    'article',
    {
      class: `card card-${c.tone}`,
      attrs: { 'aria-labelledby': `check-${c.id}` },
      dataset: { check: c.id },
    },
    h(
      'header',
      { class: 'card-head' },
      h('h3', { id: `check-${c.id}`, text: c.label }),
      statusBadge(c.badge.status, c.badge.text),
    ),
    h('p', { class: 'card-detail', text: c.detail }),
    h(
      'dl',
      { class: 'metrics' },
      c.metrics.map((m) => [h('dt', { text: m.label }), h('dd', {}, m.value, meter(m))]),
    ),
    c.chart
      ? [
          h('p', { class: 'chart-label', text: c.chart.caption }),
          latencyChart(c.chart.samples, c.label),
        ]
      : null,
    fixHint(c.fix),
  );
}

/** A usage line's meter (pool, connections, disk), read out as a percentage. */
function meter(m: MetricLine): HTMLElement | null {
  if (m.ratio === undefined) return null;
  return h('meter', {
    attrs: {
      min: 0,
      max: 1,
      value: m.ratio,
      high: 0.85,
      optimum: 0,
      'aria-label': `${m.label} ${Math.round(m.ratio * 100)} percent`,
    },
  });
}
