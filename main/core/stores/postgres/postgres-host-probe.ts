/**
 * Finding the right server among the hosts of a multi-host POSTGRES_URL, the
 * way libpq does it for `target_session_attrs`: try the hosts in order, ask
 * each whether it is in recovery and whether its sessions are read-only, and
 * take the first that fits (for `prefer-standby`, a standby if any answers,
 * else the first server that answers). `pg` connects to one host only, so
 * every part of the appliance that connects from POSTGRES_URL goes through
 * `findSessionHost` (the store's pool, migrations, backups).
 */
import pg from 'pg';
import { NovaError, type ErrorCode } from '../../errors.js';
import { buildPoolConfig, type ResolvedPostgresOptions } from './postgres-connection.js';
import { mapPostgresError } from './postgres-errors.js';
import {
  describeHosts,
  hostLabel,
  isHighAvailability,
  parsePostgresUrl,
  type PostgresHostPort,
  type PostgresUrlParts,
  type TargetSessionAttrs,
} from '../../config/postgres-url.js';

/** What one host said about itself (or why it said nothing). */
export interface HostProbe {
  host: PostgresHostPort;
  reachable: boolean;
  /** pg_is_in_recovery(): a standby (streaming or replaying archives). */
  inRecovery?: boolean;
  /** transaction_read_only of a new session (standbys, and primaries with default_transaction_read_only). */
  readOnly?: boolean;
  /** WAL position: written (primary) or replayed (standby), as `X/Y`. */
  lsn?: string | null;
  /** Standby only: seconds its replay is behind what it received (0 when caught up). */
  replayLagSeconds?: number | null;
  /** Round trip of the probe query. */
  latencyMs?: number;
  error?: NovaError;
}

// CASE evaluates only the branch taken, so pg_current_wal_lsn() never runs on a standby (where it fails).
const PROBE_SQL = `SELECT pg_is_in_recovery() AS in_recovery,
  current_setting('transaction_read_only') AS read_only,
  (CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END)::text AS lsn,
  CASE WHEN NOT pg_is_in_recovery() THEN NULL
       WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
       ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())::float8 END AS replay_lag_s`;

interface ProbeRow {
  in_recovery: boolean;
  read_only: string;
  lsn: string | null;
  replay_lag_s: number | null;
}

/** Connects to one host, asks PROBE_SQL, disconnects. Never throws: failures come back in `error`. */
export async function probeHost(
  options: ResolvedPostgresOptions,
  host: PostgresHostPort,
  timeoutMs = options.connectTimeoutMs,
): Promise<HostProbe> {
  const target = { ...host, database: '', user: '' };
  let client: pg.Client;
  try {
    const parts = parsePostgresUrl(options.url);
    Object.assign(target, { database: parts.database, user: parts.user });
    client = new pg.Client({
      ...buildPoolConfig({ ...options, applicationName: `${options.applicationName} probe` }, host),
      connectionTimeoutMillis: timeoutMs,
    });
  } catch (err) {
    return { host, reachable: false, error: mapPostgresError(err, { target, phase: 'connect' }) };
  }
  client.on('error', () => undefined);
  const started = performance.now();
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => undefined);
    const error = mapPostgresError(err, {
      target,
      phase: 'connect',
      connectTimeoutMs: timeoutMs,
      elapsedMs: performance.now() - started,
    });
    return { host, reachable: false, error };
  }
  try {
    const queried = performance.now();
    const { rows } = await client.query<ProbeRow>(PROBE_SQL);
    const row = rows[0]!;
    return {
      host,
      reachable: true,
      inRecovery: row.in_recovery,
      readOnly: row.read_only === 'on',
      lsn: row.lsn,
      replayLagSeconds: row.replay_lag_s === null ? null : Number(row.replay_lag_s),
      latencyMs: Math.round((performance.now() - queried) * 100) / 100,
    };
  } catch (err) {
    return { host, reachable: false, error: mapPostgresError(err, { target, phase: 'query' }) };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Whether a host that answered suits `attrs` (prefer-standby's fallback is handled by the caller). */
export function suits(attrs: TargetSessionAttrs, p: HostProbe): boolean {
  if (!p.reachable) return false;
  switch (attrs) {
    case 'any':
      return true;
    case 'read-write':
      return p.readOnly === false;
    case 'read-only':
      return p.readOnly === true;
    case 'primary':
      return p.inRecovery === false;
    case 'standby':
    case 'prefer-standby':
      return p.inRecovery === true;
  }
}

function ordered(parts: PostgresUrlParts): PostgresHostPort[] {
  const hosts = [...parts.hosts];
  if (parts.loadBalanceHosts === 'random') {
    for (let i = hosts.length - 1; i > 0; i -= 1) {
      const j = Math.floor(Math.random() * (i + 1));
      [hosts[i], hosts[j]] = [hosts[j]!, hosts[i]!];
    }
  }
  return hosts;
}

/**
 * The host a session should use now, with what it said. Throws when none
 * fits: FAILOVER when servers answer but none is the primary a writing URL
 * asks for (a promotion is probably under way), otherwise the error of the
 * hosts that failed, naming each of them.
 */
export async function findSessionHost(options: ResolvedPostgresOptions): Promise<HostProbe> {
  const parts = parsePostgresUrl(options.url);
  const attrs = parts.targetSessionAttrs;
  const probes: HostProbe[] = [];
  let fallback: HostProbe | undefined;
  for (const host of ordered(parts)) {
    const probe = await probeHost(options, host);
    probes.push(probe);
    if (suits(attrs, probe)) return probe;
    if (attrs === 'prefer-standby' && probe.reachable) fallback ??= probe;
  }
  if (fallback) return fallback;
  throw noSuitableHost(parts, probes);
}

/**
 * The host `pg` should connect to for `options`: undefined for a plain
 * single-host URL (no probe, `pg` connects as before), else the host
 * findSessionHost chose. For one-off sessions (migrations, backups) that
 * connect once and fail over by being run again.
 */
export async function sessionHostFor(
  options: ResolvedPostgresOptions,
): Promise<PostgresHostPort | undefined> {
  if (!isHighAvailability(parsePostgresUrl(options.url))) return undefined;
  return (await findSessionHost(options)).host;
}

function roleOf(p: HostProbe): string {
  if (p.inRecovery) return 'is a standby (in recovery)';
  if (p.readOnly)
    return 'is a primary whose sessions are read-only (default_transaction_read_only)';
  return 'is a primary';
}

const WANTED: Record<TargetSessionAttrs, string> = {
  any: 'answers',
  'read-write': 'accepts writes',
  'read-only': 'is read-only',
  primary: 'is a primary',
  standby: 'is a standby',
  'prefer-standby': 'answers',
};

function noSuitableHost(parts: PostgresUrlParts, probes: HostProbe[]): NovaError {
  const attrs = parts.targetSessionAttrs;
  const failed = probes.filter((p) => !p.reachable);
  // One host that did not answer: its own error says it best.
  if (probes.length === 1 && failed.length === 1) return failed[0]!.error!;
  const each = probes
    .map(
      (p) =>
        `${hostLabel(p.host)} ${p.reachable ? roleOf(p) : `did not answer (${(p.error?.message ?? 'unknown error').replace(/\.$/, '')})`}`,
    )
    .join('; ');
  const writing = attrs === 'read-write' || attrs === 'primary';
  if (failed.length < probes.length && writing) {
    return new NovaError(
      'FAILOVER',
      `No PostgreSQL host in POSTGRES_URL ${WANTED[attrs]} right now (target_session_attrs=${attrs}): ${each}.`,
      {
        fix: 'If a failover is under way, retry in a few seconds: Nova uses the new primary as soon as a standby is promoted. Otherwise promote a standby (pg_ctl promote, or your provider’s failover) or add the primary to POSTGRES_URL.',
      },
    );
  }
  if (failed.length < probes.length) {
    return new NovaError(
      'SERVICE_UNAVAILABLE',
      `No PostgreSQL host in POSTGRES_URL ${WANTED[attrs]} (target_session_attrs=${attrs}): ${each}.`,
      {
        fix: `Add a host that ${WANTED[attrs]} to POSTGRES_URL (${describeHosts(parts)} now), or use target_session_attrs=prefer-standby or any.`,
      },
    );
  }
  const codes = new Set(failed.map((p) => p.error?.code));
  const code: ErrorCode =
    codes.size === 1 ? (failed[0]!.error?.code ?? 'CONN_REFUSED') : 'CONN_REFUSED';
  const fix = codes.size === 1 ? failed[0]!.error?.fix : undefined;
  return new NovaError(code, `None of the PostgreSQL hosts in POSTGRES_URL answered: ${each}.`, {
    fix:
      fix ??
      'Check that the servers are running and reachable, and the hosts and ports in POSTGRES_URL.',
    cause: failed[0]!.error,
  });
}
