/**
 * Dashboard: the overall state with its reasons, data safety, one card per
 * liveness check, and the services. Every status on it comes from the one
 * status snapshot (status-view.ts): pushed health updates re-render it, and
 * when Nova cannot be reached everything greys out with "last known at …".
 */
import type { ServiceStatusDto } from '../../shared-contract/methods/services.js';
import { pageHeader } from '../components/page-header.js';
import { errorNotice, loading } from '../components/notice.js';
import type { Screen } from '../context.js';
import { append, h, replace } from '../lib/dom.js';
import { statusView } from '../status/status-view.js';
import { renderChecks, renderOverview } from './dashboard-cards.js';
import { checkCards, overviewModel, safetyLines, type History } from './dashboard-model.js';
import { safetyPanel } from './dashboard-safety.js';
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
