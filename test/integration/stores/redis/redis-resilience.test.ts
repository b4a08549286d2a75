// RedisCache when Redis dies, comes back, or refuses us: graceful degradation and clear connect errors.
import { afterEach, describe, expect, it } from 'vitest';
import { osFreePort } from '../../../../main/core/services/ports.js';
import { RedisCache } from '../../../../main/core/stores/redis/redis-cache.js';
import { startRedis, type RedisTestServer } from '../../../support/redis-server.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!().catch(() => undefined);
});

async function serverWith(
  options: { password?: string; port?: number } = {},
): Promise<RedisTestServer> {
  const server = await startRedis(options);
  cleanups.push(() => server.stop());
  return server;
}

async function cacheFor(url: string, extra: { allowOffline?: boolean } = {}): Promise<RedisCache> {
  const cache = await RedisCache.connect({
    url,
    keyPrefix: 'res:',
    connectTimeoutMs: 1000,
    commandTimeoutMs: 1000,
    ...extra,
  });
  cleanups.push(() => cache.close());
  return cache;
}

async function until(
  condition: () => Promise<boolean> | boolean,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('Redis dies mid-test and comes back', () => {
  it('degrades without throwing or hanging, reports down with a fix, and resumes by itself', async () => {
    const first = await startRedis();
    const cache = await cacheFor(first.url);
    await cache.set('k', 'before');
    expect(await cache.get('k')).toBe('before');

    await first.kill();
    await until(() => !cache.available, 3000);

    const started = Date.now();
    const missesBefore = (await cache.stats()).misses;
    expect(await cache.get('k')).toBeUndefined();
    await expect(cache.set('k', 'during', 10)).resolves.toBeUndefined();
    await expect(cache.del('k')).resolves.toBeUndefined();
    let computed = 0;
    expect(await cache.wrap('w', 10, async () => ++computed)).toBe(1);
    expect(await cache.wrap('w', 10, async () => ++computed)).toBe(2);
    const stats = await cache.stats();
    expect(stats).toMatchObject({ available: false, keys: 0 });
    expect(stats.misses - missesBefore).toBe(3);
    const health = await cache.health();
    expect(health.status).toBe('down');
    expect(health.latencyMs).toBeNull();
    expect(health.detail).toContain(`ECONNREFUSED 127.0.0.1:${first.port}`);
    expect(health.fix).toMatch(/redis-server|REDIS_URL/);
    // Sessions are data, not cache: losing one silently would log users out, so it is an error.
    await expect(cache.setSession('s', {}, 60)).rejects.toMatchObject({
      code: expect.stringMatching(/^(CONN_REFUSED|SERVICE_UNAVAILABLE)$/),
    });
    await expect(cache.clear()).rejects.toMatchObject({
      code: expect.stringMatching(/^(CONN_REFUSED|SERVICE_UNAVAILABLE)$/),
    });
    expect(Date.now() - started).toBeLessThan(2000);

    const second = await serverWith({ port: first.port });
    await until(() => cache.available, 5000);
    await cache.set('k', 'after');
    expect(await cache.get('k')).toBe('after');
    expect((await cache.health()).status).toBe('ok');
    expect(second.port).toBe(first.port);
  });

  it('with allowOffline, starts degraded when Redis is not up yet and heals when it starts', async () => {
    const port = await osFreePort();
    const cache = await cacheFor(`redis://127.0.0.1:${port}`, { allowOffline: true });
    expect(cache.available).toBe(false);
    expect(await cache.get('x')).toBeUndefined();
    expect((await cache.health()).status).toBe('down');
    await serverWith({ port });
    await until(() => cache.available, 5000);
    await cache.set('x', 1);
    expect(await cache.get('x')).toBe(1);
  });
});

describe('connect errors', () => {
  it('wrong password → AUTH_FAILED, without the password in the message', async () => {
    const server = await serverWith({ password: 'right-horse-battery' });
    const err = await RedisCache.connect({
      url: `redis://:wrong-staple-99@127.0.0.1:${server.port}`,
      connectTimeoutMs: 1000,
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'AUTH_FAILED', fix: expect.stringContaining('REDIS_URL') });
    expect(`${(err as Error).message}`).toContain(`127.0.0.1:${server.port}`);
    expect(`${(err as Error).message}`).not.toMatch(/wrong-staple-99|right-horse-battery/);
    // Allowing offline does not hide a configuration error.
    await expect(
      RedisCache.connect({
        url: `redis://127.0.0.1:${server.port}`,
        connectTimeoutMs: 1000,
        allowOffline: true,
      }),
    ).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    const ok = await cacheFor(server.url);
    await ok.set('a', 1);
    expect(await ok.get('a')).toBe(1);
  });

  it('nothing listening → CONN_REFUSED quickly, naming host:port', async () => {
    const port = await osFreePort();
    const started = Date.now();
    const err = await RedisCache.connect({
      url: `redis://:pw@127.0.0.1:${port}`,
      connectTimeoutMs: 1000,
    }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(err).toMatchObject({
      code: 'CONN_REFUSED',
      message: expect.stringContaining(`127.0.0.1:${port}`),
      fix: expect.any(String),
    });
  });

  it.each<[string, Parameters<typeof RedisCache.connect>[0]]>([
    ['a non-redis URL', { url: 'http://127.0.0.1:6379' }],
    ['garbage', { url: 'not a url' }],
    [
      'an unreadable TLS CA file',
      { url: 'rediss://127.0.0.1:6379', tlsCA: '/nonexistent/redis-ca.pem' },
    ],
  ])('refuses %s with CONFIG_INVALID', async (_label, options) => {
    await expect(RedisCache.connect({ connectTimeoutMs: 500, ...options })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      fix: expect.any(String),
    });
  });

  it('refuses calls after close()', async () => {
    const server = await serverWith();
    const cache = await RedisCache.connect({ url: server.url });
    await cache.close();
    await cache.close();
    await expect(cache.get('a')).rejects.toMatchObject({ code: 'NOT_INITIALIZED' });
    expect((await cache.health()).status).toBe('down');
  });
});
