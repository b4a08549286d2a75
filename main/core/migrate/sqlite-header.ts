/**
 * The 100-byte SQLite database header (https://sqlite.org/fileformat.html §1.3),
 * read before SQLite opens the file so that a file which is not a database,
 * is encrypted, or was cut short gets a precise message instead of SQLite's
 * generic "file is not a database".
 */
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
  /** No magic; `text` when the first bytes look like text (a dump, a log, a config file). */
  | { kind: 'foreign'; text: boolean; preview: string };

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
    return { kind: 'foreign', text: looksLikeText(bytes), preview: preview(bytes) };
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

/** Text files are valid UTF-8 without control bytes other than tab/CR/LF. */
function looksLikeText(bytes: Buffer): boolean {
  for (const b of bytes) {
    if (b < 0x09 || (b > 0x0d && b < 0x20) || b === 0x7f) return false;
  }
  // stream: true holds back a multi-byte character cut by the 100-byte read.
  return !new TextDecoder('utf-8').decode(bytes, { stream: true }).includes('\ufffd');
}

/** The first bytes as printable text, for a message ("starts with …"). */
function preview(bytes: Buffer): string {
  const text = bytes
    .subarray(0, 32)
    .toString('latin1')
    .replace(/[^\x20-\x7e]/g, '.');
  return bytes.length > 32 ? `${text}…` : text;
}
