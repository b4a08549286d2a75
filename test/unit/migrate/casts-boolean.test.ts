import { describe, expect, it } from 'vitest';
import { toBoolean } from '../../../main/core/migrate/casts/index.js';

describe('toBoolean', () => {
  const truthy: unknown[] = [
    1,
    1.0,
    1n,
    true,
    '1',
    'true',
    'TRUE',
    'True',
    'yes',
    'YES',
    'on',
    'On',
    't',
    'T',
    ' true ',
    '1.0',
  ];
  const falsy: unknown[] = [
    0,
    0.0,
    -0,
    0n,
    false,
    '0',
    'false',
    'FALSE',
    'no',
    'No',
    'off',
    'OFF',
    'f',
    'F',
    ' no\n',
    '0.0',
  ];
  const bad: unknown[] = [
    2,
    -1,
    0.5,
    2n,
    '',
    ' ',
    'maybe',
    'y',
    'n',
    'truee',
    '2',
    'null',
    Buffer.from('1'),
    {},
    NaN,
  ];

  it.each(truthy.map((v) => [v]))('%o → true', (v) => {
    expect(toBoolean(v)).toEqual({ ok: true, value: true });
  });

  it.each(falsy.map((v) => [v]))('%o → false', (v) => {
    expect(toBoolean(v)).toEqual({ ok: true, value: false });
  });

  it.each(bad.map((v) => [v]))('%o is invalid, with the accepted spellings in the reason', (v) => {
    const r = toBoolean(v);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.original).toBe(v);
      expect(r.reason).toContain('expected 0/1, true/false, yes/no, on/off or t/f');
    }
  });
});
