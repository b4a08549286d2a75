/**
 * The external profile validates configured URLs with the same handshakes
 * as detection, against this machine's PostgreSQL/Redis and against a
 * password-protected private Redis started through the native provider.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCredentials } from '../../../main/core/config/credentials.js';
import { configSchema, type NovaConfigInput } from '../../../main/core/config/schema.js';
import type { NovaError } from '../../../main/core/errors.js';
import { ExternalProvider } from '../../../main/core/services/external-provider.js';
import { probePostgres, probeRedis } from '../../../main/core/services/handshake.js';
import { NativeProvider } from '../../../main/core/services/native/native-provider.js';
import { osFreePort } from '../../../main/core/services/ports.js';
import { ServiceManager } from '../../../main/core/services/service-manager.js';
import { silentListener } from './helpers.js';

let dataDir: string;
let native: NativeProvider;
let privateRedisPort: number;
let privateRedisPassword: string;
let silent: Awaited<ReturnType<typeof silentListener>>;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'nova-external-'));
  const creds = await loadCredentials(dataDir);
  native = new NativeProvider({ dataDir, credentials: creds });
  privateRedisPort = (await native.start('redis')).port;
  privateRedisPassword = creds.redisPassword;
  silent = await silentListener();
});

afterAll(async () => {
  await native?.stop('redis');
  await silent?.close();
  await rm(dataDir, { recursive: true, force: true });
});

function provider(settings: Partial<NovaConfigInput>): ExternalProvider {
  return new ExternalProvider(
    configSchema.parse({
      NOVA_DATA_DIR: dataDir,
      NOVA_PROFILE: 'external',
      POSTGRES_URL: 'postgres://x@127.0.0.1/x',
      REDIS_URL: 'redis://127.0.0.1',
      MONGODB_URL: 'mongodb://127.0.0.1',
      ...settings,
    }),
    { probeTimeoutMs: 500 },
  );
}

async function caught(p: Promise<unknown>): Promise<NovaError> {
  try {
    await p;
  } catch (err) {
    return err as NovaError;
  }
  throw new Error('expected a failure');
}

describe('ExternalProvider', () => {
  it("accepts the machine's PostgreSQL and Redis and returns the configured URLs as endpoints", async () => {
    const p = provider({
      POSTGRES_URL: 'postgres://postgres@127.0.0.1:5432/postgres',
      REDIS_URL: 'redis://127.0.0.1:6379/0',
    });
    expect(await p.start('postgres')).toEqual({
      service: 'postgres',
      url: 'postgres://postgres@127.0.0.1:5432/postgres',
      host: '127.0.0.1',
      port: 5432,
    });
    expect(await p.start('redis')).toMatchObject({ host: '127.0.0.1', port: 6379 });
    expect(await p.status('postgres')).toMatchObject({
      provider: 'external',
      state: 'healthy',
      port: 5432,
    });
  });

  it('a URL pointing at the wrong kind of server is refused with what is actually there', async () => {
    const err = await caught(
      provider({ POSTGRES_URL: 'postgres://u:pw@127.0.0.1:6379/db' }).start('postgres'),
    );
    expect(err.code).toBe('SERVICE_UNAVAILABLE');
    expect(err.message).toContain('port open but not a PostgreSQL server');
    expect(err.message).not.toContain(':pw@');
    expect(err.fix).toContain('POSTGRES_URL');
    const silentErr = await caught(
      provider({ REDIS_URL: `redis://127.0.0.1:${silent.port}` }).start('redis'),
    );
    expect(silentErr).toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      message: expect.stringContaining('not a Redis server'),
    });
  });

  it('nothing listening is CONN_REFUSED naming the variable to check', async () => {
    const port = await osFreePort();
    const err = await caught(
      provider({ MONGODB_URL: `mongodb://127.0.0.1:${port}/nova` }).start('mongo'),
    );
    expect(err.code).toBe('CONN_REFUSED');
    expect(err.fix).toContain('MONGODB_URL');
    expect(
      await provider({ MONGODB_URL: `mongodb://127.0.0.1:${port}/nova` }).status('mongo'),
    ).toMatchObject({ state: 'failed', reason: expect.stringContaining('not reachable') });
  });

  it('Redis: a wrong or missing password is AUTH_FAILED; the right one passes', async () => {
    const wrong = await caught(
      provider({ REDIS_URL: `redis://:not-the-password@127.0.0.1:${privateRedisPort}` }).start(
        'redis',
      ),
    );
    expect(wrong).toMatchObject({
      code: 'AUTH_FAILED',
      message: expect.stringContaining('refused the password'),
    });
    expect(wrong.message).not.toContain('not-the-password');
    const none = await caught(
      provider({ REDIS_URL: `redis://127.0.0.1:${privateRedisPort}` }).start('redis'),
    );
    expect(none).toMatchObject({
      code: 'AUTH_FAILED',
      message: expect.stringContaining('requires a password'),
    });
    const ok = await provider({
      REDIS_URL: `redis://:${privateRedisPassword}@127.0.0.1:${privateRedisPort}`,
    }).start('redis');
    expect(ok.port).toBe(privateRedisPort);
  });

  it('through the manager: startAll validates, stopAll leaves the external servers running', async () => {
    const config = configSchema.parse({
      NOVA_DATA_DIR: dataDir,
      NOVA_PROFILE: 'external',
      NOVA_MONGO_PROFILE: 'embedded',
      POSTGRES_URL: 'postgres://postgres@127.0.0.1:5432/postgres',
      REDIS_URL: 'redis://127.0.0.1:6379',
    });
    const m = await ServiceManager.create({ config });
    const { endpoints, failed } = await m.startAll();
    expect(failed).toEqual([]);
    expect(endpoints.postgres?.url).toBe(config.POSTGRES_URL);
    expect(endpoints.redis?.url).toBe(config.REDIS_URL);
    expect(m.providerKinds()).toEqual({
      postgres: 'external',
      redis: 'external',
      mongo: 'embedded',
    });
    await m.shutdown();
    expect((await probePostgres('127.0.0.1', 5432)).confirmed).toBe(true);
    expect((await probeRedis('127.0.0.1', 6379)).confirmed).toBe(true);
  });
});
