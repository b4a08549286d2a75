/**
 * The legacy `db` on the embedded profile: one better-sqlite3 connection,
 * either on the legacy file opened as it is (`sqlite-legacy`: the SQL runs
 * unchanged but for double-quoted string literals, which better-sqlite3 is
 * built without) or on the product's own schema (`sqlite-product`: legacy
 * names translated, product-only columns hidden, PRAGMA table_info emulated).
 */
import type Database from 'better-sqlite3';
import {
  bindForBetterSqlite3,
  ConnectionState,
  fitParams,
  PlanCache,
  rowsFromArrays,
  tableInfo,
  type ExecResult,
  type LegacyDriver,
} from './driver-common.js';
import type { LegacySqliteError } from './legacy-errors.js';
import { toLegacyError } from './legacy-errors.js';
import { buildLegacyView, type LegacyView, type LiveCatalog } from './legacy-schema.js';
import { quoteIdent } from './sql-lexer.js';
import { translate, type StatementPlan } from './translate.js';

/** The product's schema-migrations table: present when the file has the product's own schema. */
const PRODUCT_MARKER = 'nova_schema_migrations';

export function loadSqliteCatalog(db: Database.Database): LiveCatalog {
  const catalog: LiveCatalog = new Map();
  const tables = db
    .prepare(
      "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
    )
    .all() as { name: string }[];
  for (const { name } of tables) {
    const info = db.prepare(`PRAGMA table_info(${quoteIdent(name)})`).all() as {
      name: string;
      type: string;
      notnull: number;
      dflt_value: string | null;
      pk: number;
    }[];
    const uniqueKeys: string[][] = [];
    let primaryKey = info
      .filter((c) => c.pk > 0)
      .sort((a, b) => a.pk - b.pk)
      .map((c) => c.name);
    const indexes = db.prepare(`PRAGMA index_list(${quoteIdent(name)})`).all() as {
      name: string;
      unique: number;
      origin: string;
      partial: number;
    }[];
    for (const idx of indexes) {
      if (!idx.unique || idx.partial) continue;
      const cols = (
        db.prepare(`PRAGMA index_info(${quoteIdent(idx.name)})`).all() as { name: string | null }[]
      ).map((c) => c.name);
      if (cols.some((c) => c === null)) continue;
      if (idx.origin === 'pk') primaryKey = cols as string[];
      else uniqueKeys.push(cols as string[]);
    }
    catalog.set(name.toLowerCase(), {
      name,
      columns: info.map((c) => ({
        name: c.name,
        dataType: c.type.toLowerCase(),
        notNull: c.notnull === 1,
        defaultSql: c.dflt_value,
      })),
      primaryKey,
      uniqueKeys,
    });
  }
  return catalog;
}

export class SqliteLegacyDriver implements LegacyDriver {
  readonly mode: 'sqlite-legacy' | 'sqlite-product';
  private view: LegacyView;
  private readonly plans = new PlanCache();
  private readonly statements = new Map<string, Database.Statement>();
  private readonly state = new ConnectionState();

  constructor(
    private readonly db: Database.Database,
    private readonly onClose: () => Promise<void> = async () => undefined,
  ) {
    const catalog = loadSqliteCatalog(db);
    this.mode = catalog.has(PRODUCT_MARKER) ? 'sqlite-product' : 'sqlite-legacy';
    this.view = this.buildView(catalog);
  }

  private buildView(catalog: LiveCatalog): LegacyView {
    return buildLegacyView(catalog, this.mode === 'sqlite-legacy' ? null : undefined);
  }

  async check(sql: string): Promise<void> {
    this.plan(sql);
  }

  private plan(sql: string): StatementPlan {
    return this.plans.get(sql, () => translate(sql, this.view, this.mode));
  }

  async execute(sql: string, params: unknown[]): Promise<ExecResult> {
    const plan = this.plan(sql);
    if (plan.action === 'noop' || plan.action === 'pragma-set') return this.state.result([]);
    if (plan.action === 'table-info')
      return this.state.result(tableInfo(this.view, plan.table ?? ''));
    const args = fitParams(plan, params, bindForBetterSqlite3);
    let stmt: Database.Statement;
    try {
      stmt = this.prepare(plan.sql);
    } catch (err) {
      throw this.legacyError(err);
    }
    try {
      let rows: Record<string, unknown>[] = [];
      if (stmt.reader) {
        if (plan.keys) {
          stmt.raw(true);
          rows = rowsFromArrays(stmt.all(...args) as unknown[][], plan.keys);
        } else {
          stmt.raw(false);
          rows = stmt.all(...args) as Record<string, unknown>[];
        }
        if (plan.dml) {
          const r = this.db.prepare('SELECT changes() AS c, last_insert_rowid() AS r').get() as {
            c: number;
            r: number;
          };
          this.state.record(plan, r.c, r.r);
        }
      } else {
        const info = stmt.run(...args);
        this.state.record(plan, info.changes, Number(info.lastInsertRowid));
      }
      if (plan.schemaChange) this.reloadSchema();
      return this.state.result(rows);
    } catch (err) {
      this.state.failed(plan);
      throw this.legacyError(err);
    }
  }

  private prepare(sql: string): Database.Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.statements.set(sql, stmt);
      if (this.statements.size > 500) {
        const oldest = this.statements.keys().next().value;
        if (oldest !== undefined) this.statements.delete(oldest);
      }
    }
    return stmt;
  }

  private reloadSchema(): void {
    this.view = this.buildView(loadSqliteCatalog(this.db));
    this.plans.clear();
    this.statements.clear();
  }

  /** SQLite's own message, with product names turned back into legacy ones. */
  private legacyError(err: unknown): LegacySqliteError {
    const e = toLegacyError(err);
    if (this.mode !== 'sqlite-product') return e;
    const renamed = e.message.replace(/(\w+)\.(\w+)/g, (whole, t: string, c: string) => {
      const table = this.view.byTarget.get(t.toLowerCase());
      const col = table?.byTarget.get(c.toLowerCase());
      return table && col ? `${table.legacy}.${col.legacy}` : whole;
    });
    if (renamed !== e.message) e.message = renamed;
    return e;
  }

  async close(): Promise<void> {
    this.statements.clear();
    await this.onClose();
  }
}
