/**
 * Rules without a database: flag parsing, merging plan and CLI rules, value
 * rules written into the resolved plan and applied by convertRow (round,
 * truncate, keep-in-extra — with and without an existing extra column), the
 * rename suffix, and the reject/change groups streamed from JSONL files.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { convertRow } from '../../../main/core/migrate/convert-row.js';
import { inspectDatabase } from '../../../main/core/migrate/inspect.js';
import { parsePlan, type PlanInput } from '../../../main/core/migrate/plan-schema.js';
import {
  describeFix,
  ruleForFix,
  summarizeOutcomes,
} from '../../../main/core/migrate/reject-groups.js';
import { resolvePlan } from '../../../main/core/migrate/resolve-plan.js';
import { withSuffix } from '../../../main/core/migrate/rules-apply.js';
import {
  applyRules,
  mergeRules,
  parseRuleFlags,
  parseRules,
} from '../../../main/core/migrate/rules.js';

const db = new Database(':memory:');
db.exec(
  'CREATE TABLE a (id INTEGER PRIMARY KEY, n INTEGER, label TEXT); CREATE TABLE b (id INTEGER PRIMARY KEY, n INTEGER, odd)',
);
const inspected = inspectDatabase(db, 'src.sqlite');
db.close();

const planInput: PlanInput = {
  version: 1,
  name: 'rules',
  unknownColumns: 'jsonb-extra',
  tables: [
    {
      source: 'a',
      target: {
        kind: 'postgres',
        table: 'a',
        columns: [
          { source: 'id', target: 'id', type: 'integer', nullable: false },
          { source: 'n', target: 'n', type: 'integer', nullable: false, nullReplacement: 0 },
          { source: 'label', target: 'label', type: 'text' },
        ],
        primaryKey: ['id'],
        uniqueKeys: [{ columns: ['label'], normalize: 'lower' }],
      },
    },
    {
      source: 'b',
      target: {
        kind: 'postgres',
        table: 'b',
        columns: [
          { source: 'id', target: 'id', type: 'integer', nullable: false },
          { source: 'n', target: 'n', type: 'integer' },
        ],
        primaryKey: ['id'],
      },
    },
  ],
};
const plan = parsePlan(planInput);
const resolved = resolvePlan(plan, inspected);
const withRules = (flags: Parameters<typeof parseRuleFlags>[0]) =>
  applyRules(resolved, plan, parseRuleFlags(flags));
/** readColumns then the rowid. */
const rowA = (n: unknown, label: unknown = 'x'): unknown[] => [1, n, label, 1];

describe('value rules', () => {
  it('round and truncate change a fractional value and record it; without a rule it is rejected', () => {
    const none = convertRow(resolved.tables[0]!, rowA(3.7));
    expect(none.ok).toBe(false);
    const round = convertRow(withRules({ value: ['a.n=round'] }).tables[0]!, rowA(3.7));
    expect(round).toMatchObject({ ok: true, values: [1, 4, 'x'] });
    expect(round.ok && round.changes).toEqual([
      expect.objectContaining({ column: 'n', code: 'rounded', original: 3.7, converted: 4 }),
    ]);
    const cut = convertRow(withRules({ value: ['a.n=truncate'] }).tables[0]!, rowA('-3.7'));
    expect(cut).toMatchObject({ ok: true, values: [1, -3, 'x'] });
    expect(cut.ok && cut.changes[0]).toMatchObject({ code: 'truncated', original: -3.7 });
  });

  it('keep-in-extra adds the extra column when the table has none, and keeps the original there', () => {
    const r = withRules({ value: ['a.n=keep-in-extra'] });
    const a = r.tables[0]!;
    expect(a.outputColumns).toEqual(['id', 'n', 'label', 'legacy_extra']);
    expect(a.target.kind === 'postgres' && a.target.addColumns).toEqual([
      { name: 'legacy_extra', type: 'jsonb' },
    ]);
    const out = convertRow(a, rowA('3.7 apples'));
    // NOT NULL column: its nullReplacement is written, the original is in the extra column.
    expect(out).toMatchObject({ ok: true, values: [1, 0, 'x', { n: '3.7 apples' }] });
    expect(out.ok && out.changes).toEqual([
      expect.objectContaining({ column: 'n', code: 'kept-in-extra', converted: 0 }),
    ]);
    // A valid value stays where it is and the extra column stays NULL.
    expect(convertRow(a, rowA(5))).toMatchObject({ ok: true, values: [1, 5, 'x', null] });
    // The resolved plan given in was not modified.
    expect(resolved.tables[0]!.outputColumns).toEqual(['id', 'n', 'label']);
  });

  it('keep-in-extra joins the unknown columns already kept in the extra column', () => {
    const b = withRules({ value: ['b.n=keep-in-extra'] }).tables[1]!;
    expect(b.outputColumns).toEqual(['id', 'n', 'legacy_extra']);
    expect(convertRow(b, [1, 2.5, 'o', 1])).toMatchObject({
      ok: true,
      values: [1, null, { odd: 'o', n: 2.5 }],
    });
  });

  it('a rule for the same column from the CLI replaces the plan’s; rules are part of the plan', () => {
    const merged = mergeRules(
      { values: [{ table: 'a', column: 'n', action: 'round' }], orphans: [] },
      parseRuleFlags({ value: ['a.n=truncate'], orphan: [] }),
    );
    expect(merged.values).toEqual([{ table: 'a', column: 'n', action: 'truncate' }]);
    const fromPlan = parsePlan({
      ...planInput,
      rules: { values: [{ table: 'a', column: 'n', action: 'round' }] },
    });
    expect(fromPlan.rules?.values).toHaveLength(1);
    expect(() =>
      parsePlan({ ...planInput, rules: { values: [{ table: 'a', column: 'n', action: 'ceil' }] } }),
    ).toThrow(/rules\.values\[0\]\.action/);
    expect(() => parseRules({ orphans: [{ table: 'a', action: 'keep' }] }, 'rules')).toThrow(
      /rules\.orphans\.0\.action/,
    );
  });
});

describe('row rules in the plan', () => {
  it('keep-first-rename names the key’s text column; merge needs a primary key', () => {
    const r = withRules({ duplicate: ['a.label=keep-first-rename'] });
    expect(r.tables[0]!.rules).toEqual({
      duplicates: [{ key: ['label'], action: 'keep-first-rename', renameColumn: 'label' }],
      orphans: 'reject',
    });
    expect(
      withRules({ duplicate: ['a(label)=merge'] }).tables[0]!.rules?.duplicates[0],
    ).toMatchObject({
      action: 'merge',
    });
    expect(() => withRules({ duplicate: ['a.id=keep-first-rename'] })).toThrow(
      /has none; use merge or reject/,
    );
  });

  it('the rename suffix keeps an e-mail an e-mail', () => {
    expect(withSuffix('Bob@x.com', 'dup-42')).toBe('Bob+dup-42@x.com');
    expect(withSuffix('a@b@c.org', 'dup-1')).toBe('a@b+dup-1@c.org');
    expect(withSuffix('kiosk-7', 'dup-3')).toBe('kiosk-7-dup-3');
    expect(withSuffix('@handle', 'dup-3')).toBe('@handle-dup-3');
  });
});

describe('reject and change groups', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nova-groups-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('streams the files into groups: counts, at most 5 examples, cascades apart, fixes per group', async () => {
    const rejects = join(dir, 'rejects.jsonl');
    const lines: string[] = [];
    for (let i = 0; i < 30_000; i++)
      lines.push(
        JSON.stringify({
          table: 'a',
          key: `id=${i}`,
          column: 'n',
          reason: 'fractional',
          value: i + 0.5,
        }),
      );
    lines.push(
      JSON.stringify({ table: 'a', key: 'id=x', column: 'n', reason: 'unparseable', value: 'abc' }),
    );
    lines.push(
      JSON.stringify({
        table: 'a',
        key: 'id=7',
        column: 'label',
        reason: 'duplicate key',
        value: 'X',
      }),
    );
    for (let i = 0; i < 3; i++)
      lines.push(
        JSON.stringify({
          table: 'b',
          key: `id=${i}`,
          column: 'n',
          reason: 'orphan',
          cascade: true,
          parent: 'a:1',
        }),
      );
    lines.push('{ not json');
    writeFileSync(rejects, `${lines.join('\n')}\n`);
    const changes = join(dir, 'changes.jsonl');
    writeFileSync(
      changes,
      [
        {
          table: 'b',
          key: 'id=9',
          column: 'n',
          code: 'dropped-orphan',
          original: '5',
          converted: null,
        },
        { table: 'a', key: 'id=1', column: 'n', code: 'rounded', original: '3.5', converted: 4 },
        { table: 'a', key: 'id=2', column: 'n', code: 'rounded', original: '2.5', converted: 3 },
      ]
        .map((c) => JSON.stringify(c))
        .join('\n'),
    );
    const s = await summarizeOutcomes(rejects, changes, resolved.tables);
    const n = s.rejectGroups.find((g) => g.reason === 'fractional')!;
    expect(n).toMatchObject({ table: 'a', column: 'n', count: 30_000 });
    expect(n.examples).toEqual(['id=0', 'id=1', 'id=2', 'id=3', 'id=4']);
    expect(n.fixes).toEqual(['round', 'truncate', 'keep-in-extra']);
    // Text in a number column: rounding cannot help, keeping the original can.
    const garbage = s.rejectGroups.find((g) => g.reason === 'unparseable')!;
    expect(garbage).toMatchObject({ count: 1, examples: ['id=x'], fixes: ['keep-in-extra'] });
    const dup = s.rejectGroups.find((g) => g.reason === 'duplicate key')!;
    expect(dup).toMatchObject({ key: ['label'], fixes: ['keep-first-rename', 'merge'] });
    const cascade = s.rejectGroups.find((g) => g.cascade)!;
    expect(cascade).toMatchObject({ table: 'b', count: 3 });
    expect(s.cascaded.get('b')).toBe(3);
    expect(s.dropped.get('b')).toBe(1);
    expect(s.changeGroups[0]).toMatchObject({ table: 'a', kind: 'rounded', count: 2 });
    expect(s.changeGroups[0]!.examples[0]).toEqual({ key: 'id=1', from: '3.5', to: '4' });
    expect(describeFix(dup)).toContain('--duplicate-rule a(label)=keep-first-rename');
    expect(describeFix(cascade)).toMatch(/follow a parent that was not migrated/);
    // A one-click fix is the rule it stands for, and it passes the plan's checks.
    const fix = ruleForFix(dup, 'keep-first-rename');
    expect(fix.duplicates).toEqual([{ table: 'a', key: ['label'], action: 'keep-first-rename' }]);
    expect(applyRules(resolved, plan, fix).tables[0]!.rules?.duplicates).toHaveLength(1);
    expect(ruleForFix(garbage, 'keep-in-extra').values).toEqual([
      { table: 'a', column: 'n', action: 'keep-in-extra' },
    ]);
    expect(() => ruleForFix(garbage, 'round')).toThrow(/not a fix for the rejects of a\.n/);
  });

  it('round and truncate are offered for fractions only, keep-in-extra where the column may be empty', async () => {
    const file = join(dir, 'fractional.jsonl');
    writeFileSync(
      file,
      ['fractional', 'unparseable']
        .map((reason, i) =>
          JSON.stringify({ table: i === 0 ? 'b' : 'a', key: `id=${i}`, column: 'n', reason }),
        )
        .join('\n'),
    );
    const s = await summarizeOutcomes(file, null, resolved.tables);
    // b.n is nullable: keep-in-extra can leave it empty; a.n is NOT NULL with a replacement.
    expect(s.rejectGroups.map((g) => [g.table, g.reason, g.fixes])).toEqual([
      ['b', 'fractional', ['round', 'truncate', 'keep-in-extra']],
      ['a', 'unparseable', ['keep-in-extra']],
    ]);
  });
});
