// RedisCache against a private redis-server: values, TTLs, wrap, counters, sessions and prefix isolation.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { RedisCache } from '../../../../main/core/stores/redis/redis-cache.js';
import { startRedis, type RedisTestServer } from '../../../support/redis-server.js';

let server: RedisTestServer;
let cache: RedisCache;
let raw: Redis;

beforeAll(async () => {
  server = await startRedis();
  cache = await RedisCache.connect({ url: server.url, keyPrefix: 'test:', connectTimeoutMs: 2000 });
  raw = new Redis(server.url);
});

afterAll(async () => {
  await cache?.close();
  raw?.disconnect();
  await server?.stop();
});

beforeEach(async () => {
  await raw.flushall();
});

describe('get / set / del', () => {
  it('round-trips JSON values and Dates, stored as readable JSON under the prefix', async () => {
    const at = new Date('2024-05-06T07:08:09.010Z');
    const value = { name: 'kiosk-1', at, nested: { list: [at, 1, 'x', null, true] }, n: 1.5 };
    await cache.set('kiosk:1', value);
    const back = await cache.get<typeof value>('kiosk:1');
    expect(back).toEqual(value);
    expect(back!.at).toBeInstanceOf(Date);
    expect(back!.nested.list[0]).toBeInstanceOf(Date);
    expect(JSON.parse((await raw.get('test:kiosk:1'))!)).toMatchObject({
      at: { $date: at.toISOString() },
    });
    await cache.set('date', at);
    expect(await cache.get('date')).toEqual(at);
    await cache.set('null', null);
    expect(await cache.get('null')).toBeNull();
    await cache.del('kiosk:1');
    expect(await cache.get('kiosk:1')).toBeUndefined();
  });

  it('expires values after their TTL (EX), and keeps values without TTL', async () => {
    await cache.set('short', 'soon gone', 1);
    await cache.set('forever', 'stays');
    expect(await raw.ttl('test:short')).toBeGreaterThan(0);
    expect(await raw.ttl('test:forever')).toBe(-1);
    expect(await cache.get('short')).toBe('soon gone');
    await new Promise((r) => setTimeout(r, 1200));
    expect(await cache.get('short')).toBeUndefined();
    expect(await cache.get('forever')).toBe('stays');
  });

  it('treats a foreign, non-JSON value under the prefix as a miss', async () => {
    await raw.set('test:foreign', 'not json {');
    expect(await cache.get('foreign')).toBeUndefined();
  });

  it.each<[string, () => Promise<unknown>]>([
    ['an empty key', () => cache.set('', 1)],
    ['a zero TTL', () => cache.set('k', 1, 0)],
    ['a negative TTL', () => cache.set('k', 1, -5)],
    ['undefined', () => cache.set('k', undefined)],
    ['a BigInt', () => cache.set('k', { n: 10n })],
    [
      'a cycle',
      () =>
        cache.set(
          'k',
          (() => {
            const o: Record<string, unknown> = {};
            o.self = o;
            return o;
          })(),
        ),
    ],
    ['an invalid Date', () => cache.set('k', { at: new Date('nope') })],
    ['a wrap TTL that is not a number', () => cache.wrap('k', Number.NaN, async () => 1)],
  ])('refuses %s with INVALID_ARGUMENT', async (_label, call) => {
    await expect(call()).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      fix: expect.any(String),
    });
    expect(await raw.exists('test:k')).toBe(0);
  });
});

describe('wrap', () => {
  it('computes once for concurrent callers (single-flight) and then serves from Redis', async () => {
    let calls = 0;
    const load = async () => {
      calls += 1;
      await new Promise((r) => setTimeout(r, 50));
      return { perms: ['read'], at: new Date(0) };
    };
    const results = await Promise.all(
      Array.from({ length: 10 }, () => cache.wrap('perm:1', 30, load)),
    );
    expect(calls).toBe(1);
    for (const r of results) expect(r).toEqual({ perms: ['read'], at: new Date(0) });
    expect(await cache.wrap('perm:1', 30, load)).toEqual({ perms: ['read'], at: new Date(0) });
    expect(calls).toBe(1);
    const ttl = await raw.ttl('test:perm:1');
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(30);
  });

  it('does not cache rejections: every waiter sees the error, the next call retries', async () => {
    let calls = 0;
    const failing = async () => {
      calls += 1;
      await new Promise((r) => setTimeout(r, 20));
      throw new Error('database down');
    };
    const settled = await Promise.allSettled([
      cache.wrap('cfg', 30, failing),
      cache.wrap('cfg', 30, failing),
    ]);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    expect(calls).toBe(1);
    expect(await raw.exists('test:cfg')).toBe(0);
    expect(await cache.wrap('cfg', 30, async () => 'ok')).toBe('ok');
    expect(await cache.get('cfg')).toBe('ok');
  });
});

describe('counters and stats', () => {
  it('counts hits and misses in-process and reports the server keyspace counters', async () => {
    const before = await cache.stats();
    await cache.set('a', 1);
    await cache.set('b', 2);
    await cache.get('a');
    await cache.get('b');
    await cache.get('missing');
    const after = await cache.stats();
    expect(after.hits - before.hits).toBe(2);
    expect(after.misses - before.misses).toBe(1);
    expect(after.keys).toBe(2);
    expect(after.available).toBe(true);
    expect(after.server!.keyspaceHits - (before.server?.keyspaceHits ?? 0)).toBeGreaterThanOrEqual(
      2,
    );
    expect(
      after.server!.keyspaceMisses - (before.server?.keyspaceMisses ?? 0),
    ).toBeGreaterThanOrEqual(1);
    const health = await cache.health();
    expect(health).toMatchObject({ service: 'cache', backend: 'redis', status: 'ok' });
    expect(health.latencyMs).toBeGreaterThanOrEqual(0);
    expect(health.detail).toMatch(/2 keys under "test:"/);
    expect(health.detail).toMatch(/keyspace_hits \d+/);
  });
});

describe('sessions', () => {
  it('stores, reads, expires and destroys sessions under <prefix>sess:', async () => {
    const data = { userId: 7, roles: ['admin'], loginAt: new Date('2024-01-01T00:00:00Z') };
    await cache.setSession('abc123', data, 60);
    expect(await raw.exists('test:sess:abc123')).toBe(1);
    expect(await cache.getSession('abc123')).toEqual(data);
    await cache.destroySession('abc123');
    expect(await cache.getSession('abc123')).toBeUndefined();

    await cache.setSession('brief', { userId: 1 }, 0.3);
    expect(await cache.getSession('brief')).toEqual({ userId: 1 });
    await new Promise((r) => setTimeout(r, 500));
    expect(await cache.getSession('brief')).toBeUndefined();
  });

  it('refuses a session without an id or a TTL', async () => {
    await expect(cache.setSession('', {}, 60)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(cache.setSession('sid', {}, 0)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });
});

describe('clear', () => {
  it('deletes only keys under our prefix, including glob characters in the prefix', async () => {
    await raw.set('other:keep', '1');
    await raw.set('testing', 'not ours either');
    await cache.set('x', 1);
    await cache.setSession('s', {}, 60);
    const weird = await RedisCache.connect({
      url: server.url,
      keyPrefix: 'we*rd[1]:',
      connectTimeoutMs: 2000,
    });
    try {
      await weird.set('y', 2);
      await raw.set('weXXrd1:z', 'looks like a glob match');
      await cache.clear();
      expect(await raw.exists('test:x', 'test:sess:s')).toBe(0);
      expect(await weird.get('y')).toBe(2);
      await weird.clear();
      expect(await weird.get('y')).toBeUndefined();
      expect((await raw.keys('*')).sort()).toEqual(['other:keep', 'testing', 'weXXrd1:z']);
    } finally {
      await weird.close();
    }
  });

  it('clears many keys across SCAN pages', async () => {
    await Promise.all(Array.from({ length: 1200 }, (_, i) => cache.set(`bulk:${i}`, i)));
    expect((await cache.stats()).keys).toBe(1200);
    await cache.clear();
    expect((await cache.stats()).keys).toBe(0);
  });
});
