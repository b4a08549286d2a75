/** Source values in rejects.jsonl: what an admin edits must decode to exactly the value SQLite held. */
import { describe, expect, it } from 'vitest';
import {
  rawFromJson,
  rawToJson,
  rawToText,
  rowToJson,
} from '../../../../main/core/migrate/run/raw-values.js';

describe('raw source values as JSON', () => {
  it('round-trips every SQLite storage class', () => {
    for (const v of [null, 0, -1.5, 'text with \u0000 NUL', 2n ** 62n, Buffer.from([0, 255, 9])]) {
      const back = rawFromJson(JSON.parse(JSON.stringify(rawToJson(v))), 'v');
      if (typeof v === 'bigint') expect(back).toBe(v);
      else expect(back).toEqual(v);
    }
    expect(rawToJson(42n)).toBe(42);
    expect(rawToJson(Buffer.from('hi'))).toEqual({ $blob: '6869' });
    expect(rawToJson(2n ** 62n)).toEqual({ $bigint: '4611686018427387904' });
  });

  it('reads edited values leniently where it is safe, and refuses what is not a source value', () => {
    expect(rawFromJson(true, 'row.flag')).toBe(1);
    expect(() => rawFromJson([1], 'row.x')).toThrow(/row\.x is \[1\], which is not a source value/);
    expect(() => rawFromJson({ $blob: 'zz' }, 'row.y')).toThrow(/not a source value/);
  });

  it('shows values as text for people, and rows keyed by column, even a "__proto__" column', () => {
    expect(rawToText(null)).toBe('NULL');
    expect(rawToText(Buffer.from([1, 2]))).toBe("x'0102'");
    const row = rowToJson(['__proto__', 'b'], [1, null]);
    expect(Object.keys(row)).toEqual(['__proto__', 'b']);
    expect(JSON.parse(JSON.stringify(row))).toEqual(JSON.parse('{"__proto__": 1, "b": null}'));
  });
});
