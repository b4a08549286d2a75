/**
 * Health of a replicated PostgreSQL named by a multi-host POSTGRES_URL: every
 * host is asked (in parallel, briefly) whether it is the primary or a
 * standby and how far its replay is behind, so an admin sees which server
 * takes the writes, how stale each standby is, and which host is missing.
 * The status follows what the appliance can do: ok while a host of the kind
 * the URL asks for answers, degraded while only others do (a standby without
 * a primary: reads of a replica work, writes wait for a promotion), down
 * when nothing answers.
 */
import type { ResolvedPostgresOptions } from './postgres-connection.js';
import { probeHost, suits, type HostProbe } from './postgres-host-probe.js';
import {
  hostLabel,
  type PostgresHostPort,
  type PostgresUrlParts,
} from '../../config/postgres-url.js';

export interface ReplicationNode {
  /** `host:port` as in POSTGRES_URL. */
  host: string;
  role: 'primary' | 'standby' | 'unreachable';
  /** The host the store's pool uses now. */
  inUse: boolean;
  /** Standbys: WAL bytes between the primary's position and this standby's replay (null without a primary to compare with). */
  replayLagBytes?: number | null;
  /** Standbys: seconds of replay behind what they received (0 when caught up). */
  replayLagSeconds?: number | null;
  /** Unreachable hosts: why. */
  error?: string;
}

export interface ReplicationHealth {
  status: 'ok' | 'degraded' | 'down';
  /** `host:port` of the primary, or null when none answers. */
  primary: string | null;
  nodes: ReplicationNode[];
  detail: string;
  fix?: string;
  /** For /metrics: hosts, unreachable hosts, primaries, the largest lag. */
  metrics: Record<string, number>;
}

/** Each health probe waits at most this long for a host, so one dead host cannot stall /health. */
const HEALTH_PROBE_TIMEOUT_MS = 2_000;

/** `16/B374D848` → a byte position. */
export function lsnToBigInt(lsn: string): bigint | undefined {
  const m = /^([0-9A-F]+)\/([0-9A-F]+)$/i.exec(lsn);
  return m ? (BigInt(`0x${m[1]!}`) << 32n) + BigInt(`0x${m[2]!}`) : undefined;
}

function formatLag(bytes: number | null | undefined, seconds: number | null | undefined): string {
  const b =
    bytes === null || bytes === undefined
      ? 'unknown bytes'
      : bytes < 1024
        ? `${bytes} B`
        : bytes < 1024 * 1024
          ? `${(bytes / 1024).toFixed(1)} kB`
          : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  const s = seconds === null || seconds === undefined ? '' : `, ${seconds.toFixed(1)} s`;
  return `replay lag ${b}${s}`;
}

function toNode(p: HostProbe, inUse: boolean, primaryLsn: bigint | undefined): ReplicationNode {
  const host = hostLabel(p.host);
  if (!p.reachable) {
    const cause = (p.error?.cause as { code?: unknown } | undefined)?.code;
    const reason = typeof cause === 'string' ? cause : (p.error?.code ?? 'no answer');
    return { host, role: 'unreachable', inUse, error: reason };
  }
  if (!p.inRecovery) return { host, role: 'primary', inUse };
  const replayed = p.lsn ? lsnToBigInt(p.lsn) : undefined;
  const lagBytes =
    primaryLsn !== undefined && replayed !== undefined
      ? Number(primaryLsn > replayed ? primaryLsn - replayed : 0n)
      : null;
  return {
    host,
    role: 'standby',
    inUse,
    replayLagBytes: lagBytes,
    replayLagSeconds: p.replayLagSeconds ?? null,
  };
}

function describe(n: ReplicationNode): string {
  const using = n.inUse ? ' (in use)' : '';
  if (n.role === 'unreachable') return `${n.host} unreachable (${n.error ?? '?'})${using}`;
  if (n.role === 'primary') return `${n.host} primary${using}`;
  return `${n.host} standby${using}, ${formatLag(n.replayLagBytes, n.replayLagSeconds)}`;
}

/** Probes every host of `parts` and sums up what the appliance can do with them. */
export async function replicationHealth(
  options: ResolvedPostgresOptions,
  parts: PostgresUrlParts,
  inUse: PostgresHostPort,
): Promise<ReplicationHealth> {
  const timeout = Math.min(options.connectTimeoutMs, HEALTH_PROBE_TIMEOUT_MS);
  const probes = await Promise.all(parts.hosts.map((h) => probeHost(options, h, timeout)));
  const primaries = probes.filter((p) => p.reachable && p.inRecovery === false);
  const primaryLsn =
    primaries.length === 1 && primaries[0]!.lsn ? lsnToBigInt(primaries[0]!.lsn) : undefined;
  const nodes = probes.map((p) =>
    toNode(p, p.host.host === inUse.host && p.host.port === inUse.port, primaryLsn),
  );
  const attrs = parts.targetSessionAttrs;
  const lenient = attrs === 'any' || attrs === 'prefer-standby';
  const fitting = probes.filter((p) => (lenient ? p.reachable : suits(attrs, p)));
  const answering = probes.filter((p) => p.reachable);
  const standbys = nodes.filter((n) => n.role === 'standby');
  const lags = standbys
    .map((n) => n.replayLagBytes)
    .filter((b): b is number => typeof b === 'number');
  const lagSeconds = standbys
    .map((n) => n.replayLagSeconds)
    .filter((s): s is number => typeof s === 'number');
  const metrics: Record<string, number> = {
    replication_hosts: nodes.length,
    replication_hosts_unreachable: nodes.filter((n) => n.role === 'unreachable').length,
    replication_primaries: primaries.length,
    replication_standbys: standbys.length,
    ...(lags.length > 0 ? { replication_max_lag_bytes: Math.max(...lags) } : {}),
    ...(lagSeconds.length > 0 ? { replication_max_lag_seconds: Math.max(...lagSeconds) } : {}),
  };
  const primary = primaries.length === 1 ? hostLabel(primaries[0]!.host) : null;
  const detail = `hosts (target_session_attrs=${attrs}): ${nodes.map(describe).join('; ')}`;
  const base = { primary, nodes, detail, metrics };
  if (primaries.length > 1) {
    return {
      ...base,
      status: 'degraded',
      fix: `More than one host says it is the primary (${primaries.map((p) => hostLabel(p.host)).join(', ')}): stop the old primary before it takes writes, and rebuild it as a standby (pg_rewind or pg_basebackup).`,
    };
  }
  if (fitting.length > 0) return { ...base, status: 'ok' };
  if (answering.length > 0) {
    const writing = attrs === 'read-write' || attrs === 'primary';
    return {
      ...base,
      status: 'degraded',
      fix: writing
        ? 'Only standbys answer, so writes fail until one is promoted: wait for your failover manager, or promote one (pg_ctl promote / SELECT pg_promote()). Nova uses the new primary by itself.'
        : `No host fits target_session_attrs=${attrs}; the others answer. Bring one back or change target_session_attrs in POSTGRES_URL.`,
    };
  }
  return {
    ...base,
    status: 'down',
    fix: 'No host in POSTGRES_URL answers: start the servers or check the network and the hosts in POSTGRES_URL.',
  };
}
