/**
 * The dashboard's "Data safety" panel: not whether the services answer, but
 * whether the data could be got back — the last verified backup of the
 * current setup, when it was last proven restorable, room for the next
 * backup, and an unfinished migration. Each line is one health check, with
 * the status the aggregate gave it (so the tray and /metrics say the same);
 * the lines themselves come from safetyLines (dashboard-model.ts).
 */
import { statusBadge } from '../components/status.js';
import { h } from '../lib/dom.js';
import type { SafetyLineModel } from './dashboard-model.js';

export function safetyPanel(lines: SafetyLineModel[]): HTMLElement {
  return h(
    'section',
    { class: 'panel safety', attrs: { 'aria-labelledby': 'safety-h' } },
    h('h2', { id: 'safety-h', text: 'Data safety' }),
    lines.length === 0
      ? h('p', { class: 'muted', text: 'Not checked yet.' })
      : h(
          'ul',
          { class: 'safety-list' },
          lines.map((line) =>
            h(
              'li',
              { dataset: { check: line.id } },
              h(
                'div',
                { class: 'safety-title' },
                h('strong', { text: line.title }),
                statusBadge(line.badge.status, line.badge.text),
              ),
              h('p', { class: 'safety-fact', text: line.fact }),
              line.detail === null ? null : h('p', { class: 'hint', text: line.detail }),
              fixHint(line.fix),
            ),
          ),
        ),
  );
}

/** "What to do: …" under a finding that is not ok. */
export function fixHint(fix: string | null): HTMLElement | null {
  return fix === null
    ? null
    : h('p', { class: 'hint' }, h('strong', { text: 'What to do: ' }), fix);
}
