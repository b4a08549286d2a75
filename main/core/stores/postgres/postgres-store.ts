/**
 * The relational store on PostgreSQL (SPEC §4): a `pg` pool that never lets
 * a dying connection crash the process, maps every failure to a NovaError,
 * and runs transactions on a dedicated connection (postgres-transaction.ts).
 */
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import type { PoolClient } from 'pg';
import { NovaError } from '../../errors.js';
import type { NovaConfig } from '../../config/schema.js';
import type { QueryResult, RelationalStore, ServiceHealth } from '../types.js';
import {
  buildPoolConfig,
  parsePostgresTarget,
  postgresOptionsFromConfig,
  resolvePostgresOptions,
  type PostgresStoreOptions,
  type PostgresTarget,
  type ResolvedPostgresOptions,
} from './postgres-connection.js';
import { mapPostgresError, type PostgresErrorContext } from './postgres-errors.js';
import { Session, type ScriptExecutor } from './postgres-session.js';
import { probeServerSsl } from './postgres-ssl-probe.js';
import { activeTransaction, runSavepoint, runTransaction } from './postgres-transaction.js';
import { downHealth } from '../service-health.js';

export type { ScriptExecutor } from './postgres-session.js';

export interface PostgresPoolStats {
  /** Connections open (idle + checked out). */
  total: number;
  idle: number;
  /** Callers queued for a free connection. */
  waiting: number;
  max: number;
}

/** The last failure of a connection nobody was using, kept for health reports. */
export interface PostgresPoolError {
  error: NovaError;
  at: Date;
}

/** Health reports a recent dropped idle connection for this long. */
const RECENT_POOL_ERROR_MS = 5 * 60_000;
/** A round trip slower than this makes the service "degraded". */
const SLOW_LATENCY_MS = 1_000;

export class PostgresStore implements RelationalStore, ScriptExecutor {
  readonly dialect = 'postgres' as const;
  readonly backend = 'postgres';
  /** Host, port, database and user this store talks to (no password). */
  readonly target: PostgresTarget;
  private readonly options: ResolvedPostgresOptions;
  private readonly pool: pg.Pool;
  private closing: Promise<void> | undefined;
  private lastError: PostgresPoolError | undefined;

  /** Creates the pool; no connection is opened until the first query (see `open`). */
  constructor(options: PostgresStoreOptions) {
    this.options = resolvePostgresOptions(options);
    this.target = parsePostgresTarget(this.options.url);
    this.pool = new pg.Pool(buildPoolConfig(this.options));
    // pg-pool re-emits errors of idle clients (server restarted, backend
    // terminated, network gone) on the pool; with no listener Node would
    // treat them as unhandled and kill the process. The pool has already
    // discarded the client, so recording the error is all that is left to do.
    this.pool.on('error', (err) => this.recordPoolError(err));
  }

  static fromConfig(config: NovaConfig): PostgresStore {
    return new PostgresStore(postgresOptionsFromConfig(config));
  }

  /** Creates the store and proves it can connect, so a bad URL fails here with a clear error. */
  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    const store = new PostgresStore(options);
    try {
      await store.query('SELECT 1');
    } catch (err) {
      await store.close();
      throw err;
    }
    return store;
  }

  /** The validated options of this store (hook for the legacy db's own pool; the URL carries the password). */
  get poolOptions(): ResolvedPostgresOptions {
    return this.options;
  }

  get lastPoolError(): PostgresPoolError | undefined {
    return this.lastError;
  }

  poolStats(): PostgresPoolStats {
    return {
      total: this.pool.totalCount,
      idle: this.pool.idleCount,
      waiting: this.pool.waitingCount,
      max: this.options.poolMax,
    };
  }

  async query<R = Record<string, unknown>>(
    sql: string,
    params: readonly unknown[] = [],
  ): Promise<QueryResult<R>> {
    // Inside transaction(fn), statements sent through the store join it.
    const tx = activeTransaction(this);
    if (tx) return tx.session.query<R>(sql, params);
    return this.withSession((session) => session.query<R>(sql, params));
  }

  async exec(sql: string): Promise<void> {
    const tx = activeTransaction(this);
    if (tx) return tx.session.exec(sql);
    return this.withSession((session) => session.exec(sql));
  }

  /**
   * Runs `fn` in a transaction on one dedicated connection. Called inside
   * another transaction of this store it becomes a savepoint of that one.
   */
  async transaction<T>(fn: (tx: ScriptExecutor) => Promise<T>): Promise<T> {
    const outer = activeTransaction(this);
    if (outer) return runSavepoint(outer, fn);
    return this.withSession((session) => runTransaction(this, session, fn));
  }

  async health(): Promise<ServiceHealth> {
    const base = { service: 'relational', backend: this.backend };
    const at = `${this.target.host}:${this.target.port}/${this.target.database}`;
    if (this.closing) return downHealth(base, `PostgreSQL store for ${at} is closed.`);
    try {
      const started = performance.now();
      await this.query('SELECT 1');
      const latencyMs = Math.round((performance.now() - started) * 100) / 100;
      const { rows } = await this.query<{ size: number | string; version: string }>(
        "SELECT pg_database_size(current_database()) AS size, current_setting('server_version') AS version",
      );
      const stats = this.poolStats();
      const parts = [
        `PostgreSQL ${rows[0]?.version ?? '?'} at ${at}`,
        `round trip ${latencyMs} ms`,
        `pool ${stats.total}/${stats.max} open (${stats.idle} idle, ${stats.waiting} waiting)`,
        `database ${formatBytes(Number(rows[0]?.size ?? 0))}`,
      ];
      const recent =
        this.lastError && Date.now() - this.lastError.at.getTime() < RECENT_POOL_ERROR_MS;
      if (recent && this.lastError)
        parts.push(
          `an idle connection dropped at ${this.lastError.at.toISOString()}: ${this.lastError.error.message}`,
        );
      if (stats.waiting > 0) {
        return {
          ...base,
          status: 'degraded',
          latencyMs,
          detail: parts.join('; '),
          fix: 'Every pool connection is busy; raise POSTGRES_POOL_MAX or find long-running queries in pg_stat_activity.',
        };
      }
      if (latencyMs > SLOW_LATENCY_MS) {
        return {
          ...base,
          status: 'degraded',
          latencyMs,
          detail: parts.join('; '),
          fix: 'The server answers slowly; check its load and the network.',
        };
      }
      return { ...base, status: 'ok', latencyMs, detail: parts.join('; ') };
    } catch (err) {
      const error = mapPostgresError(err, this.errorContext('query'));
      return downHealth(base, error);
    }
  }

  /** Ends the pool (waits for checked-out connections to come back). Safe to call twice. */
  close(): Promise<void> {
    this.closing ??= this.pool.end();
    return this.closing;
  }

  private recordPoolError(err: unknown): void {
    this.lastError = { error: mapPostgresError(err, this.errorContext('query')), at: new Date() };
  }

  private errorContext(phase: PostgresErrorContext['phase']): PostgresErrorContext {
    return {
      target: this.target,
      phase,
      sslRequested: this.options.ssl !== 'disable',
      connectTimeoutMs: this.options.connectTimeoutMs,
      statementTimeoutMs: this.options.statementTimeoutMs,
      poolMax: this.options.poolMax,
    };
  }

  private async acquire(): Promise<PoolClient> {
    if (this.closing) {
      throw new NovaError('SERVICE_UNAVAILABLE', 'This PostgreSQL store has been closed.', {
        fix: 'Open a new store (or re-initialize the data layer) instead of using one after close().',
      });
    }
    const poolExhausted = this.pool.totalCount >= this.options.poolMax && this.pool.idleCount === 0;
    const started = performance.now();
    try {
      return await this.pool.connect();
    } catch (err) {
      const ctx: PostgresErrorContext = {
        ...this.errorContext('connect'),
        elapsedMs: performance.now() - started,
        poolExhausted,
      };
      const hasCode = typeof (err as { code?: unknown }).code === 'string';
      if (!hasCode && ctx.sslRequested && !this.target.host.startsWith('/')) {
        ctx.serverSupportsSsl = await probeServerSsl(
          this.target.host,
          this.target.port,
          Math.min(this.options.connectTimeoutMs, 2_000),
        );
      }
      throw mapPostgresError(err, ctx);
    }
  }

  /**
   * Checks out a connection for `work`. pg-pool removes its own error
   * listener from a checked-out client, so we attach one: a server-side
   * disconnect while we hold the client must become a failed statement,
   * not an uncaught 'error' event. Broken sessions are destroyed, not pooled.
   */
  private async withSession<T>(work: (session: Session) => Promise<T>): Promise<T> {
    const client = await this.acquire();
    const session = new Session(client, (err) => mapPostgresError(err, this.errorContext('query')));
    const onError = (err: Error): void => {
      session.broken = err;
      this.recordPoolError(err);
    };
    client.on('error', onError);
    try {
      return await work(session);
    } finally {
      client.removeListener('error', onError);
      client.release(session.broken ?? undefined);
    }
  }
}

function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}
