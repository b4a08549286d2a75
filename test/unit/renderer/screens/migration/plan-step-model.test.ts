/**
 * The plan review's model: where the plan came from, the targets (and the
 * words when one is missing), each table's target hint and column summary,
 * the decisions, and the warning after Setup moved the target.
 */
import { describe, expect, it } from 'vitest';
import type { PlanPreviewDto } from '../../../../../shared-contract/methods/migration.js';
import {
  planStepModel,
  planTableModel,
} from '../../../../../renderer/screens/migration/plan-step-model.js';

type Table = PlanPreviewDto['tables'][number];
const column = (source: string, nullable: boolean) => ({
  source,
  target: source.toLowerCase(),
  cast: 'text',
  targetType: 'text',
  nullable,
});
const users: Table = {
  source: 'Users',
  origin: 'plan',
  rows: 1234,
  target: { kind: 'postgres', name: 'users' },
  columns: [column('Id', false), column('Mail', true)],
  extra: null,
};
const audit: Table = {
  source: 'audit',
  origin: 'auto',
  rows: 0,
  target: { kind: 'mongo', name: 'audit_log' },
  columns: [column('at', false)],
  extra: { target: 'extra', sources: ['blob', 'note'] },
};
const plan = (over: Partial<PlanPreviewDto> = {}): PlanPreviewDto => ({
  sessionId: 's',
  planName: 'nova-v1',
  planOrigin: 'builtin',
  destinations: { postgres: 'postgres://db:5432/nova', mongo: null },
  tables: [users, audit],
  decisions: [],
  ...over,
});

describe('plan tables', () => {
  it('a planned PostgreSQL table: its count, kind, columns with yes/no for null', () => {
    expect(planTableModel(users)).toEqual({
      source: 'Users',
      rows: '1,234',
      target: 'users',
      targetHint: 'PostgreSQL table',
      columnsSummary: '2 columns',
      columns: [
        { source: 'Id', target: 'id', cast: 'text', targetType: 'text', nullable: 'no' },
        { source: 'Mail', target: 'mail', cast: 'text', targetType: 'text', nullable: 'yes' },
      ],
    });
  });

  it('an automatically mapped collection with columns kept in an extra field; zero rows', () => {
    expect(planTableModel(audit)).toMatchObject({
      rows: '0',
      targetHint: 'MongoDB collection, mapped automatically',
      columnsSummary: '1 columns + 2 into extra',
    });
  });
});

describe('plan review', () => {
  it('names the plan and its origin; with a PostgreSQL target the panel is shown', () => {
    const m = planStepModel(plan(), undefined);
    expect(m.intro).toBe(
      'Plan "nova-v1" (the built-in Nova plan). Every source table and column is listed below with its target; anything not migrated as-is is explained under Decisions.',
    );
    expect(planStepModel(plan({ planOrigin: 'file' }), undefined).intro).toContain(
      '(your plan file)',
    );
    expect(planStepModel(plan({ planOrigin: 'auto' }), undefined).intro).toContain(
      '(an automatic plan)',
    );
    expect(m).toMatchObject({
      targetChangedWarning: null,
      postgresTarget: 'postgres://db:5432/nova',
      mongoTarget: 'none (documents stay in the relational store)',
      hasPostgres: true,
    });
  });

  it('no PostgreSQL yet: says where to choose it, and the target panel is not offered', () => {
    const m = planStepModel(
      plan({ destinations: { postgres: null, mongo: 'mongodb://m:27017/nova' } }),
      undefined,
    );
    expect(m).toMatchObject({
      postgresTarget: 'not configured — choose PostgreSQL in Setup before running',
      mongoTarget: 'mongodb://m:27017/nova',
      hasPostgres: false,
    });
  });

  it('decisions: counted, about a column or a whole table; none is an empty list', () => {
    const m = planStepModel(
      plan({
        decisions: [
          { table: 'users', column: 'legacy_flag', decision: 'dropped', reason: 'always 0' },
          { table: 'sessions', decision: 'skipped', reason: 'expire anyway' },
        ],
      }),
      undefined,
    );
    expect(m.decisionsHeading).toBe('Decisions (2)');
    expect(m.decisions).toEqual([
      { tag: 'dropped', where: 'users.legacy_flag', reason: 'always 0' },
      { tag: 'skipped', where: 'sessions', reason: 'expire anyway' },
    ]);
    expect(planStepModel(plan(), undefined)).toMatchObject({
      decisionsHeading: 'Decisions (0)',
      decisions: [],
    });
  });

  it('Setup moved the target: says from and to, also from or to none', () => {
    expect(
      planStepModel(plan(), { from: 'postgres://a/x', to: 'postgres://b/y' }).targetChangedWarning,
    ).toBe(
      'The target changed in Setup since this plan was made (it was postgres://a/x). The plan below is made for postgres://b/y; run the dry run again.',
    );
    expect(planStepModel(plan(), { from: null, to: null }).targetChangedWarning).toBe(
      'The target changed in Setup since this plan was made (it was none). The plan below is made for no PostgreSQL; run the dry run again.',
    );
  });
});
