// ensureCollections, schema validation, TTL semantics and bulk inserts on a real MongoDB wire server.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MongoClient } from 'mongodb';
import { COLLECTIONS } from '../../../../main/core/stores/collections.js';
import { MongoDocumentStore } from '../../../../main/core/stores/mongo/mongo-document-store.js';
import { startMongo, type MongoTestServer } from '../../../support/mongo-server.js';

let server: MongoTestServer;
let store: MongoDocumentStore;
let raw: MongoClient;
const dbName = `nova_coll_${randomUUID().slice(0, 8)}`;
const DAY_MS = 24 * 60 * 60 * 1000;

beforeAll(async () => {
  server = await startMongo();
  store = await MongoDocumentStore.connect({ url: server.url, dbName, connectTimeoutMs: 5000 });
  await store.ensureCollections();
  raw = await MongoClient.connect(server.url);
});

afterAll(async () => {
  await raw
    ?.db(dbName)
    .dropDatabase()
    .catch(() => undefined);
  await raw?.close();
  await store?.close();
  await server?.stop();
});

async function indexSummary(): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const spec of COLLECTIONS) {
    const indexes = await raw.db(dbName).collection(spec.name).listIndexes().toArray();
    out[spec.name] = indexes
      .map(
        (i) =>
          `${JSON.stringify(i.key)}${i.unique ? ' unique' : ''}${i.expireAfterSeconds !== undefined ? ` ttl=${i.expireAfterSeconds}` : ''}`,
      )
      .sort();
  }
  return out;
}

describe('ensureCollections', () => {
  it('creates every collection with its unique and TTL indexes', async () => {
    const names = (await raw.db(dbName).listCollections().toArray()).map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(COLLECTIONS.map((c) => c.name)));
    const indexes = await indexSummary();
    expect(indexes.user_preferences).toContain('{"user_id":1} unique');
    expect(indexes.sessions).toEqual(
      expect.arrayContaining(['{"sid":1} unique', '{"expires_at":1} ttl=0']),
    );
    expect(indexes.analytics).toEqual(
      expect.arrayContaining(['{"event":1,"created_at":-1}', `{"created_at":1} ttl=${30 * 86400}`]),
    );
    expect(indexes.audit_logs).toContain(`{"created_at":1} ttl=${90 * 86400}`);
    expect(indexes.file_chunks).toContain('{"files_id":1,"n":1} unique');
  });

  it('is idempotent: a second run (and a second store) changes nothing and does not fail', async () => {
    const before = await indexSummary();
    await store.ensureCollections();
    const second = await MongoDocumentStore.connect({
      url: server.url,
      dbName,
      connectTimeoutMs: 5000,
    });
    try {
      await second.ensureCollections();
      // Both stores reach the same conclusion about the server.
      expect(second.capabilities.validators).toBe(store.capabilities.validators);
    } finally {
      await second.close();
    }
    expect(await indexSummary()).toEqual(before);
  });

  it('records whether the server enforces validators instead of failing', () => {
    expect(typeof store.capabilities.validators).toBe('boolean');
    if (server.kind === 'emulator') {
      expect(store.capabilities.validators).toBe(false);
      expect(store.capabilities.notes.join(' ')).toMatch(/validators/);
    }
  });
});

describe('schema validation (by the server, or by the store where the server cannot)', () => {
  beforeEach(async () => {
    await raw.db(dbName).collection('user_preferences').deleteMany({});
  });

  it('accepts a conforming document', async () => {
    await store.insert('user_preferences', [
      { user_id: 1, theme: 'dark', notifications: true, last_updated: new Date() },
    ]);
    expect(await store.count('user_preferences', { user_id: 1 })).toBe(1);
  });

  it.each<[string, Record<string, unknown>]>([
    ['user_id missing', { theme: 'dark' }],
    ['user_id a string', { user_id: '1' }],
    ['user_id fractional', { user_id: 1.5 }],
    ['theme not a string', { user_id: 2, theme: 5 }],
    ['last_updated not a date', { user_id: 3, last_updated: '2024-01-01' }],
  ])('refuses %s with INVALID_ARGUMENT', async (_label, doc) => {
    await expect(store.insert('user_preferences', [doc])).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringMatching(/validation/),
    });
    expect(await store.count('user_preferences', {})).toBe(0);
  });

  it('refuses updates that would break the schema', async () => {
    await store.insert('user_preferences', [{ user_id: 7, theme: 'light' }]);
    await expect(
      store.update('user_preferences', { user_id: 7 }, { $set: { theme: 42 } }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(
      store.update('user_preferences', { user_id: 7 }, { $unset: { user_id: '' } }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(
      store.update('user_preferences', { user_id: 7 }, { $inc: { theme: 1 } }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(await store.find('user_preferences', { user_id: 7 })).toMatchObject([
      { user_id: 7, theme: 'light' },
    ]);
  });

  it('maps a unique index violation to CONSTRAINT_VIOLATION and keeps the other documents', async () => {
    await store.insert('user_preferences', [{ user_id: 10, theme: 'a' }]);
    const err = await store
      .insert('user_preferences', [{ user_id: 11 }, { user_id: 10, theme: 'dup' }, { user_id: 12 }])
      .catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'CONSTRAINT_VIOLATION',
      message: expect.stringContaining('2 of 3 documents were inserted'),
    });
    expect(
      (await store.find('user_preferences', {}, { sort: { user_id: 1 } })).map((d) => d.user_id),
    ).toEqual([10, 11, 12]);
    expect(await store.find('user_preferences', { user_id: 10 })).toMatchObject([{ theme: 'a' }]);
  });

  it('maps an update that collides with a unique key to CONSTRAINT_VIOLATION', async () => {
    await store.insert('user_preferences', [{ user_id: 20 }, { user_id: 21 }]);
    await expect(
      store.update('user_preferences', { user_id: 21 }, { $set: { user_id: 20 } }),
    ).rejects.toMatchObject({ code: 'CONSTRAINT_VIOLATION' });
  });
});

describe('TTL: expired documents are invisible and swept', () => {
  beforeEach(async () => {
    for (const name of ['sessions', 'analytics'])
      await raw.db(dbName).collection(name).deleteMany({});
  });

  it('excludes expired documents from find, count, update and delete', async () => {
    const now = Date.now();
    await store.insert('sessions', [
      { sid: 'old', data: {}, expires_at: new Date(now - 60_000) },
      { sid: 'live', data: {}, expires_at: new Date(now + 3_600_000) },
      { sid: 'forever', data: {} },
    ]);
    await store.insert('analytics', [
      { event: 'stale', created_at: new Date(now - 31 * DAY_MS) },
      { event: 'fresh', created_at: new Date(now - 29 * DAY_MS) },
    ]);
    expect((await store.find('sessions', {}, { sort: { sid: 1 } })).map((d) => d.sid)).toEqual([
      'forever',
      'live',
    ]);
    expect(await store.count('sessions', {})).toBe(2);
    expect(await store.count('sessions', { sid: 'old' })).toBe(0);
    expect(await store.update('sessions', { sid: 'old' }, { $set: { data: { x: 1 } } })).toEqual({
      matched: 0,
      modified: 0,
    });
    expect((await store.find('analytics')).map((d) => d.event)).toEqual(['fresh']);
    // Still physically there until swept (MongoDB's monitor or sweepExpired).
    expect(await raw.db(dbName).collection('sessions').countDocuments()).toBe(3);
  });

  it('sweepExpired deletes what has expired at the given time, and nothing else', async () => {
    const now = new Date('2030-01-01T00:00:00Z');
    await raw
      .db(dbName)
      .collection('sessions')
      .insertMany([
        { sid: 's1', expires_at: new Date(now.getTime() - 1000) },
        { sid: 's2', expires_at: new Date(now.getTime() + 3_600_000) },
        { sid: 's3', expires_at: 'not a date' },
        { sid: 's4' },
      ]);
    await raw
      .db(dbName)
      .collection('audit_logs')
      .insertMany([
        { action: 'old', created_at: new Date(now.getTime() - 91 * DAY_MS) },
        { action: 'recent', created_at: new Date(now.getTime() - 89 * DAY_MS) },
      ]);
    expect(await store.sweepExpired(now)).toBe(2);
    expect(
      (await raw.db(dbName).collection('sessions').find().toArray()).map((d) => d.sid).sort(),
    ).toEqual(['s2', 's3', 's4']);
    expect(await store.sweepExpired(now)).toBe(0);
    // Two hours later the hour-long session has expired too.
    expect(await store.sweepExpired(new Date(now.getTime() + 2 * 3_600_000))).toBe(1);
    expect(
      (await raw.db(dbName).collection('audit_logs').find().toArray()).map((d) => d.action),
    ).toEqual(['recent']);
    await raw.db(dbName).collection('audit_logs').deleteMany({});
  });
});

describe('bulkInsert', () => {
  beforeEach(async () => {
    await raw.db(dbName).collection('user_preferences').deleteMany({});
  });

  it('unordered: inserts every document except the duplicate and the invalid one, reporting each', async () => {
    await store.insert('user_preferences', [{ user_id: 1 }]);
    const res = await store.bulkInsert('user_preferences', [
      { user_id: 2 },
      { user_id: 1 },
      { theme: 'no user' },
      { _id: 'p4', user_id: 4 },
      { user_id: 5 },
    ]);
    expect(res.errors.map((e) => [e.index, e.code])).toEqual([
      [1, 'CONSTRAINT_VIOLATION'],
      [2, 'INVALID_ARGUMENT'],
    ]);
    expect(res.errors[0]!.message).toMatch(/duplicate|E11000/i);
    expect(res.insertedIds).toHaveLength(3);
    expect(res.insertedIds[1]).toBe('p4');
    expect(res.skipped).toEqual([]);
    expect(
      (await store.find('user_preferences', {}, { sort: { user_id: 1 } })).map((d) => d.user_id),
    ).toEqual([1, 2, 4, 5]);
  });

  it('ordered: stops at the first failure and lists the rest as skipped', async () => {
    await store.insert('user_preferences', [{ user_id: 1 }]);
    const res = await store.bulkInsert(
      'user_preferences',
      [{ user_id: 2 }, { user_id: 1 }, { user_id: 3 }],
      { ordered: true },
    );
    expect(res.errors.map((e) => e.index)).toEqual([1]);
    expect(res.insertedIds).toHaveLength(1);
    expect(res.skipped).toEqual([2]);
    expect(
      (await store.find('user_preferences', {}, { sort: { user_id: 1 } })).map((d) => d.user_id),
    ).toEqual([1, 2]);
  });
});
