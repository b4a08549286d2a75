// Connecting, health and error mapping of MongoDocumentStore: refused ports, bad URLs, a server that goes away.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MongoServerError } from 'mongodb';
import { redactSecrets } from '../../../../main/core/config/redact.js';
import { osFreePort } from '../../../../main/core/services/ports.js';
import { MongoDocumentStore } from '../../../../main/core/stores/mongo/mongo-document-store.js';
import { mapMongoError, mongoHosts } from '../../../../main/core/stores/mongo/mongo-errors.js';
import { startMongo, type MongoTestServer } from '../../../support/mongo-server.js';

describe('connecting to nothing', () => {
  it('fails fast with CONN_REFUSED naming host:port and never the password', async () => {
    const port = await osFreePort();
    const started = Date.now();
    const err = await MongoDocumentStore.connect({
      url: `mongodb://nova:s3cr3t-pw@127.0.0.1:${port}/nova`,
      connectTimeoutMs: 800,
    }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(err).toMatchObject({
      code: expect.stringMatching(/^(CONN_REFUSED|TIMEOUT)$/),
      fix: expect.stringContaining('MONGODB_URL'),
    });
    const text = `${(err as Error).message} ${(err as { fix: string }).fix}`;
    expect(text).toContain(`127.0.0.1:${port}`);
    expect(text).not.toContain('s3cr3t-pw');
  });

  it.each<[string, string]>([
    ['not a mongodb URL', 'postgres://127.0.0.1:5432/nova'],
    ['an unparsable port', 'mongodb://u:pw@127.0.0.1:notaport/nova'],
    ['a bad option', 'mongodb://u:topsecret@127.0.0.1:27017/?tls=maybe'],
  ])('refuses %s with CONFIG_INVALID', async (_label, url) => {
    const err = await MongoDocumentStore.connect({ url, connectTimeoutMs: 500 }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'CONFIG_INVALID', fix: expect.any(String) });
    expect((err as Error).message).not.toMatch(/topsecret|:pw@/);
  });

  it('refuses a TLS CA file that does not exist', async () => {
    await expect(
      MongoDocumentStore.connect({
        url: 'mongodb://127.0.0.1:27017',
        tls: true,
        tlsCAFile: '/nonexistent/ca.pem',
        connectTimeoutMs: 500,
      }),
    ).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('/nonexistent/ca.pem'),
    });
  });
});

describe('health against a running server, then a stopped one', () => {
  let server: MongoTestServer;
  let store: MongoDocumentStore;
  const dbName = `nova_health_${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    server = await startMongo();
    store = await MongoDocumentStore.connect({ url: server.url, dbName, connectTimeoutMs: 1000 });
    await store.ensureCollections();
    await store.insert('audit_logs', [{ action: 'login', user_id: 1, created_at: new Date() }]);
  });

  afterAll(async () => {
    await store?.close();
    await server?.stop();
  });

  it('reports ok with latency, collection count and data size', async () => {
    const health = await store.health();
    expect(health).toMatchObject({ service: 'documents', backend: 'mongodb', status: 'ok' });
    expect(health.latencyMs).toBeGreaterThanOrEqual(0);
    expect(health.detail).toContain(`database "${dbName}"`);
    expect(health.detail).toMatch(/\d+ collections/);
  });

  it('reports down with the reason and a fix once the server is gone, and operations fail cleanly', async () => {
    if (server.kind === 'external') return; // We cannot stop someone else's server.
    await server.stop();
    const started = Date.now();
    const health = await store.health();
    expect(health.status).toBe('down');
    expect(health.latencyMs).toBeNull();
    expect(health.detail).toContain(server.url.replace('mongodb://', ''));
    expect(health.fix).toEqual(expect.any(String));
    await expect(store.find('audit_logs', {})).rejects.toMatchObject({
      code: expect.stringMatching(/^(CONN_REFUSED|TIMEOUT|SERVICE_UNAVAILABLE)$/),
    });
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe('error mapping and redaction', () => {
  const url = 'mongodb://admin:hunter2@db.example:27017,db2.example/nova?authSource=admin';

  it('redacts passwords in URLs, also inside longer text', () => {
    expect(redactSecrets(url)).toBe(
      'mongodb://admin:***@db.example:27017,db2.example/nova?authSource=admin',
    );
    expect(redactSecrets(`failed for ${url} and redis://:pw@h:6379`)).not.toMatch(/hunter2|:pw@/);
    expect(redactSecrets('mongodb://127.0.0.1:27017')).toBe('mongodb://127.0.0.1:27017');
  });

  it('lists hosts with default ports', () => {
    expect(mongoHosts(url)).toBe('db.example:27017,db2.example:27017');
  });

  it('maps authentication failure (code 18) to AUTH_FAILED without the password', () => {
    const err = mapMongoError(
      new MongoServerError({
        code: 18,
        codeName: 'AuthenticationFailed',
        errmsg: 'Authentication failed.',
      }),
      { url, action: 'connect' },
    );
    expect(err).toMatchObject({ code: 'AUTH_FAILED', fix: expect.stringContaining('password') });
    expect(err.message).toContain('db.example:27017');
    expect(err.message).not.toContain('hunter2');
  });

  it.each<[number, string]>([
    [13, 'AUTH_FAILED'],
    [121, 'INVALID_ARGUMENT'],
    [11000, 'CONSTRAINT_VIOLATION'],
    [2, 'QUERY_FAILED'],
  ])('maps server code %i to %s', (code, expected) => {
    expect(
      mapMongoError(new MongoServerError({ code, errmsg: 'x' }), { url, action: 'write' }).code,
    ).toBe(expected);
  });
});
