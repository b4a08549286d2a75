/**
 * The embedded profile's cache (docs/ARCHITECTURE.md#profiles): an in-process LRU with per-key TTL.
 * Values are deep-copied in and out (structuredClone), as a Redis round trip
 * would, so a caller mutating what it got back cannot change cached state and
 * code behaves the same on both backends.
 */
import { NovaError } from '../errors.js';
import type { Cache, CacheStats, ServiceHealth } from './types.js';

export interface MemoryCacheOptions {
  /** Least recently used entries are evicted beyond this many (NOVA_CACHE_MAX_ENTRIES). */
  maxEntries: number;
  /** Milliseconds clock; tests pass a fake one. */
  now?: () => number;
}

interface Entry {
  value: unknown;
  /** Epoch ms after which the entry is gone; null = no expiry. */
  expiresAt: number | null;
}

/** One in-flight wrap() producer, shared by concurrent callers of the same key. */
interface Flight {
  promise: Promise<unknown>;
}

export class MemoryCache implements Cache {
  readonly backend = 'memory';

  // A Map iterates in insertion order; re-inserting on every read keeps it in LRU order.
  private readonly entries = new Map<string, Entry>();
  private readonly flights = new Map<string, Flight>();
  private readonly maxEntries: number;
  private readonly now: () => number;
  private hits = 0;
  private misses = 0;
  private evictions = 0;
  private closed = false;

  constructor(options: MemoryCacheOptions) {
    if (!Number.isSafeInteger(options.maxEntries) || options.maxEntries < 1) {
      throw new NovaError(
        'INVALID_ARGUMENT',
        `maxEntries must be a positive integer, got ${String(options.maxEntries)}.`,
        {
          fix: 'Set NOVA_CACHE_MAX_ENTRIES to a whole number such as 10000.',
        },
      );
    }
    this.maxEntries = options.maxEntries;
    this.now = options.now ?? Date.now;
  }

  async get<T = unknown>(key: string): Promise<T | undefined> {
    this.assertUsable(key);
    const entry = this.lookup(key);
    if (!entry) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    return structuredClone(entry.value) as T;
  }

  async set(key: string, value: unknown, ttlSeconds?: number): Promise<void> {
    this.assertUsable(key);
    this.store(key, value, ttlSeconds);
  }

  async del(key: string): Promise<void> {
    this.assertUsable(key);
    this.entries.delete(key);
    // A producer still running for this key must not write back what was just deleted.
    this.flights.delete(key);
  }

  /**
   * Read-through with single flight: concurrent callers of a missing key share
   * one call of `fn`. A rejection is passed to every waiter and not cached.
   */
  async wrap<T>(key: string, ttlSeconds: number, fn: () => Promise<T>): Promise<T> {
    this.assertUsable(key);
    checkTtl(ttlSeconds);
    const entry = this.lookup(key);
    if (entry) {
      this.hits++;
      return structuredClone(entry.value) as T;
    }
    this.misses++;
    const existing = this.flights.get(key);
    if (existing) return structuredClone(await existing.promise) as T;

    const flight: Flight = { promise: Promise.resolve().then(fn) };
    this.flights.set(key, flight);
    try {
      const value = await flight.promise;
      // Only the flight still registered may write: del()/clear() meanwhile means the result is stale.
      if (this.flights.get(key) === flight && value !== undefined)
        this.store(key, value, ttlSeconds);
      return value as T;
    } finally {
      if (this.flights.get(key) === flight) this.flights.delete(key);
    }
  }

  async stats(): Promise<CacheStats> {
    this.purgeExpired();
    return { hits: this.hits, misses: this.misses, keys: this.entries.size };
  }

  /** Empties the cache; hit/miss counters keep counting, as they do on Redis. */
  async clear(): Promise<void> {
    this.entries.clear();
    this.flights.clear();
  }

  async health(): Promise<ServiceHealth> {
    this.purgeExpired();
    const lookups = this.hits + this.misses;
    const hitRate =
      lookups === 0 ? 'no lookups yet' : `hit rate ${((this.hits / lookups) * 100).toFixed(1)}%`;
    return {
      service: 'cache',
      backend: this.backend,
      status: this.closed ? 'down' : 'ok',
      latencyMs: 0,
      detail: `in-process LRU: ${this.entries.size}/${this.maxEntries} keys, ${hitRate}, ${this.evictions} evicted${this.closed ? ' (closed)' : ''}`,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.entries.clear();
    this.flights.clear();
  }

  /** The live entry for `key` (refreshing its recency), or undefined; expired entries are dropped. */
  private lookup(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.expiresAt !== null && this.now() >= entry.expiresAt) return undefined;
    this.entries.set(key, entry);
    return entry;
  }

  private store(key: string, value: unknown, ttlSeconds: number | undefined): void {
    if (ttlSeconds !== undefined) checkTtl(ttlSeconds);
    if (value === undefined) {
      throw new NovaError('INVALID_ARGUMENT', `Cannot cache undefined for key "${key}".`, {
        fix: 'Cache null for "known to be empty", or del() the key.',
      });
    }
    let copy: unknown;
    try {
      copy = structuredClone(value);
    } catch (err) {
      throw new NovaError(
        'INVALID_ARGUMENT',
        `The value for cache key "${key}" cannot be copied (it holds a function, symbol or similar).`,
        {
          fix: 'Cache plain data: objects, arrays, strings, numbers, booleans, Dates, null.',
          cause: err,
        },
      );
    }
    this.entries.delete(key);
    this.entries.set(key, {
      value: copy,
      expiresAt: ttlSeconds === undefined ? null : this.now() + ttlSeconds * 1000,
    });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
      this.evictions++;
    }
  }

  private purgeExpired(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt !== null && now >= entry.expiresAt) this.entries.delete(key);
    }
  }

  private assertUsable(key: string): void {
    if (this.closed) {
      throw new NovaError('NOT_INITIALIZED', 'The in-process cache is closed.', {
        fix: 'Re-initialise the database layer.',
      });
    }
    if (typeof key !== 'string' || key.length === 0) {
      throw new NovaError('INVALID_ARGUMENT', 'A cache key must be a non-empty string.');
    }
  }
}

function checkTtl(ttlSeconds: number): void {
  if (typeof ttlSeconds !== 'number' || !Number.isFinite(ttlSeconds) || ttlSeconds <= 0) {
    throw new NovaError(
      'INVALID_ARGUMENT',
      `A cache TTL must be a positive number of seconds, got ${String(ttlSeconds)}.`,
      {
        fix: 'Pass a TTL such as 60, or leave it out of set() to keep the value until evicted.',
      },
    );
  }
}
