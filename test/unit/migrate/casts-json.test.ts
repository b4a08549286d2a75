import { describe, expect, it } from 'vitest';
import { toJsonb } from '../../../main/core/migrate/casts/index.js';

describe('toJsonb', () => {
  it.each([
    ['{"monday":[9,17]}', { monday: [9, 17] }],
    ['[]', []],
    ['"text"', 'text'],
    ['123', 123],
    ['null', null],
    [' { "a" : true } ', { a: true }],
    [5, 5],
    [7n, 7],
  ])('%o → %o', (input, expected) => {
    expect(toJsonb(input)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['{"monday": [9, 17]'],
    ['{bad json'],
    [''],
    ['{"a":1,}'],
    ["{'a':1}"],
    ['undefined'],
    [NaN],
    [Buffer.from([0xff])],
  ])('%o is invalid', (input) => {
    const r = toJsonb(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.original).toBe(input);
  });

  it('says what is wrong with invalid JSON', () => {
    expect(toJsonb('{"a":1,}')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^invalid JSON \(.+\)$/),
    });
  });

  it('removes \\u0000 escapes (jsonb cannot store them) from strings and keys, recording it', () => {
    const text = '{"note":"a\\u0000b","k\\u0000":["x\\u0000"],"ok":"fine"}';
    expect(toJsonb(text)).toEqual({
      ok: true,
      value: { note: 'ab', k: ['x'], ok: 'fine' },
      change: {
        code: 'nul-stripped',
        original: text,
        converted: { note: 'ab', k: ['x'], ok: 'fine' },
        reason: '\\u0000 escapes removed: PostgreSQL jsonb cannot store them',
      },
    });
  });

  it('does not mistake an escaped backslash followed by u0000 for a NUL', () => {
    expect(toJsonb('{"path":"C:\\\\u0000"}')).toEqual({ ok: true, value: { path: 'C:\\u0000' } });
  });

  it('removes raw NUL characters around JSON text', () => {
    expect(toJsonb('{"a":1}\u0000')).toMatchObject({
      ok: true,
      value: { a: 1 },
      change: { code: 'nul-stripped', reason: 'NUL characters removed' },
    });
  });

  it('parses a UTF-8 BLOB holding JSON, recording it', () => {
    const blob = Buffer.from('{"a":"ë"}');
    expect(toJsonb(blob)).toMatchObject({
      ok: true,
      value: { a: 'ë' },
      change: { code: 'blob-decoded-utf8', original: blob },
    });
  });

  it('keeps a "__proto__" key as a key when it has to copy an object', () => {
    const r = toJsonb('{"__proto__":{"x":"a\\u0000"}}');
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(Object.keys(r.value as object)).toEqual(['__proto__']);
      expect(JSON.stringify(r.value)).toBe('{"__proto__":{"x":"a"}}');
    }
  });
});
