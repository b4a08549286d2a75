/**
 * The pure parts of the rejects fix-it workflow: the CSV round trip (and the
 * files it refuses), the edits and `round` rules applied to rejects lines,
 * and the grouping with its one-click fixes.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { editedRejects } from '../../../main/core/app/migration-engine.js';
import {
  groupChanges,
  groupRejects,
  rejectLines,
} from '../../../main/core/app/migration-groups.js';
import type { RejectLineDto } from '../../../shared-contract/index.js';
import {
  editsFromCsv,
  parseCsv,
  rejectsToCsv,
} from '../../../renderer/screens/migration/rejects-csv.js';
import { fixText } from '../../../renderer/screens/migration/reject-words.js';

const line = (n: number, over: Partial<RejectLineDto> = {}): RejectLineDto => ({
  line: n,
  table: 'users',
  key: `id=${n}`,
  column: 'email',
  original: `a${n}@x.com`,
  reason: 'duplicate key',
  row: { id: n, email: `a${n}@x.com` },
  ...over,
});

describe('rejects as CSV', () => {
  it('round-trips values with commas, quotes and line breaks', () => {
    const lines = [line(1, { row: { id: 1, email: 'a, "b"\nc' } }), line(2)];
    const csv = rejectsToCsv(lines);
    expect(parseCsv(csv)[1]!.at(-1)).toBe('a, "b"\nc');
    const edited = csv.replace('a2@x.com\r\n', 'new@x.com\r\n');
    const r = editsFromCsv(edited, lines);
    expect('values' in r && [...r.values]).toEqual([[2, 'new@x.com']]);
  });

  it('refuses a file without line/value columns, or naming a line not shown', () => {
    expect(editsFromCsv('a,b\n1,2\n', [line(1)])).toMatchObject({
      problem: expect.stringContaining('"line" and "value"'),
    });
    expect(editsFromCsv('line,value\n9,x\n', [line(1)])).toMatchObject({
      problem: expect.stringContaining('line "9"'),
    });
  });
});

describe('edits on the rejects file', () => {
  const raw = [
    { table: 'passkeys', column: 'counter', reason: 'unparseable', row: { id: 6, counter: 3.5 } },
    { table: 'users', column: 'email', reason: 'duplicate key', row: { id: 42, email: 'b@x' } },
  ]
    .map((r) => JSON.stringify(r))
    .join('\n');

  it('puts the edited values in place and leaves the other lines as they were', () => {
    const out = editedRejects(raw, {
      edits: [{ line: 2, row: { email: 'c@x' } }],
    })
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { row: Record<string, unknown> });
    expect(out[0]!.row).toEqual({ id: 6, counter: 3.5 });
    expect(out[1]!.row).toEqual({ id: 42, email: 'c@x' });
  });

  it('refuses an edit of a line that does not exist', () => {
    expect(() => editedRejects(raw, { edits: [{ line: 3, row: {} }] })).toThrow(/does not exist/);
  });
});

describe('groups', () => {
  it('counts every line once, with examples and the safe fixes', () => {
    const lines = [
      line(1),
      line(2),
      line(3, { table: 'user_roles', column: 'user_id', reason: 'orphan' }),
      line(4, {
        table: 'passkeys',
        column: 'counter',
        reason: 'unparseable',
        message: '3.5 has a fractional part; an integer column cannot hold it',
      }),
    ];
    const groups = groupRejects(lines);
    expect(groups.reduce((n, g) => n + g.count, 0)).toBe(4);
    expect(groups[0]).toMatchObject({ table: 'users', count: 2, examples: ['id=1', 'id=2'] });
    expect(groups.find((g) => g.reason === 'orphan')?.fixes).toEqual(['drop']);
    expect(groups.find((g) => g.column === 'counter')?.fixes).toEqual(['round']);
    expect(fixText(groups.find((g) => g.column === 'counter')!)).toMatch(/Round to a whole number/);
  });

  it('reads the report files; a missing file is no groups', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nova-groups-'));
    const changes = path.join(dir, 'changes.jsonl');
    writeFileSync(
      changes,
      `${JSON.stringify({ table: 't', column: 'c', key: 'id=1', code: 'invalid-to-null', original: 'never', converted: null })}\n`,
    );
    expect(groupChanges(changes)).toEqual([
      {
        table: 't',
        column: 'c',
        kind: 'invalid-to-null',
        count: 1,
        examples: [{ key: 'id=1', from: 'never', to: 'empty' }],
      },
    ]);
    expect(rejectLines(path.join(dir, 'none.jsonl'))).toEqual([]);
  });
});
