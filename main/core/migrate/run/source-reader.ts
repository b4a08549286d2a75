/**
 * Reads one source table from the snapshot in batches, by keyset: each batch
 * starts after the last row of the previous one (`rowid > ?`, or the primary
 * key for WITHOUT ROWID tables), so memory stays flat in the table's size and
 * a resumed run starts exactly after the last committed row.
 *
 * Rows are raw arrays laid out like `table.readColumns` (what convertRow
 * expects) plus, for rowid tables, the rowid as one trailing value.
 */
import type Database from 'better-sqlite3';
import { quoteIdent, quoteIdentList } from '../sqlite-ident.js';
import { selectSql } from '../source-select.js';
import type { TableInfo } from '../inspect.js';
import type { ResolvedTable } from '../resolved-plan.js';
import { rawFromJson, rawToJson, type RawJson } from './raw-values.js';

/** Where a table's reading stopped: the last rowid, or the last key (WITHOUT ROWID), as JSON. */
export type SourceCursor = { rowid: RawJson } | { key: RawJson[] };

const SAFE = '9007199254740991';

/** Rows per read from the snapshot (see iterate). */
const READ_CHUNK = 1000;

export class SourceTableReader {
  private readonly first: Database.Statement;
  private readonly next: Database.Statement;
  private readonly keyCount: number;
  private readonly byKey: Database.Statement;
  /**
   * The same row lookup with every integer as a bigint: re-reads a row whose
   * fast read met an integer beyond 2^53 (see iterate). Null when the whole
   * table is read with safe integers anyway.
   */
  private readonly exactByKey: Database.Statement | null;

  constructor(
    db: Database.Database,
    readonly table: ResolvedTable,
    /** What inspect found in the table: narrows the scan for large integers to columns that hold integers. */
    info?: TableInfo,
  ) {
    const safeIntegers = needsSafeIntegers(db, table, info);
    const select = `SELECT ${quoteIdentList(table.readColumns)}`;
    if (table.rowidName !== null) {
      this.keyCount = 0;
      this.first = db.prepare(selectSql(table, { limit: true }));
      this.next = db.prepare(selectSql(table, { afterRowid: true, limit: true }));
    } else {
      // WITHOUT ROWID: page by the primary key, which resolvePlan puts first in readColumns.
      this.keyCount = table.keyColumns.length;
      const keys = quoteIdentList(table.keyColumns);
      const base = `SELECT ${quoteIdentList(table.readColumns)} FROM ${quoteIdent(table.source)}`;
      const params = table.keyColumns.map(() => '?').join(', ');
      this.first = db.prepare(`${base} ORDER BY ${keys} LIMIT ?`);
      this.next = db.prepare(`${base} WHERE (${keys}) > (${params}) ORDER BY ${keys} LIMIT ?`);
    }
    for (const s of [this.first, this.next]) s.raw(true).safeIntegers(safeIntegers);
    if (table.rowidName !== null) {
      const rowid = quoteIdent(table.rowidName);
      this.byKey = db.prepare(
        `${select}, ${rowid} FROM ${quoteIdent(table.source)} WHERE ${rowid} = ?`,
      );
    } else {
      const where = table.keyColumns.map((c) => `${quoteIdent(c)} = ?`).join(' AND ');
      this.byKey = db.prepare(`${select} FROM ${quoteIdent(table.source)} WHERE ${where}`);
    }
    this.byKey.raw(true).safeIntegers(safeIntegers);
    // A rowid table whose rowids are all safe is read fast and repaired row by row (see
    // needsSafeIntegers); a WITHOUT ROWID table's key could itself be the inexact value.
    this.exactByKey =
      safeIntegers || table.rowidName === null
        ? null
        : db.prepare(this.byKey.source).raw(true).safeIntegers(true);
  }

  /**
   * Up to `limit` rows after `cursor` (from the start when null), read
   * lazily in chunks of READ_CHUNK rows. A chunk read with all() costs about
   * a fifth less per row than stepping a statement iterator row by row, and
   * no statement stays open between chunks while the caller awaits.
   */
  *iterate(cursor: SourceCursor | null, limit: number): IterableIterator<unknown[]> {
    let after = cursor;
    let remaining = limit;
    while (remaining > 0) {
      const n = Math.min(READ_CHUNK, remaining);
      const rows = (
        after === null ? this.first.all(n) : this.next.all(...this.cursorValues(after), n)
      ) as unknown[][];
      if (this.exactByKey) for (let i = 0; i < rows.length; i++) rows[i] = this.exact(rows[i]!);
      yield* rows;
      if (rows.length < n) return;
      remaining -= n;
      after = this.cursorAfter(rows[n - 1]!);
    }
  }

  /**
   * The row itself, or — when it holds a number beyond ±(2^53 − 1), which a
   * fast read may have rounded — the row read again with its integers as
   * bigints. (An integral real that large is read again too, and comes back
   * the same; infinities and fractions are not.)
   */
  private exact(row: unknown[]): unknown[] {
    for (let i = 0; i < row.length; i++) {
      const v = row[i];
      if (typeof v === 'number' && !Number.isSafeInteger(v) && Number.isInteger(v))
        return this.exactByKey!.get(row[this.table.readColumns.length]) as unknown[];
    }
    return row;
  }

  private cursorValues(cursor: SourceCursor): unknown[] {
    return 'rowid' in cursor
      ? [rawFromJson(cursor.rowid, 'the resume cursor')]
      : cursor.key.map((k) => rawFromJson(k, 'the resume cursor'));
  }

  /** The cursor just after `row`. */
  cursorAfter(row: readonly unknown[]): SourceCursor {
    if (this.keyCount === 0) return { rowid: rawToJson(row[this.table.readColumns.length]) };
    return { key: row.slice(0, this.keyCount).map(rawToJson) };
  }

  /** The row's identity in reports and outcome records: its rowid, or its key as JSON. */
  rowKey(row: readonly unknown[]): string {
    if (this.keyCount === 0) return String(row[this.table.readColumns.length]);
    return JSON.stringify(row.slice(0, this.keyCount).map(rawToJson));
  }

  /** The row's key for people: `{ id: 5 }` (source key columns), else `{ rowid: 5 }`. */
  keyObject(row: readonly unknown[]): Record<string, RawJson> {
    const out: Record<string, RawJson> = {};
    if (this.table.keyColumns.length > 0) {
      this.table.keyColumns.forEach((c, i) => (out[c] = rawToJson(row[i])));
    } else if (this.keyCount === 0) {
      out.rowid = rawToJson(row[this.table.readColumns.length]);
    }
    return out;
  }

  /** One row by its rowKey (for rows classified after the batch left memory). */
  rowByKey(key: string): unknown[] | undefined {
    if (this.keyCount === 0) return this.byKey.get(BigInt(key)) as unknown[] | undefined;
    const values = (JSON.parse(key) as unknown[]).map((k) => rawFromJson(k, 'a row key'));
    return this.byKey.get(...values) as unknown[] | undefined;
  }
}

/**
 * better-sqlite3 returns integers as JS numbers, exact only up to 2^53;
 * bigints keep every digit but are slower to convert. Whether a table is
 * read with bigints throughout:
 *
 * - a rowid table: only when a rowid itself is that large (two index
 *   lookups). Its other columns are read fast, and the rare row holding a
 *   larger integer is read again by its (exact) rowid — cheaper than a scan
 *   of the whole table to find out beforehand;
 * - a WITHOUT ROWID table: when any integer in it is that large (one scan,
 *   narrowed to the columns inspect saw integers in, when it counted them),
 *   since a rounded key could not find its row again.
 */
export function needsSafeIntegers(
  db: Database.Database,
  table: ResolvedTable,
  info?: TableInfo,
): boolean {
  const t = quoteIdent(table.source);
  if (table.rowidName !== null) {
    const rowid = quoteIdent(table.rowidName);
    // Two queries: SQLite answers a lone min() or max() of the rowid from the b-tree's ends,
    // but scans the whole table for both in one SELECT.
    const ends = ['max', 'min'].map(
      (fn) =>
        db.prepare(`SELECT ${fn}(${rowid}) FROM ${t}`).pluck().safeIntegers().get() as
          bigint | null,
    );
    return ends.some((v) => v !== null && (v > BigInt(SAFE) || v < -BigInt(SAFE)));
  }
  const columns = table.readColumns.filter((c) => {
    const observed = info?.columns.find((x) => x.name === c)?.observed;
    return !observed || observed.integer > 0;
  });
  if (columns.length === 0) return false;
  const tests = columns.map((c) => {
    const q = quoteIdent(c);
    return `(typeof(${q}) = 'integer' AND (${q} > ${SAFE} OR ${q} < -${SAFE}))`;
  });
  const hit = db.prepare(`SELECT 1 FROM ${t} WHERE ${tests.join(' OR ')} LIMIT 1`).get();
  return hit !== undefined;
}
