/**
 * MongoDB deployments and the audit outbox. On a standalone server (and the
 * emulator, which has no sessions) the store says so and the outbox delivers
 * one idempotent insert at a time. On a replica set — a real mongod
 * (MONGODB_URL naming a set, or a private one-node set when mongod is on
 * PATH) — health lists the members and the primary, and the outbox delivers
 * each batch in one majority-committed transaction, all or none. Without a
 * mongod those cases are skipped, and the reason is printed.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseFactory } from '../../../../main/core/stores/database-factory.js';
import { openTestFactory } from '../../../support/test-factory.js';
import { MongoDocumentStore } from '../../../../main/core/stores/mongo/mongo-document-store.js';
import {
  noReplicaSetReason,
  startMongo,
  startMongoReplicaSet,
  type MongoTestServer,
} from '../../../support/mongo-server.js';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  while (cleanups.length > 0) await cleanups.pop()!().catch(() => undefined);
});

async function factoryOn(url: string, dbName: string): Promise<DatabaseFactory> {
  const { factory, close } = await openTestFactory({
    NOVA_MONGO_PROFILE: 'external',
    MONGODB_URL: url,
    MONGODB_DB: dbName,
  });
  cleanups.push(close);
  return factory;
}

describe('a standalone MongoDB (the emulator here): no transactions', () => {
  let server: MongoTestServer;
  let store: MongoDocumentStore;
  const dbName = `nova_standalone_${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    server = await startMongo();
    cleanups.push(() => server.stop());
    store = await MongoDocumentStore.connect({ url: server.url, dbName });
    cleanups.push(() => store.close());
  });

  it('says what it is, writes nothing transactionally, and health says so', async (ctx) => {
    const deployment = await store.deployment();
    if (deployment.kind !== 'standalone')
      ctx.skip(`MONGODB_URL is a ${deployment.kind}, not a standalone server`);
    expect(deployment).toMatchObject({ kind: 'standalone', transactions: false });
    expect(
      await store.insertAbsentAtomically('audit_logs', [
        { _id: 'x1', action: 'a', created_at: new Date() },
      ]),
    ).toBe(false);
    expect(await store.count('audit_logs', { _id: 'x1' })).toBe(0);
    expect((await store.health()).detail).toContain(
      'standalone server (no replica set: no transactions)',
    );
  });

  it('delivers the audit outbox one entry at a time, exactly once', async (ctx) => {
    if ((await store.deployment()).kind !== 'standalone') ctx.skip('not a standalone server');
    const factory = await factoryOn(server.url, dbName);
    await factory.transaction(async () => {
      for (let i = 0; i < 3; i += 1) await factory.createAuditLog('standalone.test', i, { i });
    });
    expect((await factory.healthCheck()).auditOutboxPending).toBe(0);
    const docs = await factory.findDocuments('audit_logs', { action: 'standalone.test' });
    expect(docs.map((d) => d.user_id).sort()).toEqual([0, 1, 2]);
  });
});

const unavailable = noReplicaSetReason();
if (unavailable) console.log(`[mongo replica set] skipped: ${unavailable}`);

describe.skipIf(unavailable !== undefined)('a MongoDB replica set', () => {
  let url: string;
  let setName: string;
  let skipped: string | undefined;
  const dbName = `nova_rs_${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    const rs = await startMongoReplicaSet();
    if ('skipped' in rs) {
      skipped = rs.skipped;
      console.log(`[mongo replica set] skipped: ${rs.skipped}`);
      return;
    }
    cleanups.push(() => rs.stop());
    url = rs.url;
    setName = rs.setName;
  }, 60_000);

  it('health names the set, its members and the primary', async (ctx) => {
    if (skipped) ctx.skip(skipped);
    const store = await MongoDocumentStore.connect({ url, dbName });
    cleanups.push(() => store.close());
    const deployment = await store.deployment();
    expect(deployment).toMatchObject({ kind: 'replica-set', setName, transactions: true });
    const health = await store.health();
    expect(health.status).toBe('ok');
    expect(health.detail).toContain(`replica set ${setName}: primary ${deployment.primary!}`);
    expect(health.detail).toContain(`${deployment.primary!} PRIMARY`);
  });

  it('delivers an outbox batch in one transaction, all or none, never twice', async (ctx) => {
    if (skipped) ctx.skip(skipped);
    const factory = await factoryOn(url, dbName);
    await factory.transaction(async () => {
      for (let i = 0; i < 5; i += 1) await factory.createAuditLog('rs.test', i, { i });
    });
    expect((await factory.healthCheck()).auditOutboxPending).toBe(0);
    expect(await factory.findDocuments('audit_logs', { action: 'rs.test' })).toHaveLength(5);

    const store = factory.backendsForHealth!.documents as MongoDocumentStore;
    const created_at = new Date();
    const batch = [
      { _id: 'same-1', action: 'rs.again', created_at },
      { _id: 'same-2', action: 'rs.again', created_at },
    ];
    expect(await store.insertAbsentAtomically('audit_logs', batch)).toBe(true);
    expect(await store.insertAbsentAtomically('audit_logs', batch)).toBe(true);
    expect(await store.count('audit_logs', { action: 'rs.again' })).toBe(2);

    // One invalid document (no action) aborts the whole batch.
    await expect(
      store.insertAbsentAtomically('audit_logs', [
        { _id: 'ok-3', action: 'rs.partial', created_at },
        { _id: 'bad-4', created_at },
      ]),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(await store.count('audit_logs', { action: 'rs.partial' })).toBe(0);
  });
});
