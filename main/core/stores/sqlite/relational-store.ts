/**
 * The embedded profile's relational store (docs/ARCHITECTURE.md#profiles): one better-sqlite3
 * connection in WAL mode. better-sqlite3 is synchronous, but transaction(fn)
 * takes an async fn, so the connection is guarded by an async lock for the
 * whole transaction; AsyncLocalStorage tells statements issued from inside the
 * transaction (through `tx` or straight through the store) from unrelated ones.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';
import type Database from 'better-sqlite3';
import { NovaError } from '../../errors.js';
import type { QueryResult, RelationalStore, ServiceHealth, SqlExecutor } from '../types.js';
import { AsyncMutex } from './async-mutex.js';
import { toSqliteValues } from './bind-params.js';
import { reorderArgs, translatePlaceholders } from './placeholders.js';
import { openDatabaseFile, quickCheck, type SqliteOpenOptions } from './open-database.js';
import { corruptError, mapSqliteError } from './sqlite-errors.js';
import { downHealth } from '../service-health.js';

export type { SqliteOpenOptions } from './open-database.js';

/** A SqlExecutor that can also run multi-statement scripts (schema migrations). */
export interface SqliteExecutor extends SqlExecutor {
  /** Runs a script of one or more statements without parameters. */
  exec(sql: string): Promise<void>;
}

/** One open transaction or savepoint. */
interface TxScope {
  store: SqliteRelationalStore;
  parent: TxScope | undefined;
  depth: number;
  active: boolean;
  /** Serialises sibling savepoints: SQLite savepoints form a stack, not a tree. */
  children: AsyncMutex;
}

const txScopes = new AsyncLocalStorage<TxScope>();
const STATEMENT_CACHE_SIZE = 200;
const DEFAULT_INTEGRITY_INTERVAL_MS = 10 * 60 * 1000;

interface PreparedEntry {
  stmt: Database.Statement;
  argOrder: number[] | null;
}

export class SqliteRelationalStore implements RelationalStore, SqliteExecutor {
  readonly dialect = 'sqlite' as const;
  readonly backend = 'sqlite';

  private readonly lock = new AsyncMutex();
  private readonly statements = new Map<string, PreparedEntry>();
  private closing: Promise<void> | undefined;
  private closed = false;
  private lastIntegrityCheck = 0;
  private lastIntegrityProblems: string[] = [];

  private constructor(
    private readonly handle: Database.Database,
    /** Absolute path of the database file (or `:memory:`). */
    readonly file: string,
    private readonly options: SqliteOpenOptions,
  ) {}

  /**
   * Opens (creating if needed) the database file and proves it is a usable
   * SQLite database, so a wrong, damaged or locked file fails here with a
   * clear NovaError rather than on the first query.
   */
  static open(file: string, opts: SqliteOpenOptions): SqliteRelationalStore {
    const { db, path } = openDatabaseFile(file, opts);
    return new SqliteRelationalStore(db, path, opts);
  }

  /**
   * The raw better-sqlite3 handle (same file, same connection), for work the
   * SqlExecutor API cannot express, such as the online backup API. Statements
   * run on it directly bypass the transaction lock; prefer query()/exec().
   */
  get db(): Database.Database {
    this.assertOpen();
    return this.handle;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  query<R = Record<string, unknown>>(
    sql: string,
    params: readonly unknown[] = [],
  ): Promise<QueryResult<R>> {
    return this.withConnection(() => this.run<R>(sql, params));
  }

  exec(sql: string): Promise<void> {
    return this.withConnection(() => this.runScript(sql));
  }

  /**
   * BEGIN IMMEDIATE takes the write lock up front, so a transaction never
   * fails half-way with SQLITE_BUSY when it first writes. Called inside
   * another transaction it becomes a SAVEPOINT.
   */
  async transaction<T>(fn: (tx: SqliteExecutor) => Promise<T>): Promise<T> {
    const outer = this.activeScope();
    if (outer) return this.savepoint(outer, fn);

    const release = await this.lock.acquire();
    const scope: TxScope = {
      store: this,
      parent: undefined,
      depth: 0,
      active: true,
      children: new AsyncMutex(),
    };
    try {
      this.runScript('BEGIN IMMEDIATE');
      let result: T;
      try {
        result = await txScopes.run(scope, () => fn(this.executorFor(scope)));
      } catch (err) {
        this.rollbackQuietly('ROLLBACK');
        throw err;
      }
      try {
        this.runScript('COMMIT');
      } catch (err) {
        this.rollbackQuietly('ROLLBACK');
        throw err;
      }
      return result;
    } finally {
      scope.active = false;
      release();
    }
  }

  async health(): Promise<ServiceHealth> {
    const base = { service: 'relational', backend: this.backend } as const;
    if (this.closed || this.closing) {
      return downHealth(base, `SQLite store for ${this.file} is closed.`);
    }
    try {
      const started = performance.now();
      await this.query('SELECT 1');
      const latencyMs = Math.round((performance.now() - started) * 1000) / 1000;
      const interval = this.options.integrityCheckIntervalMs ?? DEFAULT_INTEGRITY_INTERVAL_MS;
      if (this.lastIntegrityCheck === 0 || Date.now() - this.lastIntegrityCheck >= interval) {
        this.lastIntegrityProblems = await this.withConnection(() => quickCheck(this.handle));
        this.lastIntegrityCheck = Date.now();
      }
      if (this.lastIntegrityProblems.length > 0) {
        const err = corruptError(this.file, this.lastIntegrityProblems.slice(0, 3).join('; '));
        return {
          ...base,
          status: 'degraded',
          latencyMs,
          detail: err.message,
          ...(err.fix ? { fix: err.fix } : {}),
        };
      }
      const { rows } = await this.query<{ version: string }>('SELECT sqlite_version() AS version');
      const version = rows[0]?.version ?? 'unknown';
      const mode = this.options.readonly ? 'read-only' : 'WAL';
      return {
        ...base,
        status: 'ok',
        latencyMs,
        detail: `SQLite ${version} at ${this.file} (${mode})`,
      };
    } catch (err) {
      const e = mapSqliteError(err, this.errorContext());
      return downHealth(base, e);
    }
  }

  /** Waits for an open transaction to finish, then closes. Safe to call more than once. */
  close(): Promise<void> {
    if (this.activeScope()) {
      return Promise.reject(
        new NovaError(
          'INVALID_ARGUMENT',
          'close() was called inside a transaction on the same store.',
          {
            fix: 'Close the store after transaction() has resolved.',
          },
        ),
      );
    }
    this.closing ??= this.lock.runExclusive(() => {
      this.closed = true;
      this.statements.clear();
      this.handle.close();
    });
    return this.closing;
  }

  private async savepoint<T>(parent: TxScope, fn: (tx: SqliteExecutor) => Promise<T>): Promise<T> {
    const release = await parent.children.acquire();
    const scope: TxScope = {
      store: this,
      parent,
      depth: parent.depth + 1,
      active: true,
      children: new AsyncMutex(),
    };
    // Unique along the stack; siblings run one after another so reusing a depth's name is safe.
    const name = `nova_sp_${scope.depth}`;
    try {
      if (!isScopeActive(parent)) throw finishedTxError();
      this.runScript(`SAVEPOINT ${name}`);
      let result: T;
      try {
        result = await txScopes.run(scope, () => fn(this.executorFor(scope)));
      } catch (err) {
        this.rollbackQuietly(`ROLLBACK TO ${name}; RELEASE ${name}`);
        throw err;
      }
      this.runScript(`RELEASE ${name}`);
      return result;
    } finally {
      scope.active = false;
      release();
    }
  }

  /**
   * Runs synchronous work on the connection. Inside this store's transaction it
   * runs at once; otherwise it waits for any open transaction to finish.
   * Synchronous work cannot interleave, so with no transaction open there is
   * nothing to wait for.
   */
  private async withConnection<T>(work: () => T): Promise<T> {
    if (this.activeScope() || !this.lock.isLocked) return work();
    return this.lock.runExclusive(work);
  }

  private executorFor(scope: TxScope): SqliteExecutor {
    const ensure = (): void => {
      if (!isScopeActive(scope)) throw finishedTxError();
    };
    return {
      dialect: 'sqlite',
      query: async <R = Record<string, unknown>>(sql: string, params: readonly unknown[] = []) => {
        ensure();
        return this.run<R>(sql, params);
      },
      exec: async (sql: string) => {
        ensure();
        this.runScript(sql);
      },
    };
  }

  /** The innermost still-open transaction of this store in the caller's async context. */
  private activeScope(): TxScope | undefined {
    let scope = txScopes.getStore();
    while (scope && (scope.store !== this || !scope.active)) scope = scope.parent;
    return scope?.store === this ? scope : undefined;
  }

  private run<R>(sql: string, params: readonly unknown[]): QueryResult<R> {
    this.assertOpen();
    try {
      const { stmt, argOrder } = this.prepare(sql);
      const args = toSqliteValues(reorderArgs(params, argOrder));
      if (stmt.reader) {
        const rows = stmt.all(...args) as R[];
        return { rows, rowCount: rows.length };
      }
      const info = stmt.run(...args);
      return { rows: [], rowCount: info.changes, lastInsertId: toId(info.lastInsertRowid) };
    } catch (err) {
      throw mapSqliteError(err, this.errorContext(sql));
    }
  }

  private runScript(sql: string): void {
    this.assertOpen();
    try {
      this.handle.exec(sql);
    } catch (err) {
      throw mapSqliteError(err, this.errorContext(sql));
    }
  }

  private prepare(sql: string): PreparedEntry {
    const cached = this.statements.get(sql);
    if (cached) {
      // Re-insert to keep the Map in least-recently-used order.
      this.statements.delete(sql);
      this.statements.set(sql, cached);
      return cached;
    }
    const { sql: translated, argOrder } = translatePlaceholders(sql);
    const entry = { stmt: this.handle.prepare(translated), argOrder };
    this.statements.set(sql, entry);
    if (this.statements.size > STATEMENT_CACHE_SIZE) {
      const oldest = this.statements.keys().next().value;
      if (oldest !== undefined) this.statements.delete(oldest);
    }
    return entry;
  }

  /** SQLite may already have rolled back by itself (e.g. SQLITE_FULL); don't mask the real error. */
  private rollbackQuietly(sql: string): void {
    if (this.closed || !this.handle.inTransaction) return;
    try {
      this.handle.exec(sql);
    } catch {
      // The original failure is what the caller needs to see.
    }
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new NovaError('NOT_INITIALIZED', `The SQLite store for ${this.file} is closed.`, {
        fix: 'Open the store again (or re-initialise the database layer) before using it.',
      });
    }
  }

  private errorContext(sql?: string) {
    return { file: this.file, busyTimeoutMs: this.options.busyTimeoutMs, ...(sql ? { sql } : {}) };
  }
}

function isScopeActive(scope: TxScope): boolean {
  for (let s: TxScope | undefined = scope; s; s = s.parent) if (!s.active) return false;
  return true;
}

function finishedTxError(): NovaError {
  return new NovaError(
    'INVALID_ARGUMENT',
    'This transaction has already finished; its executor can no longer be used.',
    {
      fix: 'Await every statement inside the transaction callback, and do not keep `tx` after it returns.',
    },
  );
}

function toId(rowid: number | bigint): number | string {
  if (typeof rowid === 'number') return rowid;
  return rowid <= BigInt(Number.MAX_SAFE_INTEGER) && rowid >= BigInt(Number.MIN_SAFE_INTEGER)
    ? Number(rowid)
    : rowid.toString();
}
