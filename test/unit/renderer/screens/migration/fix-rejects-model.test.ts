import { describe, expect, it } from 'vitest';
import type { RejectGroupDto } from '../../../../../shared-contract/methods/migration.js';
import type {
  RejectLineDto,
  RejectsViewDto,
} from '../../../../../shared-contract/methods/migration-wizard.js';
import {
  changeRowModel,
  chosenRuleLines,
  editedRows,
  fixRejectsModel,
  groupRowModel,
  hasRule,
  lineRowModel,
  mergeRules,
  ruleFor,
} from '../../../../../renderer/screens/migration/fix-rejects-model.js';

const counter: RejectGroupDto = {
  table: 'passkeys',
  column: 'counter',
  reason: 'fractional',
  count: 7,
  cascade: false,
  examples: ['id=1', 'id=2', 'id=3', 'id=4', 'id=5'],
  fixes: ['round', 'truncate', 'keep-in-extra'],
};
const orphan: RejectGroupDto = {
  table: 'user_roles',
  column: 'user_id',
  reason: 'orphan',
  count: 2,
  cascade: false,
  examples: ['rowid=4', 'rowid=9'],
  fixes: ['drop'],
};
const line = (over: Partial<RejectLineDto> = {}): RejectLineDto => ({
  line: 3,
  table: 'passkeys',
  key: 'id=1',
  column: 'counter',
  reason: 'fractional',
  original: '3.5',
  row: { id: 1, counter: 3.5 },
  ...over,
});
const view = (over: Partial<RejectsViewDto> = {}): RejectsViewDto => ({
  applicable: true,
  total: 9,
  lines: [line()],
  groups: [counter, orphan],
  changeGroups: [],
  ...over,
});

describe('rejects fix-it model', () => {
  it('a run report offers only the fixes that let rows in; a dry run offers every fix, for the run', () => {
    const run = groupRowModel(orphan, true, undefined);
    expect(run.fixes).toEqual([]);
    const dry = groupRowModel(orphan, false, undefined);
    expect(dry.fixes.map((f) => f.action)).toEqual(['drop']);
    expect(dry.fixes[0]!.ariaLabel).toMatch(/in the run: user_roles\.user_id, 2 rows/);
    expect(dry.fixes[0]!.rule).toEqual({ orphans: [{ table: 'user_roles', action: 'drop' }] });

    const g = groupRowModel(counter, true, undefined);
    expect(g.id).toBe('passkeys.counter.fractional');
    expect(g.examples).toBe('id=1, id=2, id=3, id=4, id=5, …'); // 7 rows, 5 examples
    expect(g.fixes.map((f) => f.action)).toEqual(['round', 'truncate', 'keep-in-extra']);
  });

  it('a rule already chosen for the run is shown as chosen and cannot be clicked again', () => {
    const chosen = ruleFor('user_roles', 'user_id', 'drop', undefined);
    const g = groupRowModel(orphan, false, chosen);
    expect(g.fixes[0]).toMatchObject({ chosen: true });
    expect(g.fixes[0]!.label).toMatch(/chosen for the run/);
  });

  it('a cascade offers no fix: the parent is what needs one', () => {
    expect(groupRowModel({ ...orphan, cascade: true }, false, undefined)).toMatchObject({
      cascade: true,
      fixes: [],
    });
  });

  it('only changed boxes become edits, and a number typed for a number stays a number', () => {
    const lines = [line(), line({ line: 4, column: 'name', original: 'x', row: { name: 'x' } })];
    const now: Record<number, string> = { 3: '4', 4: 'x' };
    expect(editedRows(lines, (l) => now[l])).toEqual([{ line: 3, row: { counter: 4 } }]);
    expect(editedRows(lines, () => undefined)).toEqual([]);
    expect(editedRows([line()], () => 'four')).toEqual([{ line: 3, row: { counter: 'four' } }]);
  });

  it('the words around the groups depend on a run or a dry run', () => {
    const run = fixRejectsModel(view(), undefined);
    expect(run).toMatchObject({ heading: 'Rejected rows (9)', none: false, canApply: true });
    expect(run.intro.note).toBe(false);
    expect(run.partial).toMatch(/first 1 rows are shown.*all 9/);
    expect(run.details.summary).toBe('Edit the rejected rows (1)');

    const rules = mergeRules(undefined, ruleFor('user_roles', 'user_id', 'drop', undefined));
    const dry = fixRejectsModel(view({ applicable: false }), rules);
    expect(dry.intro.note).toBe(true);
    expect(dry.canApply).toBe(false);
    expect(dry.chosenRules).toEqual(chosenRuleLines(rules));
    expect(dry.chosenRules).toHaveLength(1);

    expect(fixRejectsModel(view({ total: 0, groups: [], lines: [] }), undefined)).toMatchObject({
      none: true,
      canApply: false,
    });
  });

  it('merging rules keeps each once; hasRule sees a rule already there', () => {
    const a = ruleFor('passkeys', 'counter', 'round', undefined);
    const b = ruleFor('users', 'email', 'keep-first-rename', ['email']);
    const both = mergeRules(mergeRules(a, b), a);
    expect(both.values).toHaveLength(1);
    expect(both.duplicates).toEqual([
      { table: 'users', key: ['email'], action: 'keep-first-rename' },
    ]);
    expect(hasRule(both, a)).toBe(true);
    expect(hasRule(a, b)).toBe(false);
    expect(hasRule(undefined, a)).toBe(false);
  });

  it('rows and changed values read as the screen shows them', () => {
    expect(lineRowModel(line({ original: 'x'.repeat(100) }))).toMatchObject({
      label: 'passkeys id=1',
      ariaLabel: 'New value of counter for passkeys id=1',
      original: `${'x'.repeat(77)}…`,
    });
    const change = changeRowModel({
      table: 'logs',
      column: 'title',
      kind: 'nul-removed',
      count: 3,
      examples: [
        { key: 'id=1', from: 'a\u0000b', to: 'ab' },
        { key: 'id=2', from: 'c', to: 'd' },
        { key: 'id=3', from: 'e', to: 'f' },
      ],
    });
    expect(change.where).toBe('logs.title');
    expect(change.examples).toHaveLength(2);
  });
});
