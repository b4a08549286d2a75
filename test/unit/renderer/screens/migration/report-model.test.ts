/**
 * The report's model: the verdict (rejects are reported rows, not a
 * failure), the totals, the facts left out when empty, the Dropped and
 * Verified columns only when they say something, and the applied notice.
 */
import { describe, expect, it } from 'vitest';
import type { MigrationReportDto } from '../../../../../shared-contract/methods/migration.js';
import {
  appliedModel,
  reportModel,
} from '../../../../../renderer/screens/migration/report-model.js';

type Counts = MigrationReportDto['tables'][string];
const counts = (over: Partial<Counts> = {}): Counts => ({
  source: 100,
  migrated: 100,
  duplicates: 0,
  rejected: 0,
  changed: 0,
  verified: true,
  ...over,
});
const report = (over: Partial<MigrationReportDto> = {}): MigrationReportDto => ({
  sessionId: 's',
  kind: 'run',
  ok: true,
  source: '/data/log.sqlite',
  target: 'postgres://db/nova',
  tables: {
    users: counts({ source: 40, migrated: 40 }),
    logs: counts({ source: 3000, migrated: 3000, changed: 12 }),
  },
  rejects: [],
  rejectsTotal: 0,
  rejectsFile: null,
  durationMs: 65_000,
  ...over,
});

describe('verdict', () => {
  it('a clean run: verified, with the Done summary', () => {
    const m = reportModel(report());
    expect(m).toMatchObject({
      title: 'Migration report',
      tone: 'ok',
      headline: 'Migrated and verified',
      totalsLine: '3,040 source rows · 12 with values changed to fit · 1 min 5 s',
      done: '3,040 rows are in postgres://db/nova, verified against the source.',
    });
  });

  it('rejects make it degraded, not failed; the Done summary counts them', () => {
    const m = reportModel(report({ rejectsTotal: 1 }));
    expect(m.tone).toBe('degraded');
    expect(m.headline).toBe('Migrated and verified, 1 row rejected');
    expect(m.done).toBe(
      '3,040 rows are in postgres://db/nova, verified against the source; 1 row still rejected (below).',
    );
    expect(reportModel(report({ kind: 'dry-run', rejectsTotal: 3 })).headline).toBe(
      'Would migrate, 3 rows would be rejected',
    );
  });

  it('not ok: down, and no Done summary; a dry run says so in its own words', () => {
    expect(reportModel(report({ ok: false, rejectsTotal: 5 }))).toMatchObject({
      tone: 'down',
      headline: 'Verification found problems',
      done: null,
    });
    expect(reportModel(report({ kind: 'dry-run', ok: false })).headline).toBe('Problems found');
    expect(reportModel(report({ kind: 'dry-run' }))).toMatchObject({
      title: 'Dry run report',
      headline: 'Every row would migrate',
      done: null,
    });
  });

  it('no tables at all: zero totals', () => {
    expect(reportModel(report({ tables: {}, durationMs: 0 })).totalsLine).toBe(
      '0 source rows · 0 with values changed to fit · 0 s',
    );
  });
});

describe('facts', () => {
  it('source and target always; files only when there are; resumed in plain words', () => {
    expect(reportModel(report()).facts.map((f) => f.label)).toEqual(['Source', 'Target']);
    const m = reportModel(
      report({
        backup: '/b/1.tar',
        rejectsFile: '/r/rejects.jsonl',
        changesFile: '',
        resumed: true,
      }),
    );
    expect(m.facts).toEqual([
      { label: 'Source', value: '/data/log.sqlite', mono: true },
      { label: 'Target', value: 'postgres://db/nova', mono: true },
      { label: 'Backup taken before', value: '/b/1.tar', mono: true },
      { label: 'Rejects file (fix and re-apply)', value: '/r/rejects.jsonl', mono: true },
      {
        label: 'Resumed',
        value: 'yes: continued a stopped run without losing or doubling rows',
        mono: false,
      },
    ]);
  });
});

describe('per-table rows', () => {
  it('a run: Verified column with matches, mismatch and its problems', () => {
    const m = reportModel(
      report({
        tables: {
          users: counts(),
          logs: counts({ verified: false, rejected: 2, problems: ['count 98 ≠ 100', 'checksum'] }),
        },
      }),
    );
    expect(m.headings).toEqual([
      'Table',
      'Source rows',
      'Migrated',
      'Duplicates',
      'Rejected',
      'Changed',
      'Verified',
    ]);
    expect(m.rows[0]).toMatchObject({
      rejectedWarn: false,
      dropped: null,
      verified: { ok: true, problems: null },
    });
    expect(m.rows[1]).toMatchObject({
      rejected: '2',
      rejectedWarn: true,
      verified: { ok: false, problems: 'count 98 ≠ 100; checksum' },
    });
  });

  it('a dry run: no Verified column; Dropped appears for every table once one dropped orphans', () => {
    const m = reportModel(
      report({ kind: 'dry-run', tables: { users: counts(), roles: counts({ dropped: 3 }) } }),
    );
    expect(m.headings).toEqual([
      'Table',
      'Source rows',
      'Would migrate',
      'Duplicates',
      'Rejected',
      'Dropped',
      'Changed',
    ]);
    expect(m.rows.map((r) => [r.dropped, r.verified])).toEqual([
      ['0', undefined],
      ['3', undefined],
    ]);
  });
});

describe('applied notice', () => {
  it('a success when every fixed row went in, a warning while some are still rejected', () => {
    expect(appliedModel({ applied: 3, stillRejected: 0 })).toEqual({
      text: 'Fixed rejects applied: 3 rows now migrated, 0 rows still rejected.',
      kind: 'success',
    });
    expect(appliedModel({ applied: 1, stillRejected: 1 }).kind).toBe('warning');
  });
});
