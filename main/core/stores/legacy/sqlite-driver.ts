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
  CatalogRefresh,
  ConnectionState,
  fitParams,
  PlanCache,
  schemaMiss,
  rowsFromArrays,
  tableInfo,
  type ExecResult,
  type LegacyDriver,
} from './driver-common.js';
import type { LegacySqliteError } from './legacy-errors.js';
import { toLegacyError } from './legacy-errors.js';
import { buildLegacyView, type LegacyView, type LiveCatalog } from './legacy-schema.js';
import { LegacyShadow } from './legacy-shadow.js';
import { loadSqliteCatalog } from './sqlite-catalog.js';
import { translate, type StatementPlan } from './translate.js';

/** The product's schema-migrations table: present when the file has the product's own schema. */
const PRODUCT_MARKER = 'nova_schema_migrations';

export class SqliteLegacyDriver implements LegacyDriver {
  readonly mode: 'sqlite-legacy' | 'sqlite-product';
  private view: LegacyView;
  private readonly plans = new PlanCache();
  private readonly catalogRefresh = new CatalogRefresh();
  private readonly statements = new Map<string, Database.Statement>();
  private readonly state = new ConnectionState();
  /** SQLite's verdict on legacy statements, for the product's own schema (the legacy file is its own). */
  private readonly shadow = new LegacyShadow();

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
    this.planFresh(sql);
  }

  /** The plan, after reading the catalog again if the statement names what the view lacks. */
  private planFresh(sql: string): StatementPlan {
    try {
      return this.plan(sql);
    } catch (err) {
      const miss = schemaMiss(err);
      if (miss === null || !this.catalogRefresh.due(miss)) throw err;
      this.reloadSchema();
      return this.plan(sql);
    }
  }

  private plan(sql: string): StatementPlan {
    return this.plans.get(sql, () => {
      if (this.mode !== 'sqlite-product') return translate(sql, this.view, this.mode);
      const order = this.shadow.check(sql, this.view);
      return translate(sql, this.view, this.mode, order);
    });
  }

  async execute(sql: string, params: unknown[]): Promise<ExecResult> {
    const plan = this.planFresh(sql);
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
    this.shadow.close();
    await this.onClose();
  }
}
