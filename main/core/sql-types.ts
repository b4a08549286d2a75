/**
 * The relational seam: what runs SQL and what a relational store is. It sits
 * at the bottom of core (docs/ARCHITECTURE.md "Layers") because both the
 * schema migrations (main/core/schema) and the stores (main/core/stores) speak
 * it, and schema must not depend on stores. main/core/stores/types.ts
 * re-exports it with the other backend seams.
 */

export type SqlDialect = 'sqlite' | 'postgres';

export interface QueryResult<R = Record<string, unknown>> {
  rows: R[];
  /** Rows returned (reads) or affected (writes). */
  rowCount: number;
  /** Row id of the last INSERT when the backend knows it (SQLite rowid, PostgreSQL `RETURNING id`). */
  lastInsertId?: number | string | null;
}

/**
 * Runs SQL with PostgreSQL-style `$1, $2…` placeholders on every dialect
 * (the SQLite store translates them). Booleans, Dates and plain objects are
 * bound portably (SQLite: 0/1, ISO text, JSON text).
 */
export interface SqlExecutor {
  readonly dialect: SqlDialect;
  query<R = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
  ): Promise<QueryResult<R>>;
}

export interface ServiceHealth {
  service: string;
  backend: string;
  status: 'ok' | 'degraded' | 'down';
  latencyMs: number | null;
  detail: string;
  fix?: string;
}

export interface RelationalStore extends SqlExecutor {
  readonly backend: string;
  /**
   * Runs `fn` inside one transaction: commit when it resolves, roll back when
   * it throws. Statements issued through `tx` belong to the transaction.
   */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  health(): Promise<ServiceHealth>;
  close(): Promise<void>;
}
