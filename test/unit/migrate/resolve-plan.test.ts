import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { NovaError } from '../../../main/core/errors.js';
import { inspectDatabase, type InspectReport } from '../../../main/core/migrate/inspect.js';
import { parsePlan, type PlanInput } from '../../../main/core/migrate/plan-schema.js';
import { resolvePlan } from '../../../main/core/migrate/resolve-plan.js';
import { selectSql } from '../../../main/core/migrate/source-select.js';

function reportOf(sql: string): InspectReport {
  const db = new Database(':memory:');
  db.exec(sql);
  const report = inspectDatabase(db, 'src.sqlite');
  db.close();
  return report;
}

const SOURCE = `
  CREATE TABLE People (ID INTEGER PRIMARY KEY, Name TEXT, nick TEXT, score INTEGER);
  CREATE TABLE notes (id INTEGER PRIMARY KEY, person_id INTEGER, body TEXT);
  CREATE TABLE extra_stuff (a, b);
  CREATE VIEW v AS SELECT * FROM notes;
  CREATE TRIGGER t AFTER INSERT ON notes BEGIN SELECT 1; END;
  INSERT INTO People VALUES (1, 'Ada', 'ada', 5), (2, 'Bob', NULL, NULL);
  INSERT INTO notes VALUES (1, 1, 'hi'), (2, 9, 'orphan');
  INSERT INTO extra_stuff VALUES (1, 'x');
`;

const plan = (over: Partial<PlanInput> = {}, people: Record<string, unknown> = {}): PlanInput => ({
  version: 1,
  name: 'p',
  tables: [
    {
      source: 'people', // SQLite names are case-insensitive: this is People
      target: {
        kind: 'postgres',
        table: 'person',
        columns: [
          { source: 'id', target: 'id', type: 'integer', nullable: false },
          { source: 'name', target: 'full_name', type: 'text' },
        ],
        primaryKey: ['id'],
        ...people,
      },
    },
    {
      source: 'notes',
      target: {
        kind: 'postgres',
        table: 'note',
        columns: [
          { source: 'body', target: 'body', type: 'text' },
          { source: 'person_id', target: 'person_id', type: 'integer' },
        ],
        foreignKeys: [{ columns: ['person_id'], references: { table: 'person', columns: ['id'] } }],
      },
    },
  ],
  ...over,
});

function refused(fn: () => unknown): NovaError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(NovaError);
    return err as NovaError;
  }
  throw new Error('not refused');
}

describe('resolvePlan', () => {
  const report = reportOf(SOURCE);

  it('refuses, listing every unknown table and column, when the rules are "error"', () => {
    const err = refused(() => resolvePlan(parsePlan(plan()), report));
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.message).toBe(
      [
        'The migration plan "p" does not fit src.sqlite:',
        '  - table "extra_stuff" (1 row(s)) is not in the plan',
        '  - People: column "nick" (1 non-NULL value(s)) is not in the plan',
        '  - People: column "score" (1 non-NULL value(s)) is not in the plan',
        '  - notes: column "id" (2 non-NULL value(s)) is not in the plan',
      ].join('\n'),
    );
    expect(err.fix).toMatch(/unknownTables.*unknownColumns/);
  });

  it("'skip' rules leave things out and say so, with what is lost", () => {
    const r = resolvePlan(
      parsePlan(plan({ unknownTables: 'skip', unknownColumns: 'skip' })),
      report,
    );
    expect(r.decisions).toEqual(
      expect.arrayContaining([
        {
          table: 'extra_stuff',
          decision: 'left-out',
          reason: `not in plan "p" and unknownTables is 'skip': 1 row(s) not migrated`,
        },
        {
          table: 'People',
          column: 'nick',
          decision: 'left-out',
          reason: `not in the plan and unknownColumns is 'skip': 1 non-NULL value(s) not migrated`,
        },
        { table: 'v', decision: 'left-out', reason: expect.stringMatching(/^view:/) },
        { table: 't', decision: 'left-out', reason: expect.stringMatching(/^trigger on notes:/) },
      ]),
    );
    expect(r.tables.map((t) => t.source)).toEqual(['People', 'notes']);
  });

  it("'auto' and 'jsonb-extra' migrate the unknowns and say where they went", () => {
    const r = resolvePlan(
      parsePlan(plan({ unknownTables: 'auto', unknownColumns: 'jsonb-extra' })),
      report,
    );
    const people = r.tables.find((t) => t.source === 'People')!;
    expect(people.extra).toEqual({
      target: 'legacy_extra',
      sources: [
        { name: 'nick', index: 2 },
        { name: 'score', index: 3 },
      ],
    });
    expect(people.readColumns).toEqual(['ID', 'Name', 'nick', 'score']);
    expect(people.outputColumns).toEqual(['id', 'full_name', 'legacy_extra']);
    expect(people.target).toMatchObject({
      kind: 'postgres',
      addColumns: [{ name: 'legacy_extra', type: 'jsonb' }],
      columnTypes: ['integer', 'text', 'jsonb'],
    });
    const extra = r.tables.find((t) => t.source === 'extra_stuff')!;
    expect(extra).toMatchObject({
      origin: 'auto',
      target: { kind: 'postgres', table: 'extra_stuff', create: true, addColumns: [] },
    });
    expect(r.decisions).toEqual(
      expect.arrayContaining([
        {
          table: 'extra_stuff',
          decision: 'auto-mapped',
          reason: expect.stringContaining(`unknownTables is 'auto'`),
        },
        {
          table: 'People',
          column: 'nick',
          decision: 'kept-in-extra',
          reason: expect.stringContaining('the jsonb column legacy_extra'),
        },
      ]),
    );
  });

  it('keeps the source key and orders parents first; notes and keys come through', () => {
    const r = resolvePlan(
      parsePlan(
        plan({
          unknownTables: 'skip',
          unknownColumns: 'skip',
          tables: [...plan().tables].reverse(),
        }),
      ),
      report,
    );
    expect(r.tables.map((t) => t.source)).toEqual(['People', 'notes']);
    const notes = r.tables[1]!;
    expect(notes.keyColumns).toEqual(['id']);
    expect(notes.readColumns).toEqual(['id', 'body', 'person_id']);
    expect(notes.columns.map((c) => [c.source, c.index])).toEqual([
      ['body', 1],
      ['person_id', 2],
    ]);
    expect(notes.rowidName).toBe('rowid');
    expect(r.tables[0]!.autoincrementSeq).toBeNull();
  });

  it('follows an explicit order, and reports a foreign-key cycle instead of failing', () => {
    const cyclic = plan(
      { unknownTables: 'skip', unknownColumns: 'skip' },
      { foreignKeys: [{ columns: ['id'], references: { table: 'note', columns: ['person_id'] } }] },
    );
    const r = resolvePlan(parsePlan(cyclic), report);
    expect(r.tables.map((t) => t.source)).toEqual(['People', 'notes']);
    expect(r.decisions).toContainEqual({
      table: 'People',
      decision: 'note',
      reason: 'its foreign keys form a cycle with notes; loaded in plan order',
    });
    // 'people' names the table People: the explicit order must find it despite the case.
    const three = plan({
      unknownTables: 'skip',
      unknownColumns: 'skip',
      order: ['notes', 'people'],
    });
    three.tables.unshift({
      source: 'extra_stuff',
      target: {
        kind: 'postgres',
        table: 'stuff',
        columns: [{ source: 'a', target: 'a', type: 'text' }],
      },
    });
    const ordered = resolvePlan(parsePlan(three), report);
    expect(ordered.tables.map((t) => t.source)).toEqual(['notes', 'People', 'extra_stuff']);
  });

  it('refuses a plan column or table the file lacks unless the plan allows it', () => {
    const p = plan({ unknownTables: 'skip', unknownColumns: 'skip' });
    const people = p.tables[0]!.target;
    if (people.kind !== 'postgres') throw new Error();
    people.columns.push({ source: 'email', target: 'email', type: 'text' });
    p.tables.push({ source: 'gone', target: { kind: 'skip', reason: 'x' } });
    const err = refused(() => resolvePlan(parsePlan(p), report));
    expect(err.message).toContain(
      `People: the plan maps column "email", which the table does not have (it has "ID", "Name", "nick", "score")`,
    );
    expect(err.message).toContain(
      `tables[2]: the plan maps table "gone", which this file does not have`,
    );

    people.columns[2] = {
      source: 'email',
      target: 'email',
      type: 'text',
      ifMissing: 'target-default',
    };
    p.tables[2] = { source: 'gone', ifMissing: 'skip', target: { kind: 'skip', reason: 'x' } };
    const r = resolvePlan(parsePlan(p), report);
    expect(r.decisions).toEqual(
      expect.arrayContaining([
        {
          table: 'People',
          column: 'email',
          decision: 'target-default',
          reason: expect.stringContaining("email gets the target's default"),
        },
        { table: 'gone', decision: 'source-absent', reason: expect.any(String) },
      ]),
    );
  });

  it('refuses two mappings of one table that differ only in case', () => {
    const p = plan({ unknownTables: 'skip', unknownColumns: 'skip' });
    p.tables.push({ source: 'PEOPLE', target: { kind: 'skip', reason: 'x' } });
    expect(refused(() => resolvePlan(parsePlan(p), report)).message).toContain(
      'tables[2]: "PEOPLE" is the table tables[0] already maps (SQLite names ignore case)',
    );
  });

  it('casts replacement and allowed values once, up front', () => {
    const p = plan({ unknownTables: 'skip', unknownColumns: 'skip' });
    const people = p.tables[0]!.target;
    if (people.kind !== 'postgres') throw new Error();
    people.columns.push({
      source: 'score',
      target: 'score',
      type: 'boolean',
      nullable: false,
      nullReplacement: 'no',
      allowedValues: ['yes', 0],
    });
    const col = resolvePlan(parsePlan(p), report).tables[0]!.columns[2]!;
    expect(col).toMatchObject({
      nullReplacement: false,
      allowedValues: [true, false],
      emptyToNull: true,
      targetType: 'boolean',
    });
  });

  it('leaves virtual tables and their shadow tables out with a reason', () => {
    const r = resolvePlan(
      parsePlan({ version: 1, name: 'empty', unknownTables: 'error', tables: [] }),
      reportOf('CREATE VIRTUAL TABLE docs USING fts5(body);'),
    );
    expect(r.tables).toEqual([]);
    expect(r.decisions.map((d) => `${d.table}:${d.decision}`)).toEqual(
      expect.arrayContaining(['docs:left-out', 'docs_data:left-out', 'docs_config:left-out']),
    );
  });

  it('resolves to plain data', () => {
    const r = resolvePlan(
      parsePlan(plan({ unknownTables: 'auto', unknownColumns: 'jsonb-extra' })),
      report,
    );
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });
});

describe('selectSql', () => {
  it('reads the readColumns then the rowid, with keyset paging when asked', () => {
    const r = resolvePlan(
      parsePlan(plan({ unknownTables: 'skip', unknownColumns: 'skip' })),
      reportOf(SOURCE),
    );
    const notes = r.tables.find((t) => t.source === 'notes')!;
    expect(selectSql(notes)).toBe(
      'SELECT "id", "body", "person_id", "rowid" FROM "notes" ORDER BY "rowid"',
    );
    expect(selectSql(notes, { afterRowid: true, limit: true })).toBe(
      'SELECT "id", "body", "person_id", "rowid" FROM "notes" WHERE "rowid" > ? ORDER BY "rowid" LIMIT ?',
    );
  });

  it('orders a WITHOUT ROWID table by its key and refuses rowid paging for it', () => {
    const report = reportOf('CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT) WITHOUT ROWID;');
    const kv = resolvePlan(
      parsePlan({ version: 1, name: 'kv', unknownTables: 'auto', tables: [] }),
      report,
    ).tables[0]!;
    expect(kv.rowidName).toBeNull();
    expect(selectSql(kv)).toBe('SELECT "k", "v" FROM "kv" ORDER BY "k"');
    expect(() => selectSql(kv, { afterRowid: true })).toThrow(/WITHOUT ROWID/);
  });
});
