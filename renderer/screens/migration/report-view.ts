/** The report: per-table counts (source = migrated + duplicates + rejected), rejects with their original values, verification. */
import { info } from '../../components/notice.js';
import { fixRejects } from './fix-rejects.js';
import { statusBadge } from '../../components/status.js';
import type { MigrationReportDto } from '../../../shared-contract/methods/migration.js';
import { h } from '../../lib/dom.js';
import { formatCount, formatDuration, plural } from '../../lib/format.js';
import { lost } from './steps.js';
import type { StepApi } from './wizard.js';

export function reportStep(api: StepApi): HTMLElement {
  const r = api.state.report;
  if (!r) return lost(api);
  const dry = r.kind === 'dry-run';
  const tables = Object.entries(r.tables);
  const totals = tables.reduce(
    (t, [, c]) => ({
      source: t.source + c.source,
      migrated: t.migrated + c.migrated,
      rejected: t.rejected + c.rejected,
      changed: t.changed + c.changed,
    }),
    { source: 0, migrated: 0, rejected: 0, changed: 0 },
  );
  const applySlot = h('span', { class: 'apply-slot' });
  // Orphans a drop rule left out: source = migrated + duplicates + rejected + dropped.
  const anyDropped = Object.values(r.tables).some((c) => (c.dropped ?? 0) > 0);
  // `ok` is about the job (verification, problems); rejects are reported rows, not failures.
  const tone = !r.ok ? 'down' : r.rejectsTotal > 0 ? 'degraded' : 'ok';
  const headline = !r.ok
    ? dry
      ? 'Problems found'
      : 'Verification found problems'
    : r.rejectsTotal > 0
      ? `${dry ? 'Would migrate' : 'Migrated and verified'}, ${plural(r.rejectsTotal, 'row')} ${dry ? 'would be' : ''} rejected`.replace(
          '  ',
          ' ',
        )
      : dry
        ? 'Every row would migrate'
        : 'Migrated and verified';
  return h(
    'div',
    { class: 'report' },
    h('h2', { text: dry ? 'Dry run report' : 'Migration report', attrs: { tabindex: '-1' } }),
    api.state.applied ? appliedNotice(api.state.applied) : null,
    !dry && r.ok ? doneSummary(r, totals.migrated) : null,
    h(
      'div',
      { class: `overall overall-${tone}` },
      statusBadge(tone, headline),
      h('span', {
        class: 'muted',
        text: `${formatCount(totals.source)} source rows · ${formatCount(totals.changed)} with values changed to fit · ${formatDuration(r.durationMs / 1000)}`,
      }),
    ),
    dry
      ? h('p', {
          class: 'muted',
          text: 'Counts and checksums are verified against the source after the real run.',
        })
      : null,
    h(
      'dl',
      { class: 'facts' },
      h('dt', { text: 'Source' }),
      h('dd', { class: 'mono', text: r.source }),
      h('dt', { text: 'Target' }),
      h('dd', { class: 'mono', text: r.target }),
      fact('Backup taken before', r.backup),
      fact('Rejects file (fix and re-apply)', r.rejectsFile),
      fact('Changed values', r.changesFile),
      fact('Report files', r.reportDir),
      r.resumed
        ? [
            h('dt', { text: 'Resumed' }),
            h('dd', { text: 'yes: continued a stopped run without losing or doubling rows' }),
          ]
        : null,
    ),
    r.warnings?.length
      ? h(
          'div',
          { class: 'notice notice-warning' },
          h(
            'ul',
            {},
            r.warnings.map((w) => h('li', { text: w })),
          ),
        )
      : null,
    h(
      'table',
      { class: 'table' },
      h('caption', { text: 'Per table' }),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          [
            'Table',
            'Source rows',
            dry ? 'Would migrate' : 'Migrated',
            'Duplicates',
            'Rejected',
            ...(anyDropped ? ['Dropped'] : []),
            'Changed',
            ...(dry ? [] : ['Verified']),
          ].map((t) => h('th', { attrs: { scope: 'col' }, text: t })),
        ),
      ),
      h(
        'tbody',
        {},
        tables.map(([name, c]) =>
          h(
            'tr',
            { dataset: { table: name } },
            h('th', { attrs: { scope: 'row' }, class: 'mono', text: name }),
            h('td', { class: 'num', text: formatCount(c.source) }),
            h('td', { class: 'num', text: formatCount(c.migrated) }),
            h('td', { class: 'num', text: formatCount(c.duplicates) }),
            h('td', { class: `num${c.rejected ? ' warn' : ''}`, text: formatCount(c.rejected) }),
            anyDropped ? h('td', { class: 'num', text: formatCount(c.dropped ?? 0) }) : null,
            h('td', { class: 'num', text: formatCount(c.changed) }),
            dry
              ? null
              : h(
                  'td',
                  {},
                  c.verified === null
                    ? 'not verified'
                    : statusBadge(c.verified ? 'ok' : 'down', c.verified ? 'Matches' : 'MISMATCH'),
                  c.problems?.length
                    ? h('span', { class: 'hint block', text: c.problems.join('; ') })
                    : null,
                ),
          ),
        ),
      ),
    ),
    fixRejects(api, applySlot),
    h(
      'div',
      { class: 'actions sticky-actions' },
      h('button', {
        class: 'btn',
        text: 'Back to the plan',
        attrs: { type: 'button' },
        on: { click: () => api.go('plan') },
      }),
      h('button', {
        class: 'btn',
        text: 'Start over with another file',
        attrs: { type: 'button' },
        on: { click: () => api.restart() },
      }),
      applySlot,
      dry
        ? h('button', {
            class: 'btn btn-primary',
            text: 'Continue to the run',
            attrs: { type: 'button' },
            on: { click: () => api.go('run', { taskId: undefined }) },
          })
        : null,
    ),
  );
}

/** What the last "Apply fixed rejects" did (removed when the next one starts). */
function appliedNotice(a: { applied: number; stillRejected: number }): HTMLElement {
  const notice = info(
    `Fixed rejects applied: ${plural(a.applied, 'row')} now migrated, ${plural(a.stillRejected, 'row')} still rejected.`,
    a.stillRejected ? 'warning' : 'success',
  );
  notice.classList.add('applied-notice');
  return notice;
}

/** After a verified run: what was done and the next step. */
function doneSummary(r: MigrationReportDto, migrated: number): HTMLElement {
  return h(
    'section',
    { class: 'panel done-summary', attrs: { 'aria-labelledby': 'done-h' } },
    h('h3', { id: 'done-h', text: 'Done' }),
    h('p', {
      text: `${formatCount(migrated)} rows are in ${r.target}, verified against the source${r.rejectsTotal ? `; ${plural(r.rejectsTotal, 'row')} still rejected (below)` : ''}.`,
    }),
    h('h4', { text: 'Next steps' }),
    h(
      'ol',
      {},
      h(
        'li',
        {},
        'Point the Nova API at the new database: in the Nova API’s database settings, use the server, port, database and user shown in ',
        h('a', { attrs: { href: '#/setup' }, text: 'Setup' }),
        ' for PostgreSQL, then restart the Nova API.',
      ),
      h(
        'li',
        {},
        'Take the first backup of the migrated data and let Nova verify it: ',
        h('a', { attrs: { href: '#/backups' }, text: 'Backups' }),
        '.',
      ),
      h('li', {
        text: 'Keep the legacy file until the Nova API has run on the new database for a while.',
      }),
    ),
  );
}

/** One line of the facts list, left out when there is nothing to say. */
function fact(label: string, value: string | null | undefined): Node[] | null {
  return value ? [h('dt', { text: label }), h('dd', { class: 'mono', text: value })] : null;
}
