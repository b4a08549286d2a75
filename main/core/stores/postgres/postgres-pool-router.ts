/**
 * The one place the store gets a `pg.Pool` from. With a plain single-host
 * URL that is one pool for the store's life, exactly as before. With a
 * multi-host URL (or target_session_attrs) it is a pool for the host
 * `findSessionHost` chose; when a statement shows that host went away or
 * became a standby, the store calls `invalidate()`, the pool is retired
 * (ended once its borrowed connections come back) and the next caller finds
 * the right host again — one search at a time, shared by everyone waiting.
 */
import pg from 'pg';
import type { PoolConfig } from 'pg';
import { NovaError } from '../../errors.js';
import { buildPoolConfig, type ResolvedPostgresOptions } from './postgres-connection.js';
import { findSessionHost, type HostProbe } from './postgres-host-probe.js';
import {
  isHighAvailability,
  parsePostgresUrl,
  type PostgresHostPort,
  type PostgresUrlParts,
} from '../../config/postgres-url.js';

export interface RoutedPool {
  pool: pg.Pool;
  host: PostgresHostPort;
}

/** After a failed search, callers within this window get its error instead of probing again. */
const FAILED_SEARCH_REUSE_MS = 200;

export class PostgresPoolRouter {
  readonly parts: PostgresUrlParts;
  /** True when hosts are searched and failovers followed (several hosts or target_session_attrs). */
  readonly followsFailover: boolean;
  private current: RoutedPool | undefined;
  private searching: Promise<RoutedPool> | undefined;
  private lastFailure: { at: number; error: unknown } | undefined;
  private readonly retiring = new Set<Promise<void>>();
  private lastProbe: HostProbe | undefined;
  private ended = false;
  /** How many times the store moved to another pool after a failover; for health and tests. */
  switches = 0;

  /**
   * `extra` is merged into every pool's configuration (the legacy db's own
   * type parsers); `onIdleError` hears the errors of idle connections.
   */
  constructor(
    private readonly options: ResolvedPostgresOptions,
    private readonly onIdleError: (err: Error, routed: RoutedPool) => void,
    private readonly extra: Partial<PoolConfig> = {},
  ) {
    this.parts = parsePostgresUrl(options.url);
    this.followsFailover = isHighAvailability(this.parts);
    // Single host: the pool exists from the start (nothing connects before the first query).
    if (!this.followsFailover) this.current = this.makePool(undefined, this.parts.hosts[0]!);
  }

  /** The host in use now, else the first one of the URL. */
  get host(): PostgresHostPort {
    return this.current?.host ?? this.parts.hosts[0]!;
  }

  /** What the host in use said when it was chosen (multi-host only). */
  get chosen(): HostProbe | undefined {
    return this.current ? this.lastProbe : undefined;
  }

  /** The pool for the right host, searching for it first when needed. */
  pool(): Promise<RoutedPool> {
    if (this.current) return Promise.resolve(this.current);
    const failure = this.lastFailure;
    if (failure && performance.now() - failure.at < FAILED_SEARCH_REUSE_MS) {
      return Promise.reject(failure.error as NovaError);
    }
    this.searching ??= this.search().finally(() => {
      this.searching = undefined;
    });
    return this.searching;
  }

  /** Forgets `routed` after it failed over; a no-op for single-host URLs or a pool already replaced. */
  invalidate(routed: RoutedPool): void {
    if (!this.followsFailover || this.current !== routed) return;
    this.current = undefined;
    this.switches += 1;
    this.retire(routed.pool);
  }

  /** Usage of the pool in use (0 everywhere while none is). */
  stats(): { total: number; idle: number; waiting: number } {
    const pool = this.current?.pool;
    return {
      total: pool?.totalCount ?? 0,
      idle: pool?.idleCount ?? 0,
      waiting: pool?.waitingCount ?? 0,
    };
  }

  /** Ends every pool, waiting for borrowed connections to come back. */
  async end(): Promise<void> {
    this.ended = true;
    await this.searching?.catch(() => undefined);
    const current = this.current;
    this.current = undefined;
    if (current) this.retire(current.pool);
    await Promise.all([...this.retiring]);
  }

  private async search(): Promise<RoutedPool> {
    try {
      const probe = await findSessionHost(this.options);
      if (this.ended) throw closedError();
      this.lastFailure = undefined;
      this.lastProbe = probe;
      this.current = this.makePool(probe.host, probe.host);
      return this.current;
    } catch (err) {
      this.lastFailure = { at: performance.now(), error: err };
      throw err;
    }
  }

  private makePool(hostForUrl: PostgresHostPort | undefined, host: PostgresHostPort): RoutedPool {
    const pool = new pg.Pool({ ...buildPoolConfig(this.options, hostForUrl), ...this.extra });
    const routed: RoutedPool = { pool, host };
    // pg-pool re-emits errors of idle clients on the pool; without a listener
    // Node would treat them as unhandled and end the process.
    pool.on('error', (err) => this.onIdleError(err, routed));
    return routed;
  }

  private retire(pool: pg.Pool): void {
    const ending: Promise<void> = pool
      .end()
      .catch(() => undefined)
      .finally(() => this.retiring.delete(ending));
    this.retiring.add(ending);
  }
}

function closedError(): NovaError {
  return new NovaError('SERVICE_UNAVAILABLE', 'This PostgreSQL store has been closed.', {
    fix: 'Open a new store (or re-initialize the data layer) instead of using one after close().',
  });
}
