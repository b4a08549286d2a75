/** The dashboard's overall line with its reasons, and one card per liveness check. */
import { latencyChart } from '../components/chart.js';
import { empty } from '../components/notice.js';
import { statusBadge } from '../components/status.js';
import { h, replace } from '../lib/dom.js';
import type { MetricLine } from './dashboard-metrics.js';
import type { CheckCardModel, OverviewModel } from './dashboard-model.js';
import { fixHint } from './dashboard-safety.js';

export function renderOverview(host: HTMLElement, o: OverviewModel): void {
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

export function renderChecks(host: HTMLElement, cards: CheckCardModel[]): void {
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
