/**
 * Redis behind the data layer (external profile, SQLite for the rest): its
 * memory and hit rate come from INFO; killing it degrades the aggregate —
 * the API keeps serving from the database — and a restart heals it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../../main/core/config/schema.js';
import { renderMetrics } from '../../../main/core/health/metrics.js';
import { HealthMonitor } from '../../../main/core/health/monitor.js';
import { checkersForFactory } from '../../../main/core/health/standard-checkers.js';
import { DatabaseFactory } from '../../../main/core/stores/database-factory.js';
import { startRedis, type RedisTestServer } from '../../support/redis-server.js';
import { parsePrometheusText } from '../../unit/health/prometheus-text-parser.js';
import { nextTransition, untilStatus } from './helpers.js';

let redis: RedisTestServer;
let dir: string;
let factory: DatabaseFactory;
let monitor: HealthMonitor;

beforeAll(async () => {
  redis = await startRedis({ password: 'health-test-pw' });
  dir = mkdtempSync(join(tmpdir(), 'nova-health-redis-'));
  factory = new DatabaseFactory(
    configSchema.parse({
      NOVA_DATA_DIR: dir,
      NOVA_REDIS_PROFILE: 'external',
      REDIS_URL: redis.url,
      REDIS_CONNECT_TIMEOUT_MS: 1000,
    }),
    { maintenanceIntervalMs: 0 },
  );
  await factory.initialize();
  // Started by the outage test: until then runNow() must not join a run
  // that began before the cache traffic it is meant to see.
  monitor = new HealthMonitor(checkersForFactory(factory, { dataDir: dir }), {
    intervalMs: 300,
    timeoutMs: 3000,
  });
});

afterAll(async () => {
  await monitor?.stop();
  await factory?.close();
  await redis?.stop().catch(() => undefined);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('health of a real Redis', () => {
  it('reports memory used and the hit rate from INFO', async () => {
    await factory.cache.set('k', { v: 1 });
    await factory.cache.get('k');
    await factory.cache.get('k');
    await factory.cache.get('missing');
    const agg = await monitor.runNow();
    expect(agg.status).toBe('ok');
    const check = agg.checks.find((c) => c.id === 'redis')!;
    expect(check).toMatchObject({
      label: 'Redis',
      service: 'cache',
      backend: 'redis',
      status: 'ok',
    });
    expect(check.metrics).toMatchObject({
      hits: 2,
      misses: 1,
      keys: 1,
      redis_keyspace_hits: 2,
      redis_keyspace_misses: 1,
    });
    expect(check.metrics!.redis_memory_used_bytes).toBeGreaterThan(100_000);
    expect(check.metrics!.hit_ratio).toBeCloseTo(2 / 3);
    expect(check.detail).toMatch(/memory used [\d.]+ MiB, hit rate 66\.7% of 3 lookups/);
    expect(check.detail).not.toContain('health-test-pw');
    const families = parsePrometheusText(renderMetrics(agg));
    expect(families.get('nova_redis_memory_used_bytes')!.samples[0]!.value).toBeGreaterThan(
      100_000,
    );
    expect(families.get('nova_cache_hits_total')).toMatchObject({
      type: 'counter',
      samples: [{ value: 2 }],
    });
    expect(families.get('nova_cache_misses_total')!.samples[0]!.value).toBe(1);
  });

  it('is degraded while Redis is dead, naming it, and ok once it is back', async () => {
    monitor.start();
    await untilStatus(monitor, 'ok', 5000);
    const degraded = nextTransition(monitor, 'degraded', 10_000);
    await redis.kill();
    const t = await degraded;
    const reason = t.reasons[0]!;
    expect(reason).toMatchObject({
      check: 'redis',
      label: 'Redis',
      status: 'down',
      effect: 'degraded',
    });
    expect(reason.message).toContain('Redis is down');
    expect(reason.message).toContain('the cache is bypassed');
    expect(reason.fix).toBeTruthy();
    // The relational store is unaffected: that is why this is degraded, not down.
    expect(t.reasons).toHaveLength(1);

    const ok = nextTransition(monitor, 'ok', 15_000);
    redis = await startRedis({ port: redis.port, password: 'health-test-pw' });
    expect((await ok).from).toBe('degraded');
  });
});
