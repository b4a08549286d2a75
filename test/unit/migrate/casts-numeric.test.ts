import { describe, expect, it } from 'vitest';
import { toBigint, toInteger, toReal } from '../../../main/core/migrate/casts/index.js';

describe('toInteger', () => {
  it.each([
    [3, 3],
    [3.0, 3],
    [-7, -7],
    [2147483647, 2147483647],
    [-2147483648, -2147483648],
    [42n, 42],
    ['42', 42],
    [' -5 ', -5],
    ['4.0', 4],
    ['1e3', 1000],
  ])('%o → %o', (input, expected) => {
    expect(toInteger(input)).toEqual({ ok: true, value: expected });
  });

  it.each([
    [3.5, 'fractional part'],
    ['3.5', 'fractional part'],
    [2147483648, 'out of range for integer (32-bit)'],
    [2147483648n, 'out of range for integer (32-bit)'],
    ['99999999999', 'out of range for integer (32-bit)'],
    ['abc', 'is not an integer'],
    ['', 'is not an integer'],
    ['true', 'is not an integer'],
    [Infinity, 'is not a whole number'],
    [Buffer.from([1]), 'is not an integer'],
  ])('%o is invalid (%s)', (input, reason) => {
    const r = toInteger(input);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).toContain(reason);
      expect(r.original).toEqual(input);
    }
  });

  it('rounds a fractional value only when the column says so, and records it', () => {
    expect(toInteger(3.5, 'round')).toEqual({
      ok: true,
      value: 4,
      change: {
        code: 'rounded',
        original: 3.5,
        converted: 4,
        reason: '3.5 rounded to 4 for an integer column',
      },
    });
    expect(toInteger(2.4, 'round')).toMatchObject({
      ok: true,
      value: 2,
      change: { code: 'rounded' },
    });
  });
});

describe('toBigint', () => {
  it('keeps 64-bit values exact: safe ones as numbers, larger ones as bigints', () => {
    expect(toBigint(2147483648)).toEqual({ ok: true, value: 2147483648 });
    expect(toBigint(9007199254740993n)).toEqual({ ok: true, value: 9007199254740993n });
    expect(toBigint('9223372036854775807')).toEqual({ ok: true, value: 9223372036854775807n });
    expect(toBigint(-(2n ** 63n))).toEqual({ ok: true, value: -(2n ** 63n) });
  });

  it('refuses values beyond 64 bits and unsafe JS numbers (digits already lost on read)', () => {
    expect(toBigint('9223372036854775808')).toMatchObject({
      ok: false,
      reason: expect.stringContaining('64-bit'),
    });
    expect(toBigint(2 ** 60)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('safeIntegers'),
    });
    expect(toBigint(3.5)).toMatchObject({ ok: false });
  });
});

describe('toReal', () => {
  it.each([
    [1.5, 1.5],
    [3, 3],
    [2n, 2],
    ['2.25', 2.25],
    [' -1e-3 ', -0.001],
    ['Infinity', Infinity],
    ['-inf', -Infinity],
  ])('%o → %o', (input, expected) => {
    expect(toReal(input)).toEqual({ ok: true, value: expected });
  });

  it('records a bigint that a double cannot hold exactly', () => {
    expect(toReal(2n ** 60n + 1n)).toMatchObject({
      ok: true,
      value: 2 ** 60,
      change: { code: 'precision-lost' },
    });
  });

  it.each([['abc'], [''], [Buffer.from('1')], ['1,5']])('%o is invalid', (input) => {
    expect(toReal(input)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('is not a number'),
    });
  });
});
