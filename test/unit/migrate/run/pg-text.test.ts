/**
 * The COPY text the engine writes must be byte for byte what PostgreSQL
 * prints back (pg-text.ts): checked here on the formatting rules, and
 * against a real server in test/integration/migrate/pg-canonical-text.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  copyLine,
  escapeCopy,
  float8Text,
  jsonbText,
  jsonNumberText,
  lineEncoder,
  timestamptzText,
} from '../../../../main/core/migrate/run/pg-text.js';

describe('COPY text encoding', () => {
  it('escapes backslash, tab, newline and carriage return, and nothing else', () => {
    expect(escapeCopy('plain text, "quotes" and \u00e9')).toBe('plain text, "quotes" and \u00e9');
    expect(escapeCopy('a\\b\tc\nd\re')).toBe('a\\\\b\\tc\\nd\\re');
  });

  it('writes NULL as \\N and each kind in its PostgreSQL output form', () => {
    const line = copyLine(
      [
        'integer',
        'bigint',
        'text',
        'boolean',
        'boolean',
        'timestamptz',
        'jsonb',
        'bytea',
        'real',
        'date',
      ],
      [
        7,
        2n ** 60n,
        'x\ty',
        true,
        false,
        new Date('2024-01-02T03:04:05.600Z'),
        { b: 1, a: [1, 'q'] },
        Buffer.from([1, 255]),
        0.1,
        '2024-02-29',
      ],
    );
    // The escaped tab inside 'x\ty' is a backslash and a 't': the line still splits into 10 fields.
    expect(line.split('\t')).toEqual([
      '7',
      '1152921504606846976',
      'x\\ty',
      't',
      'f',
      '2024-01-02 03:04:05.6+00',
      '{"a": [1, "q"], "b": 1}',
      '\\\\x01ff',
      '0.1',
      '2024-02-29',
    ]);
    expect(lineEncoder(['text', 'integer'])([null, undefined])).toBe('\\N\t\\N');
  });

  it('prints timestamps in UTC with trailing zeros of the fraction trimmed', () => {
    expect(timestamptzText(new Date('2024-01-02T03:04:05.000Z'))).toBe('2024-01-02 03:04:05+00');
    expect(timestamptzText(new Date('2024-01-02T03:04:05.120Z'))).toBe('2024-01-02 03:04:05.12+00');
    expect(timestamptzText(new Date('2024-01-02T03:04:05.007Z'))).toBe(
      '2024-01-02 03:04:05.007+00',
    );
    expect(timestamptzText(new Date('0001-01-01T00:00:00Z'))).toBe('0001-01-01 00:00:00+00');
    expect(timestamptzText(new Date('1969-12-31T23:59:59.999Z'))).toBe(
      '1969-12-31 23:59:59.999+00',
    );
    expect(timestamptzText(new Date('9999-12-31T23:59:59.999Z'))).toBe(
      '9999-12-31 23:59:59.999+00',
    );
  });

  it('prints doubles like float8out: shortest digits, fixed for exponents -4..14, else d.ddde±XX', () => {
    expect(float8Text(0.1)).toBe('0.1');
    expect(float8Text(1e15)).toBe('1e+15');
    expect(float8Text(123456789012345)).toBe('123456789012345');
    expect(float8Text(0.0001)).toBe('0.0001');
    expect(float8Text(0.00001)).toBe('1e-05');
    expect(float8Text(-1.5e-300)).toBe('-1.5e-300');
    expect(float8Text(1.7976931348623157e308)).toBe('1.7976931348623157e+308');
    expect(float8Text(-0)).toBe('-0');
    expect(float8Text(9.705605544149875e-11)).toBe('9.705605544149875e-11');
    // JavaScript's shortest digits sit on the rounding boundary; PostgreSQL's Ryu prints more.
    expect(float8Text(4.5869016647338864e16)).toBe('4.5869016647338864e+16');
    expect(float8Text(-4.2537391185760496e16)).toBe('-4.2537391185760496e+16');
    expect(float8Text(Number.NaN)).toBe('NaN');
    expect(float8Text(-Infinity)).toBe('-Infinity');
  });

  it('prints jsonb with keys by length then bytes, ", " and ": " separators, and plain-decimal numbers', () => {
    expect(jsonbText({ bb: 1, a: 2, c: null, ab: [true, false] })).toBe(
      '{"a": 2, "c": null, "ab": [true, false], "bb": 1}',
    );
    expect(jsonbText({ é: 1, z: 2 })).toBe('{"z": 2, "é": 1}');
    expect(jsonbText([])).toBe('[]');
    expect(jsonbText({})).toBe('{}');
    expect(jsonbText('tab\there "q"')).toBe('"tab\\there \\"q\\""');
    expect(jsonNumberText(1e21)).toBe('1000000000000000000000');
    expect(jsonNumberText(1.5e-7)).toBe('0.00000015');
    expect(jsonNumberText(-12.5)).toBe('-12.5');
    expect(jsonNumberText(-0)).toBe('0');
  });
});
