// SqliteDocumentStore on a real SQLite file shared with the relational store.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { matchesFilter, parseFilter } from '../../../../main/core/stores/doc-filter.js';
import { SqliteDocumentStore } from '../../../../main/core/stores/sqlite/document-store.js';
import { SqliteRelationalStore } from '../../../../main/core/stores/sqlite/relational-store.js';
import type { Doc, DocFilter } from '../../../../main/core/stores/types.js';
import { rejection } from '../../../support/rejection.js';
import { corpus, D } from '../../../fixtures/doc-corpus.js';

let dir: string;
let sql: SqliteRelationalStore;
let docs: SqliteDocumentStore;
let clock: Date;

async function ids(filter: DocFilter, collection = 'things'): Promise<string[]> {
  return (await docs.find(collection, filter)).map((d) => d._id as string).sort();
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nova-sqlite-docs-'));
  sql = SqliteRelationalStore.open(join(dir, 'nova.sqlite'), { busyTimeoutMs: 1000 });
  clock = D('2024-06-01T12:00:00Z');
  docs = new SqliteDocumentStore(sql, { now: () => clock });
  await docs.ensureCollections();
});

afterEach(async () => {
  await docs.close();
  await sql.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('filters', () => {
  beforeEach(async () => {
    await docs.insert('things', corpus);
  });

  it('supports every operator with MongoDB semantics', async () => {
    expect(await ids({ n: 10 })).toEqual(['c']);
    expect(await ids({ n: { $eq: 10 } })).toEqual(['c']);
    expect(await ids({ s: '10' })).toEqual(['e']);
    expect(await ids({ n: '10' })).toEqual(['d']);
    expect(await ids({ b: true })).toEqual(['a', 'f']);
    expect(await ids({ b: 1 })).toEqual(['d']); // a number never equals a boolean
    expect(await ids({ b: false })).toEqual(['b']);
    expect(await ids({ tag: null })).toEqual(['a', 'b', 'e', 'f']); // null or missing
    expect(await ids({ tag: { $ne: null } })).toEqual(['c', 'd']);
    expect(await ids({ n: { $ne: 10 } })).toEqual(['a', 'b', 'd', 'e', 'f']); // includes missing n
    expect(await ids({ n: { $gt: 1 } })).toEqual(['b', 'c']); // numbers only, not '10'
    expect(await ids({ n: { $gte: 1 } })).toEqual(['a', 'b', 'c']);
    expect(await ids({ n: { $lt: 2.5 } })).toEqual(['a', 'f']);
    expect(await ids({ n: { $lte: 2.5, $gt: -3 } })).toEqual(['a', 'b']);
    expect(await ids({ s: { $gte: 'b', $lt: 'd' } })).toEqual(['b', 'c']);
    expect(await ids({ n: { $in: [1, 10, '10'] } })).toEqual(['a', 'c', 'd']);
    expect(await ids({ tag: { $in: ['red', null] } })).toEqual(['a', 'b', 'c', 'e', 'f']);
    expect(await ids({ b: { $in: [false] } })).toEqual(['b']);
    expect(await ids({ n: { $in: [] } })).toEqual([]);
    expect(await ids({ n: { $nin: [1, 10] } })).toEqual(['b', 'd', 'e', 'f']);
    expect(await ids({ tag: { $nin: [null] } })).toEqual(['c', 'd']);
    expect(await ids({ b: { $exists: true } })).toEqual(['a', 'b', 'd', 'f']);
    expect(await ids({ tag: { $exists: true } })).toEqual(['a', 'c', 'd']); // JSON null exists
    expect(await ids({ tag: { $exists: false } })).toEqual(['b', 'e', 'f']);
    expect(await ids({ $or: [{ n: 1 }, { s: 'date' }] })).toEqual(['a', 'd']);
    expect(await ids({ $and: [{ b: true }, { s: { $ne: 'Apple' } }] })).toEqual(['a']);
    expect(await ids({ b: true, $or: [{ n: { $lt: 0 } }, { tag: { $exists: true } }] })).toEqual([
      'a',
      'f',
    ]);
    expect(await ids({})).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
  });

  it('matches Dates as Dates (not their ISO strings) and objects never equal strings', async () => {
    expect(await ids({ d: D('2024-01-01T00:00:00Z') })).toEqual(['a']);
    expect(await ids({ d: '2024-01-01T00:00:00.000Z' })).toEqual(['f']);
    expect(await ids({ d: { $gt: D('2024-01-15T00:00:00Z') } })).toEqual(['b', 'c']);
    expect(
      await ids({ d: { $in: [D('2024-03-01T00:00:00Z'), '2024-01-01T00:00:00.000Z'] } }),
    ).toEqual(['c', 'f']);
    expect(await ids({ list: '[1,2]' })).toEqual([]);
  });

  it('follows dotted paths, and _id', async () => {
    expect(await ids({ 'addr.city': 'Oslo' })).toEqual(['a', 'c']);
    expect(await ids({ 'addr.zip': { $gte: 150 } })).toEqual(['c']);
    expect(await ids({ 'addr.zip': { $exists: false } })).toEqual(['b', 'd', 'e', 'f']);
    expect(await ids({ 'obj.nested.deep': true })).toEqual(['e']);
    expect(await ids({ _id: 'c' })).toEqual(['c']);
    expect(await ids({ _id: { $in: ['a', 'f', 'zz'] } })).toEqual(['a', 'f']);
    expect(await ids({ _id: { $gt: 'd' } })).toEqual(['e', 'f']);
  });

  it('agrees with the in-memory evaluator on every filter', async () => {
    const filters: DocFilter[] = [
      { n: { $gte: 0 } },
      { s: { $lt: 'c' } },
      { 'addr.city': { $ne: 'Oslo' } },
      { d: { $lte: D('2024-02-01T00:00:00Z') } },
      { b: { $nin: [true, null] } },
      { $or: [{ tag: { $exists: false } }, { n: { $in: [2.5, '10'] } }] },
      { obj: { $exists: true }, s: '10' },
      { n: { $ne: '10' }, b: { $ne: false } },
    ];
    for (const filter of filters) {
      const expected = corpus
        .filter((doc) => matchesFilter(doc, parseFilter(filter)))
        .map((d) => d._id as string)
        .sort();
      expect(await ids(filter), JSON.stringify(filter)).toEqual(expected);
    }
  });

  it('counts with the same filters', async () => {
    expect(await docs.count('things')).toBe(6);
    expect(await docs.count('things', { 'addr.city': 'Oslo' })).toBe(2);
  });

  it('refuses unsupported operators and unsafe paths before touching SQL', async () => {
    const err = await rejection(docs.find('things', { s: { $regex: '^a' } }));
    expect(err.code).toBe('UNSUPPORTED_FILTER');
    expect(err.message).toContain('$regex');
    expect((await rejection(docs.count('things', { $where: '1' }))).code).toBe(
      'UNSUPPORTED_FILTER',
    );
    expect((await rejection(docs.delete('things', { "s') OR 1=1 --": 1 }))).code).toBe(
      'UNSUPPORTED_FILTER',
    );
    expect(
      (await rejection(docs.update('things', { n: { $size: 1 } }, { $set: { x: 1 } }))).code,
    ).toBe('UNSUPPORTED_FILTER');
    expect(await docs.count('things')).toBe(6);
  });
});

describe('sort, limit, skip', () => {
  it('sorts ascending/descending across types in MongoDB order, and pages stably', async () => {
    await docs.insert('things', corpus);
    const order = async (sort: Record<string, 1 | -1>, extra = {}) =>
      (await docs.find('things', {}, { sort, ...extra })).map((d) => d._id);
    // missing < numbers < strings, then insertion order for ties
    expect(await order({ n: 1 })).toEqual(['e', 'f', 'a', 'b', 'c', 'd']);
    expect(await order({ n: -1 })).toEqual(['d', 'c', 'b', 'a', 'f', 'e']);
    // missing < numbers (d holds 1) < booleans (false < true); ties by s in binary order
    expect(await order({ b: 1, s: 1 })).toEqual(['e', 'c', 'd', 'b', 'f', 'a']);
    // numbers/strings < Dates, Dates chronological
    expect(await order({ d: -1 })).toEqual(['c', 'b', 'a', 'f', 'd', 'e']);
    expect(await order({ _id: -1 }, { skip: 1, limit: 2 })).toEqual(['e', 'd']);
    expect(await order({ s: 1 }, { skip: 4 })).toEqual(['c', 'd']);
    expect(await order({ s: 1 }, { limit: 0 })).toHaveLength(6); // 0 = no limit, as in MongoDB
    expect(await order({ 'addr.zip': -1 }, { limit: 1 })).toEqual(['c']);
  });

  it('refuses bad sort/limit/skip values', async () => {
    expect((await rejection(docs.find('things', {}, { limit: -1 }))).code).toBe('INVALID_ARGUMENT');
    expect((await rejection(docs.find('things', {}, { skip: 1.5 }))).code).toBe('INVALID_ARGUMENT');
    expect((await rejection(docs.find('things', {}, { sort: { n: 0 as 1 } }))).code).toBe(
      'INVALID_ARGUMENT',
    );
    expect((await rejection(docs.find('things', {}, { sort: { 'bad path!': 1 } }))).code).toBe(
      'UNSUPPORTED_FILTER',
    );
  });
});

describe('writes', () => {
  it('round-trips documents with Dates and generates _ids', async () => {
    const when = D('2024-05-05T05:05:05.005Z');
    const { insertedIds } = await docs.insert('notifications_queue', [
      { status: 'queued', created_at: when, payload: { to: ['a@x'], at: [when] } },
    ]);
    expect(insertedIds[0]).toMatch(/^[0-9a-f]{24}$/);
    const [doc] = await docs.find('notifications_queue', { _id: insertedIds[0] as string });
    expect(doc).toEqual({
      _id: insertedIds[0],
      status: 'queued',
      created_at: when,
      payload: { to: ['a@x'], at: [when] },
    });
    expect(doc?.created_at).toBeInstanceOf(Date);
  });

  it('updates with $set/$unset/$inc and reports matched and modified', async () => {
    await docs.insert('things', [
      { _id: 'x', n: 1, keep: true, gone: 1 },
      { _id: 'y', n: 1 },
      { _id: 'z', n: 2 },
    ]);
    expect(
      await docs.update(
        'things',
        { n: 1 },
        { $inc: { n: 10 }, $set: { 'meta.by': 'test' }, $unset: { gone: '' } },
      ),
    ).toEqual({
      matched: 2,
      modified: 2,
    });
    expect(await docs.find('things', { _id: 'x' })).toEqual([
      { _id: 'x', n: 11, keep: true, meta: { by: 'test' } },
    ]);
    expect(await docs.update('things', { _id: 'z' }, { $set: { n: 2 } })).toEqual({
      matched: 1,
      modified: 0,
    });
    expect(await docs.update('things', { _id: 'nope' }, { $set: { n: 2 } })).toEqual({
      matched: 0,
      modified: 0,
    });
    expect(
      (await rejection(docs.update('things', {}, { $rename: { n: 'm' } } as never))).code,
    ).toBe('UNSUPPORTED_FILTER');
    expect((await rejection(docs.update('things', {}, { $set: { _id: 'new' } }))).code).toBe(
      'INVALID_ARGUMENT',
    );
  });

  it('deletes matching documents', async () => {
    await docs.insert('things', corpus);
    expect(await docs.delete('things', { 'addr.city': 'Oslo' })).toEqual({ deleted: 2 });
    expect(await docs.count('things')).toBe(4);
    expect(await docs.delete('things', {})).toEqual({ deleted: 4 });
  });

  it('enforces unique indexes per collection, atomically for a batch', async () => {
    await docs.insert('user_preferences', [{ user_id: 1, theme: 'dark' }]);
    const err = await rejection(
      docs.insert('user_preferences', [{ user_id: 2 }, { user_id: 1, theme: 'light' }]),
    );
    expect(err.code).toBe('CONSTRAINT_VIOLATION');
    expect(err.message).toContain('user_preferences');
    expect(err.message).toContain('user_id');
    expect(await docs.count('user_preferences')).toBe(1); // user_id 2 was rolled back with the batch

    await docs.insert('sessions', [{ sid: 's1', expires_at: D('2030-01-01T00:00:00Z') }]);
    expect((await rejection(docs.insert('sessions', [{ sid: 's1' }]))).code).toBe(
      'CONSTRAINT_VIOLATION',
    );
    // The same key in another collection is no clash: each index is partial on its collection.
    await docs.insert('things', [{ user_id: 1 }, { user_id: 1 }, { sid: 's1' }]);

    await docs.insert('user_preferences', [{ user_id: 3 }]);
    expect(
      (await rejection(docs.update('user_preferences', { user_id: 3 }, { $set: { user_id: 1 } })))
        .code,
    ).toBe('CONSTRAINT_VIOLATION');

    await docs.insert('file_chunks', [
      { files_id: 'f', n: 0 },
      { files_id: 'f', n: 1 },
    ]);
    expect((await rejection(docs.insert('file_chunks', [{ files_id: 'f', n: 1 }]))).code).toBe(
      'CONSTRAINT_VIOLATION',
    );
  });

  it('refuses a duplicate _id', async () => {
    await docs.insert('things', [{ _id: 'same' }]);
    const err = await rejection(docs.insert('things', [{ _id: 'same' }]));
    expect(err.code).toBe('CONSTRAINT_VIOLATION');
    expect(err.message).toContain('"same"');
  });

  it('uses the expression index for an indexed field', async () => {
    const plan = await sql.query<{ detail: string }>(
      `EXPLAIN QUERY PLAN SELECT id FROM nova_documents WHERE collection = 'user_preferences' AND json_extract(doc, '$."user_id"') = 1`,
    );
    expect(plan.rows.map((r) => r.detail).join(' ')).toContain(
      'nova_doc_user_preferences__user_id',
    );
  });

  it('applies the collection validator on insert and update', async () => {
    const err = await rejection(docs.insert('user_preferences', [{ theme: 'dark' }]));
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.message).toContain('user_id is required');
    expect((await rejection(docs.insert('user_preferences', [{ user_id: 'seven' }]))).code).toBe(
      'INVALID_ARGUMENT',
    );
    await docs.insert('user_preferences', [{ user_id: 7 }]);
    expect(
      (
        await rejection(
          docs.update('user_preferences', { user_id: 7 }, { $set: { notifications: 'on' } }),
        )
      ).code,
    ).toBe('INVALID_ARGUMENT');
    expect(
      (
        await rejection(
          docs.update('user_preferences', { user_id: 7 }, { $unset: { user_id: '' } }),
        )
      ).code,
    ).toBe('INVALID_ARGUMENT');
    expect((await rejection(docs.insert('things', [{ f: () => 1 } as Doc]))).code).toBe(
      'INVALID_ARGUMENT',
    );
  });

  it('rejects hostile or invalid collection names', async () => {
    for (const name of [
      "x'; DROP TABLE nova_documents; --",
      'a-b',
      '',
      '1abc',
      'a.b',
      'x'.repeat(64),
      'nova_documents"',
    ]) {
      const err = await rejection(docs.insert(name, [{ a: 1 }]));
      expect(err.code).toBe('INVALID_ARGUMENT');
      expect((await rejection(docs.find(name))).code).toBe('INVALID_ARGUMENT');
    }
    expect(
      (await sql.query("SELECT count(*) AS n FROM sqlite_master WHERE name = 'nova_documents'"))
        .rows,
    ).toEqual([{ n: 1 }]);
  });

  it('takes part in a surrounding relational transaction', async () => {
    await expect(
      sql.transaction(async (tx) => {
        await docs.insert('things', [{ _id: 'inside' }]);
        await tx.query('SELECT 1');
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await docs.count('things')).toBe(0);
  });
});

describe('first use inside a relational transaction', () => {
  it('recreates the table if it was created in a transaction that rolled back', async () => {
    const fresh = SqliteRelationalStore.open(join(dir, 'fresh.sqlite'), { busyTimeoutMs: 1000 });
    const store = new SqliteDocumentStore(fresh);
    try {
      await expect(
        fresh.transaction(async () => {
          await store.insert('things', [{ a: 1 }]); // creates nova_documents inside the transaction
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      expect(await store.count('things')).toBe(0);
      await store.insert('user_preferences', [{ user_id: 1 }]);
      expect((await rejection(store.insert('user_preferences', [{ user_id: 1 }]))).code).toBe(
        'CONSTRAINT_VIOLATION',
      );
    } finally {
      await fresh.close();
    }
  });

  it('does not deadlock when an outside caller is waiting to create the table', async () => {
    const fresh = SqliteRelationalStore.open(join(dir, 'fresh2.sqlite'), { busyTimeoutMs: 1000 });
    const store = new SqliteDocumentStore(fresh);
    try {
      let signalOpen!: () => void;
      const txOpen = new Promise<void>((r) => (signalOpen = r));
      // Started outside the transaction's async context, so it is unrelated work that must wait.
      const outside = (async () => {
        await txOpen;
        return store.count('things');
      })();
      await fresh.transaction(async () => {
        signalOpen();
        await new Promise((r) => setTimeout(r, 5)); // the outside count is now queued behind us
        await store.insert('things', [{ a: 1 }]);
      });
      expect(await outside).toBe(1);
    } finally {
      await fresh.close();
    }
  });
});

describe('TTL', () => {
  it('hides expired documents from find/count/update/delete and sweepExpired removes them', async () => {
    const day = 24 * 3600 * 1000;
    await docs.insert('sessions', [
      { sid: 'live', expires_at: new Date(clock.getTime() + 60_000) },
      { sid: 'dead', expires_at: new Date(clock.getTime() - 1) },
      { sid: 'no-date', expires_at: 'tomorrow' }, // not a Date: never expires, as in MongoDB
    ]);
    await docs.insert('analytics', [
      { event: 'old', created_at: new Date(clock.getTime() - 31 * day) },
      { event: 'new', created_at: new Date(clock.getTime() - 29 * day) },
    ]);
    await docs.insert('things', [{ created_at: new Date(0) }]); // unknown collection: no TTL

    expect((await docs.find('sessions', {}, { sort: { sid: 1 } })).map((d) => d.sid)).toEqual([
      'live',
      'no-date',
    ]);
    expect(await docs.count('analytics')).toBe(1);
    expect(await docs.update('sessions', { sid: 'dead' }, { $set: { x: 1 } })).toEqual({
      matched: 0,
      modified: 0,
    });

    clock = new Date(clock.getTime() + 2 * 60_000); // the live session has now expired too
    expect(await docs.count('sessions')).toBe(1);

    expect(await docs.sweepExpired(clock)).toBe(3);
    expect(
      (await sql.query("SELECT count(*) AS n FROM nova_documents WHERE collection = 'sessions'"))
        .rows,
    ).toEqual([{ n: 1 }]);
    expect(await docs.count('things')).toBe(1);
    expect(await docs.sweepExpired()).toBe(0);
    expect((await rejection(docs.sweepExpired(new Date('nope')))).code).toBe('INVALID_ARGUMENT');
  });
});

describe('lifecycle', () => {
  it('is healthy, creates collections idempotently, and refuses work after close', async () => {
    await docs.ensureCollections();
    await docs.insert('things', [{ a: 1 }]);
    const health = await docs.health();
    expect(health).toMatchObject({ service: 'documents', backend: 'sqlite-json', status: 'ok' });
    expect(health.detail).toContain('1 non-empty collections');
    await docs.close();
    expect((await docs.health()).status).toBe('down');
    expect((await rejection(docs.find('things'))).code).toBe('NOT_INITIALIZED');
    expect((await sql.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]); // the shared connection stays open
  });
});
