/**
 * SQLite itself decides whether a legacy statement compiles. Before a
 * statement is translated for PostgreSQL (or for the product's own embedded
 * schema), it is prepared — never run — on an empty in-memory SQLite database
 * that has the legacy schema: the tables and columns legacy SQL can see, with
 * their legacy names, types and keys. Whatever SQLite refuses there is what
 * node-sqlite3 refused on the legacy file, with SQLite's own words and in
 * SQLite's order (a syntax error before an unknown table, an unknown table
 * before an unsupported function), so the translator never has to guess:
 *
 * | legacy statement                              | error, as on the legacy file                 |
 * | --------------------------------------------- | -------------------------------------------- |
 * | `… WHERE title ILIKE ?` (PostgreSQL syntax)   | `near "ILIKE": syntax error`                 |
 * | `SELECT password_hash FROM users` (new name)  | `no such column: password_hash`              |
 * | `SELECT … FROM tickets` (table never existed) | `no such table: tickets`                     |
 * | `INSERT INTO feedback (user_id) …`            | `table feedback has no column named user_id` |
 * | `ON CONFLICT(name)` without a unique key      | `ON CONFLICT clause does not match …`        |
 *
 * The product's own tables (`nova_…`) are not part of the legacy schema.
 * Double-quoted string literals are first turned into single-quoted ones the
 * way the legacy file read them (better-sqlite3 is built without them).
 */
import Database from 'better-sqlite3';
import { toLegacyError } from './legacy-errors.js';
import { buildLegacyView, type LegacyView, type ViewTable } from './legacy-schema.js';
import { loadSqliteCatalog } from './sqlite-catalog.js';
import { firstStatement, quoteIdent, tokenize } from './sql-lexer.js';
import { analyze } from './statement-scope.js';
import { translate } from './translate.js';

/** Tables the product keeps for itself next to the migrated ones. */
export function isProductTable(name: string): boolean {
  return /^nova_/i.test(name);
}

function keyColumns(t: ViewTable, targets: string[]): string[] | null {
  const out: string[] = [];
  for (const target of targets) {
    const col = t.byTarget.get(target.toLowerCase());
    if (!col) return null; // a key on a column legacy code cannot see
    out.push(quoteIdent(col.legacy));
  }
  return out;
}

function createTableSql(t: ViewTable): string {
  const parts = t.columns.map((c) =>
    c.target === t.rowidKey
      ? `${quoteIdent(c.legacy)} INTEGER PRIMARY KEY AUTOINCREMENT`
      : `${quoteIdent(c.legacy)} ${c.declaredType}`,
  );
  // A legacy junction table had no key: the target's is the product's own.
  if (!t.keyless) {
    if (!t.rowidKey && t.primaryKey.length > 0) {
      const pk = keyColumns(t, t.primaryKey);
      if (pk) parts.push(`PRIMARY KEY (${pk.join(', ')})`);
    }
    for (const key of t.uniqueKeys) {
      const cols = keyColumns(t, key);
      if (cols) parts.push(`UNIQUE (${cols.join(', ')})`);
    }
  }
  return `CREATE TABLE ${quoteIdent(t.legacy)} (${parts.join(', ')})`;
}

/** Prepares legacy statements on an empty copy of the legacy schema. */
export class LegacyShadow {
  private db: Database.Database | null = null;
  private names: LegacyView | null = null;
  private source: LegacyView | null = null;

  /**
   * Throws the error node-sqlite3 gave when `sql` does not compile against the
   * legacy schema. For a single-table SELECT without an order of its own,
   * returns the order SQLite's plan read the rows in (legacy column names).
   */
  check(sql: string, view: LegacyView): string[] | null {
    if (view !== this.source) this.rebuild(view);
    const plan = translate(sql, this.names!, 'sqlite-legacy');
    if (plan.kind === 'empty') return null;
    try {
      this.db!.prepare(plan.sql);
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (typeof code === 'string' && code.startsWith('SQLITE_')) throw toLegacyError(err);
      // better-sqlite3's own complaints (no statement…) are not the legacy file's.
      return null;
    }
    return plan.kind === 'select' ? this.scanOrder(plan.sql, plan.paramSlots) : null;
  }

  /**
   * The order a single-table SELECT without ORDER BY returned rows in on the
   * legacy file: a table scan or rowid search in rowid order, an index scan
   * or search in the index's order (then rowid). Null when SQLite's plan
   * says anything else (joins, sorting, OR of indexes) or the table has no
   * integer key to stand for the rowid.
   */
  private scanOrder(sql: string, params: number): string[] | null {
    let details: string[];
    try {
      details = (
        this.db!.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...Array<null>(params).fill(null)) as {
          detail: string;
        }[]
      ).map((r) => r.detail);
    } catch {
      return null;
    }
    if (details.length !== 1) return null;
    const detail = details[0]!;
    const table = /^(?:SCAN|SEARCH) (\S+)/.exec(detail);
    if (!table) return null;
    const t = this.tableOfPlan(sql);
    if (!t) return null;
    const rowid = t.rowidKey ? [t.byTarget.get(t.rowidKey.toLowerCase())!.legacy] : null;
    if (/^SCAN \S+$/.test(detail) || /USING INTEGER PRIMARY KEY/.test(detail)) return rowid;
    const index = /USING (?:COVERING )?INDEX (\S+)/.exec(detail)?.[1];
    if (!index) return null;
    const cols = (
      this.db!.prepare(`PRAGMA index_info(${quoteIdent(index)})`).all() as { name: string }[]
    ).map((c) => c.name);
    return [...cols, ...(rowid ?? [])];
  }

  /** The one table a single-table SELECT reads, in the legacy-name view. */
  private tableOfPlan(sql: string): ViewTable | undefined {
    const scope = analyze(firstStatement(tokenize(sql)).tokens, this.names!);
    const from = scope.refs.filter((r) => r.fromClause);
    return from.length === 1 && !from[0]!.derived ? from[0]!.view : undefined;
  }

  private rebuild(view: LegacyView): void {
    this.close();
    const db = new Database(':memory:');
    for (const t of view.tables.values()) {
      if (!isProductTable(t.legacy)) db.exec(createTableSql(t));
    }
    this.db = db;
    this.names = buildLegacyView(loadSqliteCatalog(db), null);
    this.source = view;
  }

  close(): void {
    this.db?.close();
    this.db = null;
    this.names = null;
    this.source = null;
  }
}
