// MongoDocumentStore CRUD against a real MongoDB wire server (mongod, MONGODB_URL or the emulator).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MongoClient, ObjectId } from 'mongodb';
import { MongoDocumentStore } from '../../../../main/core/stores/mongo/mongo-document-store.js';
import type { Doc } from '../../../../main/core/stores/types.js';
import { startMongo, type MongoTestServer } from '../../../support/mongo-server.js';

let server: MongoTestServer;
let store: MongoDocumentStore;
let raw: MongoClient;
const dbName = `nova_crud_${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  server = await startMongo();
  store = await MongoDocumentStore.connect({ url: server.url, dbName, connectTimeoutMs: 5000 });
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

const C = 'things';
const ids = (docs: Doc[]) => docs.map((d) => d.name).sort();

describe('find with every filter operator', () => {
  beforeEach(async () => {
    await store.delete(C, {});
    await store.insert(C, [
      { name: 'a', n: 1, tag: 'x', meta: { level: 1 } },
      { name: 'b', n: 2, tag: 'y', meta: { level: 2 } },
      { name: 'c', n: 3, tag: 'x', extra: true },
      { name: 'd', n: 4, tag: null },
    ]);
  });

  it.each<[string, Record<string, unknown>, string[]]>([
    ['implicit equality', { tag: 'x' }, ['a', 'c']],
    ['$eq', { n: { $eq: 2 } }, ['b']],
    ['$ne', { tag: { $ne: 'x' } }, ['b', 'd']],
    ['$gt', { n: { $gt: 2 } }, ['c', 'd']],
    ['$gte', { n: { $gte: 2 } }, ['b', 'c', 'd']],
    ['$lt', { n: { $lt: 2 } }, ['a']],
    ['$lte', { n: { $lte: 2 } }, ['a', 'b']],
    ['$in', { tag: { $in: ['y', null] } }, ['b', 'd']],
    ['$nin', { n: { $nin: [1, 4] } }, ['b', 'c']],
    ['$exists true', { extra: { $exists: true } }, ['c']],
    ['$exists false', { meta: { $exists: false } }, ['c', 'd']],
    ['dotted path', { 'meta.level': 2 }, ['b']],
    ['range on one field', { n: { $gt: 1, $lt: 4 } }, ['b', 'c']],
    ['$and', { $and: [{ tag: 'x' }, { n: { $gt: 1 } }] }, ['c']],
    ['$or', { $or: [{ n: 1 }, { tag: 'y' }] }, ['a', 'b']],
    [
      'nested $or in $and',
      { $and: [{ $or: [{ n: 1 }, { n: 4 }] }, { tag: { $ne: null } }] },
      ['a'],
    ],
    ['empty filter', {}, ['a', 'b', 'c', 'd']],
  ])('%s', async (_label, filter, expected) => {
    expect(ids(await store.find(C, filter))).toEqual(expected);
    expect(await store.count(C, filter)).toBe(expected.length);
  });

  it.each<[string, Record<string, unknown>]>([
    ['$where', { $where: 'this.n > 1' }],
    ['$nor', { $nor: [{ n: 1 }] }],
    ['$regex', { name: { $regex: '^a' } }],
    ['$not', { n: { $not: { $gt: 1 } } }],
    ['$elemMatch', { list: { $elemMatch: { a: 1 } } }],
    ['a RegExp value', { name: /^a/ }],
    ['embedded document equality', { meta: { level: 1 } }],
    ['operators mixed with plain keys', { n: { $gt: 1, level: 2 } }],
    ['a $-prefixed path segment', { 'meta.$level': 1 }],
  ])('refuses %s with UNSUPPORTED_FILTER', async (_label, filter) => {
    await expect(store.find(C, filter)).rejects.toMatchObject({
      code: 'UNSUPPORTED_FILTER',
      fix: expect.any(String),
    });
  });

  it.each<[string, unknown]>([
    ['$in without an array', { n: { $in: 3 } }],
    ['$exists with a string', { n: { $exists: 'yes' } }],
    ['$or with an empty array', { $or: [] }],
    ['an array as the filter', [{ n: 1 }]],
  ])('refuses %s with INVALID_ARGUMENT', async (_label, filter) => {
    await expect(store.find(C, filter as Record<string, unknown>)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });

  it('refuses bad collection names before touching the server', async () => {
    await expect(store.find('no-dashes', {})).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('no-dashes'),
    });
    await expect(store.insert('system.users', [{}])).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });
});

describe('_id is always a string', () => {
  beforeEach(async () => {
    await store.delete(C, {});
  });

  it('returns generated ObjectIds as hex strings and finds by them', async () => {
    const { insertedIds } = await store.insert(C, [{ name: 'gen' }]);
    const id = insertedIds[0]!;
    expect(id).toMatch(/^[0-9a-f]{24}$/);
    // Stored as a real ObjectId, so other MongoDB tools see a normal document.
    const stored = await raw.db(dbName).collection(C).findOne({ name: 'gen' });
    expect(stored?._id).toBeInstanceOf(ObjectId);
    const [found] = await store.find(C, { _id: id });
    expect(found).toEqual({ _id: id, name: 'gen' });
    expect(await store.count(C, { _id: { $in: [id, 'nope'] } })).toBe(1);
    expect(await store.count(C, { _id: { $ne: id } })).toBe(0);
  });

  it('keeps caller-chosen string ids, including 24-hex ones', async () => {
    const hex = new ObjectId().toHexString();
    const { insertedIds } = await store.insert(C, [
      { _id: 'user-42', name: 'custom' },
      { _id: hex, name: 'hex' },
    ]);
    expect(insertedIds).toEqual(['user-42', hex]);
    expect(await store.find(C, { _id: 'user-42' })).toEqual([{ _id: 'user-42', name: 'custom' }]);
    expect(await store.find(C, { _id: hex })).toEqual([{ _id: hex, name: 'hex' }]);
  });

  it('finds a 24-hex _id that another tool stored as a plain string', async () => {
    const hex = 'aaaaaaaaaaaaaaaaaaaaaaaa';
    await raw
      .db(dbName)
      .collection<{ _id: string; name: string }>(C)
      .insertOne({ _id: hex, name: 'foreign' });
    expect(await store.find(C, { _id: hex })).toEqual([{ _id: hex, name: 'foreign' }]);
    expect(await store.update(C, { _id: hex }, { $set: { seen: true } })).toEqual({
      matched: 1,
      modified: 1,
    });
  });

  it('converts ObjectIds in other fields to hex too', async () => {
    const filesId = new ObjectId();
    await raw
      .db(dbName)
      .collection(C)
      .insertOne({ name: 'chunk', files_id: filesId, refs: [filesId] });
    const [doc] = await store.find(C, { name: 'chunk' });
    expect(doc).toMatchObject({ files_id: filesId.toHexString(), refs: [filesId.toHexString()] });
  });

  it.each<[string, unknown]>([
    ['a number', 42],
    ['an empty string', ''],
    ['null', null],
    ['longer than 256 characters', 'x'.repeat(257)],
  ])('refuses an _id that is %s', async (_label, id) => {
    await expect(store.insert(C, [{ _id: id as string, name: 'bad' }])).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('_id'),
    });
    expect(await store.count(C, {})).toBe(0);
  });
});

describe('values, sorting and paging', () => {
  beforeEach(async () => {
    await store.delete(C, {});
  });

  it.each<[string, Record<string, unknown>]>([
    ['NaN', { n: Number.NaN }],
    ['a $-prefixed field name', { meta: { $set: 1 } }],
    ['a Map', { m: new Map() }],
    ['a function', { f: () => 1 }],
    ['an invalid Date', { at: new Date('nope') }],
  ])('refuses a document holding %s (as every backend does)', async (_label, doc) => {
    await expect(store.insert(C, [{ name: 'ok' }, doc])).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    // Checked before anything is written.
    expect(await store.count(C, {})).toBe(0);
  });

  it('round-trips Dates, nested Dates and JSON types', async () => {
    const when = new Date('2024-02-29T12:34:56.789Z');
    const doc = {
      name: 'dates',
      when,
      nested: { list: [when, 1, 'two', true, null], deep: { at: when } },
      ratio: 0.25,
    };
    const [id] = (await store.insert(C, [doc])).insertedIds;
    const [back] = await store.find(C, { _id: id! });
    expect(back).toEqual({ _id: id, ...doc });
    expect((back!.when as Date).getTime()).toBe(when.getTime());
    expect(
      await store.count(C, { when: { $gte: new Date('2024-01-01'), $lt: new Date('2025-01-01') } }),
    ).toBe(1);
  });

  it('sorts, skips and limits', async () => {
    await store.insert(
      C,
      [5, 3, 9, 1, 7].map((n) => ({ name: `n${n}`, n, group: n % 2 === 0 ? 'even' : 'odd' })),
    );
    const page = await store.find(C, {}, { sort: { n: -1 }, skip: 1, limit: 2 });
    expect(page.map((d) => d.n)).toEqual([7, 5]);
    expect((await store.find(C, {}, { sort: { n: 1 } })).map((d) => d.n)).toEqual([1, 3, 5, 7, 9]);
    expect(await store.find(C, {}, { limit: 0 })).toEqual([]);
    await expect(store.find(C, {}, { limit: -1 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(store.find(C, {}, { skip: 1.5 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(store.find(C, {}, { sort: { n: 2 as 1 } })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });
});

describe('update and delete', () => {
  beforeEach(async () => {
    await store.delete(C, {});
    await store.insert(C, [
      { name: 'a', hits: 1, legacy: 'x' },
      { name: 'b', hits: 5, legacy: 'y' },
    ]);
  });

  it('applies $set, $unset and $inc to every match', async () => {
    const res = await store.update(
      C,
      { hits: { $gte: 1 } },
      { $set: { status: 'seen', 'meta.by': 'test' }, $unset: { legacy: '' }, $inc: { hits: 2 } },
    );
    expect(res).toEqual({ matched: 2, modified: 2 });
    const docs = await store.find(C, {}, { sort: { name: 1 } });
    expect(docs.map(({ _id: _ignored, ...d }) => d)).toEqual([
      { name: 'a', hits: 3, status: 'seen', meta: { by: 'test' } },
      { name: 'b', hits: 7, status: 'seen', meta: { by: 'test' } },
    ]);
    expect(await store.update(C, { name: 'zzz' }, { $set: { x: 1 } })).toEqual({
      matched: 0,
      modified: 0,
    });
  });

  // Codes as the shared update parser (doc-update.ts) gives them, identical on every backend.
  it.each<[string, unknown, string]>([
    ['a replacement document', { name: 'c' }, 'INVALID_ARGUMENT'],
    ['$push', { $push: { list: 1 } }, 'UNSUPPORTED_FILTER'],
    ['$rename', { $rename: { a: 'b' } }, 'UNSUPPORTED_FILTER'],
    ['$inc by a string', { $inc: { hits: '1' } }, 'INVALID_ARGUMENT'],
    ['changing _id', { $set: { _id: 'new' } }, 'INVALID_ARGUMENT'],
    ['one field in two operators', { $set: { hits: 1 }, $inc: { hits: 1 } }, 'INVALID_ARGUMENT'],
    [
      'a parent and its child',
      { $set: { meta: {} }, $unset: { 'meta.by': '' } },
      'INVALID_ARGUMENT',
    ],
    ['nothing to do', { $set: {} }, 'INVALID_ARGUMENT'],
    ['a $-prefixed field in a value', { $set: { meta: { $where: 1 } } }, 'INVALID_ARGUMENT'],
  ])('refuses %s', async (_label, update, code) => {
    await expect(store.update(C, {}, update as never)).rejects.toMatchObject({
      code,
      message: expect.any(String),
    });
    expect((await store.find(C, { name: 'a' }))[0]).toMatchObject({ hits: 1, legacy: 'x' });
  });

  it('deletes what the filter matches and reports how many', async () => {
    expect(await store.delete(C, { name: 'a' })).toEqual({ deleted: 1 });
    expect(await store.delete(C, { name: 'a' })).toEqual({ deleted: 0 });
    expect(ids(await store.find(C))).toEqual(['b']);
  });

  it('refuses to run after close()', async () => {
    const other = await MongoDocumentStore.connect({
      url: server.url,
      dbName,
      connectTimeoutMs: 5000,
    });
    await other.close();
    await other.close();
    await expect(other.find(C, {})).rejects.toMatchObject({ code: 'NOT_INITIALIZED' });
  });
});
