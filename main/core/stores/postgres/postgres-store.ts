/**
 * The relational store on PostgreSQL (main/core/stores/README.md): a `pg` pool that never lets
 * a dying connection crash the process, maps every failure to a NovaError,
 * and runs transactions on a dedicated connection (postgres-transaction.ts).
 * With a multi-host POSTGRES_URL the pool follows the primary through
 * failovers (postgres-pool-router.ts); statements cut off by one fail with
 * the retryable FAILOVER code.
 */
import { performance } from 'node:perf_hooks';
import type { PoolClient } from 'pg';
import { NovaError } from '../../errors.js';
import type { NovaConfig } from '../../config/schema.js';
import type { QueryResult, RelationalStore, ServiceHealth } from '../types.js';
import {
  parsePostgresTarget,
  postgresOptionsFromConfig,
  resolvePostgresOptions,
  type PostgresStoreOptions,
  type PostgresTarget,
  type ResolvedPostgresOptions,
} from './postgres-connection.js';
import { mapPostgresError, type PostgresErrorContext } from './postgres-errors.js';
import { failoverError, isFailoverError } from './postgres-failover.js';
import { PostgresPoolRouter, type RoutedPool } from './postgres-pool-router.js';
import { replicationHealth, type ReplicationHealth } from './postgres-replication.js';
import { hostLabel } from '../../config/postgres-url.js';
import { Session, type ScriptExecutor } from './postgres-session.js';
import { probeServerSsl } from './postgres-ssl-probe.js';
import { activeTransaction, runSavepoint, runTransaction } from './postgres-transaction.js';
import { downHealth } from '../service-health.js';
import { formatBytes } from '../../../../shared-contract/format-bytes.js';

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
  private readonly options: ResolvedPostgresOptions;
  private readonly router: PostgresPoolRouter;
  private readonly urlTarget: PostgresTarget;
  private closing: Promise<void> | undefined;
  private lastError: PostgresPoolError | undefined;

  /** Creates the pool; no connection is opened until the first query (see `open`). */
  constructor(options: PostgresStoreOptions) {
    this.options = resolvePostgresOptions(options);
    this.urlTarget = parsePostgresTarget(this.options.url);
    // Errors of idle clients (server restarted, backend terminated, network
    // gone): the pool has already discarded the client, so recording the
    // error — and, on a replicated server, looking for the primary again — is
    // all that is left to do.
    this.router = new PostgresPoolRouter(this.options, (err, routed) => {
      this.recordPoolError(err);
      if (isFailoverError(err)) this.router.invalidate(routed);
    });
  }

  /** Host, port, database and user this store talks to (no password): the host in use, on a multi-host URL. */
  get target(): PostgresTarget {
    return { ...this.urlTarget, ...this.router.host };
  }

  /** True when POSTGRES_URL lists several hosts (or target_session_attrs) and the store follows failovers. */
  get followsFailover(): boolean {
    return this.router.followsFailover;
  }

  /** The URL asks for a server that takes writes (target_session_attrs read-write or primary). */
  private get expectsWrites(): boolean {
    const attrs = this.router.parts.targetSessionAttrs;
    return attrs === 'read-write' || attrs === 'primary';
  }

  /** How often the store moved to another host after a failover since it was opened. */
  get hostSwitches(): number {
    return this.router.switches;
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
    return { ...this.router.stats(), max: this.options.poolMax };
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

  /**
   * Every host of a multi-host URL: which one is the primary, each standby's
   * replay lag, which do not answer. Undefined for a single-host URL.
   */
  async replication(): Promise<ReplicationHealth | undefined> {
    if (!this.router.followsFailover || this.closing) return undefined;
    return replicationHealth(this.options, this.router.parts, this.router.host);
  }

  async health(): Promise<ServiceHealth> {
    const base = { service: 'relational', backend: this.backend };
    const at = `${this.target.host}:${this.target.port}/${this.target.database}`;
    if (this.closing) return downHealth(base, `PostgreSQL store for ${at} is closed.`);
    const replication = await this.replication();
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
      if (replication) parts.push(replication.detail);
      if (replication && replication.status !== 'ok') {
        return {
          ...base,
          status: replication.status,
          latencyMs,
          detail: parts.join('; '),
          ...(replication.fix ? { fix: replication.fix } : {}),
        };
      }
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
      // Standbys still answer while no primary does: reads of a replica work, writes wait for a promotion.
      if (replication && replication.status === 'degraded') {
        return {
          ...base,
          status: 'degraded',
          latencyMs: null,
          detail: `${error.message} ${replication.detail}`,
          ...(replication.fix ? { fix: replication.fix } : {}),
        };
      }
      return downHealth(base, error);
    }
  }

  /** Ends the pool (waits for checked-out connections to come back). Safe to call twice. */
  close(): Promise<void> {
    this.closing ??= this.router.end();
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

  private async acquire(): Promise<{ client: PoolClient; routed: RoutedPool }> {
    if (this.closing) {
      throw new NovaError('SERVICE_UNAVAILABLE', 'This PostgreSQL store has been closed.', {
        fix: 'Open a new store (or re-initialize the data layer) instead of using one after close().',
      });
    }
    const routed = await this.router.pool();
    const { pool } = routed;
    const poolExhausted = pool.totalCount >= this.options.poolMax && pool.idleCount === 0;
    const started = performance.now();
    try {
      return { client: await pool.connect(), routed };
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
      const mapped = mapPostgresError(err, ctx);
      if (!poolExhausted && this.followsFailover && isFailoverError(err))
        throw this.failedOver(err, routed, 'connect', mapped);
      throw mapped;
    }
  }

  /** Forgets a host that went away; the error to throw is the retryable FAILOVER. */
  private failedOver(
    err: unknown,
    routed: RoutedPool,
    phase: 'connect' | 'query',
    mapped: NovaError,
  ): NovaError {
    this.router.invalidate(routed);
    return failoverError(err, hostLabel(routed.host), phase, mapped);
  }

  /**
   * Checks out a connection for `work`. pg-pool removes its own error
   * listener from a checked-out client, so we attach one: a server-side
   * disconnect while we hold the client must become a failed statement,
   * not an uncaught 'error' event. Broken sessions are destroyed, not pooled.
   */
  private async withSession<T>(work: (session: Session) => Promise<T>): Promise<T> {
    const { client, routed } = await this.acquire();
    const session = new Session(client, (err) => {
      const mapped = mapPostgresError(err, this.errorContext('query'));
      if (!this.followsFailover || !isFailoverError(err, this.expectsWrites)) return mapped;
      // 25006 leaves the session usable, but it is on a standby now: do not pool it again.
      session.broken ??= err instanceof Error ? err : new Error(String(err));
      return this.failedOver(err, routed, 'query', mapped);
    });
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
