/**
 * Conversions between the store API's documents (JSON-like, `_id` always a
 * string) and what the MongoDB driver reads and writes (`_id` usually an
 * ObjectId). Kept separate so the filter translator and the store agree.
 */
import { ObjectId } from 'mongodb';
import { NovaError } from '../../errors.js';
import { assertStorable } from '../doc-codec.js';
import { isPlainObject } from '../doc-filter.js';
import type { Doc } from '../types.js';

/** How documents look to the driver: `_id` is an ObjectId or a string. */
export type DriverDoc = { _id: ObjectId | string; [field: string]: unknown };

const OBJECT_ID_HEX = /^[0-9a-f]{24}$/i;

/** True for the 24-hex-digit strings that MongoDB would have generated as ObjectIds. */
export function isObjectIdHex(value: unknown): value is string {
  return typeof value === 'string' && OBJECT_ID_HEX.test(value);
}

/**
 * The stored form of an API `_id`: a 24-hex string becomes the ObjectId it
 * spells (so ids handed out by find() can be fed back as-is), any other
 * string is kept as a string `_id`.
 */
export function toStoredId(id: string): ObjectId | string {
  return isObjectIdHex(id) ? new ObjectId(id) : id;
}

/**
 * Both stored forms an API `_id` may match: documents written by other tools
 * can hold the hex text itself as a string `_id`, and equality must find them too.
 */
export function storedIdCandidates(id: string): (ObjectId | string)[] {
  return isObjectIdHex(id) ? [new ObjectId(id), id] : [id];
}

/** As in doc-codec.ts, so every backend accepts the same ids. */
const MAX_ID_LENGTH = 256;

/**
 * Prepares a document for insertion: the shared storability rules (JSON-like
 * values, no `$` field names, finite numbers, valid Dates), a non-empty string
 * `_id` when given, and an ObjectId generated when absent — so the caller
 * knows every id even when part of an unordered bulk write fails.
 */
export function toStoredDoc(doc: Doc, collection: string, index: number): DriverDoc {
  if (!isPlainObject(doc)) {
    throw new NovaError(
      'INVALID_ARGUMENT',
      `Document #${index} for "${collection}" is not a plain object.`,
      {
        fix: 'Pass plain objects, e.g. { user_id: 1, theme: "dark" }.',
      },
    );
  }
  const { _id, ...rest } = doc as Record<string, unknown>;
  assertStorable(rest, '(document)');
  if (_id === undefined) return { _id: new ObjectId(), ...rest };
  if (typeof _id !== 'string' || _id.length === 0 || _id.length > MAX_ID_LENGTH) {
    throw new NovaError(
      'INVALID_ARGUMENT',
      `Document #${index} for "${collection}" has an _id that is ${typeof _id === 'string' ? `${_id.length === 0 ? 'empty' : 'too long'}` : `of type ${_id === null ? 'null' : typeof _id}`}; _id must be a non-empty string of at most ${MAX_ID_LENGTH} characters.`,
      {
        fix: 'Leave _id out to have one generated, or pass it as a string (e.g. String(legacyId)).',
      },
    );
  }
  return { _id: toStoredId(_id), ...rest };
}

/** The API form of a stored id: ObjectIds as hex, anything else as text. */
export function fromStoredId(id: unknown): string {
  if (id instanceof ObjectId) return id.toHexString();
  return typeof id === 'string' ? id : String(id);
}

/**
 * Converts a document read from MongoDB to the API form: `_id` becomes a
 * string and any ObjectId elsewhere (e.g. GridFS-style `files_id`) its hex
 * text, since the API's documents are JSON-like. Dates pass through.
 */
export function fromStoredDoc(doc: Record<string, unknown>): Doc {
  const out = convertObjectIds(doc) as Doc;
  if ('_id' in doc) out._id = fromStoredId(doc._id);
  return out;
}

function convertObjectIds(value: unknown): unknown {
  if (value instanceof ObjectId) return value.toHexString();
  if (Array.isArray(value)) return value.map(convertObjectIds);
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = convertObjectIds(v);
    return out;
  }
  return value;
}
