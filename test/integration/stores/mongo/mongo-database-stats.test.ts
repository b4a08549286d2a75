// MongoDocumentStore.databaseStats() against a real MongoDB wire server, and the numbers it gives /metrics.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MongoClient } from 'mongodb';
import { documentsChecker } from '../../../../main/core/health/checkers/documents-checker.js';
import { MongoDocumentStore } from '../../../../main/core/stores/mongo/mongo-document-store.js';
import { startMongo, type MongoTestServer } from '../../../support/mongo-server.js';

let server: MongoTestServer;
let store: MongoDocumentStore;
let raw: MongoClient;
const dbName = `nova_stats_${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  server = await startMongo();
  store = await MongoDocumentStore.connect({ url: server.url, dbName, connectTimeoutMs: 1000 });
  raw = await MongoClient.connect(server.url);
});

afterAll(async () => {
  await raw
    ?.db(dbName)
    .dropDatabase()
    .catch(() => undefined);
  await raw?.close();
  await store?.close();
  await server?.stop().catch(() => undefined);
});

/** What the server itself says the data size is; undefined where it does not report one (the emulator may not). */
async function serverDataSize(): Promise<number | undefined> {
  const stats = (await raw
    .db(dbName)
    .command({ dbStats: 1 })
    .catch(() => ({}))) as { dataSize?: unknown };
  return typeof stats.dataSize === 'number' ? stats.dataSize : undefined;
}

describe('databaseStats', () => {
  it('reports an empty database as no collections and no data', async () => {
    expect(await store.databaseStats()).toEqual({ collections: 0, dataSizeBytes: 0 });
  });

  it('counts the collections and reports the data size the server gives (0 where it gives none)', async () => {
    await store.insert('stats_a', [{ name: 'x'.repeat(500) }, { name: 'y' }]);
    await store.insert('stats_b', [{ n: 1 }]);
    const stats = await store.databaseStats();
    expect(stats.collections).toBe(2);
    const reported = await serverDataSize();
    expect(stats.dataSizeBytes).toBe(reported ?? 0);
    if (reported !== undefined) expect(stats.dataSizeBytes).toBeGreaterThan(500);
  });

  it('hands the numbers to the health checker as metrics', async () => {
    const check = documentsChecker(() => store, 'mongodb');
    const result = await check.check();
    expect(result.status).toBe('ok');
    expect(result.metrics).toEqual({
      collections: 2,
      data_size_bytes: (await serverDataSize()) ?? 0,
    });
  });

  it('fails with NOT_INITIALIZED on a closed store', async () => {
    const other = await MongoDocumentStore.connect({
      url: server.url,
      dbName,
      connectTimeoutMs: 1000,
    });
    await other.close();
    await expect(other.databaseStats()).rejects.toMatchObject({
      code: 'NOT_INITIALIZED',
      fix: expect.any(String),
    });
  });

  it('fails with a connection error naming the host, not a password, once the server is gone', async () => {
    if (server.kind === 'external') return; // We cannot stop someone else's server.
    await server.stop();
    const err = await store.databaseStats().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({
      code: expect.stringMatching(/^(CONN_REFUSED|TIMEOUT|SERVICE_UNAVAILABLE)$/),
      fix: expect.any(String),
    });
    expect((err as Error).message).toContain(server.url.replace('mongodb://', ''));
  });
});
