/**
 * What a backup of the current setup holds, per service — including what
 * is deliberately not backed up ("Redis: cache, not backed up by design")
 * — and, per listed backup, whether it covers the setup in use now. Only
 * such backups count as "the last good backup" on the dashboard.
 */
import type { z } from 'zod';
import type { backupListSchema } from '../../shared-contract/methods/backups.js';
import { statusBadge } from '../components/status.js';
import { h } from '../lib/dom.js';

type BackupList = z.infer<typeof backupListSchema>;

export function coveragePanel(list: BackupList): HTMLElement {
  return h(
    'section',
    { class: 'panel', attrs: { 'aria-labelledby': 'coverage-h' } },
    h('h2', { id: 'coverage-h', text: 'What a backup of this setup holds' }),
    h(
      'ul',
      { class: 'coverage-list' },
      list.coverage.map((c) =>
        h(
          'li',
          { dataset: { service: c.service } },
          statusBadge(c.backedUp ? 'ok' : 'stopped', c.backedUp ? 'Backed up' : 'Not backed up'),
          h('span', { text: c.text }),
        ),
      ),
    ),
  );
}

/** The "Current setup" cell of a listed backup. */
export function coverageCell(b: BackupList['backups'][number]): HTMLElement {
  if (!b.intact) return h('span', { class: 'muted', text: '—' });
  return b.covers
    ? h('span', {}, statusBadge('ok', 'Covers it'))
    : h(
        'span',
        {},
        statusBadge('stopped', 'Earlier setup'),
        h('span', {
          class: 'hint block',
          text: `Lacks: ${b.missing.map((m) => m.split(':')[0]).join(', ')}`,
        }),
      );
}
