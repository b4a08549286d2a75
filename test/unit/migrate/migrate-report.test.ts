/**
 * The migration report: `ok` and per-table accounting from the job's facts
 * (build-report.ts), and the human summary an admin reads (report.ts).
 */
import { describe, expect, it } from 'vitest';
import { renderSummary, type MigrationReport } from '../../../main/core/migrate/report.js';
import { buildReport, type ReportInput } from '../../../main/core/migrate/run/build-report.js';
import type { SourcePlan } from '../../../main/core/migrate/run/job-setup.js';
import { emptyProgress, type TableProgress } from '../../../main/core/migrate/run/job-types.js';
import type { ResolvedTable } from '../../../main/core/migrate/resolved-plan.js';
import type { TableVerification } from '../../../main/core/migrate/verify.js';

const table = (source: string, rowCount: number): ResolvedTable =>
  ({ source, rowCount, target: { kind: 'postgres', table: source } }) as unknown as ResolvedTable;

const sp = {
  resolved: {
    name: 'nova-legacy',
    tables: [table('users', 10), table('__proto__', 2)],
    decisions: [
      { table: 'active_users', decision: 'left-out', reason: 'view: no data of its own' },
    ],
  },
  origin: 'builtin',
  planFile: null,
} as unknown as SourcePlan;

const progress = (source: string, p: Partial<TableProgress>): TableProgress => ({
  ...emptyProgress(source),
  ...p,
});
const verified = (sourceRows: number, ok = true): TableVerification => ({
  sourceRows,
  accounted: ok,
  targetRows: 0,
  sourceChecksum: '0',
  targetChecksum: '0',
  verified: ok,
  problems: ok ? [] : ['the target rows differ in content'],
});

function input(over: Partial<ReportInput> = {}): ReportInput {
  return {
    kind: 'run',
    jobId: 'j',
    source: '/srv/log.sqlite',
    sourceCopy: '/job/source-snapshot.sqlite',
    targets: ['postgres'],
    destinations: { postgres: 'postgres://nova@db/nova', mongo: null },
    sp,
    progress: new Map([
      ['users', progress('users', { migrated: 8, duplicates: 0, rejected: 2, changed: 3 })],
      ['__proto__', progress('__proto__', { migrated: 1, duplicates: 1 })],
    ]),
    verification: new Map([
      ['users', verified(10)],
      ['__proto__', verified(2)],
    ]),
    warnings: [],
    backup: '/backups/x',
    resumed: false,
    files: {
      rejectsFile: '/job/rejects.jsonl',
      rejectsTotal: 2,
      changesFile: '/job/changes.jsonl',
      changesTotal: 3,
      samples: [
        {
          table: 'users',
          key: 'id=5',
          column: 'email',
          original: 'NULL',
          reason: 'not-null',
          message: 'NULL is not allowed in users.email',
        },
      ],
    },
    reportDir: '/job',
    startedAt: new Date(Date.now() - 1500),
    ...over,
  };
}

describe('migration report', () => {
  it('per table: source = migrated + duplicates + rejected, verified from the checksums; ok when all hold', () => {
    const r = buildReport(input());
    expect(r.ok).toBe(true);
    expect(r.tables.users).toEqual({
      source: 10,
      migrated: 8,
      duplicates: 0,
      rejected: 2,
      // No reject of this table is a cascade of a rejected parent.
      cascaded: 0,
      changed: 3,
      verified: true,
      target: 'postgres:users',
    });
    expect(Object.keys(r.tables)).toEqual(['users', '__proto__']);
    expect(r.tables['__proto__']).toMatchObject({ source: 2, migrated: 1, duplicates: 1 });
    expect(r).toMatchObject({
      source: '/srv/log.sqlite',
      target: 'postgres',
      rejectsFile: '/job/rejects.jsonl',
      rejectsTotal: 2,
    });
    expect(r.durationMs).toBeGreaterThanOrEqual(1500);
  });

  it('is not ok when a table does not verify or its rows are not all accounted for', () => {
    const bad = buildReport(
      input({
        verification: new Map([
          ['users', verified(10, false)],
          ['__proto__', verified(2)],
        ]),
      }),
    );
    expect(bad.ok).toBe(false);
    expect(bad.tables.users!.problems).toEqual(['the target rows differ in content']);
    const dry = buildReport(
      input({
        kind: 'dry-run',
        verification: null,
        sourceRows: new Map([
          ['users', 11],
          ['__proto__', 2],
        ]),
      }),
    );
    expect(dry.ok).toBe(false);
    expect(dry.tables.users).toMatchObject({
      source: 11,
      verified: null,
      problems: ['11 source rows, but 10 accounted for'],
    });
  });

  it('leaves the rejects file out when nothing was rejected', () => {
    const r = buildReport(
      input({
        files: {
          rejectsFile: '/job/rejects.jsonl',
          rejectsTotal: 0,
          changesFile: '/job/c',
          changesTotal: 0,
          samples: [],
        },
      }),
    );
    expect(r.rejectsFile).toBeNull();
    expect(r.changesFile).toBeNull();
  });

  it('the summary names the outcome, every table, the rejects and how to re-apply them, decisions, source copy and backup', () => {
    const text = renderSummary(buildReport(input()));
    expect(text).toMatch(/^Migration of \/srv\/log\.sqlite → postgres: OK, verified in \d+\.\d s/);
    expect(text).toMatch(/users\s+postgres:users\s+10\s+8\s+0\s+2\s+3\s+yes/);
    expect(text).toContain('2 row(s) were rejected → /job/rejects.jsonl');
    expect(text).toContain('users id=5: not-null (email = NULL)');
    expect(text).toContain('nova-db migrate --apply-rejects /job/rejects.jsonl');
    expect(text).toContain('active_users: left-out — view: no data of its own');
    expect(text).toContain('Copy of the source kept before writing: /job/source-snapshot.sqlite');
    expect(text).toContain('Backup of the target before writing: /backups/x');
    const notOk: MigrationReport = { ...buildReport(input()), ok: false };
    expect(renderSummary(notOk)).toMatch(/: NOT OK in/);
  });
});
