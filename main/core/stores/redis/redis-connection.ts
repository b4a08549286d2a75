/**
 * The three shapes of Redis the cache connects to, as one ioredis client:
 * one server (REDIS_URL), a master found through Redis Sentinel
 * (REDIS_SENTINELS + REDIS_SENTINEL_NAME: ioredis asks the sentinels for the
 * current master and follows +switch-master), or a Redis Cluster
 * (REDIS_CLUSTER_NODES: ioredis learns the slot map and follows MOVED). The
 * same rules hold for all three — no offline queue, a timeout on every
 * command, reconnecting for ever at a gentle pace — so the cache above it
 * never waits on a dead server.
 */
import { readFileSync } from 'node:fs';
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { redactSecrets } from '../../config/redact.js';
import type { NovaConfig } from '../../config/schema.js';
import { NovaError } from '../../errors.js';

export interface RedisNodeAddress {
  host: string;
  port: number;
}

export interface RedisSentinelOptions {
  sentinels: RedisNodeAddress[];
  /** The master's name in the sentinels' configuration (REDIS_SENTINEL_NAME). */
  name: string;
  /** The sentinels' own requirepass (REDIS_SENTINEL_PASSWORD). */
  sentinelPassword?: string;
}

export interface RedisClusterOptions {
  nodes: RedisNodeAddress[];
}

export interface RedisConnectOptions {
  /** redis:// or rediss:// URL of one server; the password in it is never logged. */
  url?: string;
  /** A master behind Redis Sentinel instead of `url`. */
  sentinel?: RedisSentinelOptions;
  /** A Redis Cluster instead of `url`. */
  cluster?: RedisClusterOptions;
  /** Sentinel/Cluster: the data nodes' ACL user and password, and TLS (one server takes them from `url`). */
  username?: string;
  password?: string;
  tls?: boolean;
  connectTimeoutMs?: number;
  /** Upper bound for one command while connected (default 2000 ms). */
  commandTimeoutMs?: number;
  /** Path of the PEM CA file for TLS. */
  tlsCA?: string;
}

/** What the cache tells people about where its Redis is, and which setting points there. */
export interface RedisEndpoint {
  kind: 'single' | 'sentinel' | 'cluster';
  /** `127.0.0.1:6379`, `Sentinel "mymaster" (10.0.0.1:26379, …)`, `Cluster (10.0.0.1:7000, …)`. */
  label: string;
  /** The setting to correct when it is wrong. */
  setting: 'REDIS_URL' | 'REDIS_SENTINELS' | 'REDIS_CLUSTER_NODES';
  /** Where a TCP probe goes when the client cannot say why it is down. */
  probe: RedisNodeAddress;
  /** TLS options of Sentinel/Cluster connections (health probes of the sentinels use them too). */
  tls?: { ca?: Buffer };
}

export interface RedisConnection {
  client: Redis | Cluster;
  endpoint: RedisEndpoint;
}

/** `h1:26379,[::1]:26380` → addresses (the config schema has checked the form). */
export function parseNodeList(list: string): RedisNodeAddress[] {
  return list
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '')
    .map((item) => {
      const colon = item.lastIndexOf(':');
      return {
        host: item.slice(0, colon).replace(/^\[(.*)\]$/, '$1'),
        port: Number(item.slice(colon + 1)),
      };
    });
}

const addr = (n: RedisNodeAddress): string =>
  n.host.includes(':') ? `[${n.host}]:${n.port}` : `${n.host}:${n.port}`;

/** The cache options NovaConfig describes for Sentinel or Cluster (undefined for one server). */
export function redisTopologyFromConfig(
  config: NovaConfig,
): Pick<RedisConnectOptions, 'sentinel' | 'cluster' | 'username' | 'password' | 'tls'> | undefined {
  const auth = {
    ...(config.REDIS_USERNAME ? { username: config.REDIS_USERNAME } : {}),
    ...(config.REDIS_PASSWORD ? { password: config.REDIS_PASSWORD } : {}),
    tls: config.REDIS_TLS,
  };
  if (config.REDIS_SENTINELS) {
    return {
      sentinel: {
        sentinels: parseNodeList(config.REDIS_SENTINELS),
        name: config.REDIS_SENTINEL_NAME,
        ...(config.REDIS_SENTINEL_PASSWORD
          ? { sentinelPassword: config.REDIS_SENTINEL_PASSWORD }
          : {}),
      },
      ...auth,
    };
  }
  if (config.REDIS_CLUSTER_NODES)
    return { cluster: { nodes: parseNodeList(config.REDIS_CLUSTER_NODES) }, ...auth };
  return undefined;
}

function readCa(path: string | undefined): Buffer | undefined {
  if (path === undefined) return undefined;
  try {
    return readFileSync(path);
  } catch (err) {
    throw new NovaError(
      'CONFIG_INVALID',
      `REDIS_TLS_CA ${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)}).`,
      {
        fix: 'Set REDIS_TLS_CA to the path of the PEM file of the CA that signed the Redis certificate.',
        cause: err,
      },
    );
  }
}

function checkUrl(url: unknown): URL {
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    parsed = new URL('invalid:');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new NovaError(
      'CONFIG_INVALID',
      `REDIS_URL ${typeof url === 'string' ? redactSecrets(url) : '(missing)'} is not a redis:// or rediss:// URL.`,
      {
        fix: 'Write it as redis://:PASSWORD@127.0.0.1:6379/0 (rediss:// for TLS), or set REDIS_SENTINELS or REDIS_CLUSTER_NODES.',
      },
    );
  }
  return parsed;
}

/** A client that has not connected yet (lazyConnect): the caller connects and handles the outcome. */
export function createRedisConnection(options: RedisConnectOptions): RedisConnection {
  const ca = readCa(options.tlsCA);
  const connectTimeout = options.connectTimeoutMs ?? 5000;
  const common: RedisOptions = {
    lazyConnect: true,
    connectTimeout,
    commandTimeout: options.commandTimeoutMs ?? 2000,
    // Fail calls at once while disconnected instead of queueing them until Redis returns.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    // Keep reconnecting forever (so the cache heals itself) but never wait more than 2 s between tries.
    retryStrategy: (times: number) => Math.min(times * 200, 2000),
  };
  // Sentinel and Cluster speak TLS when REDIS_TLS says so (one server: when its URL is rediss://).
  const tls = options.tls ? { ...(ca !== undefined ? { ca } : {}) } : undefined;
  const auth = {
    ...(options.username ? { username: options.username } : {}),
    ...(options.password ? { password: options.password } : {}),
  };

  if (options.sentinel) {
    const { sentinels, name, sentinelPassword } = options.sentinel;
    const client = new Redis({
      ...common,
      ...auth,
      sentinels: sentinels.map((s) => ({ host: s.host, port: s.port })),
      name,
      ...(sentinelPassword ? { sentinelPassword } : {}),
      ...(tls ? { tls, enableTLSForSentinelMode: true } : {}),
      // Sentinels are asked again at the same gentle pace. (ioredis's failoverDetector is
      // left off: a +switch-master arriving while it reconnects ends the client for good.)
      sentinelRetryStrategy: (times: number) => Math.min(times * 200, 2000),
      // A master demoted under us answers READONLY: reconnect, which asks the sentinels again.
      reconnectOnError: (err: Error) => err.message.startsWith('READONLY'),
    });
    return {
      client,
      endpoint: {
        kind: 'sentinel',
        label: `Sentinel "${name}" (${sentinels.map(addr).join(', ')})`,
        setting: 'REDIS_SENTINELS',
        probe: sentinels[0]!,
        ...(tls ? { tls } : {}),
      },
    };
  }

  if (options.cluster) {
    const { nodes } = options.cluster;
    const clusterOptions: ClusterOptions = {
      lazyConnect: true,
      enableOfflineQueue: false,
      clusterRetryStrategy: (times: number) => Math.min(times * 200, 2000),
      // Managed clusters with TLS publish node addresses as names the certificate covers; do not rewrite them to IPs.
      ...(tls ? { dnsLookup: (address, callback) => callback(null, address) } : {}),
      redisOptions: {
        connectTimeout,
        commandTimeout: common.commandTimeout,
        maxRetriesPerRequest: 1,
        ...auth,
        ...(tls ? { tls } : {}),
      },
    };
    return {
      client: new Cluster(
        nodes.map((n) => ({ host: n.host, port: n.port })),
        clusterOptions,
      ),
      endpoint: {
        kind: 'cluster',
        label: `Cluster (${nodes.map(addr).join(', ')})`,
        setting: 'REDIS_CLUSTER_NODES',
        probe: nodes[0]!,
        ...(tls ? { tls } : {}),
      },
    };
  }

  const parsed = checkUrl(options.url);
  const host = parsed.hostname || '127.0.0.1';
  const port = Number(parsed.port || 6379);
  return {
    client: new Redis(options.url!, { ...common, ...(ca !== undefined ? { tls: { ca } } : {}) }),
    endpoint: {
      kind: 'single',
      label: `${host}:${port}`,
      setting: 'REDIS_URL',
      probe: { host, port },
    },
  };
}
