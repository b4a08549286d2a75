/**
 * What the wizard's first two steps show, as plain data: the pick step's
 * words and what it makes of the typed path (a problem, or the file to
 * inspect, and which earlier results a new file drops), and the inspect
 * summary's facts, warnings and table rows. Pure: inspect-summary.ts
 * draws the summary, steps.ts draws the form and wires both steps.
 */
import type { InspectSummaryDto } from '../../../shared-contract/methods/migration.js';
import { formatBytes, formatCount, plural } from '../../lib/format.js';
import type { WizardState } from './state.js';

/** The pick step's fixed words; the button reads `busy` while the file is inspected. */
export const PICK_TEXT = {
  heading: 'Pick the legacy database',
  label: 'Legacy database file (full path on the Nova machine)',
  hint: 'Nova reads it once, read-only, into a private snapshot; a running legacy server can keep using it.',
  placeholder: '/var/lib/nova/log.sqlite',
  button: 'Inspect file',
  busy: 'Inspecting…',
  loading: 'Checking integrity and taking a snapshot…',
} as const;

/** The typed path, trimmed, or what to say when there is none (the field is focused). */
export function pickFile(typed: string): { file: string } | { problem: string } {
  const file = typed.trim();
  return file ? { file } : { problem: 'Enter the full path of the legacy log.sqlite file.' };
}

/**
 * The state after a file is inspected: a new file starts a new migration,
 * so the previous plan, report, task, dry run and chosen rules are dropped.
 */
export function inspected(
  file: string,
  summary: InspectSummaryDto,
): Pick<WizardState, 'file' | 'summary' | 'plan' | 'report' | 'taskId' | 'dryRunDone' | 'rules'> {
  return {
    file,
    summary,
    plan: undefined,
    report: undefined,
    taskId: undefined,
    dryRunDone: undefined,
    rules: undefined,
  };
}

export interface InspectFact {
  term: string;
  text: string;
  /** A path, shown in the monospace face. */
  mono: boolean;
}

export interface InspectTableRow {
  name: string;
  rows: string;
  columns: string;
  indexes: string;
  foreignKeys: string;
  /** Columns whose stored values do not match their declared type, or '—'. */
  mixed: string;
}

export interface InspectModel {
  heading: string;
  facts: InspectFact[];
  /** Shown as one warning list; none when empty. */
  warnings: string[];
  caption: string;
  columns: string[];
  tables: InspectTableRow[];
  back: string;
  next: string;
}

export function inspectModel(s: InspectSummaryDto): InspectModel {
  const totalRows = s.tables.reduce((n, t) => n + t.rows, 0);
  const fact = (term: string, text: string, mono = false): InspectFact => ({ term, text, mono });
  return {
    heading: 'What the file holds',
    facts: [
      fact('File', s.file, true),
      fact('Size', formatBytes(s.sizeBytes)),
      fact(
        'Kind',
        s.kind === 'nova-legacy'
          ? 'Nova legacy database (built-in plan applies)'
          : 'Other SQLite database (an automatic plan is made)',
      ),
      fact(
        'Written by',
        `SQLite ${s.sqliteVersion}, journal ${s.journalMode}${s.hasWal ? ', with rows still in the WAL (included)' : ''}`,
      ),
      fact(
        'Contents',
        [
          plural(s.tables.length, 'table'),
          plural(totalRows, 'row'),
          plural(s.views.length, 'view'),
          plural(s.triggers.length, 'trigger'),
        ].join(', '),
      ),
    ],
    warnings: s.warnings,
    caption: 'Tables',
    columns: ['Table', 'Rows', 'Columns', 'Indexes', 'Foreign keys', 'Mixed value types'],
    tables: s.tables.map((t) => ({
      name: t.name,
      rows: formatCount(t.rows),
      columns: String(t.columns),
      indexes: String(t.indexes),
      foreignKeys: String(t.foreignKeys),
      mixed: t.mixedColumns.length ? t.mixedColumns.join(', ') : '—',
    })),
    back: 'Pick another file',
    next: 'Review the plan',
  };
}

/** A step whose data is gone (Nova restarted, or the session expired): start again. */
export const LOST_TEXT = {
  notice: 'This step has no data any more (Nova may have restarted). Start again from the file.',
  button: 'Start again',
} as const;
