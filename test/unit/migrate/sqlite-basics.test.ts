import { describe, expect, it } from 'vitest';
import {
  classifyHeader,
  formatSqliteVersionNumber,
  SQLITE_MAGIC,
} from '../../../main/core/migrate/sqlite-header.js';
import { affinityOf, quoteIdent, quoteIdentList } from '../../../main/core/migrate/sqlite-ident.js';

/** A 100-byte header with the given page-size field, page count and version-valid-for. */
function header(pageSizeField: number, pageCount = 10, validFor = 7, changeCounter = 7): Buffer {
  const b = Buffer.alloc(100);
  SQLITE_MAGIC.copy(b, 0);
  b.writeUInt16BE(pageSizeField, 16);
  b[18] = 2;
  b[19] = 2;
  b.writeUInt32BE(changeCounter, 24);
  b.writeUInt32BE(pageCount, 28);
  b.writeUInt32BE(1, 56);
  b.writeInt32BE(42, 60);
  b.writeUInt32BE(validFor, 92);
  b.writeUInt32BE(3045001, 96);
  return b;
}

describe('classifyHeader', () => {
  it('reads a SQLite header', () => {
    expect(classifyHeader(header(4096))).toEqual({
      kind: 'sqlite',
      header: {
        pageSize: 4096,
        writeVersion: 2,
        readVersion: 2,
        changeCounter: 7,
        pageCount: 10,
        pageCountValid: true,
        textEncoding: 'UTF-8',
        userVersion: 42,
        writtenBy: 3045001,
      },
    });
    expect(classifyHeader(header(1))).toMatchObject({ header: { pageSize: 65536 } });
    // A stale in-header size (written by SQLite < 3.7.0) is not trusted.
    expect(classifyHeader(header(4096, 10, 6, 7))).toMatchObject({
      header: { pageCountValid: false },
    });
  });

  it('classifies what is not a database', () => {
    expect(classifyHeader(Buffer.alloc(0))).toEqual({ kind: 'empty' });
    expect(classifyHeader(Buffer.from('id,name\n1,Ada\n'))).toEqual({
      kind: 'foreign',
      text: true,
      fileKind: 'a text file',
    });
    expect(classifyHeader(Buffer.from('Grüße aus Köln, '.repeat(5)))).toMatchObject({
      kind: 'foreign',
      text: true,
    });
    expect(classifyHeader(Buffer.from([0x53, 0x51, 0x4c, 0x00, 0xff, 0x10]))).toMatchObject({
      kind: 'foreign',
      text: false,
    });
    expect(classifyHeader(SQLITE_MAGIC.subarray(0, 10))).toMatchObject({ kind: 'damaged-header' });
    expect(classifyHeader(header(1000))).toEqual({
      kind: 'damaged-header',
      detail: 'the header gives an impossible page size (1000)',
    });
    expect(classifyHeader(header(256))).toMatchObject({ kind: 'damaged-header' });
  });

  it('formats version numbers', () => {
    expect(formatSqliteVersionNumber(3045001)).toBe('3.45.1');
    expect(formatSqliteVersionNumber(0)).toBe('unknown');
  });
});

describe('quoteIdent', () => {
  it.each([
    ['users', '"users"'],
    ['x"; DROP TABLE users; --', '"x""; DROP TABLE users; --"'],
    ['we"ird col', '"we""ird col"'],
    ['', '""'],
  ])('%j → %s', (name, quoted) => {
    expect(quoteIdent(name)).toBe(quoted);
  });

  it('refuses a NUL, which would truncate the name', () => {
    expect(() => quoteIdent('a\u0000b')).toThrow(/NUL/);
  });

  it('quotes lists', () => {
    expect(quoteIdentList(['a', 'b"c'])).toBe('"a", "b""c"');
  });
});

describe('affinityOf (SQLite rules, in order)', () => {
  it.each([
    ['INTEGER', 'INTEGER'],
    ['BIGINT', 'INTEGER'],
    ['CHARINT', 'INTEGER'],
    ['FLOATING POINT', 'INTEGER'],
    ['VARCHAR(20)', 'TEXT'],
    ['CLOB', 'TEXT'],
    ['text', 'TEXT'],
    ['', 'BLOB'],
    ['BLOB', 'BLOB'],
    ['REAL', 'REAL'],
    ['DOUBLE', 'REAL'],
    ['FLOAT', 'REAL'],
    ['NUMERIC', 'NUMERIC'],
    ['DECIMAL(10,5)', 'NUMERIC'],
    ['BOOLEAN', 'NUMERIC'],
    ['DATETIME', 'NUMERIC'],
    ['JSON', 'NUMERIC'],
  ])('%j → %s', (declared, affinity) => {
    expect(affinityOf(declared)).toBe(affinity);
  });
});
