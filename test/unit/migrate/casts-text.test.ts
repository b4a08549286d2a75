import { describe, expect, it } from 'vitest';
import { toBytea, toText } from '../../../main/core/migrate/casts/index.js';

describe('toText', () => {
  it.each([
    ['plain', 'plain'],
    ['', ''],
    ['Zoë ✓', 'Zoë ✓'],
    [42, '42'],
    [1.5, '1.5'],
    [12345678901234567890n, '12345678901234567890'],
  ])('%o → %o unchanged', (input, expected) => {
    expect(toText(input)).toEqual({ ok: true, value: expected });
  });

  it('strips NUL characters and records the original', () => {
    expect(toText('Printer\u0000 jam\u0000')).toEqual({
      ok: true,
      value: 'Printer jam',
      change: {
        code: 'nul-stripped',
        original: 'Printer\u0000 jam\u0000',
        converted: 'Printer jam',
        reason: 'NUL characters removed: PostgreSQL text cannot store them',
      },
    });
  });

  it('decodes a UTF-8 BLOB, recording it', () => {
    const blob = Buffer.from('Zoë', 'utf8');
    expect(toText(blob)).toEqual({
      ok: true,
      value: 'Zoë',
      change: {
        code: 'blob-decoded-utf8',
        original: blob,
        converted: 'Zoë',
        reason: 'BLOB in a text column, decoded as UTF-8',
      },
    });
    expect(toText(new Uint8Array([0x61, 0x00, 0x62]))).toMatchObject({
      ok: true,
      value: 'ab',
      change: { code: 'blob-decoded-utf8', reason: expect.stringContaining('NUL') },
    });
  });

  it('stores a BLOB that is not UTF-8 as base64, recording it', () => {
    const blob = Buffer.from([0xff, 0xfe, 0x00, 0x41]);
    expect(toText(blob)).toEqual({
      ok: true,
      value: '//4AQQ==',
      change: {
        code: 'blob-base64',
        original: blob,
        converted: '//4AQQ==',
        reason: 'BLOB in a text column is not valid UTF-8; stored as base64',
      },
    });
  });

  it('refuses values that are not SQLite storage classes', () => {
    expect(toText({ a: 1 })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('cannot store'),
    });
  });
});

describe('toBytea', () => {
  it('keeps bytes, converts Uint8Array, records text stored as bytes', () => {
    const b = Buffer.from([1, 2, 3]);
    expect(toBytea(b)).toEqual({ ok: true, value: b });
    expect(toBytea(new Uint8Array([1, 2]))).toEqual({ ok: true, value: Buffer.from([1, 2]) });
    expect(toBytea('hi')).toMatchObject({
      ok: true,
      value: Buffer.from('hi'),
      change: { code: 'text-to-bytes', original: 'hi' },
    });
    expect(toBytea(5)).toMatchObject({ ok: false, reason: '5 is not binary data' });
  });
});
