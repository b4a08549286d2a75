/**
 * The cache on replicated Redis, configured the way a site would
 * (REDIS_SENTINELS / REDIS_CLUSTER_NODES through the DatabaseFactory):
 *
 * - Sentinel: a master, a replica and three sentinels
 *   (test/support/redis-ha.ts); the master is killed, the cache keeps
 *   answering (misses, dropped writes), health goes degraded while the
 *   sentinels fail over, then ok on the promoted replica, which the cache
 *   now writes to.
 * - Cluster: three masters; cache entries and sessions spread over them,
 *   stats and clear() see every master, health lists every node.
 */
import { tmpdir } from 'node:os';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema, type NovaConfigInput } from '../../../../main/core/config/schema.js';
import type { DatabaseFactory } from '../../../../main/core/stores/database-factory.js';
import { RedisCache } from '../../../../main/core/stores/redis/redis-cache.js';
import { ExternalProvider } from '../../../../main/core/services/external-provider.js';
import { osFreePort } from '../../../../main/core/services/ports.js';
import { openTestFactory } from '../../../support/test-factory.js';
import {
  startRedisCluster,
  startRedisSentinel,
  type RedisClusterSetup,
  type RedisSentinelSetup,
} from '../../../support/redis-ha.js';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  while (cleanups.length > 0) await cleanups.pop()!().catch(() => undefined);
});

async function factoryWith(settings: Partial<NovaConfigInput>): Promise<DatabaseFactory> {
  const { factory, close } = await openTestFactory({
    NOVA_REDIS_PROFILE: 'external',
    REDIS_CONNECT_TIMEOUT_MS: 1000,
    ...settings,
  });
  cleanups.push(close);
  return factory;
}

/** Polls `probe` until it returns a value; `last` describes the latest state for the failure message. */
async function until<T>(
  what: string,
  ms: number,
  probe: () => Promise<T | undefined>,
  last: () => string = () => '',
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms. ${last()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('Redis Sentinel', () => {
  let ha: RedisSentinelSetup;
  beforeAll(async () => {
    ha = await startRedisSentinel();
    cleanups.push(() => ha.stop());
  }, 90_000);

  it('follows the master the sentinels promote; health goes degraded, then ok', async () => {
    const factory = await factoryWith({
      REDIS_SENTINELS: ha.sentinelList,
      REDIS_SENTINEL_NAME: ha.name,
      REDIS_SENTINEL_PASSWORD: ha.sentinelPassword,
      REDIS_PASSWORD: ha.password,
    });
    const cache = factory.cache as RedisCache;
    expect(cache.deployment.kind).toBe('sentinel');
    await cache.set('before', { n: 1 });
    await cache.setSession('s1', { user: 7 }, 600);
    expect(await cache.get('before')).toEqual({ n: 1 });

    const healthy = await cache.health();
    expect(healthy.status, healthy.detail).toBe('ok');
    expect(healthy.detail).toContain(`master 127.0.0.1:${ha.master.port}`);
    expect(healthy.detail).toContain(`replicas 127.0.0.1:${ha.replica.port} online`);
    expect(healthy.detail).toContain('sentinels 3/3 answer');
    expect(healthy.detail).not.toContain(ha.password);

    // What the cache wrote has reached the replica before the master dies.
    const replica = new Redis({ port: ha.replica.port, password: ha.password, lazyConnect: true });
    await replica.connect();
    await until('replication of the session', 10_000, async () =>
      (await replica.exists('nova:sess:s1')) === 1 ? true : undefined,
    );
    replica.disconnect();

    const killedAt = performance.now();
    await ha.master.kill();
    const statuses: string[] = [];
    const degraded = await until('health degraded during the failover', 20_000, async () => {
      const h = await cache.health();
      statuses.push(h.status);
      return h.status === 'degraded' ? h : undefined;
    });
    expect(degraded.fix).toMatch(/sentinels|reconnects by itself/);
    // Meanwhile the cache never throws: reads miss, writes are dropped.
    await expect(cache.get('before')).resolves.toBeUndefined();
    await expect(cache.set('during', 1)).resolves.toBeUndefined();

    let latest = '';
    const recovered = await until(
      'health ok on the promoted replica',
      45_000,
      async () => {
        const h = await cache.health();
        statuses.push(h.status);
        latest = `${h.status}: ${h.detail}`;
        return h.status === 'ok' ? h : undefined;
      },
      () => `Last health: ${latest}`,
    );
    const recoveredMs = Math.round(performance.now() - killedAt);
    expect(await ha.masterPort()).toBe(ha.replica.port);
    expect(recovered.detail).toContain(`master 127.0.0.1:${ha.replica.port}`);
    expect(await cache.get('before')).toEqual({ n: 1 });
    expect(await cache.getSession('s1')).toEqual({ user: 7 });
    await cache.set('after', 'new master');
    expect(await cache.get('after')).toBe('new master');
    const check = new Redis({ port: ha.replica.port, password: ha.password, lazyConnect: true });
    await check.connect();
    expect(await check.get('nova:after')).toBe('"new master"');
    check.disconnect();
    const sequence = statuses.filter((s, i) => s !== statuses[i - 1]).join(' → ');
    console.log(
      `[redis sentinel] master killed; cache health ${sequence}; ok again after ${recoveredMs} ms`,
    );
    expect(sequence.startsWith('degraded')).toBe(true);
    expect(sequence.endsWith('ok')).toBe(true);
  }, 90_000);

  it('fails in bounded time naming REDIS_SENTINELS when no sentinel answers, or starts degraded offline', async () => {
    const options = {
      sentinel: { sentinels: [{ host: '127.0.0.1', port: await osFreePort() }], name: 'mymaster' },
      connectTimeoutMs: 500,
    };
    const started = Date.now();
    const err = await RedisCache.connect(options).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(err).toMatchObject({ fix: expect.stringContaining('REDIS_SENTINELS') });
    const offline = await RedisCache.connect({ ...options, allowOffline: true });
    cleanups.push(() => offline.close());
    expect(await offline.get('x')).toBeUndefined();
    const health = await offline.health();
    expect(health.status).toBe('down');
    expect(health.detail).toMatch(/no sentinel answers .*ECONNREFUSED/);
  });

  it('passes the external profile check through any sentinel that answers', async () => {
    const dead = await osFreePort();
    const provider = new ExternalProvider(
      configSchema.parse({
        NOVA_DATA_DIR: tmpdir(),
        NOVA_PROFILE: 'external',
        POSTGRES_URL: 'postgres://x@127.0.0.1/x',
        MONGODB_URL: 'mongodb://127.0.0.1',
        REDIS_SENTINELS: `127.0.0.1:${dead},${ha.sentinelList}`,
        REDIS_SENTINEL_PASSWORD: ha.sentinelPassword,
      }),
      { probeTimeoutMs: 1_000 },
    );
    const endpoint = await provider.start('redis');
    expect(endpoint.port).toBe(ha.sentinels[0]!.port);
    expect(endpoint.url).toMatch(/^redis\+sentinel:\/\//);
    expect((await provider.status('redis')).state).toBe('healthy');
  });
});

describe('Redis Cluster', () => {
  let cluster: RedisClusterSetup;
  beforeAll(async () => {
    cluster = await startRedisCluster();
    cleanups.push(() => cluster.stop());
  }, 90_000);

  it('serves the cache and sessions across three masters', async () => {
    // One node is enough: the others are discovered.
    const factory = await factoryWith({
      REDIS_CLUSTER_NODES: `127.0.0.1:${cluster.nodes[0]!.port}`,
      REDIS_PASSWORD: cluster.password,
    });
    const cache = factory.cache as RedisCache;
    expect(cache.deployment.kind).toBe('cluster');
    for (let i = 0; i < 150; i += 1) await cache.set(`k${i}`, { i });
    for (let i = 0; i < 20; i += 1) await cache.setSession(`sid${i}`, { user: i }, 600);
    for (let i = 0; i < 150; i += 1) expect(await cache.get(`k${i}`)).toEqual({ i });
    expect(await cache.getSession('sid3')).toEqual({ user: 3 });
    await cache.destroySession('sid3');
    expect(await cache.getSession('sid3')).toBeUndefined();
    let computed = 0;
    expect(await cache.wrap('w', 60, async () => ++computed)).toBe(1);
    expect(await cache.wrap('w', 60, async () => ++computed)).toBe(1);

    // The keys really are spread: every master holds some.
    const perNode: number[] = [];
    for (const node of cluster.nodes) {
      const c = new Redis({ port: node.port, password: cluster.password, lazyConnect: true });
      await c.connect();
      await c.set('foreign-key-{x}', 'x').catch(() => undefined);
      perNode.push(await c.dbsize());
      c.disconnect();
    }
    expect(
      perNode.every((n) => n > 0),
      perNode.join(','),
    ).toBe(true);

    const stats = await cache.stats();
    expect(stats.keys).toBe(150 + 19 + 1);
    const health = await cache.health();
    expect(health.status, health.detail).toBe('ok');
    expect(health.detail).toContain('Cluster state ok: 3 masters, 0 replicas');
    for (const node of cluster.nodes)
      expect(health.detail).toContain(`127.0.0.1:${node.port} master slots`);

    await cache.clear();
    expect((await cache.stats()).keys).toBe(0);

    // A hash tag in the prefix puts every key in one slot, for callers that need multi-key commands.
    const tagged = await RedisCache.connect({
      cluster: { nodes: [{ host: '127.0.0.1', port: cluster.nodes[0]!.port }] },
      password: cluster.password,
      keyPrefix: '{nova}:',
    });
    cleanups.push(() => tagged.close());
    for (let i = 0; i < 30; i += 1) await tagged.set(`t${i}`, i);
    const holders: number[] = [];
    for (const node of cluster.nodes) {
      const c = new Redis({ port: node.port, password: cluster.password, lazyConnect: true });
      await c.connect();
      holders.push((await c.scan('0', 'MATCH', '{nova}:*', 'COUNT', 1000))[1].length);
      c.disconnect();
    }
    expect(
      holders.filter((n) => n > 0),
      holders.join(','),
    ).toEqual([30]);
    await tagged.clear();
    expect((await tagged.stats()).keys).toBe(0);
    const probe = new Redis.Cluster([{ host: '127.0.0.1', port: cluster.nodes[0]!.port }], {
      redisOptions: { password: cluster.password },
    });
    expect(await probe.get('foreign-key-{x}')).toBe('x');
    await probe.quit();
  });
});
