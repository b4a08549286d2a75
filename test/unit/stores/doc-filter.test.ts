// Pure document helpers: filter parsing/evaluation, updates, the JSON codec and the validator.
import { describe, expect, it } from 'vitest';
import { NovaError } from '../../../main/core/errors.js';
import { collectionSpec } from '../../../main/core/stores/collections.js';
import { decodeDoc, encodeDoc, newObjectId } from '../../../main/core/stores/doc-codec.js';
import { matchesFilter, parseFilter, parseSort } from '../../../main/core/stores/doc-filter.js';
import { applyUpdate } from '../../../main/core/stores/doc-update.js';
import { validateDocument } from '../../../main/core/stores/doc-validator.js';
import type { Doc, DocFilter } from '../../../main/core/stores/types.js';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(NovaError);
    return (err as NovaError).code;
  }
  throw new Error('expected a NovaError');
}

const matches = (doc: Doc, filter: DocFilter) => matchesFilter(doc, parseFilter(filter));

describe('parseFilter', () => {
  it('builds a dialect-free tree with implicit AND', () => {
    expect(parseFilter({ a: 1, 'b.c': { $gte: 2, $lt: 5 } })).toEqual({
      kind: 'and',
      children: [
        { kind: 'compare', path: ['a'], op: 'eq', value: 1 },
        { kind: 'compare', path: ['b', 'c'], op: 'gte', value: 2 },
        { kind: 'compare', path: ['b', 'c'], op: 'lt', value: 5 },
      ],
    });
    expect(parseFilter({})).toEqual({ kind: 'and', children: [] });
    expect(parseFilter({ $or: [{ a: null }, { b: { $exists: false } }] })).toEqual({
      kind: 'or',
      children: [
        { kind: 'compare', path: ['a'], op: 'eq', value: null },
        { kind: 'exists', path: ['b'], exists: false },
      ],
    });
  });

  it.each([
    [{ a: { $regex: 'x' } }, '$regex'],
    [{ $where: 'this.a == 1' }, '$where'],
    [{ $nor: [{ a: 1 }] }, '$nor'],
    [{ a: { $elemMatch: { b: 1 } } }, '$elemMatch'],
    [{ a: /x/ }, '$regex'],
  ])('refuses unsupported operators with UNSUPPORTED_FILTER naming them: %j', (filter, op) => {
    try {
      parseFilter(filter as DocFilter);
      throw new Error('accepted');
    } catch (err) {
      expect((err as NovaError).code).toBe('UNSUPPORTED_FILTER');
      expect((err as NovaError).message).toContain(op);
    }
  });

  it.each([
    ['a.$b', 'UNSUPPORTED_FILTER'],
    ["a'); DROP TABLE x; --", 'UNSUPPORTED_FILTER'],
    ['a..b', 'UNSUPPORTED_FILTER'],
    ['tags.0', 'UNSUPPORTED_FILTER'],
    ['_id.x', 'UNSUPPORTED_FILTER'],
    ['a"b', 'UNSUPPORTED_FILTER'],
  ])('refuses unsafe path %j', (path, code) => {
    expect(codeOf(() => parseFilter({ [path]: 1 }))).toBe(code);
  });

  it('refuses bad operands clearly', () => {
    expect(codeOf(() => parseFilter({ a: undefined }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => parseFilter({ a: Number.NaN }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => parseFilter({ a: { $in: 5 } }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => parseFilter({ a: { $gt: null } }))).toBe('UNSUPPORTED_FILTER');
    expect(codeOf(() => parseFilter({ a: { b: 1 } }))).toBe('UNSUPPORTED_FILTER');
    expect(codeOf(() => parseFilter({ a: [1, 2] }))).toBe('UNSUPPORTED_FILTER');
    expect(codeOf(() => parseFilter({ $or: [] }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => parseFilter('a = 1' as unknown as DocFilter))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => parseSort({ a: 2 as 1 }))).toBe('INVALID_ARGUMENT');
  });
});

describe('matchesFilter (MongoDB semantics)', () => {
  const when = new Date('2024-01-02T03:04:05.000Z');
  const doc: Doc = {
    _id: 'x',
    n: 5,
    s: 'abc',
    b: true,
    nul: null,
    d: when,
    nested: { deep: { v: 1 } },
    arr: [1, 2],
  };

  it('equality against null matches missing fields too; $ne and $nin match missing fields', () => {
    expect(matches(doc, { nul: null })).toBe(true);
    expect(matches(doc, { missing: null })).toBe(true);
    expect(matches(doc, { n: null })).toBe(false);
    expect(matches(doc, { missing: { $ne: 1 } })).toBe(true);
    expect(matches(doc, { missing: { $nin: [1] } })).toBe(true);
    expect(matches(doc, { missing: { $in: [null] } })).toBe(true);
    expect(matches(doc, { nul: { $exists: true } })).toBe(true);
    expect(matches(doc, { missing: { $exists: true } })).toBe(false);
  });

  it('compares like with like only', () => {
    expect(matches(doc, { n: '5' })).toBe(false);
    expect(matches(doc, { b: 1 })).toBe(false);
    expect(matches(doc, { s: { $gt: 1 } })).toBe(false);
    expect(matches(doc, { n: { $gt: 4, $lte: 5 } })).toBe(true);
    expect(matches(doc, { d: { $gte: new Date(when) } })).toBe(true);
    expect(matches(doc, { d: new Date(when) })).toBe(true);
    expect(matches(doc, { d: when.toISOString() })).toBe(false);
    expect(matches(doc, { 'nested.deep.v': 1, $or: [{ s: 'zzz' }, { n: { $in: [4, 5] } }] })).toBe(
      true,
    );
    expect(matches(doc, { arr: 1 })).toBe(false); // arrays compare as whole values (documented subset)
  });
});

describe('applyUpdate', () => {
  const base: Doc = { _id: 'a', n: 1, nested: { x: 1 }, gone: true };

  it('applies $set (creating parents), $unset and $inc without touching the input', () => {
    const when = new Date('2024-01-01T00:00:00Z');
    const next = applyUpdate(base, {
      $set: { 'nested.y': 2, 'fresh.deep': when },
      $unset: { gone: '' },
      $inc: { n: 2, count: 3 },
    });
    expect(next).toEqual({
      _id: 'a',
      n: 3,
      nested: { x: 1, y: 2 },
      fresh: { deep: when },
      count: 3,
    });
    expect(base).toEqual({ _id: 'a', n: 1, nested: { x: 1 }, gone: true });
  });

  it('refuses unknown operators, _id changes, conflicts and bad values', () => {
    expect(codeOf(() => applyUpdate(base, { $push: { a: 1 } } as never))).toBe(
      'UNSUPPORTED_FILTER',
    );
    expect(codeOf(() => applyUpdate(base, { n: 2 } as never))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => applyUpdate(base, {}))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => applyUpdate(base, { $set: { _id: 'b' } }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => applyUpdate(base, { $set: { nested: 1 }, $inc: { 'nested.x': 1 } }))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(codeOf(() => applyUpdate(base, { $inc: { nested: 1 } }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => applyUpdate(base, { $inc: { n: '1' as unknown as number } }))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(codeOf(() => applyUpdate(base, { $set: { 'n.x': 1 } }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => applyUpdate(base, { $set: { f: () => 1 } }))).toBe('INVALID_ARGUMENT');
  });
});

describe('doc codec', () => {
  it('round-trips Dates (nested and in arrays) and puts _id first', () => {
    const when = new Date('2024-02-03T04:05:06.789Z');
    const { id, json } = encodeDoc({
      a: when,
      list: [when, { at: when }],
      s: 'x',
      skip: undefined,
      _id: 'doc1',
    });
    expect(id).toBe('doc1');
    expect(JSON.parse(json)).toEqual({
      a: { $date: when.toISOString() },
      list: [{ $date: when.toISOString() }, { at: { $date: when.toISOString() } }],
      s: 'x',
    });
    const back = decodeDoc(id, json);
    expect(Object.keys(back)[0]).toBe('_id');
    expect(back).toEqual({ _id: 'doc1', a: when, list: [when, { at: when }], s: 'x' });
    expect(back.a).toBeInstanceOf(Date);
  });

  it('generates 24-hex ObjectId-like ids that start with the creation time', () => {
    const id = newObjectId(Date.UTC(2024, 0, 1) + 999);
    expect(id).toMatch(/^[0-9a-f]{24}$/);
    expect(parseInt(id.slice(0, 8), 16)).toBe(Date.UTC(2024, 0, 1) / 1000);
    expect(newObjectId()).not.toBe(newObjectId());
    expect(encodeDoc({}).id).toMatch(/^[0-9a-f]{24}$/);
  });

  it('refuses values that cannot be stored, naming where they are', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const bad of [
      { f: () => 1 },
      { s: Symbol('x') },
      { n: Number.NaN },
      { n: Infinity },
      { big: 1n },
      { m: new Map() },
      { buf: Buffer.from('x') },
      { d: new Date('invalid') },
      { nested: { $date: 'fake' } },
      cyclic,
      { _id: 5 },
      { _id: '' },
    ]) {
      expect(codeOf(() => encodeDoc(bad as Doc))).toBe('INVALID_ARGUMENT');
    }
    expect(() => encodeDoc({ outer: { inner: [1, () => 1] } })).toThrow(/outer\.inner\[1\]/);
  });
});

describe('validateDocument', () => {
  const prefs = collectionSpec('user_preferences');

  it('enforces required fields and simple BSON types', () => {
    expect(() =>
      validateDocument(prefs, {
        user_id: 7,
        theme: 'dark',
        notifications: true,
        last_updated: new Date(),
      }),
    ).not.toThrow();
    expect(codeOf(() => validateDocument(prefs, { theme: 'dark' }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => validateDocument(prefs, { user_id: 1.5 }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => validateDocument(prefs, { user_id: '7' }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => validateDocument(prefs, { user_id: 7, notifications: 'yes' }))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(codeOf(() => validateDocument(prefs, { user_id: 7, last_updated: '2024-01-01' }))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(() => validateDocument(collectionSpec('analytics'), { anything: 1 })).not.toThrow();
    expect(() => validateDocument(undefined, {})).not.toThrow();
  });
});
