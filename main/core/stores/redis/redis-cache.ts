/**
 * Cache on Redis (ioredis): one server, a master behind Redis Sentinel, or a
 * Redis Cluster (redis-connection.ts). A cache must never take the
 * application down: when Redis is unreachable, reads miss, writes are
 * dropped, wrap() just computes, and health() says why — and when Redis is
 * back (or a replica has been promoted) the client reconnects by itself.
 * Nothing ever waits on a dead server: the offline queue is off and every
 * command has a timeout. Every command names one key, so on a Cluster none
 * spans two hash slots.
 */
import type { Cluster, Redis } from 'ioredis';
import { NovaError } from '../../errors.js';
import type { Cache, CacheStats, ServiceHealth } from '../types.js';
import { decodeValue, encodeValue } from './redis-codec.js';
import { probeTcp, type RedisServerStats } from './redis-info.js';
import { countPrefix, keyspaceStats, unlinkPrefix } from './redis-keyspace.js';
import { isAuthError, mapRedisError, shortReason } from './redis-errors.js';
import {
  createRedisConnection,
  type RedisConnectOptions,
  type RedisEndpoint,
} from './redis-connection.js';
import { clusterReport, sentinelReport, type RedisTopologyReport } from './redis-topology.js';
import { downHealth } from '../service-health.js';

export interface RedisCacheOptions extends RedisConnectOptions {
  /** Every key this cache touches starts with it (default "nova:"); clear() removes only these. */
  keyPrefix?: string;
  /**
   * Resolve even when Redis is unreachable right now: the cache starts
   * degraded and recovers when Redis comes up. Wrong credentials still throw.
   */
  allowOffline?: boolean;
}

export type { RedisServerStats } from './redis-info.js';

export interface RedisCacheStats extends CacheStats {
  /** False while Redis is unreachable (then `keys` is 0 and `server` absent). */
  available: boolean;
  server?: RedisServerStats;
}

const SESSION_PREFIX = 'sess:';

function checkKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || key.length === 0) {
    throw new NovaError(
      'INVALID_ARGUMENT',
      `A cache key must be a non-empty string, got ${key === '' ? 'an empty string' : typeof key}.`,
      {
        fix: 'Use a descriptive key such as "config:site" or "perm:42".',
      },
    );
  }
}

function checkTtl(ttlSeconds: unknown, what: string): asserts ttlSeconds is number {
  if (typeof ttlSeconds !== 'number' || !Number.isFinite(ttlSeconds) || ttlSeconds <= 0) {
    throw new NovaError(
      'INVALID_ARGUMENT',
      `The TTL for ${what} must be a positive number of seconds, got ${String(ttlSeconds)}.`,
      {
        fix: 'Pass e.g. 60 for one minute (leave it out of set() for no expiry).',
      },
    );
  }
}

/**
 * Sentinel and Cluster clients keep retrying their seed nodes instead of
 * failing connect() when none answers; bound the first attempt so a wrong
 * REDIS_SENTINELS fails (or, with allowOffline, starts degraded) in time.
 * One server fails connect() by itself.
 */
async function connectWithin(
  client: Redis | Cluster,
  endpoint: RedisEndpoint,
  limitMs: number,
): Promise<void> {
  if (endpoint.kind === 'single') return client.connect();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () =>
        reject(
          Object.assign(new Error(`no ${endpoint.setting} node answered within ${limitMs} ms`), {
            code: 'ETIMEDOUT',
          }),
        ),
      limitMs,
    );
  });
  const connecting = client.connect();
  connecting.catch(() => undefined);
  try {
    await Promise.race([connecting, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export class RedisCache implements Cache {
  readonly backend = 'redis';
  readonly keyPrefix: string;
  private hits = 0;
  private misses = 0;
  private readonly inflight = new Map<string, Promise<unknown>>();
  /** The last connection problem, for health(); cleared when the connection is ready again. */
  private lastError: unknown = undefined;
  private closed = false;

  private constructor(
    private readonly client: Redis | Cluster,
    private readonly endpoint: RedisEndpoint,
    private readonly options: RedisCacheOptions,
    keyPrefix: string,
  ) {
    this.keyPrefix = keyPrefix;
    // Without a listener ioredis would make every connection error an uncaught 'error' event.
    client.on('error', (err: unknown) => {
      this.lastError = err;
    });
    client.on('ready', () => {
      this.lastError = undefined;
    });
    // ioredis gives a client up ('end') in a few races of its own (a failover
    // during a reconnect); a cache must heal itself, so start it again.
    client.on('end', () => {
      if (this.closed) return;
      setTimeout(() => {
        if (!this.closed && client.status === 'end') client.connect().catch(() => undefined);
      }, 1_000).unref();
    });
  }

  /** Connects and authenticates; throws AUTH_FAILED, CONN_REFUSED, TIMEOUT, TLS_FAILED or CONFIG_INVALID. */
  static async connect(options: RedisCacheOptions): Promise<RedisCache> {
    const { client, endpoint } = createRedisConnection(options);
    const cache = new RedisCache(client, endpoint, options, options.keyPrefix ?? 'nova:');
    try {
      await connectWithin(client, endpoint, (options.connectTimeoutMs ?? 5000) * 2);
      return cache;
    } catch (err) {
      const cause = cache.lastError ?? err;
      if (options.allowOffline && !isAuthError(cause)) return cache;
      cache.closed = true;
      client.disconnect();
      throw cache.mapError(cause, `connect to Redis at ${endpoint.label}`);
    }
  }

  /** One server, Sentinel or Cluster, and where. */
  get deployment(): Readonly<RedisEndpoint> {
    return this.endpoint;
  }

  /** True while commands can reach Redis. */
  get available(): boolean {
    return !this.closed && this.client.status === 'ready';
  }

  async get<T = unknown>(key: string): Promise<T | undefined> {
    checkKey(key);
    const found = await this.read(this.keyPrefix + key);
    if (found.hit) this.hits += 1;
    else this.misses += 1;
    return found.value as T | undefined;
  }

  async set(key: string, value: unknown, ttlSeconds?: number): Promise<void> {
    checkKey(key);
    if (ttlSeconds !== undefined) checkTtl(ttlSeconds, `"${key}"`);
    await this.write(this.keyPrefix + key, encodeValue(value, key), ttlSeconds);
  }

  async del(key: string): Promise<void> {
    checkKey(key);
    this.assertOpen();
    if (!this.available) return;
    try {
      await this.client.unlink(this.keyPrefix + key);
    } catch (err) {
      this.lastError = err;
    }
  }

  /**
   * Read-through with single-flight: concurrent calls for one key in this
   * process share one lookup and one `fn()`. A rejection is passed to every
   * waiter and never cached; an undefined result is returned but not cached.
   */
  async wrap<T>(key: string, ttlSeconds: number, fn: () => Promise<T>): Promise<T> {
    checkKey(key);
    checkTtl(ttlSeconds, `"${key}"`);
    const pending = this.inflight.get(key);
    if (pending) return pending as Promise<T>;
    const flight = (async () => {
      const cached = await this.get<T>(key);
      if (cached !== undefined) return cached;
      const value = await fn();
      if (value !== undefined) await this.set(key, value, ttlSeconds);
      return value;
    })().finally(() => this.inflight.delete(key));
    this.inflight.set(key, flight);
    return flight;
  }

  async stats(): Promise<RedisCacheStats> {
    const base = { hits: this.hits, misses: this.misses };
    if (!this.available) return { ...base, keys: 0, available: false };
    try {
      const [keys, server] = await Promise.all([this.countKeys(), this.serverStats()]);
      return { ...base, keys, available: true, server };
    } catch (err) {
      this.lastError = err;
      return { ...base, keys: 0, available: false };
    }
  }

  /** Deletes every key under our prefix (SCAN + UNLINK, never KEYS or FLUSHDB). */
  async clear(): Promise<void> {
    this.assertOpen();
    if (!this.available) throw this.unavailable('clear the cache');
    try {
      await unlinkPrefix(this.client, this.keyPrefix);
    } catch (err) {
      throw this.mapError(err, 'clear the cache');
    }
  }

  /** Stores a session under `<prefix>sess:<sid>`. Unlike cache writes, this throws while Redis is down: a lost session is not a cache miss. */
  async setSession(sid: string, data: unknown, ttlSeconds: number): Promise<void> {
    checkKey(sid);
    checkTtl(ttlSeconds, `session "${sid}"`);
    this.assertOpen();
    const text = encodeValue(data, `${SESSION_PREFIX}${sid}`);
    try {
      await this.client.set(this.sessionKey(sid), text, 'PX', Math.ceil(ttlSeconds * 1000));
    } catch (err) {
      throw this.mapError(this.lastError ?? err, 'store the session');
    }
  }

  async getSession<T = unknown>(sid: string): Promise<T | undefined> {
    checkKey(sid);
    this.assertOpen();
    let text: string | null;
    try {
      text = await this.client.get(this.sessionKey(sid));
    } catch (err) {
      throw this.mapError(this.lastError ?? err, 'read the session');
    }
    return text === null ? undefined : (decodeValue(text) as T);
  }

  async destroySession(sid: string): Promise<void> {
    checkKey(sid);
    this.assertOpen();
    try {
      await this.client.unlink(this.sessionKey(sid));
    } catch (err) {
      throw this.mapError(this.lastError ?? err, 'destroy the session');
    }
  }

  async health(): Promise<ServiceHealth> {
    const base = { service: 'cache', backend: this.backend };
    const where = this.endpoint.label;
    if (this.closed) return downHealth(base, `The Redis cache for ${where} is closed.`);
    const topology = await this.topology();
    if (!this.available) return this.unreachableHealth(where, await this.downReason(), topology);
    const started = performance.now();
    try {
      await this.client.ping();
      const latencyMs = Math.round((performance.now() - started) * 10) / 10;
      const [keys, server] = await Promise.all([this.countKeys(), this.serverStats()]);
      const version = server.version ? ` ${server.version}` : '';
      const memory =
        server.usedMemoryBytes !== undefined
          ? `, ${(server.usedMemoryBytes / 1024 / 1024).toFixed(1)} MiB used`
          : '';
      const detail =
        `Redis${version} at ${where}: ${keys} keys under "${this.keyPrefix}"${memory}; ` +
        `this process ${this.hits} hits / ${this.misses} misses; server keyspace_hits ${server.keyspaceHits} / keyspace_misses ${server.keyspaceMisses}` +
        (topology ? `; ${topology.detail}` : '');
      if (topology && topology.status !== 'ok') {
        return {
          ...base,
          status: 'degraded',
          latencyMs,
          detail,
          ...(topology.fix ? { fix: topology.fix } : {}),
        };
      }
      return { ...base, status: 'ok', latencyMs, detail };
    } catch (err) {
      this.lastError = err;
      return this.unreachableHealth(where, err, topology);
    }
  }

  /**
   * Sentinel or Cluster: every node as the sentinels or the cluster see it
   * (undefined for one server). For /health and the per-node metrics.
   */
  async topology(): Promise<RedisTopologyReport | undefined> {
    if (this.closed) return undefined;
    const { sentinel } = this.options;
    if (this.endpoint.kind === 'sentinel' && sentinel)
      return sentinelReport(sentinel, this.endpoint.tls, this.available);
    if (this.endpoint.kind === 'cluster') return clusterReport(this.client as Cluster);
    return undefined;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.client.status === 'ready')
      await this.client.quit().catch(() => this.client.disconnect());
    else this.client.disconnect();
  }

  private mapError(err: unknown, action: string): NovaError {
    return mapRedisError(err, this.endpoint.label, action, this.endpoint.setting);
  }

  /**
   * Down, with the reason; meanwhile the cache is bypassed. Degraded instead
   * while a Sentinel failover is under way (sentinels answer, the master not yet).
   */
  private unreachableHealth(
    where: string,
    reason: unknown,
    topology?: RedisTopologyReport,
  ): ServiceHealth {
    const message = `Redis at ${where} is down (${shortReason(reason)}${this.endpoint.kind === 'single' ? ` ${where}` : ''}); the cache is bypassed and reads go to the database.`;
    // Sentinels or cluster nodes still answer: a failover is under way, not an outage.
    if (topology && topology.status !== 'down') {
      return {
        service: 'cache',
        backend: this.backend,
        status: 'degraded',
        latencyMs: null,
        detail: `${message} ${topology.detail}`,
        fix:
          topology.fix ??
          'The cache cannot reach its master right now and is bypassed; it reconnects by itself once the master (or a promoted replica) answers.',
      };
    }
    return downHealth(
      { service: 'cache', backend: this.backend },
      {
        message: topology ? `${message} ${topology.detail}` : message,
        fix:
          topology?.fix ??
          this.mapError(reason, 'reach Redis').fix ??
          `Start Redis or correct ${this.endpoint.setting}.`,
      },
    );
  }

  /** Why Redis is unreachable: the last error ioredis reported, else a TCP probe (right after a drop ioredis has only seen 'close'). */
  private async downReason(): Promise<unknown> {
    if (this.lastError !== undefined) return this.lastError;
    const { host, port } = this.endpoint.probe;
    return probeTcp(host, port, this.client.status);
  }

  private unavailable(action: string): NovaError {
    if (this.lastError !== undefined) return this.mapError(this.lastError, action);
    return new NovaError(
      'SERVICE_UNAVAILABLE',
      `Cannot ${action}: Redis at ${this.endpoint.label} is not connected (${this.client.status}).`,
      {
        fix: `Start Redis or correct ${this.endpoint.setting}; the cache reconnects by itself.`,
      },
    );
  }

  private assertOpen(): void {
    if (this.closed)
      throw new NovaError('NOT_INITIALIZED', 'The Redis cache is closed.', {
        fix: 'Connect a new cache (DatabaseFactory.initialize()).',
      });
  }

  private sessionKey(sid: string): string {
    return `${this.keyPrefix}${SESSION_PREFIX}${sid}`;
  }

  /** A lookup that never throws for Redis trouble: unreachable or unreadable is a miss. */
  private async read(fullKey: string): Promise<{ hit: boolean; value?: unknown }> {
    this.assertOpen();
    if (!this.available) return { hit: false };
    let text: string | null;
    try {
      text = await this.client.get(fullKey);
    } catch (err) {
      this.lastError = err;
      return { hit: false };
    }
    if (text === null) return { hit: false };
    try {
      return { hit: true, value: decodeValue(text) };
    } catch {
      // Not written by us (or corrupted): treat as absent rather than fail the caller.
      return { hit: false };
    }
  }

  private async write(
    fullKey: string,
    text: string,
    ttlSeconds: number | undefined,
  ): Promise<void> {
    this.assertOpen();
    if (!this.available) return;
    try {
      if (ttlSeconds === undefined) await this.client.set(fullKey, text);
      else if (Number.isInteger(ttlSeconds)) await this.client.set(fullKey, text, 'EX', ttlSeconds);
      else await this.client.set(fullKey, text, 'PX', Math.ceil(ttlSeconds * 1000));
    } catch (err) {
      this.lastError = err;
    }
  }

  private countKeys(): Promise<number> {
    return countPrefix(this.client, this.keyPrefix);
  }

  private serverStats(): Promise<RedisServerStats> {
    return keyspaceStats(this.client);
  }
}
