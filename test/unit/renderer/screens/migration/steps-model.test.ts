/**
 * The wizard's first two steps: an empty path is a problem, a new file
 * drops what the previous one left; the inspect summary's facts (kind,
 * WAL, counts), warnings and table rows.
 */
import { describe, expect, it } from 'vitest';
import type { InspectSummaryDto } from '../../../../../shared-contract/methods/migration.js';
import {
  inspected,
  inspectModel,
  pickFile,
} from '../../../../../renderer/screens/migration/steps-model.js';

const table = (
  name: string,
  rows: number,
  over: Partial<InspectSummaryDto['tables'][number]> = {},
): InspectSummaryDto['tables'][number] => ({
  name,
  kind: 'table',
  rows,
  columns: 4,
  indexes: 1,
  foreignKeys: 0,
  mixedColumns: [],
  ...over,
});
const summary = (over: Partial<InspectSummaryDto> = {}): InspectSummaryDto => ({
  sessionId: 's',
  file: '/var/lib/nova/log.sqlite',
  sizeBytes: 2048,
  sqliteVersion: '3.45.1',
  journalMode: 'wal',
  hasWal: false,
  warnings: [],
  kind: 'nova-legacy',
  tables: [table('users', 40), table('logs', 3000, { mixedColumns: ['level', 'at'] })],
  views: ['v_recent'],
  triggers: [],
  ...over,
});

describe('pick step', () => {
  it('the path is trimmed; an empty one says what to enter', () => {
    expect(pickFile('  /data/log.sqlite \n')).toEqual({ file: '/data/log.sqlite' });
    expect(pickFile('   ')).toEqual({
      problem: 'Enter the full path of the legacy log.sqlite file.',
    });
    expect(pickFile('')).toHaveProperty('problem');
  });

  it('a new file drops the previous plan, report, task, dry run and rules', () => {
    const s = summary();
    const patch = inspected('/data/log.sqlite', s);
    expect(patch).toEqual({ file: '/data/log.sqlite', summary: s });
    // The keys are there, set to nothing, so they replace what the state held.
    expect(Object.keys(patch).sort()).toEqual(
      ['dryRunDone', 'file', 'plan', 'report', 'rules', 'summary', 'taskId'].sort(),
    );
  });
});

describe('inspect step', () => {
  it('the facts in order: file (monospace), size, kind, writer, contents counted', () => {
    const m = inspectModel(summary());
    expect(m.heading).toBe('What the file holds');
    expect(m.facts).toEqual([
      { term: 'File', text: '/var/lib/nova/log.sqlite', mono: true },
      { term: 'Size', text: '2.0 KiB', mono: false },
      { term: 'Kind', text: 'Nova legacy database (built-in plan applies)', mono: false },
      { term: 'Written by', text: 'SQLite 3.45.1, journal wal', mono: false },
      { term: 'Contents', text: '2 tables, 3,040 rows, 1 view, 0 triggers', mono: false },
    ]);
    expect([m.back, m.next]).toEqual(['Pick another file', 'Review the plan']);
  });

  it('another SQLite file, rows still in the WAL, one table of one row', () => {
    const m = inspectModel(
      summary({ kind: 'other', hasWal: true, tables: [table('t', 1)], views: [], triggers: ['x'] }),
    );
    expect(m.facts.slice(2).map((f) => f.text)).toEqual([
      'Other SQLite database (an automatic plan is made)',
      'SQLite 3.45.1, journal wal, with rows still in the WAL (included)',
      '1 table, 1 row, 0 views, 1 trigger',
    ]);
  });

  it('warnings as given; none is an empty list', () => {
    expect(inspectModel(summary()).warnings).toEqual([]);
    expect(inspectModel(summary({ warnings: ['Table x has no key.'] })).warnings).toEqual([
      'Table x has no key.',
    ]);
  });

  it('one row per table: counts formatted, mixed-type columns listed or a dash', () => {
    const m = inspectModel(summary());
    expect(m.columns).toEqual([
      'Table',
      'Rows',
      'Columns',
      'Indexes',
      'Foreign keys',
      'Mixed value types',
    ]);
    expect(m.tables).toEqual([
      { name: 'users', rows: '40', columns: '4', indexes: '1', foreignKeys: '0', mixed: '—' },
      {
        name: 'logs',
        rows: '3,000',
        columns: '4',
        indexes: '1',
        foreignKeys: '0',
        mixed: 'level, at',
      },
    ]);
  });
});
