/**
 * What a backup of the current setup holds, per service — including what
 * is deliberately not backed up ("Redis: cache, not backed up by design")
 * — and, per listed backup, whether it covers the setup in use now. Only
 * such backups count as "the last good backup" on the dashboard. The words
 * come from backups-model.ts.
 */
import { statusBadge } from '../components/status.js';
import { h } from '../lib/dom.js';
import type { BackupRowModel, CoverageLine } from './backups-model.js';

export function coveragePanel(lines: CoverageLine[]): HTMLElement {
  return h(
    'section',
    { class: 'panel', attrs: { 'aria-labelledby': 'coverage-h' } },
    h('h2', { id: 'coverage-h', text: 'What a backup of this setup holds' }),
    h(
      'ul',
      { class: 'coverage-list' },
      lines.map((c) =>
        h(
          'li',
          { dataset: { service: c.service } },
          statusBadge(c.badge.status, c.badge.text),
          h('span', { text: c.text }),
        ),
      ),
    ),
  );
}

/** The "Current setup" cell of a listed backup. */
export function coverageCell(coverage: BackupRowModel['coverage']): HTMLElement {
  if (!coverage) return h('span', { class: 'muted', text: '—' });
  return h(
    'span',
    {},
    statusBadge(coverage.badge.status, coverage.badge.text),
    coverage.lacks ? h('span', { class: 'hint block', text: coverage.lacks }) : null,
  );
}
