// MemoryCache: TTL with an injected clock, LRU eviction, counters, single-flight wrap.
import { describe, expect, it } from 'vitest';
import { NovaError } from '../../../main/core/errors.js';
import { MemoryCache } from '../../../main/core/stores/memory-cache.js';

function makeCache(maxEntries = 100) {
  const clock = { now: 1_000_000 };
  const cache = new MemoryCache({ maxEntries, now: () => clock.now });
  return { cache, clock };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(NovaError);
    return (err as NovaError).code;
  }
  throw new Error('expected a NovaError');
}

describe('MemoryCache', () => {
  it('expires entries after their TTL and counts hits and misses', async () => {
    const { cache, clock } = makeCache();
    await cache.set('short', 'v', 10);
    await cache.set('forever', { a: 1 });
    expect(await cache.get('short')).toBe('v');
    clock.now += 9_999;
    expect(await cache.get('short')).toBe('v');
    clock.now += 1;
    expect(await cache.get('short')).toBeUndefined();
    expect(await cache.get('never-set')).toBeUndefined();
    clock.now += 10 ** 9;
    expect(await cache.get('forever')).toEqual({ a: 1 });
    expect(await cache.stats()).toEqual({ hits: 3, misses: 2, keys: 1 });
  });

  it('evicts the least recently used entry beyond maxEntries', async () => {
    const { cache } = makeCache(2);
    await cache.set('a', 1);
    await cache.set('b', 2);
    expect(await cache.get('a')).toBe(1); // a is now more recent than b
    await cache.set('c', 3);
    expect(await cache.get('b')).toBeUndefined();
    expect(await cache.get('a')).toBe(1);
    expect(await cache.get('c')).toBe(3);
    expect((await cache.stats()).keys).toBe(2);
    expect((await cache.health()).detail).toContain('1 evicted');
  });

  it('copies values in and out so callers cannot mutate cached state', async () => {
    const { cache } = makeCache();
    const original = { list: [1], when: new Date(5) };
    await cache.set('k', original);
    original.list.push(2);
    const first = await cache.get<typeof original>('k');
    first?.list.push(3);
    expect(await cache.get('k')).toEqual({ list: [1], when: new Date(5) });
  });

  it('wrap() calls fn once for concurrent callers and caches the result for its TTL', async () => {
    const { cache, clock } = makeCache();
    let calls = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const fn = async () => {
      calls++;
      await gate;
      return { value: calls };
    };
    const waiting = [cache.wrap('k', 30, fn), cache.wrap('k', 30, fn), cache.wrap('k', 30, fn)];
    release();
    const results = await Promise.all(waiting);
    expect(calls).toBe(1);
    expect(results).toEqual([{ value: 1 }, { value: 1 }, { value: 1 }]);
    results[1]!.value = 99; // each caller has its own copy
    expect(results[2]).toEqual({ value: 1 });
    expect(await cache.wrap('k', 30, fn)).toEqual({ value: 1 });
    expect(calls).toBe(1);
    clock.now += 30_000;
    await cache.wrap('k', 30, fn);
    expect(calls).toBe(2);
    expect(await cache.stats()).toMatchObject({ hits: 1, misses: 4 });
  });

  it('wrap() passes a rejection to every waiter and does not cache it', async () => {
    const { cache } = makeCache();
    let calls = 0;
    const failing = async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 5));
      throw new Error('backend down');
    };
    const results = await Promise.allSettled([
      cache.wrap('k', 60, failing),
      cache.wrap('k', 60, failing),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(calls).toBe(1);
    expect(await cache.wrap('k', 60, async () => 'recovered')).toBe('recovered');
    expect(await cache.get('k')).toBe('recovered');
    // A synchronous throw is a rejection too, not an escape.
    await expect(
      cache.wrap('sync', 60, () => {
        throw new Error('sync');
      }),
    ).rejects.toThrow('sync');
  });

  it('does not let an in-flight wrap() resurrect a key deleted meanwhile', async () => {
    const { cache } = makeCache();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const pending = cache.wrap('k', 60, async () => {
      await gate;
      return 'stale';
    });
    await cache.del('k');
    release();
    expect(await pending).toBe('stale');
    expect(await cache.get('k')).toBeUndefined();
  });

  it('refuses bad input clearly', async () => {
    const { cache } = makeCache();
    expect(await codeOf(cache.set('k', () => 1))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(cache.set('k', undefined))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(cache.set('k', 1, 0))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(cache.set('k', 1, Number.NaN))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(cache.wrap('k', -1, async () => 1))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(cache.get(''))).toBe('INVALID_ARGUMENT');
    expect(() => new MemoryCache({ maxEntries: 0 })).toThrow(NovaError);
  });

  it('clears, reports health, and refuses use after close', async () => {
    const { cache } = makeCache(10);
    await cache.set('a', 1);
    await cache.get('a');
    await cache.clear();
    expect(await cache.stats()).toEqual({ hits: 1, misses: 0, keys: 0 });
    const health = await cache.health();
    expect(health).toMatchObject({
      service: 'cache',
      backend: 'memory',
      status: 'ok',
      latencyMs: 0,
    });
    expect(health.detail).toContain('0/10 keys');
    expect(health.detail).toContain('hit rate 100.0%');
    await cache.close();
    expect((await cache.health()).status).toBe('down');
    expect(await codeOf(cache.get('a'))).toBe('NOT_INITIALIZED');
  });
});
