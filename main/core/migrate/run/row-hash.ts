/**
 * Per-row hashes for the content checksums (verify.ts): the same 64-bit hash
 * must be computable by the engine over each COPY line it sends and by
 * PostgreSQL over each line rebuilt from the stored row, and it runs once per
 * migrated row, so it must be cheap on both sides.
 *
 * `lookup3` is PostgreSQL's own `hashtextextended(text, 0)` — Bob Jenkins'
 * lookup3 as src/common/hashfn.c implements it (hash_bytes_extended) — ported
 * here: about five times cheaper than md5 in the engine, and a plain
 * function call in SQL. PostgreSQL's result depends on the server's byte
 * order, so a job checks it against the port first (hashProbe) and falls
 * back to `md5` (the first 64 bits of md5, slower but portable) on a server
 * where they differ.
 *
 * A table's checksum is the sum of its rows' hashes as signed 64-bit
 * integers (exact, no wrap-around): independent of row order, sensitive to
 * a missing, extra or doubled row.
 */
import { hash } from 'node:crypto';
import { endianness } from 'node:os';

export type HashKind = 'lookup3' | 'md5';

/** SQL for the hash of one line (a text expression), as a signed bigint. */
export function hashSql(kind: HashKind, line: string): string {
  return kind === 'lookup3'
    ? `hashtextextended(${line}, 0)`
    : `('x' || left(md5(${line}), 16))::bit(64)::bigint`;
}

/** A string whose hash a job compares with the server's before trusting lookup3. */
export const HASH_PROBE = 'nova-migrate\tprobe\\N:\u00e9\u4e2d\ud83d\ude00 0123456789';

/** UTF-8 of the current line, with a word view over the same memory (lookup3 reads 32-bit words). */
const initial = new Uint8Array(1 << 16);
const scratch = { bytes: initial, words: new Uint32Array(initial.buffer) };
const encoder = new TextEncoder();
const LITTLE_ENDIAN = endianness() === 'LE';

/** Accumulates a batch's checksum; `take()` returns it and starts over. */
export class RowHasher {
  /** Sums of the high halves (as signed int32) and low halves (as uint32): exact up to 2^21 rows. */
  private hi = 0;
  private lo = 0;
  private rows = 0;

  constructor(readonly kind: HashKind) {}

  add(line: string): void {
    if (this.kind === 'lookup3') lookup3(line, this);
    else {
      const d = hash('md5', line, 'buffer');
      this.hi += d.readInt32BE(0);
      this.lo += d.readUInt32BE(4);
    }
    if (++this.rows === 1 << 20) this.fold();
  }

  /**
   * Adds the line whose UTF-8 bytes are `src[start, end)` — the same hash as
   * add() of the decoded line, without encoding it again (the COPY chunk
   * already holds it).
   */
  addUtf8(src: Buffer, start: number, end: number): void {
    if (this.kind === 'lookup3') {
      const len = end - start;
      scratchFor(len);
      // Into the aligned scratch buffer: lookup3 reads 32-bit words.
      src.copy(scratch.bytes, 0, start, end);
      lookup3Bytes(len, this);
    } else {
      const d = hash('md5', src.subarray(start, end), 'buffer');
      this.hi += d.readInt32BE(0);
      this.lo += d.readUInt32BE(4);
    }
    if (++this.rows === 1 << 20) this.fold();
  }

  /** Adds one 64-bit hash given as its two halves (lookup3 reports here). */
  addHalves(hi: number, lo: number): void {
    this.hi += hi | 0;
    this.lo += lo >>> 0;
  }

  take(): bigint {
    this.fold();
    const out = this.folded;
    this.folded = 0n;
    return out;
  }

  private folded = 0n;

  private fold(): void {
    this.folded += BigInt(this.hi) * 4294967296n + BigInt(this.lo);
    this.hi = 0;
    this.lo = 0;
    this.rows = 0;
  }
}

/** The hash of one line as a signed 64-bit bigint (tests, single rows). */
export function rowHash(kind: HashKind, line: string): bigint {
  const h = new RowHasher(kind);
  h.add(line);
  return h.take();
}

function rot(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Makes sure the scratch buffer holds at least `bytes` bytes. */
function scratchFor(bytes: number): void {
  if (bytes <= scratch.bytes.length) return;
  const size = 1 << Math.ceil(Math.log2(bytes + 16));
  scratch.bytes = new Uint8Array(size);
  scratch.words = new Uint32Array(scratch.bytes.buffer);
}

/** hash_bytes_extended(utf8(line), seed 0) of PostgreSQL, reported to `out` as (b, c). */
function lookup3(line: string, out: RowHasher): void {
  // Worst case 3 bytes per UTF-16 unit.
  scratchFor(line.length * 3);
  lookup3Bytes(encoder.encodeInto(line, scratch.bytes).written, out);
}

/** lookup3 of the first `length` bytes of the scratch buffer. */
function lookup3Bytes(length: number, out: RowHasher): void {
  const bytes = scratch.bytes;
  const words = scratch.words;
  let len = length;
  let a = (0x9e3779b9 + len + 3923095) | 0;
  let b = a;
  let c = a;
  let i = 0;
  while (len >= 12) {
    if (LITTLE_ENDIAN) {
      const w = i >>> 2;
      a = (a + words[w]!) | 0;
      b = (b + words[w + 1]!) | 0;
      c = (c + words[w + 2]!) | 0;
    } else {
      a = (a + word(bytes, i)) | 0;
      b = (b + word(bytes, i + 4)) | 0;
      c = (c + word(bytes, i + 8)) | 0;
    }
    // mix(a, b, c)
    a = (a - c) | 0;
    a ^= rot(c, 4);
    c = (c + b) | 0;
    b = (b - a) | 0;
    b ^= rot(a, 6);
    a = (a + c) | 0;
    c = (c - b) | 0;
    c ^= rot(b, 8);
    b = (b + a) | 0;
    a = (a - c) | 0;
    a ^= rot(c, 16);
    c = (c + b) | 0;
    b = (b - a) | 0;
    b ^= rot(a, 19);
    a = (a + c) | 0;
    c = (c - b) | 0;
    c ^= rot(b, 4);
    b = (b + a) | 0;
    i += 12;
    len -= 12;
  }
  // The last 11 bytes, little-endian; the lowest byte of c is reserved for the length.
  // (C's switch with fall-through: every byte at or below the remaining length is added.)
  if (len >= 11) c = (c + (bytes[i + 10]! << 24)) | 0;
  if (len >= 10) c = (c + (bytes[i + 9]! << 16)) | 0;
  if (len >= 9) c = (c + (bytes[i + 8]! << 8)) | 0;
  if (len >= 8) b = (b + (bytes[i + 7]! << 24)) | 0;
  if (len >= 7) b = (b + (bytes[i + 6]! << 16)) | 0;
  if (len >= 6) b = (b + (bytes[i + 5]! << 8)) | 0;
  if (len >= 5) b = (b + bytes[i + 4]!) | 0;
  if (len >= 4) a = (a + (bytes[i + 3]! << 24)) | 0;
  if (len >= 3) a = (a + (bytes[i + 2]! << 16)) | 0;
  if (len >= 2) a = (a + (bytes[i + 1]! << 8)) | 0;
  if (len >= 1) a = (a + bytes[i]!) | 0;
  // final(a, b, c)
  c ^= b;
  c = (c - rot(b, 14)) | 0;
  a ^= c;
  a = (a - rot(c, 11)) | 0;
  b ^= a;
  b = (b - rot(a, 25)) | 0;
  c ^= b;
  c = (c - rot(b, 16)) | 0;
  a ^= c;
  a = (a - rot(c, 4)) | 0;
  b ^= a;
  b = (b - rot(a, 14)) | 0;
  c ^= b;
  c = (c - rot(b, 24)) | 0;
  out.addHalves(b, c);
}

function word(bytes: Uint8Array, i: number): number {
  return bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
}
