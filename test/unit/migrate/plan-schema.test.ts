import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NovaError } from '../../../main/core/errors.js';
import { novaLegacyPlan } from '../../../main/core/migrate/builtin-nova-plan.js';
import { loadPlanFile } from '../../../main/core/migrate/plan-file.js';
import { formatPath, parsePlan, type PlanInput } from '../../../main/core/migrate/plan-schema.js';

const dir = mkdtempSync(join(tmpdir(), 'nova-plan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const minimal = (): PlanInput => ({
  version: 1,
  name: 'test',
  tables: [
    {
      source: 'users',
      target: {
        kind: 'postgres',
        table: 'users',
        columns: [
          { source: 'id', target: 'id', type: 'integer', nullable: false },
          { source: 'email', target: 'email', type: 'text' },
        ],
        primaryKey: ['id'],
      },
    },
  ],
});

function problems(data: unknown): string[] {
  try {
    parsePlan(data, 'plan.json');
  } catch (err) {
    expect(err).toBeInstanceOf(NovaError);
    const e = err as NovaError;
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(e.message.split('\n')[0]).toBe('plan.json is invalid:');
    expect(e.fix).toMatch(/Correct the listed entries/);
    return e.message
      .split('\n')
      .slice(1)
      .map((l) => l.replace(/^ {2}- /, ''));
  }
  throw new Error('the plan was accepted');
}

describe('plan schema', () => {
  it('fills defaults', () => {
    const plan = parsePlan(minimal());
    expect(plan).toMatchObject({ unknownTables: 'error', unknownColumns: 'error' });
    const target = plan.tables[0]!.target;
    expect(target).toMatchObject({
      kind: 'postgres',
      dedupe: 'none',
      onConflict: 'error',
      create: false,
      extraColumn: 'legacy_extra',
      uniqueKeys: [],
      foreignKeys: [],
    });
    if (target.kind === 'postgres')
      expect(target.columns[1]).toMatchObject({
        nullable: true,
        onInvalid: 'reject',
        ifMissing: 'error',
        fractional: 'reject',
      });
  });

  it('accepts the built-in plan', () => {
    expect(novaLegacyPlan.tables).toHaveLength(16);
    expect(parsePlan(JSON.parse(JSON.stringify(novaLegacyPlan)))).toEqual(novaLegacyPlan);
  });

  it('names each shape error by its path, with the table for orientation', () => {
    const plan = minimal() as { tables: { target: { columns: Record<string, unknown>[] } }[] };
    plan.tables[0]!.target.columns[1]!.type = 'varchar';
    plan.tables[0]!.target.columns[0]!.nulable = false;
    expect(problems(plan)).toEqual([
      expect.stringMatching(
        /^tables\[0\] \(users\)\.target\.columns\[0\]: Unrecognized key: "nulable"$/,
      ),
      expect.stringMatching(
        /^tables\[0\] \(users\)\.target\.columns\[1\]\.type: Invalid option: expected one of "text"\|"integer"/,
      ),
    ]);
  });

  it('reports missing fields and wrong kinds', () => {
    expect(problems({ version: 2, tables: [{ source: '', target: { kind: 'mysql' } }] })).toEqual([
      expect.stringMatching(/^version: Invalid input: expected 1$/),
      expect.stringMatching(/^name: Invalid input: expected string, received undefined$/),
      'tables[0].source: must not be empty',
      "tables[0].target.kind: Invalid discriminator value. Expected 'postgres' | 'mongo' | 'skip'",
    ]);
  });

  it('checks names that must agree with each other', () => {
    const plan = minimal();
    const t = plan.tables[0]!;
    if (t.target.kind !== 'postgres') throw new Error();
    t.target.columns.push({ source: 'mail', target: 'email', type: 'text' });
    t.target.columns.push({
      source: 'flag',
      target: 'flag',
      type: 'boolean',
      onInvalid: 'keep-text',
      nullReplacement: 'maybe',
    });
    t.target.columns.push({ source: 'n', target: 'n', type: 'text', fractional: 'round' });
    t.target.primaryKey = ['uid'];
    t.target.foreignKeys = [
      { columns: ['id'], references: { table: 'accounts', columns: ['id', 'x'] } },
    ];
    plan.tables.push({ source: 'users', target: { kind: 'skip', reason: 'twice' } });
    plan.order = ['users', 'ghosts'];
    expect(problems(plan)).toEqual([
      'tables[1] (users).source: "users" is already mapped by tables[0]',
      'tables[0] (users).target.columns[2].target: column "email" is mapped twice',
      `tables[0] (users).target.columns[3].onInvalid: 'keep-text' needs a text or JSON target; a boolean column cannot hold the original text`,
      'tables[0] (users).target.columns[3].nullReplacement: "maybe" is not a valid boolean value',
      `tables[0] (users).target.columns[4].fractional: 'round' applies to integer targets only, not text`,
      'tables[0] (users).target.primaryKey[0]: "uid" is not a target column of this mapping',
      'tables[0] (users).target.foreignKeys[0].references.table: "accounts" is not a PostgreSQL target table of this plan',
      'tables[0] (users).target.foreignKeys[0].references.columns: lists 2 column(s) for 1 key column(s)',
      'order[1]: "ghosts" is not a source table of this plan',
    ]);
  });

  it('refuses identifiers PostgreSQL would truncate and Mongo names it cannot store', () => {
    const plan = minimal();
    if (plan.tables[0]!.target.kind === 'postgres') plan.tables[0]!.target.table = 'x'.repeat(64);
    plan.tables.push({
      source: 'logs',
      target: {
        kind: 'mongo',
        collection: 'system.logs',
        fields: [{ source: 'a', target: '$a', type: 'string' }],
        idField: 'b',
      },
    });
    expect(problems(plan)).toEqual([
      'tables[0] (users).target.table: must be at most 63 bytes (PostgreSQL would truncate it)',
      'tables[1] (logs).target.collection: must not start with "system."',
      'tables[1] (logs).target.fields[0].target: must not start with $ or contain "." or NUL',
      'tables[1] (logs).target.idField: "b" is not a mapped field',
    ]);
  });

  it('formats paths', () => {
    expect(formatPath([], {})).toBe('(plan)');
    expect(formatPath(['tables', 3, 'target'], { tables: [] })).toBe('tables[3].target');
    expect(formatPath(['order', 0], {})).toBe('order[0]');
  });
});

describe('loadPlanFile', () => {
  it('reads a JSON plan', async () => {
    const file = join(dir, 'plan.json');
    writeFileSync(file, JSON.stringify(minimal()));
    expect((await loadPlanFile(file)).name).toBe('test');
  });

  it('refuses a syntax error, naming the file', async () => {
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{"version": 1,');
    await expect(loadPlanFile(file)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining(
        `${file} is not a usable migration plan: it is a JSON file that is not valid JSON (the first error is at line 1, column 15)`,
      ),
    });
  });

  it('never quotes a file that is not a plan: its kind only (issue 13, defect 10)', async () => {
    const cases: [string, string, RegExp][] = [
      [
        'shadow',
        'root:$6$SecretHashValue:19000:0:99999:7:::\n',
        /it is a text file that is not valid JSON\./,
      ],
      [
        'credentials.json',
        JSON.stringify({ postgresPassword: 'SecretValue1', adminToken: 'SecretValue2' }),
        /it is a JSON file without the plan's "tables" list\./,
      ],
      ['list.json', '["SecretValue3"]', /it is a JSON file without the plan's "tables" list\./],
      ['broken.json', '{"adminToken": "SecretValue4" "x": 1}', /line 1, column 31/],
      ['archive.zip', 'PK\u0003\u0004SecretValue5', /it is a ZIP archive that is not valid JSON/],
    ];
    for (const [name, content, expected] of cases) {
      const file = join(dir, name);
      writeFileSync(file, content);
      const err = (await loadPlanFile(file).catch((e: unknown) => e)) as NovaError;
      expect(err.code).toBe('INVALID_ARGUMENT');
      expect(err.message).toMatch(expected);
      const shown = `${err.message} ${err.fix ?? ''}`;
      expect(shown).not.toMatch(/Secret|postgresPassword|adminToken|root:/);
    }
  });

  it('refuses a missing file and an invalid plan, naming the file', async () => {
    await expect(loadPlanFile(join(dir, 'none.json'))).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('ENOENT'),
    });
    const file = join(dir, 'invalid.json');
    writeFileSync(file, JSON.stringify({ ...minimal(), unknownTables: 'maybe' }));
    await expect(loadPlanFile(file)).rejects.toMatchObject({
      message: expect.stringMatching(
        /^The migration plan .*invalid\.json is invalid:\n {2}- unknownTables: /,
      ),
    });
  });

  it('reads YAML when js-yaml can be loaded', async () => {
    const file = join(dir, 'plan.yaml');
    writeFileSync(file, 'version: 1\nname: yaml-plan\nunknownTables: skip\ntables: []\n');
    expect(await loadPlanFile(file)).toMatchObject({
      name: 'yaml-plan',
      unknownTables: 'skip',
      tables: [],
    });
  });
});
