import { describe, expect, it } from 'vitest';
import { toDate, toTimestamptz } from '../../../main/core/migrate/casts/index.js';

const iso = (input: unknown): string | undefined => {
  const r = toTimestamptz(input);
  return r.ok ? (r.value as Date).toISOString() : undefined;
};

describe('toTimestamptz', () => {
  it.each([
    ['2024-01-02T03:04:05.678Z', '2024-01-02T03:04:05.678Z', 'toISOString()'],
    ['2024-01-02T03:04:05z', '2024-01-02T03:04:05.000Z', 'lower-case z'],
    ['2024-01-02T05:04:05+02:00', '2024-01-02T03:04:05.000Z', 'offset'],
    ['2024-01-02T05:04:05+0200', '2024-01-02T03:04:05.000Z', 'offset without colon'],
    ['2024-01-02T05:04:05+02', '2024-01-02T03:04:05.000Z', 'hour offset'],
    ['2024-01-01T22:30:00-05:30', '2024-01-02T04:00:00.000Z', 'negative offset crossing midnight'],
    ['2024-01-02 03:04:05', '2024-01-02T03:04:05.000Z', 'SQLite CURRENT_TIMESTAMP, UTC'],
    ['2024-01-02 03:04:05.5', '2024-01-02T03:04:05.500Z', 'SQLite with fraction'],
    ['2024-01-02 03:04:05.123', '2024-01-02T03:04:05.123Z', 'SQLite with milliseconds'],
    ['2024-01-02 03:04:05 UTC', '2024-01-02T03:04:05.000Z', 'UTC suffix'],
    ['2024-01-02T03:04:05', '2024-01-02T03:04:05.000Z', 'T without zone, UTC'],
    ['2024-01-02T03:04', '2024-01-02T03:04:00.000Z', 'no seconds'],
    ['2024-01-02', '2024-01-02T00:00:00.000Z', 'date only → midnight UTC'],
    ['2024-02-29', '2024-02-29T00:00:00.000Z', 'leap day'],
    ['2000-02-29 12:00:00', '2000-02-29T12:00:00.000Z', 'leap day in a century divisible by 400'],
    ['1700000000', '2023-11-14T22:13:20.000Z', 'epoch seconds as text'],
    ['1700000000000', '2023-11-14T22:13:20.000Z', 'epoch milliseconds as text'],
    ['1700000000123.0', '2023-11-14T22:13:20.123Z', 'epoch ms from a float bound into TEXT'],
    ['1700000000.5', '2023-11-14T22:13:20.500Z', 'fractional epoch seconds'],
    [1700000000, '2023-11-14T22:13:20.000Z', 'epoch seconds as a number'],
    [1700000000123, '2023-11-14T22:13:20.123Z', 'epoch ms as a number'],
    [1700000000n, '2023-11-14T22:13:20.000Z', 'epoch seconds as a bigint'],
    [0, '1970-01-01T00:00:00.000Z', 'epoch zero'],
    ['Tue, 14 Nov 2023 22:13:20 GMT', '2023-11-14T22:13:20.000Z', 'toUTCString()'],
    [
      'Tue Nov 14 2023 23:13:20 GMT+0100 (Central European Standard Time)',
      '2023-11-14T22:13:20.000Z',
      'toString()',
    ],
    ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00.000Z', 'first valid year'],
    ['9999-12-31 23:59:59', '9999-12-31T23:59:59.000Z', 'last valid second'],
  ] as [unknown, string, string][])('%o → %s (%s)', (input, expected) => {
    expect(iso(input)).toBe(expected);
  });

  it('records digits beyond milliseconds that had to be dropped', () => {
    expect(toTimestamptz('2024-01-02 03:04:05.123456')).toMatchObject({
      ok: true,
      change: { code: 'sub-millisecond-dropped', original: '2024-01-02 03:04:05.123456' },
    });
    expect(toTimestamptz('2024-01-02 03:04:05.123000')).not.toHaveProperty('change');
  });

  it.each([
    ['not a date', 'is not a timestamp'],
    ['', 'is not a timestamp'],
    ['2024-13-01', 'not a valid calendar date'],
    ['2023-02-29', 'not a valid calendar date'],
    ['1900-02-29', 'not a valid calendar date'],
    ['2024-04-31 10:00:00', 'not a valid calendar date'],
    ['2024-01-01 24:00:00', 'impossible time of day'],
    ['2024-01-01 23:60:00', 'impossible time of day'],
    ['2024-01-01 23:59:60', 'impossible time of day'],
    ['2024-01-01T10:00:00+15:00', 'impossible UTC offset'],
    ['0000-01-01', 'not a valid calendar date'],
    ['0001-01-01T00:30:00+01:00', 'outside the years 0001–9999'],
    ['9999-12-31T23:30:00-01:00', 'outside the years 0001–9999'],
    ['1e20', 'is not a timestamp'],
    [1e17, 'outside the years 0001–9999'],
    ['12/25/2023', 'is not a timestamp'],
    ['2024-1-2', 'is not a timestamp'],
    [Buffer.from('2024-01-01'), 'is not a timestamp'],
    [Infinity, 'is not a timestamp'],
  ])('%o is invalid (%s)', (input, reason) => {
    const r = toTimestamptz(input);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).toContain(reason);
      expect(r.original).toBe(input);
    }
  });
});

describe('the two common shapes (read without the general regex)', () => {
  it.each([
    ['2024-02-29T23:59:59.999Z', '2024-02-29T23:59:59.999Z'],
    ['2024-01-02t03:04:05.010z', '2024-01-02T03:04:05.010Z'],
    ['2024-01-02 03:04:05.000Z', '2024-01-02T03:04:05.000Z'],
    ['2024-01-02T03:04:05', '2024-01-02T03:04:05.000Z'],
    ['0001-01-01 00:00:00', '0001-01-01T00:00:00.000Z'],
  ])('%s → %s', (input, expected) => {
    expect(iso(input)).toBe(expected);
  });

  it.each([
    ['2023-02-29T10:00:00.000Z', 'not a valid calendar date'],
    ['2024-00-10 10:00:00', 'not a valid calendar date'],
    ['2024-01-01T24:00:00.000Z', 'impossible time of day'],
    ['2024-01-01 23:59:60', 'impossible time of day'],
    ['0000-12-31T23:59:59.999Z', 'not a valid calendar date'],
    ['2024-01-01T1a:00:00.000Z', 'is not a timestamp'],
    ['2024-01-01T10:00:00.00xZ', 'is not a timestamp'],
    ['2024-01-01T10:00:00.000X', 'is not a timestamp'],
    ['2024-01-01x10:00:00', 'is not a timestamp'],
  ])('%s is invalid (%s), as through the general path', (input, reason) => {
    const r = toTimestamptz(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain(reason);
  });

  it('gives a date column the date as written', () => {
    expect(toDate('2024-03-04T00:00:00.000Z')).toEqual({ ok: true, value: '2024-03-04' });
    expect(toDate('0987-03-04 10:00:00')).toMatchObject({ ok: true, value: '0987-03-04' });
  });
});

describe('toDate', () => {
  it.each([
    ['2024-01-02', '2024-01-02'],
    ['2024-01-02 00:00:00', '2024-01-02'],
    ['2024-01-02T00:00:00Z', '2024-01-02'],
    [1704153600, '2024-01-02'],
  ])('%o → %s', (input, expected) => {
    expect(toDate(input)).toEqual({ ok: true, value: expected });
  });

  it('keeps the date as written and records a dropped time of day', () => {
    expect(toDate('2024-01-01T23:30:00-02:00')).toMatchObject({
      ok: true,
      value: '2024-01-01',
      change: { code: 'time-dropped' },
    });
    expect(toDate('1700000000')).toMatchObject({
      ok: true,
      value: '2023-11-14',
      change: { code: 'time-dropped' },
    });
  });

  it('refuses what toTimestamptz refuses', () => {
    expect(toDate('not a date')).toMatchObject({ ok: false, original: 'not a date' });
  });
});
