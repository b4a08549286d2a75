/**
 * What the migration report shows, as plain data from the report: the
 * overall verdict (rejects are reported rows, not failures), the totals
 * line, the facts, each table's counts and verification, the "Done"
 * summary after a verified run and the notice after applying fixed
 * rejects. Pure: report-view.ts draws it.
 */
import type { MigrationReportDto } from '../../../shared-contract/methods/migration.js';
import { formatCount, formatDuration, plural } from '../../lib/format.js';

export interface ReportRowModel {
  table: string;
  source: string;
  migrated: string;
  duplicates: string;
  rejected: string;
  /** Some rows rejected: the count is marked. */
  rejectedWarn: boolean;
  /** Only when some table dropped orphans (the column is shown then). */
  dropped: string | null;
  changed: string;
  /** A run's verification: null = not verified; absent on a dry run. */
  verified?: { ok: boolean | null; problems: string | null };
}

export interface ReportModel {
  dry: boolean;
  title: string;
  tone: 'ok' | 'degraded' | 'down';
  headline: string;
  totalsLine: string;
  /** After a verified run: what was done (the "Done" panel); null otherwise. */
  done: string | null;
  /** Label and value; `mono` for paths and addresses. Empty values are left out. */
  facts: { label: string; value: string; mono: boolean }[];
  warnings: string[];
  headings: string[];
  rows: ReportRowModel[];
}

function verdict(r: MigrationReportDto, dry: boolean): Pick<ReportModel, 'tone' | 'headline'> {
  // `ok` is about the job (verification, problems); rejects are reported rows, not failures.
  if (!r.ok)
    return { tone: 'down', headline: dry ? 'Problems found' : 'Verification found problems' };
  if (r.rejectsTotal > 0)
    return {
      tone: 'degraded',
      headline:
        `${dry ? 'Would migrate' : 'Migrated and verified'}, ${plural(r.rejectsTotal, 'row')} ${dry ? 'would be' : ''} rejected`.replace(
          '  ',
          ' ',
        ),
    };
  return { tone: 'ok', headline: dry ? 'Every row would migrate' : 'Migrated and verified' };
}

export function reportModel(r: MigrationReportDto): ReportModel {
  const dry = r.kind === 'dry-run';
  const tables = Object.entries(r.tables);
  const sum = (pick: (c: MigrationReportDto['tables'][string]) => number) =>
    tables.reduce((n, [, c]) => n + pick(c), 0);
  const migrated = sum((c) => c.migrated);
  // Orphans a drop rule left out: source = migrated + duplicates + rejected + dropped.
  const anyDropped = tables.some(([, c]) => (c.dropped ?? 0) > 0);
  const optional: [string, string | null | undefined][] = [
    ['Backup taken before', r.backup],
    ['Rejects file (fix and re-apply)', r.rejectsFile],
    ['Changed values', r.changesFile],
    ['Report files', r.reportDir],
  ];
  return {
    dry,
    title: dry ? 'Dry run report' : 'Migration report',
    ...verdict(r, dry),
    totalsLine: `${formatCount(sum((c) => c.source))} source rows · ${formatCount(sum((c) => c.changed))} with values changed to fit · ${formatDuration(r.durationMs / 1000)}`,
    done:
      !dry && r.ok
        ? `${formatCount(migrated)} rows are in ${r.target}, verified against the source${r.rejectsTotal ? `; ${plural(r.rejectsTotal, 'row')} still rejected (below)` : ''}.`
        : null,
    facts: [
      { label: 'Source', value: r.source, mono: true },
      { label: 'Target', value: r.target, mono: true },
      ...optional.flatMap(([label, value]) => (value ? [{ label, value, mono: true }] : [])),
      ...(r.resumed
        ? [
            {
              label: 'Resumed',
              value: 'yes: continued a stopped run without losing or doubling rows',
              mono: false,
            },
          ]
        : []),
    ],
    warnings: r.warnings ?? [],
    headings: [
      'Table',
      'Source rows',
      dry ? 'Would migrate' : 'Migrated',
      'Duplicates',
      'Rejected',
      ...(anyDropped ? ['Dropped'] : []),
      'Changed',
      ...(dry ? [] : ['Verified']),
    ],
    rows: tables.map(([table, c]) => ({
      table,
      source: formatCount(c.source),
      migrated: formatCount(c.migrated),
      duplicates: formatCount(c.duplicates),
      rejected: formatCount(c.rejected),
      rejectedWarn: Boolean(c.rejected),
      dropped: anyDropped ? formatCount(c.dropped ?? 0) : null,
      changed: formatCount(c.changed),
      ...(dry
        ? {}
        : {
            verified: {
              ok: c.verified,
              problems: c.problems?.length ? c.problems.join('; ') : null,
            },
          }),
    })),
  };
}

/** What the last "Apply fixed rejects" did: a success unless rows are still rejected. */
export function appliedModel(a: { applied: number; stillRejected: number }): {
  text: string;
  kind: 'success' | 'warning';
} {
  return {
    text: `Fixed rejects applied: ${plural(a.applied, 'row')} now migrated, ${plural(a.stillRejected, 'row')} still rejected.`,
    kind: a.stillRejected ? 'warning' : 'success',
  };
}
