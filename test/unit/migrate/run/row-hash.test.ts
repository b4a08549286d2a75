/**
 * The per-row hash of the content checksums: PostgreSQL's
 * hashtextextended(text, 0) ported to JS (values below were taken from
 * PostgreSQL 15; the integration test pg-canonical-text.test.ts compares
 * thousands more against the live server), summed exactly.
 */
import { describe, expect, it } from 'vitest';
import { HASH_PROBE, RowHasher, rowHash } from '../../../../main/core/migrate/run/row-hash.js';

describe('row hashes', () => {
  it('lookup3 is hashtextextended(text, 0), including multi-byte text and 12-byte boundaries', () => {
    expect(rowHash('lookup3', '')).toBe(-6939563903564495251n);
    expect(rowHash('lookup3', 'a')).toBe(3591986179850072241n);
    expect(rowHash('lookup3', 'abcdefghijkl')).toBe(-7556637188122330412n);
    expect(rowHash('lookup3', 'Zoë\ttab')).toBe(9144279022841917257n);
  });

  it('md5 is the signed first 64 bits of the md5 digest', () => {
    // md5('') = d41d8cd98f00b204e9800998ecf8427e
    expect(rowHash('md5', '')).toBe(BigInt.asIntN(64, 0xd41d8cd98f00b204n));
  });

  it('a checksum is an exact, order-independent sum that sees a missing or doubled row', () => {
    const lines = ['1\ta', '2\tb', '3\tc', HASH_PROBE];
    const sum = (xs: string[]): bigint => {
      const h = new RowHasher('lookup3');
      xs.forEach((x) => h.add(x));
      return h.take();
    };
    expect(sum(lines)).toBe(lines.reduce((acc, l) => acc + rowHash('lookup3', l), 0n));
    expect(sum([...lines].reverse())).toBe(sum(lines));
    expect(sum(lines.slice(1))).not.toBe(sum(lines));
    expect(sum([...lines, lines[0]!])).not.toBe(sum(lines));
    const h = new RowHasher('lookup3');
    h.add('x');
    expect(h.take()).toBe(rowHash('lookup3', 'x'));
    expect(h.take()).toBe(0n);
  });

  it('hashes lines longer than the scratch buffer', () => {
    const long = '\u4e2d'.repeat(40_000);
    expect(rowHash('lookup3', long)).toBe(rowHash('lookup3', long));
    expect(rowHash('lookup3', long)).not.toBe(rowHash('lookup3', `${long}x`));
  });

  it('addUtf8 of the bytes of a line anywhere in a buffer equals add of the line', () => {
    const lines = ['', 'a', 'ab\tc\\N', HASH_PROBE, 'x'.repeat(12), '\u4e2d'.repeat(30_000)];
    for (const kind of ['lookup3', 'md5'] as const) {
      for (const line of lines) {
        // An odd offset: the COPY chunk holds lines at any byte position.
        const buf = Buffer.concat([
          Buffer.from('zzz'),
          Buffer.from(line, 'utf8'),
          Buffer.from('\n'),
        ]);
        const h = new RowHasher(kind);
        h.addUtf8(buf, 3, buf.length - 1);
        expect(h.take(), `${kind} ${line.slice(0, 10)}`).toBe(rowHash(kind, line));
      }
    }
  });
});
