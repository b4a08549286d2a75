/** The report: per-table counts (source = migrated + duplicates + rejected), rejects with their original values, verification. */
import { info } from '../../components/notice.js';
import { statusBadge } from '../../components/status.js';
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
    h('h3', { text: `Rejected rows (${formatCount(r.rejectsTotal)})` }),
    r.rejects.length
      ? h(
          'div',
          { class: 'table-scroll' },
          h(
            'table',
            { class: 'table' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ['Table', 'Key', 'Column', 'Original value', 'Reason'].map((t) =>
                  h('th', { attrs: { scope: 'col' }, text: t }),
                ),
              ),
            ),
            h(
              'tbody',
              {},
              r.rejects.map((x) =>
                h(
                  'tr',
                  {},
                  h('td', { class: 'mono nowrap', text: x.table }),
                  h('td', { class: 'mono nowrap', text: x.key }),
                  h('td', { class: 'mono nowrap', text: x.column }),
                  h('td', { class: 'mono wrap', text: x.original }),
                  h(
                    'td',
                    {},
                    h('span', { class: 'tag', text: x.reason }),
                    x.message && x.message !== x.reason
                      ? h('span', { class: 'block', text: x.message })
                      : null,
                  ),
                ),
              ),
            ),
          ),
        )
      : h('p', { class: 'muted', text: 'None.' }),
    r.rejects.length < r.rejectsTotal
      ? info(
          `Showing the first ${r.rejects.length}; the rejects file has all ${formatCount(r.rejectsTotal)}.`,
        )
      : null,
    h(
      'div',
      { class: 'actions' },
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

/** One line of the facts list, left out when there is nothing to say. */
function fact(label: string, value: string | null | undefined): Node[] | null {
  return value ? [h('dt', { text: label }), h('dd', { class: 'mono', text: value })] : null;
}
