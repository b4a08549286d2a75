// PostgresDocumentStore on a real PostgreSQL scratch database, checked against
// the in-memory evaluator and the SQLite JSON store it must behave like.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { matchesFilter, parseFilter } from '../../../../main/core/stores/doc-filter.js';
import { ParamList } from '../../../../main/core/stores/doc-sql-shared.js';
import { PostgresDocumentStore } from '../../../../main/core/stores/postgres/postgres-document-store.js';
import {
  compileFilter,
  expiredSql,
} from '../../../../main/core/stores/postgres/postgres-document-sql.js';
import { PostgresStore } from '../../../../main/core/stores/postgres/postgres-store.js';
import { SqliteDocumentStore } from '../../../../main/core/stores/sqlite/document-store.js';
import { SqliteRelationalStore } from '../../../../main/core/stores/sqlite/relational-store.js';
import type { Doc, DocFilter } from '../../../../main/core/stores/types.js';
import {
  ADMIN_URL,
  createScratchDatabase,
  withAdminClient,
  type ScratchDatabase,
} from '../../../support/postgres.js';
import { rejection } from '../../../support/rejection.js';
import { corpus, D } from '../../../fixtures/doc-corpus.js';

let scratch: ScratchDatabase;
let pg: PostgresStore;
let docs: PostgresDocumentStore;
let clock: Date;

async function ids(filter: DocFilter, collection = 'things'): Promise<string[]> {
  return (await docs.find(collection, filter)).map((d) => d._id as string).sort();
}

async function rawCount(where = 'TRUE'): Promise<number> {
  const { rows } = await pg.query<{ n: string }>(
    `SELECT count(*) AS n FROM nova_documents WHERE ${where}`,
  );
  return Number(rows[0]?.n);
}

/**
 * A scratch database whose default collation is ICU en-US, where 'a' < 'B'
 * and 'Apple' sorts beside 'apple': string comparisons must still follow code
 * points there, as in JavaScript and SQLite. Falls back to the server's
 * default when it has no ICU (icuDatabase then says so).
 */
let icuDatabase = false;
async function createIcuScratchDatabase(): Promise<ScratchDatabase> {
  const name = `nova_docs_icu_${process.pid}_${Date.now().toString(36)}`;
  try {
    await withAdminClient((c) =>
      c.query(
        `CREATE DATABASE "${name}" TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'`,
      ),
    );
  } catch {
    return createScratchDatabase('nova_docs');
  }
  icuDatabase = true;
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: async () => {
      await withAdminClient((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}

beforeAll(async () => {
  scratch = await createIcuScratchDatabase();
  pg = new PostgresStore({ url: scratch.url, applicationName: 'nova-docs-test' });
});

beforeEach(async () => {
  clock = D('2024-06-01T12:00:00Z');
  docs = new PostgresDocumentStore(pg, { now: () => clock });
  await docs.ensureCollections();
});

afterEach(async () => {
  await docs.close();
  await pg.query('TRUNCATE nova_documents');
});

afterAll(async () => {
  await pg?.close();
  await scratch?.drop();
});

describe('filters', () => {
  beforeEach(async () => {
    await docs.insert('things', corpus);
  });

  it('runs on a database whose collation is not code-point order (ICU en-US)', async (ctx) => {
    // Shown as skipped, not passed, on a server built without ICU.
    if (!icuDatabase) ctx.skip();
    const { rows } = await pg.query<{ lt: boolean }>(`SELECT 'a' < 'B' AS lt`);
    expect(rows[0]?.lt).toBe(true); // code-point order would say 'B' < 'a'
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
    expect(await ids({ s: { $lt: 'a' } })).toEqual(['e', 'f']); // code-point order: 'A' and '1' < 'a'
    expect(await ids({ n: { $in: [1, 10, '10'] } })).toEqual(['a', 'c', 'd']);
    expect(await ids({ tag: { $in: ['red', null] } })).toEqual(['a', 'b', 'c', 'e', 'f']);
    expect(await ids({ b: { $in: [false] } })).toEqual(['b']);
    expect(await ids({ n: { $in: [] } })).toEqual([]);
    expect(await ids({ n: { $nin: [1, 10] } })).toEqual(['b', 'd', 'e', 'f']);
    expect(await ids({ n: { $nin: [] } })).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
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
    expect(await ids({ d: { $lte: D('2024-01-01T00:00:00Z') } })).toEqual(['a']);
    expect(await ids({ d: { $gte: '2024' } })).toEqual(['f']); // a string only ranges over strings
    expect(await ids({ d: { $ne: D('2024-02-01T00:00:00Z') } })).toEqual(['a', 'c', 'd', 'e', 'f']);
    expect(
      await ids({ d: { $in: [D('2024-03-01T00:00:00Z'), '2024-01-01T00:00:00.000Z'] } }),
    ).toEqual(['c', 'f']);
    expect(await ids({ list: '[1,2]' })).toEqual([]);
    expect(await ids({ list: '[1, 2]' })).toEqual([]);
  });

  it('follows dotted paths through objects only, and _id', async () => {
    expect(await ids({ 'addr.city': 'Oslo' })).toEqual(['a', 'c']);
    expect(await ids({ 'addr.zip': { $gte: 150 } })).toEqual(['c']);
    expect(await ids({ 'addr.zip': { $exists: false } })).toEqual(['b', 'd', 'e', 'f']);
    expect(await ids({ 'addr.zip': null })).toEqual(['b', 'd', 'e', 'f']);
    expect(await ids({ 'obj.nested.deep': true })).toEqual(['e']);
    expect(await ids({ 's.length': { $exists: true } })).toEqual([]); // a string has no fields
    expect(await ids({ 'list.x': null })).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(await ids({ _id: 'c' })).toEqual(['c']);
    expect(await ids({ _id: { $in: ['a', 'f', 'zz', 1, null] } })).toEqual(['a', 'f']);
    expect(await ids({ _id: { $nin: ['a', null] } })).toEqual(['b', 'c', 'd', 'e', 'f']);
    expect(await ids({ _id: { $gt: 'd' } })).toEqual(['e', 'f']);
    expect(await ids({ _id: null })).toEqual([]);
    expect(await ids({ _id: { $ne: 5 } })).toHaveLength(6);
    expect(await ids({ _id: { $exists: false } })).toEqual([]);
  });

  it('treats filter strings as data, never as SQL or JSON', async () => {
    expect(await ids({ s: "apple' OR '1'='1" })).toEqual([]);
    expect(await ids({ s: '"apple"' })).toEqual([]);
    expect(await ids({ s: { $in: ['apple", "banana'] } })).toEqual([]);
    expect(await ids({ _id: "a' OR TRUE --" })).toEqual([]);
  });

  it('counts with the same filters', async () => {
    expect(await docs.count('things')).toBe(6);
    expect(await docs.count('things', { 'addr.city': 'Oslo' })).toBe(2);
    expect(await docs.count('empty_collection')).toBe(0);
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
    expect((await rejection(docs.find('things', { "s'->>'x": 1 }))).code).toBe(
      'UNSUPPORTED_FILTER',
    );
    expect(
      (await rejection(docs.update('things', { n: { $size: 1 } }, { $set: { x: 1 } }))).code,
    ).toBe('UNSUPPORTED_FILTER');
    expect((await rejection(docs.find('things', { n: { $gt: null } }))).code).toBe(
      'UNSUPPORTED_FILTER',
    );
    expect((await rejection(docs.find('things', 'n = 1' as unknown as DocFilter))).code).toBe(
      'INVALID_ARGUMENT',
    );
    expect(await docs.count('things')).toBe(6);
  });
});

/** Deterministic PRNG (mulberry32) so a failing cross-check can be replayed. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SCALARS: unknown[] = [
  null,
  true,
  false,
  0,
  1,
  -1,
  2.5,
  10,
  1e21,
  -0.000001,
  '',
  '1',
  '10',
  'a',
  'A',
  'b',
  'ä',
  'Zebra',
  'a b',
  D('1999-12-31T23:59:59.999Z'),
  D('2024-01-01T00:00:00Z'),
  D('2024-01-01T00:00:00.001Z'),
];

function randomDocs(random: () => number, count: number): Doc[] {
  const pick = () => SCALARS[Math.floor(random() * SCALARS.length)];
  return Array.from({ length: count }, (_, i) => {
    const doc: Doc = { _id: `r${String(i).padStart(3, '0')}` };
    for (const field of ['x', 'y']) if (random() < 0.8) doc[field] = pick();
    const r = random();
    if (r < 0.6) doc.o = random() < 0.85 ? { z: pick() } : {};
    else if (r < 0.7)
      doc.o = pick(); // a scalar where others hold an object
    else if (r < 0.75) doc.o = [pick()];
    return doc;
  });
}

function randomFilter(random: () => number, depth = 0): DocFilter {
  const pick = () => SCALARS[Math.floor(random() * SCALARS.length)];
  const rangeable = () => {
    const candidates = SCALARS.filter(
      (v) => typeof v === 'number' || typeof v === 'string' || v instanceof Date,
    );
    return candidates[Math.floor(random() * candidates.length)];
  };
  const field = ['x', 'y', 'o.z', 'o', '_id'][Math.floor(random() * 5)] as string;
  const r = random();
  if (depth < 2 && r < 0.15) {
    const op = random() < 0.5 ? '$and' : '$or';
    return { [op]: [randomFilter(random, depth + 1), randomFilter(random, depth + 1)] };
  }
  const ops = ['$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$in', '$nin', '$exists', 'plain'];
  const op = ops[Math.floor(random() * ops.length)] as string;
  const idValue = () => `r${String(Math.floor(random() * 40)).padStart(3, '0')}`;
  const value = field === '_id' && random() < 0.7 ? idValue : pick;
  switch (op) {
    case 'plain':
      return { [field]: value() };
    case '$in':
    case '$nin':
      return { [field]: { [op]: Array.from({ length: Math.floor(random() * 4) }, value) } };
    case '$exists':
      return { [field]: { $exists: random() < 0.5 } };
    case '$eq':
    case '$ne':
      return { [field]: { [op]: value() } };
    default:
      return { [field]: { [op]: field === '_id' ? idValue() : rangeable() } };
  }
}

describe('cross-checks', () => {
  it('agrees with the in-memory evaluator on fixed and random filters', async () => {
    await docs.insert('things', corpus);
    const fixed: DocFilter[] = [
      { n: { $gte: 0 } },
      { s: { $lt: 'c' } },
      { 'addr.city': { $ne: 'Oslo' } },
      { d: { $lte: D('2024-02-01T00:00:00Z') } },
      { b: { $nin: [true, null] } },
      { $or: [{ tag: { $exists: false } }, { n: { $in: [2.5, '10'] } }] },
      { obj: { $exists: true }, s: '10' },
      { n: { $ne: '10' }, b: { $ne: false } },
    ];
    for (const filter of fixed) {
      const expected = corpus
        .filter((doc) => matchesFilter(doc, parseFilter(filter)))
        .map((d) => d._id as string)
        .sort();
      expect(await ids(filter), JSON.stringify(filter)).toEqual(expected);
    }

    const random = rng(20240601);
    const sample = randomDocs(random, 40);
    await docs.insert('random', sample);
    let selective = 0; // filters that matched some documents but not all
    for (let i = 0; i < 300; i++) {
      const filter = randomFilter(random);
      const expected = sample
        .filter((doc) => matchesFilter(doc, parseFilter(filter)))
        .map((d) => d._id as string)
        .sort();
      if (expected.length > 0 && expected.length < sample.length) selective++;
      expect(await ids(filter, 'random'), JSON.stringify(filter)).toEqual(expected);
    }
    // The generator must actually discriminate, or the agreement above proves little.
    expect(selective).toBeGreaterThan(150);
  });

  it('returns the same documents in the same order as the SQLite store', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nova-pg-docs-'));
    const sqlite = SqliteRelationalStore.open(join(dir, 'nova.sqlite'), { busyTimeoutMs: 1000 });
    const lite = new SqliteDocumentStore(sqlite, { now: () => clock });
    try {
      const random = rng(7);
      // Scalars only in sorted fields: embedded objects order differently on every backend.
      // Reversed, so insertion order (the tie-break) differs from _id order.
      const sample = randomDocs(random, 40)
        .map((d) => ({ ...d, o: undefined }))
        .reverse();
      await docs.insert('random', sample);
      await lite.insert('random', sample);
      const sorts: Array<Record<string, 1 | -1>> = [
        { x: 1 },
        { x: -1 },
        { y: 1, x: -1 },
        { x: -1, y: 1, _id: -1 },
        { _id: 1 },
      ];
      for (let i = 0; i < 60; i++) {
        const filter = randomFilter(random);
        const sort = sorts[i % sorts.length];
        const options = { sort, skip: i % 3, limit: i % 4 === 0 ? 0 : 7 + (i % 5) };
        const fromPg = await docs.find('random', filter, options);
        const fromSqlite = await lite.find('random', filter, options);
        const label = JSON.stringify({ filter, options });
        expect(
          fromPg.map((d) => d._id),
          label,
        ).toEqual(fromSqlite.map((d) => d._id));
        expect(fromPg, label).toEqual(fromSqlite);
        expect(await docs.count('random', filter)).toBe(await lite.count('random', filter));
      }
    } finally {
      await lite.close();
      await sqlite.close();
      rmSync(dir, { recursive: true, force: true });
    }
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
    // missing < numbers (d holds 1) < booleans (false < true); ties by s in code-point order
    expect(await order({ b: 1, s: 1 })).toEqual(['e', 'c', 'd', 'b', 'f', 'a']);
    // numbers/strings < Dates, Dates chronological
    expect(await order({ d: -1 })).toEqual(['c', 'b', 'a', 'f', 'd', 'e']);
    expect(await order({ _id: -1 }, { skip: 1, limit: 2 })).toEqual(['e', 'd']);
    expect(await order({ s: 1 }, { skip: 4 })).toEqual(['c', 'd']);
    expect(await order({ s: 1 }, { limit: 0 })).toHaveLength(6); // 0 = no limit, as in MongoDB
    expect(await order({ 'addr.zip': -1 }, { limit: 1 })).toEqual(['c']);
    expect(await order({}, { skip: 2, limit: 3 })).toEqual(['c', 'd', 'e']); // insertion order
    expect(await order({ n: 1 }, { skip: 100 })).toEqual([]);
  });

  it('breaks ties in insertion order, not _id order, and keeps it across updates', async () => {
    await docs.insert('things', [
      { _id: 'z', k: 1 },
      { _id: 'm', k: 1 },
      { _id: 'a', k: 0 },
    ]);
    await docs.insert('things', [{ _id: 'b', k: 1 }]);
    await docs.update('things', { _id: 'z' }, { $set: { touched: true } });
    expect((await docs.find('things')).map((d) => d._id)).toEqual(['z', 'm', 'a', 'b']);
    expect((await docs.find('things', {}, { sort: { k: -1 } })).map((d) => d._id)).toEqual([
      'z',
      'm',
      'b',
      'a',
    ]);
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
      {
        status: 'queued',
        created_at: when,
        payload: { to: ['a@x'], at: [when] },
        big: 2 ** 70,
        tiny: 1e-7,
        neg: -0.5,
        text: 'émoji 😀 "quoted" \\ back',
      },
    ]);
    expect(insertedIds[0]).toMatch(/^[0-9a-f]{24}$/);
    const [doc] = await docs.find('notifications_queue', { _id: insertedIds[0] as string });
    expect(doc).toEqual({
      _id: insertedIds[0],
      status: 'queued',
      created_at: when,
      payload: { to: ['a@x'], at: [when] },
      big: 2 ** 70,
      tiny: 1e-7,
      neg: -0.5,
      text: 'émoji 😀 "quoted" \\ back',
    });
    expect(doc?.created_at).toBeInstanceOf(Date);
    expect(await docs.insert('things', [])).toEqual({ insertedIds: [] });
  });

  it('stores _ids that need escaping in array literals, and the same _id in two collections', async () => {
    const odd = ['a,b', '{x}', 'q"uote', 'back\\slash', ' spaced ', 'NULL', 'ü😀'];
    await docs.insert(
      'things',
      odd.map((_id, i) => ({ _id, i })),
    );
    expect(await ids({})).toEqual([...odd].sort());
    expect(await ids({ _id: { $in: odd.slice(0, 4) } })).toEqual(odd.slice(0, 4).sort());
    await docs.insert('other', [{ _id: 'a,b' }]);
    expect(await docs.count('other', { _id: 'a,b' })).toBe(1);
    expect(await docs.update('things', { _id: { $in: odd } }, { $inc: { i: 1 } })).toEqual({
      matched: odd.length,
      modified: odd.length,
    });
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
    expect(await docs.update('things', {}, { $inc: { n: 0 } })).toEqual({
      matched: 3,
      modified: 0,
    });
    expect(await docs.update('things', { _id: 'nope' }, { $set: { n: 2 } })).toEqual({
      matched: 0,
      modified: 0,
    });
    const when = D('2025-01-01T00:00:00Z');
    await docs.update('things', { _id: 'z' }, { $set: { at: when } });
    expect((await docs.find('things', { at: when })).map((d) => d._id)).toEqual(['z']);
    expect(
      (await rejection(docs.update('things', {}, { $rename: { n: 'm' } } as never))).code,
    ).toBe('UNSUPPORTED_FILTER');
    expect((await rejection(docs.update('things', {}, { $set: { _id: 'new' } }))).code).toBe(
      'INVALID_ARGUMENT',
    );
    const notNumber = await rejection(docs.update('things', {}, { $inc: { keep: 1 } }));
    expect(notNumber.code).toBe('INVALID_ARGUMENT');
    // The failing document rolled back the whole update: y and z were not incremented either.
    expect((await docs.find('things', {}, { sort: { _id: 1 } })).map((d) => d.n)).toEqual([
      11, 11, 2,
    ]);
  });

  it('serialises concurrent updates of one document (no lost $inc)', async () => {
    await docs.insert('things', [{ _id: 'counter', n: 0 }]);
    await Promise.all(
      Array.from({ length: 20 }, () =>
        docs.update('things', { _id: 'counter' }, { $inc: { n: 1 } }),
      ),
    );
    expect((await docs.find('things', { _id: 'counter' }))[0]?.n).toBe(20);
  });

  it('deletes matching documents', async () => {
    await docs.insert('things', corpus);
    expect(await docs.delete('things', { 'addr.city': 'Oslo' })).toEqual({ deleted: 2 });
    expect(await docs.count('things')).toBe(4);
    expect(await docs.delete('things', { n: { $gt: 1000 } })).toEqual({ deleted: 0 });
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
    expect(err.message).toContain('= 1');
    expect(err.fix).toContain('Update the existing');
    expect(await docs.count('user_preferences')).toBe(1); // user_id 2 was rolled back with the batch

    await docs.insert('sessions', [{ sid: 's1', expires_at: D('2030-01-01T00:00:00Z') }]);
    expect((await rejection(docs.insert('sessions', [{ sid: 's1' }]))).code).toBe(
      'CONSTRAINT_VIOLATION',
    );
    // A duplicate inside one batch is caught too.
    expect((await rejection(docs.insert('sessions', [{ sid: 's2' }, { sid: 's2' }]))).code).toBe(
      'CONSTRAINT_VIOLATION',
    );
    // Missing or JSON-null keys never clash (as in the SQLite store).
    await docs.insert('sessions', [{ x: 1 }, { x: 2 }, { sid: null }, { sid: null }]);
    // A string and a number are different keys.
    await docs.insert('sessions', [{ sid: 5 }, { sid: '5' }]);
    // The same key in another collection is no clash: each index is partial on its collection.
    await docs.insert('things', [{ user_id: 1 }, { user_id: 1 }, { sid: 's1' }]);

    await docs.insert('user_preferences', [{ user_id: 3 }]);
    const onUpdate = await rejection(
      docs.update('user_preferences', { user_id: 3 }, { $set: { user_id: 1 } }),
    );
    expect(onUpdate.code).toBe('CONSTRAINT_VIOLATION');
    expect(onUpdate.message).toContain('user_id must be unique');
    expect(await docs.count('user_preferences', { user_id: 3 })).toBe(1);

    await docs.insert('file_chunks', [
      { files_id: 'f', n: 0 },
      { files_id: 'f', n: 1 },
      { files_id: 'g', n: 1 },
    ]);
    const compound = await rejection(docs.insert('file_chunks', [{ files_id: 'f', n: 1 }]));
    expect(compound.code).toBe('CONSTRAINT_VIOLATION');
    expect(compound.message).toContain('files_id, n must be unique');
  });

  it('refuses a duplicate _id, naming it', async () => {
    await docs.insert('things', [{ _id: 'same' }]);
    const err = await rejection(docs.insert('things', [{ _id: 'other' }, { _id: 'same' }]));
    expect(err.code).toBe('CONSTRAINT_VIOLATION');
    expect(err.message).toContain('"same"');
    expect(err.message).toContain('things');
    const inBatch = await rejection(docs.insert('things', [{ _id: 'twice' }, { _id: 'twice' }]));
    expect(inBatch.message).toContain('"twice"');
    expect(await ids({})).toEqual(['same']);
    expect((await rejection(docs.insert('things', [{ _id: 42 } as unknown as Doc]))).code).toBe(
      'INVALID_ARGUMENT',
    );
  });

  it('uses the expression indexes for unique keys and the TTL sweep', async () => {
    const explain = async (where: string, params: unknown[]): Promise<string> =>
      pg.transaction(async (tx) => {
        await tx.query('SET LOCAL enable_seqscan = off');
        const { rows } = await tx.query<{ 'QUERY PLAN': string }>(
          `EXPLAIN SELECT id FROM nova_documents WHERE ${where}`,
          params,
        );
        return rows.map((r) => r['QUERY PLAN']).join('\n');
      });
    const params = new ParamList();
    const lookup = compileFilter(parseFilter({ user_id: 7 }), params);
    expect(await explain(`collection = 'user_preferences' AND ${lookup}`, params.values)).toContain(
      'nova_doc_user_preferences__user_id',
    );
    const ttl = new ParamList();
    const expired = expiredSql({ field: 'expires_at', expireAfterSeconds: 0 }, clock, ttl);
    expect(await explain(`collection = 'sessions' AND ${expired}`, ttl.values)).toContain(
      'nova_doc_sessions__ttl',
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
    expect((await rejection(docs.insert('things', [{ $bad: 1 }]))).code).toBe('INVALID_ARGUMENT');
    expect((await rejection(docs.insert('things', { a: 1 } as unknown as Doc[]))).code).toBe(
      'INVALID_ARGUMENT',
    );
    expect(await docs.find('user_preferences')).toEqual([{ _id: expect.any(String), user_id: 7 }]);
  });

  it('refuses strings PostgreSQL cannot hold, with a reason, instead of a server error', async () => {
    for (const bad of ['nul\u0000inside', 'half \ud83d surrogate', '\ude00 low first']) {
      const onInsert = await rejection(docs.insert('things', [{ ok: 1, text: bad }]));
      expect(onInsert.code).toBe('INVALID_ARGUMENT');
      expect(onInsert.message).toContain('PostgreSQL');
      expect(onInsert.fix).toBeTruthy();
      expect((await rejection(docs.insert('things', [{ [`k${bad}`]: 1 }]))).code).toBe(
        'INVALID_ARGUMENT',
      );
      expect((await rejection(docs.find('things', { text: bad }))).code).toBe('INVALID_ARGUMENT');
      expect((await rejection(docs.count('things', { text: { $in: ['x', bad] } }))).code).toBe(
        'INVALID_ARGUMENT',
      );
    }
    // Escaped look-alikes are ordinary text.
    await docs.insert('things', [{ _id: 'lit', text: 'a \\u0000 b \\ud83d' }]);
    expect(await ids({ text: 'a \\u0000 b \\ud83d' })).toEqual(['lit']);
    const onUpdate = await rejection(docs.update('things', {}, { $set: { text: 'x\u0000' } }));
    expect(onUpdate.code).toBe('INVALID_ARGUMENT');
    expect((await docs.find('things'))[0]?.text).toBe('a \\u0000 b \\ud83d');
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
      "things' OR '1'='1",
    ]) {
      const err = await rejection(docs.insert(name, [{ a: 1 }]));
      expect(err.code).toBe('INVALID_ARGUMENT');
      expect(err.fix).toContain('Collection names');
      expect((await rejection(docs.find(name))).code).toBe('INVALID_ARGUMENT');
      expect((await rejection(docs.delete(name, {}))).code).toBe('INVALID_ARGUMENT');
    }
    expect((await rejection(docs.count(42 as unknown as string))).code).toBe('INVALID_ARGUMENT');
    expect((await pg.query("SELECT to_regclass('nova_documents') IS NOT NULL AS ok")).rows).toEqual(
      [{ ok: true }],
    );
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
    expect(await docs.delete('sessions', { sid: 'dead' })).toEqual({ deleted: 0 });

    clock = new Date(clock.getTime() + 2 * 60_000); // the live session has now expired too
    expect(await docs.count('sessions')).toBe(1);

    expect(await docs.sweepExpired(clock)).toBe(3);
    expect(await rawCount("collection = 'sessions'")).toBe(1);
    expect(await rawCount("collection = 'analytics'")).toBe(1);
    expect(await docs.count('things')).toBe(1);
    expect(await docs.sweepExpired()).toBe(0);
    expect((await rejection(docs.sweepExpired(new Date('nope')))).code).toBe('INVALID_ARGUMENT');
  });
});

describe('lifecycle', () => {
  it('creates its table on first use, concurrently and idempotently', async () => {
    await pg.query('DROP TABLE nova_documents');
    const stores = Array.from({ length: 4 }, () => new PostgresDocumentStore(pg));
    // First use without ensureCollections, from several stores at once.
    await Promise.all(stores.map((s, i) => s.insert('things', [{ _id: `s${i}` }])));
    await Promise.all(stores.map((s) => s.ensureCollections()));
    expect(await stores[0]?.count('things')).toBe(4);
    const { rows } = await pg.query<{ indexname: string }>(
      "SELECT indexname FROM pg_indexes WHERE tablename = 'nova_documents' ORDER BY indexname",
    );
    expect(rows.map((r) => r.indexname)).toEqual(
      expect.arrayContaining([
        'nova_doc_user_preferences__user_id',
        'nova_doc_sessions__sid',
        'nova_doc_file_chunks__files_id_n',
        'nova_doc_sessions__ttl',
        'nova_doc_analytics__ttl',
        'nova_documents_pkey',
      ]),
    );
  });

  it('is healthy, counts documents, and refuses work after close', async () => {
    await docs.ensureCollections();
    await docs.insert('things', [{ a: 1 }, { a: 2 }]);
    const health = await docs.health();
    expect(health).toMatchObject({ service: 'documents', backend: 'postgres-jsonb', status: 'ok' });
    expect(health.latencyMs).not.toBeNull();
    expect(health.detail).toContain('2 documents');
    expect(health.detail).toContain(scratch.name);
    await docs.close();
    expect((await docs.health()).status).toBe('down');
    const closed = await rejection(docs.find('things'));
    expect(closed.code).toBe('NOT_INITIALIZED');
    expect((await pg.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]); // the pool stays open
  });

  it('reports down, with the reason, when PostgreSQL is unusable', async () => {
    const other = new PostgresStore({ url: scratch.url });
    const store = new PostgresDocumentStore(other);
    await other.close();
    const health = await store.health();
    expect(health.status).toBe('down');
    expect(health.latencyMs).toBeNull();
    expect(health.detail).toContain('closed');
    expect((await rejection(store.count('things'))).code).toBe('SERVICE_UNAVAILABLE');
  });
});
