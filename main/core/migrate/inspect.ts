/**
 * Inspect (main/core/migrate/README.md#inspect): what a SQLite file really holds — tables, declared
 * column types next to the storage classes actually found in each column,
 * row counts, indexes, foreign keys, views and triggers. Runs on the
 * preflight snapshot, so the legacy file is never read twice.
 *
 * Names come from the file and are never trusted: they are passed to the
 * pragma table-valued functions as bound parameters, or quoted with
 * quoteIdent when they must appear in SQL.
 */
import { statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { affinityOf, quoteIdent, type Affinity, type StorageClass } from './sqlite-ident.js';
import { mapSourceSqliteError } from './source-errors.js';

/** How many rows of each storage class a column holds. */
export type ObservedTypes = Record<StorageClass, number>;

export interface ColumnInfo {
  name: string;
  /** As written in CREATE TABLE / ADD COLUMN; '' when none. */
  declaredType: string;
  affinity: Affinity;
  notNull: boolean;
  /** The default expression as SQL text (e.g. `CURRENT_TIMESTAMP`, `'x'`, `"system"`), or null. */
  defaultSql: string | null;
  /** 1-based position in the primary key; 0 when not part of it. */
  pkPosition: number;
  /** A generated (computed) column: its values are derived, not stored data. */
  generated: boolean;
  /**
   * Storage-class counts; null when the table was inspected without counting
   * them (a migration counts only the tables its plan decisions need, see
   * countTableTypes).
   */
  observed: ObservedTypes | null;
}

export interface IndexInfo {
  name: string;
  unique: boolean;
  /** 'c' CREATE INDEX, 'u' UNIQUE constraint, 'pk' PRIMARY KEY. */
  origin: 'c' | 'u' | 'pk';
  partial: boolean;
  /** Column names in key order; null for an expression. */
  columns: (string | null)[];
  sql: string | null;
}

export interface ForeignKeyInfo {
  columns: string[];
  table: string;
  /** Parent columns; null entries mean "the parent's primary key". */
  references: (string | null)[];
  onUpdate: string;
  onDelete: string;
}

export interface TableInfo {
  name: string;
  /** 'table' for ordinary tables; 'virtual' (e.g. FTS) and 'shadow' (their storage) are reported but special. */
  kind: 'table' | 'virtual' | 'shadow';
  sql: string | null;
  withoutRowid: boolean;
  strict: boolean;
  /** A name that addresses the rowid (`rowid`, `_rowid_` or `oid`, whichever no column shadows); null when none does. */
  rowidName: string | null;
  /** sqlite_sequence value for AUTOINCREMENT tables: ids up to here were handed out and must not be reused. */
  autoincrementSeq: number | null;
  rowCount: number;
  columns: ColumnInfo[];
  indexes: IndexInfo[];
  foreignKeys: ForeignKeyInfo[];
}

export interface ViewInfo {
  name: string;
  sql: string | null;
}

export interface TriggerInfo {
  name: string;
  table: string;
  sql: string | null;
}

/** Everything inspect found; plain data, safe to JSON.stringify. */
export interface InspectReport {
  file: string;
  sizeBytes: number;
  pageSize: number;
  pageCount: number;
  encoding: string;
  userVersion: number;
  /** Version of the SQLite library that read the file. */
  sqliteVersion: string;
  tables: TableInfo[];
  views: ViewInfo[];
  triggers: TriggerInfo[];
}

/** SQLite caps a result row at 2000 columns; each inspected column takes 4. */
const COLUMNS_PER_SCAN = 200;

export interface InspectOptions {
  /**
   * Count each column's storage classes (one scan of every table; the
   * default). Without it every `observed` is null and only the row counts
   * are read, which costs an index-sized scan instead of a full one.
   */
  countTypes?: boolean;
}

/** Inspects the SQLite file at `file` (opened read-only). */
export function inspect(file: string, options: InspectOptions = {}): InspectReport {
  return readSource(file, (db) => inspectDatabase(db, file, options));
}

/**
 * Runs `work` on `file` opened read-only, SQLite errors (not a database,
 * locked, corrupt) mapped to the source errors every migration step reports.
 */
export function readSource<T>(file: string, work: (db: Database.Database) => T): T {
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw mapSourceSqliteError(err, file, 0);
  }
  try {
    return work(db);
  } catch (err) {
    throw mapSourceSqliteError(err, file, 0);
  } finally {
    db.close();
  }
}

/** A column's storage-class counts; throws when its table was inspected without counting them (a bug, never bad input). */
export function observedTypes(column: ColumnInfo): ObservedTypes {
  if (column.observed === null)
    throw new Error(
      `the storage classes of column ${JSON.stringify(column.name)} were not counted (inspect it with countTypes, or countTableTypes)`,
    );
  return column.observed;
}

/** Fills in `table`'s storage-class counts (when it was inspected without them). */
export function countTableTypes(db: Database.Database, table: TableInfo): void {
  if (table.columns.every((c) => c.observed !== null)) return;
  const { observed } = countStorageClasses(
    db,
    table.name,
    table.columns.map((c) => c.name),
  );
  table.columns.forEach((c, i) => (c.observed = observed[i]!));
}

/** Inspects an open connection (its `main` schema). */
export function inspectDatabase(
  db: Database.Database,
  file: string = db.name,
  options: InspectOptions = {},
): InspectReport {
  const countTypes = options.countTypes ?? true;
  const names = db
    .prepare(
      `SELECT name, type, wr, strict FROM pragma_table_list
        WHERE schema = 'main' AND type IN ('table', 'virtual', 'shadow') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
        ORDER BY name`,
    )
    .all() as { name: string; type: TableInfo['kind']; wr: number; strict: number }[];
  const sqlOf = db.prepare('SELECT sql FROM sqlite_schema WHERE name = ?').pluck();
  const sequences = readSequences(db);

  const tables = names.map((t): TableInfo => {
    const columns = readColumns(db, t.name);
    const { rowCount, observed } = countStorageClasses(
      db,
      t.name,
      countTypes ? columns.map((c) => c.name) : [],
    );
    if (countTypes) columns.forEach((c, i) => (c.observed = observed[i]!));
    return {
      name: t.name,
      kind: t.type,
      sql: (sqlOf.get(t.name) as string | null | undefined) ?? null,
      withoutRowid: t.wr === 1,
      strict: t.strict === 1,
      rowidName: t.wr === 1 || t.type !== 'table' ? null : rowidName(columns),
      autoincrementSeq: sequences.get(t.name) ?? null,
      rowCount,
      columns,
      indexes: readIndexes(db, t.name),
      foreignKeys: readForeignKeys(db, t.name),
    };
  });

  const views = db
    .prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'view' ORDER BY name")
    .all() as ViewInfo[];
  const triggers = db
    .prepare(
      'SELECT name, tbl_name AS "table", sql FROM sqlite_schema WHERE type = \'trigger\' ORDER BY name',
    )
    .all() as TriggerInfo[];

  return {
    file,
    sizeBytes: db.memory ? 0 : (statSync(file, { throwIfNoEntry: false })?.size ?? 0),
    pageSize: db.pragma('page_size', { simple: true }) as number,
    pageCount: db.pragma('page_count', { simple: true }) as number,
    encoding: db.pragma('encoding', { simple: true }) as string,
    userVersion: db.pragma('user_version', { simple: true }) as number,
    sqliteVersion: db.prepare('SELECT sqlite_version()').pluck().get() as string,
    tables,
    views,
    triggers,
  };
}

function readColumns(db: Database.Database, table: string): ColumnInfo[] {
  const rows = db
    .prepare(
      'SELECT name, type, "notnull", dflt_value, pk, hidden FROM pragma_table_xinfo(?) ORDER BY cid',
    )
    .all(table) as {
    name: string;
    type: string;
    notnull: number;
    dflt_value: string | null;
    pk: number;
    hidden: number;
  }[];
  return (
    rows
      // hidden = 1: a virtual table's hidden column, not data.
      .filter((r) => r.hidden !== 1)
      .map((r) => ({
        name: r.name,
        declaredType: r.type,
        affinity: affinityOf(r.type),
        notNull: r.notnull === 1,
        defaultSql: r.dflt_value,
        pkPosition: r.pk,
        generated: r.hidden === 2 || r.hidden === 3,
        observed: null,
      }))
  );
}

/**
 * Storage-class counts for every column in one scan per 200 columns —
 * equivalent to `SELECT typeof(c), count(*) … GROUP BY 1` per column, but
 * reading the table once instead of once per column.
 *
 * Per column, one CASE packs three counts into one 63-bit sum (text, integer
 * and real in 21-bit fields; blobs are the rest of count(c)), which makes the
 * scan about three times faster than a count per class on a large table.
 * Tables of 2^21 rows or more would overflow a field: they get two sums per
 * column with 32-bit fields instead.
 */
function countStorageClasses(
  db: Database.Database,
  table: string,
  columns: string[],
): { rowCount: number; observed: ObservedTypes[] } {
  const observed: ObservedTypes[] = [];
  const total = db
    .prepare(`SELECT count(*) FROM ${quoteIdent(table)}`)
    .pluck()
    .get() as number;
  if (columns.length === 0) return { rowCount: total, observed };
  const narrow = total < PACK3_LIMIT;
  for (let start = 0; start < columns.length; start += COLUMNS_PER_SCAN) {
    const chunk = columns.slice(start, start + COLUMNS_PER_SCAN);
    const exprs = chunk.flatMap((c) => {
      const q = quoteIdent(c);
      return narrow
        ? [
            `sum(CASE typeof(${q}) WHEN 'text' THEN 1 WHEN 'integer' THEN ${2 ** 21} WHEN 'real' THEN ${2 ** 42} ELSE 0 END)`,
            `count(${q})`,
          ]
        : [
            `sum(CASE typeof(${q}) WHEN 'text' THEN 1 WHEN 'integer' THEN ${2 ** 32} ELSE 0 END)`,
            `sum(CASE typeof(${q}) WHEN 'real' THEN 1 WHEN 'blob' THEN ${2 ** 32} ELSE 0 END)`,
          ];
    });
    const row = db
      .prepare(`SELECT ${exprs.join(', ')} FROM ${quoteIdent(table)}`)
      .raw()
      .safeIntegers()
      .get() as (bigint | null)[];
    chunk.forEach((_, i) => {
      const x = row[i * 2] ?? 0n;
      const y = row[i * 2 + 1] ?? 0n;
      let counts: [bigint, bigint, bigint, bigint];
      if (narrow) {
        const text = x & PACK3_MASK;
        const integer = (x >> 21n) & PACK3_MASK;
        const real = x >> 42n;
        counts = [integer, real, text, y - text - integer - real];
      } else {
        counts = [x >> 32n, y & 0xffffffffn, x & 0xffffffffn, y >> 32n];
      }
      const [integer, real, text, blob] = counts.map(Number) as [number, number, number, number];
      observed.push({ integer, real, text, blob, null: total - integer - real - text - blob });
    });
  }
  return { rowCount: total, observed };
}

/** Row counts below this fit three 21-bit counters in one signed 64-bit sum. */
const PACK3_LIMIT = 2 ** 21;
const PACK3_MASK = 2n ** 21n - 1n;

function readIndexes(db: Database.Database, table: string): IndexInfo[] {
  const list = db
    .prepare('SELECT name, "unique", origin, partial FROM pragma_index_list(?) ORDER BY name')
    .all(table) as {
    name: string;
    unique: number;
    origin: IndexInfo['origin'];
    partial: number;
  }[];
  const columnsOf = db.prepare('SELECT name FROM pragma_index_info(?) ORDER BY seqno').pluck();
  const sqlOf = db
    .prepare("SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?")
    .pluck();
  return list.map((ix) => ({
    name: ix.name,
    unique: ix.unique === 1,
    origin: ix.origin,
    partial: ix.partial === 1,
    columns: columnsOf.all(ix.name) as (string | null)[],
    sql: (sqlOf.get(ix.name) as string | null | undefined) ?? null,
  }));
}

function readForeignKeys(db: Database.Database, table: string): ForeignKeyInfo[] {
  const rows = db
    .prepare(
      'SELECT id, "table", "from", "to", on_update, on_delete FROM pragma_foreign_key_list(?) ORDER BY id, seq',
    )
    .all(table) as {
    id: number;
    table: string;
    from: string;
    to: string | null;
    on_update: string;
    on_delete: string;
  }[];
  const byId = new Map<number, ForeignKeyInfo>();
  for (const r of rows) {
    let fk = byId.get(r.id);
    if (!fk) {
      fk = {
        columns: [],
        table: r.table,
        references: [],
        onUpdate: r.on_update,
        onDelete: r.on_delete,
      };
      byId.set(r.id, fk);
    }
    fk.columns.push(r.from);
    fk.references.push(r.to);
  }
  return [...byId.values()];
}

function readSequences(db: Database.Database): Map<string, number> {
  const exists = db
    .prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'sqlite_sequence'")
    .get();
  if (!exists) return new Map();
  const rows = db.prepare('SELECT name, seq FROM sqlite_sequence').raw().all() as [
    string,
    number,
  ][];
  return new Map(rows);
}

function rowidName(columns: ColumnInfo[]): string | null {
  const taken = new Set(columns.map((c) => c.name.toLowerCase()));
  return ['rowid', '_rowid_', 'oid'].find((n) => !taken.has(n)) ?? null;
}
