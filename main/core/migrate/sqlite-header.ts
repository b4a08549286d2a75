/**
 * The 100-byte SQLite database header (https://sqlite.org/fileformat.html §1.3),
 * read before SQLite opens the file so that a file which is not a database,
 * is encrypted, or was cut short gets a precise message instead of SQLite's
 * generic "file is not a database".
 */
import { describeFileKind, looksLikeText } from './file-kind.js';
import { open } from 'node:fs/promises';

export const SQLITE_MAGIC = Buffer.from('SQLite format 3\u0000', 'latin1');
export const HEADER_SIZE = 100;

export interface SqliteHeader {
  pageSize: number;
  /** 1 = legacy rollback journal, 2 = WAL. */
  writeVersion: number;
  readVersion: number;
  changeCounter: number;
  /** Database size in pages according to the header; only meaningful when `pageCountValid`. */
  pageCount: number;
  /**
   * SQLite trusts the in-header size only when the change counter equals the
   * version-valid-for number (written by SQLite ≥ 3.7.0); older writers leave
   * it stale and the file size is authoritative.
   */
  pageCountValid: boolean;
  textEncoding: 'UTF-8' | 'UTF-16le' | 'UTF-16be' | 'unknown';
  userVersion: number;
  /** SQLITE_VERSION_NUMBER of the library that last wrote the file, e.g. 3045001. */
  writtenBy: number;
}

export type HeaderProbe =
  | { kind: 'sqlite'; header: SqliteHeader }
  /** Magic present but fewer than 100 bytes, or a page size SQLite cannot have. */
  | { kind: 'damaged-header'; detail: string }
  | { kind: 'empty' }
  /**
   * No magic; `text` when the first bytes look like text (a dump, a log, a
   * config file); `fileKind` says what it seems to be, never what it holds.
   */
  | { kind: 'foreign'; text: boolean; fileKind: string };

/** Reads and classifies the first 100 bytes of `file`. */
export async function probeHeader(file: string): Promise<HeaderProbe> {
  const handle = await open(file, 'r');
  try {
    const buf = Buffer.alloc(HEADER_SIZE);
    const { bytesRead } = await handle.read(buf, 0, HEADER_SIZE, 0);
    return classifyHeader(buf.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}

/** Pure classification of a file's first bytes (exported for tests). */
export function classifyHeader(bytes: Buffer): HeaderProbe {
  if (bytes.length === 0) return { kind: 'empty' };
  const magicLength = Math.min(bytes.length, SQLITE_MAGIC.length);
  if (!bytes.subarray(0, magicLength).equals(SQLITE_MAGIC.subarray(0, magicLength))) {
    return { kind: 'foreign', text: looksLikeText(bytes), fileKind: describeFileKind(bytes) };
  }
  if (bytes.length < HEADER_SIZE) {
    return {
      kind: 'damaged-header',
      detail: `the file is only ${bytes.length} bytes, shorter than the 100-byte SQLite header`,
    };
  }
  const raw = bytes.readUInt16BE(16);
  const pageSize = raw === 1 ? 65536 : raw;
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) {
    return { kind: 'damaged-header', detail: `the header gives an impossible page size (${raw})` };
  }
  const changeCounter = bytes.readUInt32BE(24);
  const encoding = bytes.readUInt32BE(56);
  return {
    kind: 'sqlite',
    header: {
      pageSize,
      writeVersion: bytes[18]!,
      readVersion: bytes[19]!,
      changeCounter,
      pageCount: bytes.readUInt32BE(28),
      pageCountValid: bytes.readUInt32BE(28) > 0 && changeCounter === bytes.readUInt32BE(92),
      textEncoding:
        encoding === 1
          ? 'UTF-8'
          : encoding === 2
            ? 'UTF-16le'
            : encoding === 3
              ? 'UTF-16be'
              : 'unknown',
      userVersion: bytes.readInt32BE(60),
      writtenBy: bytes.readUInt32BE(96),
    },
  };
}

/** 3045001 → "3.45.1". */
export function formatSqliteVersionNumber(n: number): string {
  if (n <= 0) return 'unknown';
  return `${Math.floor(n / 1_000_000)}.${Math.floor(n / 1000) % 1000}.${n % 1000}`;
}
