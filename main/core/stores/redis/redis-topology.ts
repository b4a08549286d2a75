/**
 * Per-node health of a replicated Redis: for Sentinel, what the sentinels
 * say about the master and its replicas (and how many sentinels answer);
 * for Cluster, every node's role, slots and link from CLUSTER NODES, and the
 * cluster's own state. The cache's health() adds this to its detail, and
 * the status says what the appliance can do: degraded while a failover is
 * under way (the cache is bypassed), ok once writes reach a master again.
 */
import { Redis, type Cluster } from 'ioredis';
import type { RedisNodeAddress, RedisSentinelOptions } from './redis-connection.js';
import { parseInfo } from './redis-info.js';

export interface RedisTopologyReport {
  status: 'ok' | 'degraded' | 'down';
  detail: string;
  fix?: string;
  /** `host:port` of the master the sentinels name (Sentinel), or undefined. */
  master?: string;
  metrics: Record<string, number>;
}

const PROBE_TIMEOUT_MS = 1_500;

const addr = (host: string, port: string | number): string =>
  host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;

/** `[k1, v1, k2, v2…]` (SENTINEL replies) → a map. */
function pairs(reply: unknown): Map<string, string> {
  const out = new Map<string, string>();
  if (!Array.isArray(reply)) return out;
  for (let i = 0; i + 1 < reply.length; i += 2) out.set(String(reply[i]), String(reply[i + 1]));
  return out;
}

const DOWN_FLAGS = /(^|,)(s_down|o_down|disconnected|failover_in_progress)(,|$)/;

interface SentinelView {
  at: RedisNodeAddress;
  master?: Map<string, string>;
  replicas: Map<string, string>[];
  error?: string;
}

async function askSentinel(
  at: RedisNodeAddress,
  options: RedisSentinelOptions,
  tls: object | undefined,
): Promise<SentinelView> {
  const client = new Redis({
    host: at.host,
    port: at.port,
    lazyConnect: true,
    connectTimeout: PROBE_TIMEOUT_MS,
    commandTimeout: PROBE_TIMEOUT_MS,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    ...(options.sentinelPassword ? { password: options.sentinelPassword } : {}),
    ...(tls ? { tls } : {}),
  });
  let lastError: unknown;
  client.on('error', (err: unknown) => {
    lastError = err;
  });
  try {
    await client.connect();
    const master = pairs(await client.call('SENTINEL', 'MASTER', options.name));
    const replies = (await client.call('SENTINEL', 'REPLICAS', options.name)) as unknown[];
    return { at, master, replicas: replies.map(pairs) };
  } catch (err) {
    const cause = (lastError ?? err) as { code?: unknown; message?: unknown };
    const code = typeof cause.code === 'string' ? cause.code : String(cause.message).split('\n')[0];
    return { at, replicas: [], error: code };
  } finally {
    client.disconnect();
  }
}

/** What the sentinels say; `clientReady` is whether the cache's own connection to the master works. */
export async function sentinelReport(
  options: RedisSentinelOptions,
  tls: object | undefined,
  clientReady: boolean,
): Promise<RedisTopologyReport> {
  const views = await Promise.all(options.sentinels.map((s) => askSentinel(s, options, tls)));
  const answering = views.filter((v) => v.master !== undefined);
  const sentinels = `sentinels ${answering.length}/${views.length} answer`;
  const metrics: Record<string, number> = {
    redis_sentinels: views.length,
    redis_sentinels_answering: answering.length,
  };
  const view = answering[0];
  if (!view) {
    const why = views
      .map((v) => `${addr(v.at.host, v.at.port)} ${v.error ?? 'no answer'}`)
      .join(', ');
    return {
      status: 'down',
      detail: `Sentinel "${options.name}": no sentinel answers (${why})`,
      fix: 'Start the sentinels or correct REDIS_SENTINELS (and REDIS_SENTINEL_PASSWORD, REDIS_SENTINEL_NAME).',
      metrics,
    };
  }
  const m = view.master!;
  const master = addr(m.get('ip') ?? '?', m.get('port') ?? '?');
  const masterFlags = m.get('flags') ?? '';
  const replicas = view.replicas.map((r) => {
    const flags = r.get('flags') ?? '';
    const up = !DOWN_FLAGS.test(flags) && r.get('master-link-status') !== 'err';
    return { at: addr(r.get('ip') ?? '?', r.get('port') ?? '?'), up, flags };
  });
  metrics.redis_replicas = replicas.length;
  metrics.redis_replicas_down = replicas.filter((r) => !r.up).length;
  const replicaText =
    replicas.length === 0
      ? 'no replicas'
      : `replicas ${replicas.map((r) => `${r.at} ${r.up ? 'online' : `down (${r.flags})`}`).join(', ')}`;
  const masterDown = DOWN_FLAGS.test(masterFlags);
  const detail = `Sentinel "${options.name}": master ${master}${masterDown ? ` (${masterFlags})` : ''}; ${replicaText}; ${sentinels}`;
  if (clientReady && !masterDown) return { status: 'ok', detail, master, metrics };
  return {
    status: 'degraded',
    detail,
    master,
    fix: 'The master does not answer and the sentinels are failing over (or cannot agree): the cache is bypassed meanwhile and follows the new master by itself. If this lasts, check the servers and the sentinels’ quorum.',
    metrics,
  };
}

interface ClusterNodeLine {
  at: string;
  role: 'master' | 'replica';
  failed: boolean;
  connected: boolean;
  slots: string;
}

/** Lines of CLUSTER NODES: `<id> <ip:port@cport> <flags> <master> <ping> <pong> <epoch> <link> <slot>…`. */
export function parseClusterNodes(text: string): ClusterNodeLine[] {
  return text
    .split('\n')
    .map((line) => line.trim().split(' '))
    .filter((f) => f.length >= 8)
    .map((f) => {
      const flags = f[2]!.split(',');
      return {
        at: f[1]!.split('@')[0]!,
        role: flags.includes('master') ? 'master' : 'replica',
        failed: flags.includes('fail') || flags.includes('fail?'),
        connected: f[7] === 'connected',
        slots: f.slice(8).join(' '),
      } satisfies ClusterNodeLine;
    });
}

/** The cluster as one of its nodes sees it. */
export async function clusterReport(cluster: Cluster): Promise<RedisTopologyReport> {
  const known = cluster.nodes('all');
  let nodes: ClusterNodeLine[] = [];
  let state = 'unknown';
  for (const node of known) {
    try {
      const info = parseInfo(String(await node.call('CLUSTER', 'INFO')));
      state = info.get('cluster_state') ?? 'unknown';
      nodes = parseClusterNodes(String(await node.call('CLUSTER', 'NODES')));
      break;
    } catch {
      // Ask the next node.
    }
  }
  const masters = nodes.filter((n) => n.role === 'master' && n.slots !== '');
  const failed = nodes.filter((n) => n.failed || !n.connected);
  const metrics: Record<string, number> = {
    redis_cluster_nodes: nodes.length,
    redis_cluster_masters: masters.length,
    redis_cluster_nodes_failed: failed.length,
  };
  if (nodes.length === 0) {
    return {
      status: 'down',
      detail: 'Cluster: no node answers CLUSTER INFO',
      fix: 'Start the cluster nodes or correct REDIS_CLUSTER_NODES.',
      metrics,
    };
  }
  const each = nodes
    .map(
      (n) =>
        `${n.at} ${n.role}${n.slots ? ` slots ${n.slots}` : ''}${n.failed ? ' FAILED' : n.connected ? '' : ' disconnected'}`,
    )
    .join('; ');
  const detail = `Cluster state ${state}: ${masters.length} masters, ${nodes.length - masters.length} replicas; ${each}`;
  if (state === 'ok') return { status: 'ok', detail, metrics };
  return {
    status: 'degraded',
    detail,
    fix: 'Some hash slots have no reachable master: the cache is bypassed for their keys. Start the failed nodes or let a replica take over (cluster-node-timeout).',
    metrics,
  };
}
