/**
 * Cache on Redis (ioredis). A cache must never take the application down: when
 * Redis is unreachable, reads miss, writes are dropped, wrap() just computes,
 * and health() says why — and when Redis is back the client reconnects by
 * itself. Nothing ever waits on a dead server: the offline queue is off and
 * every command has a timeout.
 */
import { readFileSync } from 'node:fs';
import { Redis, type RedisOptions } from 'ioredis';
import { redactUrlPasswords } from '../../config/redact.js';
import { NovaError } from '../../errors.js';
import type { Cache, CacheStats, ServiceHealth } from '../types.js';
import { decodeValue, encodeValue } from './redis-codec.js';
import { probeTcp, serverStatsFromInfo, type RedisServerStats } from './redis-info.js';
import { isAuthError, mapRedisError, redisHostPort, shortReason } from './redis-errors.js';
import { downHealth } from '../service-health.js';

export interface RedisCacheOptions {
  /** redis:// or rediss:// URL; the password in it is never logged. */
  url: string;
  /** Every key this cache touches starts with it (default "nova:"); clear() removes only these. */
  keyPrefix?: string;
  connectTimeoutMs?: number;
  /** Upper bound for one command while connected (default 2000 ms). */
  commandTimeoutMs?: number;
  /** Path of the PEM CA file for TLS (rediss://). */
  tlsCA?: string;
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
const SCAN_COUNT = 500;

/** Escapes glob characters so SCAN MATCH treats the prefix literally. */
function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

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
    private readonly client: Redis,
    private readonly url: string,
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
  }

  /** Connects and authenticates; throws AUTH_FAILED, CONN_REFUSED, TIMEOUT, TLS_FAILED or CONFIG_INVALID. */
  static async connect(options: RedisCacheOptions): Promise<RedisCache> {
    const { url } = options;
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      parsed = new URL('invalid:');
    }
    if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
      throw new NovaError(
        'CONFIG_INVALID',
        `REDIS_URL ${typeof url === 'string' ? redactUrlPasswords(url) : '(missing)'} is not a redis:// or rediss:// URL.`,
        {
          fix: 'Write it as redis://:PASSWORD@127.0.0.1:6379/0 (rediss:// for TLS).',
        },
      );
    }
    let ca: Buffer | undefined;
    if (options.tlsCA !== undefined) {
      try {
        ca = readFileSync(options.tlsCA);
      } catch (err) {
        throw new NovaError(
          'CONFIG_INVALID',
          `REDIS_TLS_CA ${options.tlsCA} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)}).`,
          {
            fix: 'Set REDIS_TLS_CA to the path of the PEM file of the CA that signed the Redis certificate.',
            cause: err,
          },
        );
      }
    }
    const connectTimeout = options.connectTimeoutMs ?? 5000;
    const redisOptions: RedisOptions = {
      lazyConnect: true,
      connectTimeout,
      commandTimeout: options.commandTimeoutMs ?? 2000,
      // Fail calls at once while disconnected instead of queueing them until Redis returns.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      // Keep reconnecting forever (so the cache heals itself) but never wait more than 2 s between tries.
      retryStrategy: (times: number) => Math.min(times * 200, 2000),
      ...(ca !== undefined ? { tls: { ca } } : {}),
    };
    const client = new Redis(url, redisOptions);
    const cache = new RedisCache(client, url, options.keyPrefix ?? 'nova:');
    try {
      await client.connect();
      return cache;
    } catch (err) {
      const cause = cache.lastError ?? err;
      if (options.allowOffline && !isAuthError(cause)) return cache;
      client.disconnect();
      throw mapRedisError(cause, url, `connect to Redis at ${redisHostPort(url)}`);
    }
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
      let cursor = '0';
      do {
        const [next, keys] = await this.client.scan(
          cursor,
          'MATCH',
          `${globEscape(this.keyPrefix)}*`,
          'COUNT',
          SCAN_COUNT,
        );
        cursor = next;
        if (keys.length > 0) await this.client.unlink(...keys);
      } while (cursor !== '0');
    } catch (err) {
      throw mapRedisError(err, this.url, 'clear the cache');
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
      throw mapRedisError(this.lastError ?? err, this.url, 'store the session');
    }
  }

  async getSession<T = unknown>(sid: string): Promise<T | undefined> {
    checkKey(sid);
    this.assertOpen();
    let text: string | null;
    try {
      text = await this.client.get(this.sessionKey(sid));
    } catch (err) {
      throw mapRedisError(this.lastError ?? err, this.url, 'read the session');
    }
    return text === null ? undefined : (decodeValue(text) as T);
  }

  async destroySession(sid: string): Promise<void> {
    checkKey(sid);
    this.assertOpen();
    try {
      await this.client.unlink(this.sessionKey(sid));
    } catch (err) {
      throw mapRedisError(this.lastError ?? err, this.url, 'destroy the session');
    }
  }

  async health(): Promise<ServiceHealth> {
    const base = { service: 'cache', backend: this.backend };
    const where = redisHostPort(this.url);
    if (this.closed) return downHealth(base, `The Redis cache for ${where} is closed.`);
    if (!this.available) return this.unreachableHealth(where, await this.downReason());
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
        `this process ${this.hits} hits / ${this.misses} misses; server keyspace_hits ${server.keyspaceHits} / keyspace_misses ${server.keyspaceMisses}`;
      return { ...base, status: 'ok', latencyMs, detail };
    } catch (err) {
      this.lastError = err;
      return this.unreachableHealth(where, err);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.client.status === 'ready')
      await this.client.quit().catch(() => this.client.disconnect());
    else this.client.disconnect();
  }

  /** Down, with the reason; meanwhile the cache is bypassed. */
  private unreachableHealth(where: string, reason: unknown): ServiceHealth {
    return downHealth(
      { service: 'cache', backend: this.backend },
      {
        message: `Redis at ${where} is down (${shortReason(reason)} ${where}); the cache is bypassed and reads go to the database.`,
        fix:
          mapRedisError(reason, this.url, 'reach Redis').fix ?? 'Start Redis or correct REDIS_URL.',
      },
    );
  }

  /** Why Redis is unreachable: the last error ioredis reported, else a TCP probe (right after a drop ioredis has only seen 'close'). */
  private async downReason(): Promise<unknown> {
    if (this.lastError !== undefined) return this.lastError;
    const { hostname, port } = new URL(this.url);
    return probeTcp(hostname || '127.0.0.1', Number(port || 6379), this.client.status);
  }

  private unavailable(action: string): NovaError {
    if (this.lastError !== undefined) return mapRedisError(this.lastError, this.url, action);
    return new NovaError(
      'SERVICE_UNAVAILABLE',
      `Cannot ${action}: Redis at ${redisHostPort(this.url)} is not connected (${this.client.status}).`,
      {
        fix: 'Start Redis or correct REDIS_URL; the cache reconnects by itself.',
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

  /** Keys under our prefix. SCAN may return a key twice while the table rehashes, hence the Set. */
  private async countKeys(): Promise<number> {
    const seen = new Set<string>();
    let cursor = '0';
    do {
      const [next, keys] = await this.client.scan(
        cursor,
        'MATCH',
        `${globEscape(this.keyPrefix)}*`,
        'COUNT',
        SCAN_COUNT,
      );
      cursor = next;
      for (const k of keys) seen.add(k);
    } while (cursor !== '0');
    return seen.size;
  }

  private async serverStats(): Promise<RedisServerStats> {
    return serverStatsFromInfo(await this.client.info());
  }
}
