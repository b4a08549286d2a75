/**
 * PostgreSQL: reachability and round trip (`SELECT 1`), our pool's usage,
 * the database size and the server's connection count against
 * max_connections. Errors arrive from the store already mapped to NovaErrors
 * that name the server and say what to do.
 */
import { performance } from 'node:perf_hooks';
import { NovaError, isNovaError } from '../../errors.js';
import type { PostgresPoolStats, PostgresStore } from '../../stores/postgres/postgres-store.js';
import type { CheckResult, HealthChecker } from '../types.js';
import { elapsedMs, requireBackend } from './shared.js';
import { formatBytes } from '../../../../shared-contract/format-bytes.js';

/**
 * The part of PostgresStore the checker reads (type-only import: pg is not
 * loaded here). `replication` reports every host of a multi-host URL.
 */
export type PostgresHealthSource = Pick<
  PostgresStore,
  'query' | 'poolStats' | 'target' | 'lastPoolError'
> &
  Partial<Pick<PostgresStore, 'replication'>>;

export interface PostgresCheckerOptions {
  /** A round trip slower than this is "degraded" (default 1000 ms). */
  slowMs?: number;
  /** Server connections at or above this share of max_connections are "degraded" (default 0.9). */
  connectionsDegradedRatio?: number;
}

const STATS_SQL = `SELECT pg_database_size(current_database()) AS size,
  (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend') AS connections,
  current_setting('max_connections')::int AS max_connections,
  current_setting('server_version') AS version`;

interface StatsRow {
  size: string | number;
  connections: string | number;
  max_connections: number;
  version: string;
}

export function postgresChecker(
  store: () => PostgresHealthSource | undefined,
  options: PostgresCheckerOptions = {},
): HealthChecker {
  const slowMs = options.slowMs ?? 1_000;
  const ratio = options.connectionsDegradedRatio ?? 0.9;
  return {
    id: 'postgres',
    service: 'relational',
    label: 'PostgreSQL',
    backend: 'postgres',
    applicable: () => true,
    check: async () => checkPostgres(requireBackend(store(), 'PostgreSQL'), slowMs, ratio),
  };
}

async function checkPostgres(
  pg: PostgresHealthSource,
  slowMs: number,
  ratio: number,
): Promise<CheckResult> {
  // Primary, standbys and their replay lag, when POSTGRES_URL lists several hosts.
  const replication = await pg.replication?.();
  const where = `${pg.target.host}:${pg.target.port}/${pg.target.database}`;
  let latencyMs: number;
  let row: StatsRow | undefined;
  try {
    const started = performance.now();
    await pg.query('SELECT 1');
    latencyMs = elapsedMs(started);
    row = (await pg.query<StatsRow>(STATS_SQL)).rows[0];
  } catch (err) {
    const e = isNovaError(err) ? err : new NovaError('QUERY_FAILED', String(err));
    if (replication?.status === 'degraded') {
      // Only standbys answer: writes wait for a promotion, the appliance is not down.
      return {
        status: 'degraded',
        latencyMs: null,
        detail: `${e.message} ${replication.detail}`,
        ...(replication.fix ? { fix: replication.fix } : {}),
        metrics: { ...poolMetrics(pg.poolStats()), ...replication.metrics },
      };
    }
    return {
      status: 'down',
      latencyMs: null,
      detail: e.message,
      ...(e.fix ? { fix: e.fix } : {}),
      metrics: poolMetrics(pg.poolStats()),
    };
  }
  const pool = pg.poolStats();
  const size = Number(row?.size ?? 0);
  const connections = Number(row?.connections ?? 0);
  const maxConnections = Number(row?.max_connections ?? 0);
  const parts = [
    `PostgreSQL ${row?.version ?? '?'} at ${where}`,
    `round trip ${latencyMs} ms`,
    `pool ${pool.total}/${pool.max} open (${pool.idle} idle, ${pool.waiting} waiting)`,
    `server connections ${connections}/${maxConnections}`,
    `database ${formatBytes(size)}`,
  ];
  const lastError = pg.lastPoolError;
  if (lastError && Date.now() - lastError.at.getTime() < 5 * 60_000) {
    parts.push(`an idle connection dropped at ${lastError.at.toISOString()}`);
  }
  if (replication) parts.push(replication.detail);
  const metrics = {
    ...poolMetrics(pool),
    database_size_bytes: size,
    server_connections: connections,
    server_max_connections: maxConnections,
    ...replication?.metrics,
  };
  const result = { latencyMs, detail: parts.join('; '), metrics };
  if (replication && replication.status !== 'ok') {
    return { ...result, status: 'degraded', ...(replication.fix ? { fix: replication.fix } : {}) };
  }
  if (pool.waiting > 0) {
    return {
      ...result,
      status: 'degraded',
      fix: 'Every pool connection is busy: raise POSTGRES_POOL_MAX, or find long-running queries in pg_stat_activity.',
    };
  }
  if (maxConnections > 0 && connections >= maxConnections * ratio) {
    return {
      ...result,
      status: 'degraded',
      fix: `The server is close to max_connections (${maxConnections}): lower POSTGRES_POOL_MAX of the clients, or raise max_connections and restart PostgreSQL.`,
    };
  }
  if (latencyMs > slowMs) {
    return {
      ...result,
      status: 'degraded',
      fix: 'PostgreSQL answers slowly: check the load of its machine and the network in between.',
    };
  }
  return { ...result, status: 'ok' };
}

function poolMetrics(pool: PostgresPoolStats): Record<string, number> {
  return {
    pool_idle: pool.idle,
    pool_active: pool.total - pool.idle,
    pool_waiting: pool.waiting,
    pool_max: pool.max,
  };
}
