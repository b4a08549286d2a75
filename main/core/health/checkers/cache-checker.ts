/**
 * The cache: Redis (reachability, round trip, memory used and hit rate from
 * INFO) or the in-process LRU of the embedded profile. A cache that is down
 * never stops the API — reads go to the database — so the aggregate counts
 * it as "degraded" (aggregate.ts), but the admin still needs to know.
 */
import type { RedisServerStats } from '../../stores/redis/redis-info.js';
import type { Cache, CacheStats } from '../../stores/types.js';
import type { CheckResult, HealthChecker } from '../types.js';
import { fromServiceHealth, requireBackend } from './shared.js';
import { formatBytes } from '../../../../shared-contract/format-bytes.js';

export type CacheHealthSource = Pick<Cache, 'health' | 'stats' | 'backend'>;

/** RedisCache.stats() adds the server's INFO counters; the type is read structurally so ioredis is never loaded here. */
type MaybeRedisStats = CacheStats & { available?: boolean; server?: RedisServerStats };

export function cacheChecker(
  store: () => CacheHealthSource | undefined,
  backend: string,
): HealthChecker {
  const label = backend === 'redis' ? 'Redis' : 'Cache (in-process)';
  return {
    id: backend === 'redis' ? 'redis' : 'cache',
    service: 'cache',
    label,
    backend,
    applicable: () => true,
    check: async () => checkCache(requireBackend(store(), label)),
  };
}

async function checkCache(cache: CacheHealthSource): Promise<CheckResult> {
  const health = await cache.health();
  if (health.status === 'down') return fromServiceHealth(health);
  const stats = (await cache.stats()) as MaybeRedisStats;
  const metrics: Record<string, number> = {
    hits: stats.hits,
    misses: stats.misses,
    keys: stats.keys,
  };
  const notes: string[] = [];
  const server = stats.server;
  if (server) {
    metrics.redis_keyspace_hits = server.keyspaceHits;
    metrics.redis_keyspace_misses = server.keyspaceMisses;
    if (server.usedMemoryBytes !== undefined) {
      metrics.redis_memory_used_bytes = server.usedMemoryBytes;
      notes.push(`memory used ${formatBytes(server.usedMemoryBytes)}`);
    }
  }
  // The server's counters cover every client of that Redis since it started;
  // they are what INFO shows an admin, so they define the hit rate when known.
  const hits = server ? server.keyspaceHits : stats.hits;
  const lookups = hits + (server ? server.keyspaceMisses : stats.misses);
  if (lookups > 0) {
    metrics.hit_ratio = hits / lookups;
    // The in-process cache already states its hit rate in its own detail.
    if (server)
      notes.push(`hit rate ${((hits / lookups) * 100).toFixed(1)}% of ${lookups} lookups`);
  }
  const detail = notes.length > 0 ? `${health.detail}; ${notes.join(', ')}` : health.detail;
  return fromServiceHealth({ ...health, detail }, metrics);
}
