/**
 * The dashboard's "Data safety" panel: not whether the services answer, but
 * whether the data could be got back — the last verified backup of the
 * current setup, when it was last proven restorable, room for the next
 * backup, and an unfinished migration. Each line is one health check, with
 * the status the aggregate gave it (so the tray and /metrics say the same).
 */
import type { HealthSummaryDto } from '../../shared-contract/methods/health.js';
import { statusBadge } from '../components/status.js';
import { h } from '../lib/dom.js';
import { formatTime } from '../lib/format.js';
import { forScreen } from '../lib/screen-words.js';
import type { StatusView } from '../status/status-view.js';

/** The checks this panel shows (and the check cards leave out). */
export const SAFETY_CHECKS = ['backup', 'restore-test', 'backup-space', 'migration'] as const;

const TITLE: Record<(typeof SAFETY_CHECKS)[number], string> = {
  backup: 'Last verified backup',
  'restore-test': 'Proven restorable',
  'backup-space': 'Room for the next backup',
  migration: 'Migration',
};

/** A headline for one check: the fact first ("at 10 Jan 2026, 12:00"), the detail below. */
export function safetyHeadline(check: HealthSummaryDto['checks'][number]): string {
  const proof = /Last proven restorable at (\S+?)[ (]/.exec(check.detail);
  if (check.id === 'restore-test' && proof)
    return `Last proven restorable at ${formatTime(proof[1]!)}`;
  if (check.id === 'backup') {
    const at = /\((\d{4}-\d\d-\d\dT[^)]+)\)/.exec(check.detail);
    if (at) return `At ${formatTime(at[1]!)}`;
  }
  return check.detail.split(/(?<=\.)\s/)[0] ?? check.detail;
}

export function safetyPanel(health: HealthSummaryDto | null, view: StatusView): HTMLElement {
  const checks = SAFETY_CHECKS.map((id) => health?.checks.find((c) => c.id === id)).filter(
    (c): c is HealthSummaryDto['checks'][number] => c !== undefined,
  );
  return h(
    'section',
    { class: 'panel safety', attrs: { 'aria-labelledby': 'safety-h' } },
    h('h2', { id: 'safety-h', text: 'Data safety' }),
    checks.length === 0
      ? h('p', { class: 'muted', text: 'Not checked yet.' })
      : h(
          'ul',
          { class: 'safety-list' },
          checks.map((c) => {
            const line = view.checks[c.id]!;
            return h(
              'li',
              { dataset: { check: c.id } },
              h(
                'div',
                { class: 'safety-title' },
                h('strong', { text: TITLE[c.id as keyof typeof TITLE] ?? c.label }),
                statusBadge(
                  line.stale ? 'unknown' : line.status,
                  line.stale ? `Last known: ${line.word}` : line.word,
                ),
              ),
              h('p', { class: 'safety-fact', text: safetyHeadline(c) }),
              safetyHeadline(c) === c.detail
                ? null
                : h('p', { class: 'hint', text: forScreen(c.detail) }),
              c.status !== 'ok' && c.fix
                ? h('p', { class: 'hint' }, h('strong', { text: 'What to do: ' }), forScreen(c.fix))
                : null,
            );
          }),
        ),
  );
}
