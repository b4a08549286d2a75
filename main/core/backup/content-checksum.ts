/**
 * Content checksums per table or collection: a row count and a hash over the
 * rows, computed the same way on the live database, on a backup and on a
 * restored copy, so "restored = backed up" is a comparison of two lists.
 * Backups record them, verify and restore compare against them, tests and
 * the migration engine reuse them.
 *
 * The hash is order-independent (a sum of per-row sha256 values, lane-wise
 * mod 2^64) rather than a hash over sorted rows: it needs no ORDER BY, so a
 * big table is hashed in one streaming pass with flat memory, and a table
 * without a primary key hashes the same whatever order the server returns.
 * Duplicate rows still count, because addition (unlike XOR) keeps multiplicity.
 *
 * This module holds the hasher, the comparison and SQLite; PostgreSQL and
 * MongoDB live in content-checksum-postgres.ts and content-checksum-mongo.ts
 * so the embedded profile never loads their drivers.
 */
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { TableContent } from './manifest.js';

export type { TableContent } from './manifest.js';

/** Order-independent hash of a multiset of rows, each given as its canonical text or bytes. */
export class RowSetHasher {
  private readonly lanes: [bigint, bigint, bigint, bigint] = [0n, 0n, 0n, 0n];
  rows = 0;

  add(row: string | Buffer): void {
    const d = createHash('sha256').update(row).digest();
    for (let i = 0; i < 4; i++)
      this.lanes[i] = BigInt.asUintN(64, this.lanes[i]! + d.readBigUInt64BE(i * 8));
    this.rows += 1;
  }

  digest(): string {
    const lanes = this.lanes.map((l) => l.toString(16).padStart(16, '0')).join('');
    return createHash('sha256').update(`nova-rowset-v1:${this.rows}:${lanes}`).digest('hex');
  }
}

/**
 * Differences between two content lists, as sentences ("users: 10 rows
 * instead of 12"); empty when they match.
 */
export function compareContents(
  expected: readonly TableContent[],
  actual: readonly TableContent[],
): string[] {
  const key = (t: TableContent) => (t.schema ? `${t.schema}.${t.name}` : t.name);
  const got = new Map(actual.map((t) => [key(t), t]));
  const problems: string[] = [];
  for (const want of expected) {
    const have = got.get(key(want));
    got.delete(key(want));
    if (!have) problems.push(`${key(want)}: missing`);
    else if (have.rows !== want.rows)
      problems.push(`${key(want)}: ${have.rows} rows instead of ${want.rows}`);
    else if (have.checksum !== want.checksum)
      problems.push(`${key(want)}: same row count, different content`);
  }
  for (const extra of got.keys()) problems.push(`${extra}: not in the backup`);
  return problems;
}

// ---------------------------------------------------------------- SQLite

export function quoteSqliteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Ordinary tables of a SQLite database (not its internal or virtual tables), by name. */
export function listSqliteTables(db: Database.Database): string[] {
  return db
    .prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND upper(sql) NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name",
    )
    .pluck()
    .all() as string[];
}

/** Values keep their storage class: 1 (integer), 1.0 (real) and '1' (text) differ. */
function encodeSqliteValue(v: unknown): string {
  if (v === null) return 'n';
  if (typeof v === 'bigint') return `i${v}`;
  if (typeof v === 'number') return `r${Object.is(v, -0) ? '-0' : String(v)}`;
  if (typeof v === 'string') return `s${JSON.stringify(v)}`;
  if (Buffer.isBuffer(v)) return `b${v.toString('hex')}`;
  return `u${String(v)}`;
}

export function sqliteContentChecksums(db: Database.Database): TableContent[] {
  return listSqliteTables(db).map((name) => {
    const hasher = new RowSetHasher();
    // safeIntegers: integers beyond 2^53 must not collapse onto their neighbours.
    const stmt = db
      .prepare(`SELECT * FROM ${quoteSqliteIdent(name)}`)
      .raw(true)
      .safeIntegers(true);
    for (const row of stmt.iterate() as Iterable<unknown[]>)
      hasher.add(row.map(encodeSqliteValue).join(','));
    return { name, rows: hasher.rows, checksum: hasher.digest() };
  });
}
