/**
 * Documents as JSON text for the backends that store JSON (SQLite, PostgreSQL
 * JSONB). Plain JSON would turn a Date into a string and lose it, so a Date is
 * written as `{"$date": "<ISO>"}` (MongoDB's Extended JSON spelling) and
 * revived on the way out. Keys starting with `$` are refused on the way in, so
 * a stored `$date` object is always one of ours.
 */
import { randomBytes } from 'node:crypto';
import { NovaError } from '../errors.js';
import { isPlainObject } from './doc-filter.js';
import type { Doc } from './types.js';

const MAX_DEPTH = 100;
const MAX_ID_LENGTH = 256;

/**
 * A 24-hex-digit id shaped like a MongoDB ObjectId: 4 bytes of Unix seconds
 * (so ids sort roughly by creation time) and 8 random bytes.
 */
export function newObjectId(nowMs: number = Date.now()): string {
  const seconds = Math.floor(nowMs / 1000) >>> 0;
  return seconds.toString(16).padStart(8, '0') + randomBytes(8).toString('hex');
}

/** Throws INVALID_ARGUMENT naming the path if `value` cannot be stored as a document value. */
export function assertStorable(value: unknown, path: string): void {
  if (value === undefined) {
    throw new NovaError('INVALID_ARGUMENT', `The value at ${path} is undefined.`, {
      fix: 'Use null for "no value", or $unset the field.',
    });
  }
  toJsonReady(value, path, new Set(), 0);
}

/**
 * Encodes a document for storage. `_id` is returned separately (backends keep
 * it in its own column) and generated when absent.
 */
export function encodeDoc(doc: Doc, nowMs?: number): { id: string; json: string } {
  if (!isPlainObject(doc)) {
    throw new NovaError('INVALID_ARGUMENT', 'A document must be a plain object.', {
      fix: 'Pass an object literal such as { user_id: 1, theme: "dark" }.',
    });
  }
  const { _id, ...rest } = doc;
  const id = _id === undefined ? newObjectId(nowMs) : checkId(_id);
  const ready = toJsonReady(rest, '(document)', new Set(), 0);
  return { id, json: JSON.stringify(ready) };
}

/** Decodes stored JSON text, reviving Dates, and puts `_id` first as MongoDB does. */
export function decodeDoc(id: string, json: string): Doc {
  const body = JSON.parse(json, reviveDates) as Record<string, unknown>;
  return { _id: id, ...body };
}

/** The stored form of one value, e.g. a filter operand or an update value. */
export function encodeValue(value: unknown, path: string): unknown {
  return toJsonReady(value, path, new Set(), 0);
}

function reviveDates(_key: string, value: unknown): unknown {
  if (isPlainObject(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === '$date' && typeof value.$date === 'string')
      return new Date(value.$date);
  }
  return value;
}

function checkId(id: unknown): string {
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID_LENGTH) {
    throw new NovaError(
      'INVALID_ARGUMENT',
      `_id must be a non-empty string of at most ${MAX_ID_LENGTH} characters, got ${describe(id)}.`,
      {
        fix: 'Leave _id out to have one generated, or pass a string.',
      },
    );
  }
  return id;
}

function toJsonReady(value: unknown, path: string, seen: Set<object>, depth: number): unknown {
  if (depth > MAX_DEPTH) {
    throw new NovaError(
      'INVALID_ARGUMENT',
      `The document nests deeper than ${MAX_DEPTH} levels at ${path}.`,
    );
  }
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value))
      throw unstorable(path, `${value}`, 'Store null, or a finite number.');
    return value;
  }
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime()))
      throw unstorable(path, 'an invalid Date', 'Check how the Date was built.');
    return { $date: value.toISOString() };
  }
  if (typeof value !== 'object') {
    const hint =
      typeof value === 'bigint'
        ? 'Store it as a number (if safe) or a string.'
        : 'Store data only.';
    throw unstorable(path, `a ${typeof value}`, hint);
  }
  if (seen.has(value)) throw unstorable(path, 'a circular reference', 'Store a tree, not a graph.');
  seen.add(value);
  try {
    if (Array.isArray(value)) {
      // JSON has no "undefined" slot; null is what JSON.stringify would write too.
      return value.map((item, i) =>
        item === undefined ? null : toJsonReady(item, `${path}[${i}]`, seen, depth + 1),
      );
    }
    if (!isPlainObject(value)) {
      throw unstorable(
        path,
        describe(value),
        'Store plain objects, arrays, strings, numbers, booleans, Dates or null (binary data as a base64 string).',
      );
    }
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (key.startsWith('$')) {
        throw new NovaError(
          'INVALID_ARGUMENT',
          `Field name "${key}" at ${path} starts with $, which is reserved.`,
          {
            fix: 'Rename the field so it does not start with $.',
          },
        );
      }
      // Like JSON (and the MongoDB driver's ignoreUndefined), an undefined property is left out.
      if (item !== undefined)
        out[key] = toJsonReady(
          item,
          path === '(document)' ? key : `${path}.${key}`,
          seen,
          depth + 1,
        );
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

function unstorable(path: string, what: string, fix: string): NovaError {
  return new NovaError(
    'INVALID_ARGUMENT',
    `The value at ${path} is ${what}, which cannot be stored in a document.`,
    { fix },
  );
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object')
    return `a ${(value as object).constructor?.name ?? 'prototype-less'} object`;
  return `a ${typeof value}`;
}
