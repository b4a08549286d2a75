/**
 * Creates the collections of docs/schema.md on MongoDB idempotently: validators
 * (create, or collMod when they changed), secondary/unique indexes and TTL
 * indexes. Servers that cannot keep validators (the test emulator has neither
 * validators nor collMod) are detected and recorded as a capability instead of
 * failing, so the store can check documents itself there.
 */
import type { Db } from 'mongodb';
import { MongoServerError } from 'mongodb';
import type { CollectionSpec } from '../collections.js';
import { mapMongoError } from './mongo-errors.js';

/** What the connected server turned out to support; null until ensureCollections() has looked. */
export interface MongoCapabilities {
  /** The server stores and enforces `$jsonSchema` validators. */
  validators: boolean | null;
  /** The server has the `collMod` command (to change validators and TTLs in place). */
  collMod: boolean | null;
  /** Human-readable notes about missing features, shown in health detail. */
  notes: string[];
}

export function unknownCapabilities(): MongoCapabilities {
  return { validators: null, collMod: null, notes: [] };
}

const COMMAND_NOT_FOUND = 59;
const NAMESPACE_EXISTS = 48;
const INDEX_OPTIONS_CONFLICT = 85;

/** Key-order-independent JSON, to compare a stored validator with the declared one. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

function note(caps: MongoCapabilities, text: string): void {
  if (!caps.notes.includes(text)) caps.notes.push(text);
}

function markValidatorsMissing(caps: MongoCapabilities): void {
  caps.validators = false;
  note(caps, 'the server does not enforce $jsonSchema validators (Nova checks documents itself)');
}

async function storedOptions(db: Db, name: string): Promise<Record<string, unknown> | undefined> {
  const [info] = await db.listCollections({ name }).toArray();
  return info === undefined
    ? undefined
    : (((info as { options?: Record<string, unknown> }).options ?? {}) as Record<string, unknown>);
}

async function ensureValidator(
  db: Db,
  spec: CollectionSpec,
  caps: MongoCapabilities,
  url: string,
): Promise<void> {
  let options = await storedOptions(db, spec.name);
  const wanted = spec.validator;
  if (options === undefined) {
    try {
      await db.createCollection(
        spec.name,
        wanted ? { validator: wanted, validationLevel: 'strict', validationAction: 'error' } : {},
      );
    } catch (err) {
      // Another process created it between our look and our create: fine, treat as existing.
      if (!(err instanceof MongoServerError && err.code === NAMESPACE_EXISTS))
        throw mapMongoError(err, { url, action: `create collection "${spec.name}"` });
    }
    if (!wanted) return;
    options = (await storedOptions(db, spec.name)) ?? {};
    if (options.validator !== undefined && canonical(options.validator) === canonical(wanted)) {
      caps.validators = true;
      return;
    }
  } else if (!wanted) {
    return;
  } else if (
    options.validator !== undefined &&
    canonical(options.validator) === canonical(wanted)
  ) {
    caps.validators = true;
    return;
  }
  if (caps.collMod === false) {
    // Known missing: calling it again would only fill the server's log with errors.
    markValidatorsMissing(caps);
    return;
  }
  try {
    await db.command({
      collMod: spec.name,
      validator: wanted,
      validationLevel: 'strict',
      validationAction: 'error',
    });
    caps.collMod = true;
    caps.validators = true;
  } catch (err) {
    if (err instanceof MongoServerError && err.code === COMMAND_NOT_FOUND) {
      caps.collMod = false;
      note(
        caps,
        'the server has no collMod command (validators and TTLs cannot be changed in place)',
      );
      markValidatorsMissing(caps);
      return;
    }
    throw mapMongoError(err, { url, action: `update the validator of "${spec.name}"` });
  }
}

async function ensureIndexes(
  db: Db,
  spec: CollectionSpec,
  caps: MongoCapabilities,
  url: string,
): Promise<void> {
  const collection = db.collection(spec.name);
  for (const index of spec.indexes) {
    try {
      await collection.createIndex(index.keys, index.unique ? { unique: true } : {});
    } catch (err) {
      throw mapMongoError(err, {
        url,
        action: `create the index ${JSON.stringify(index.keys)} on "${spec.name}"`,
      });
    }
  }
  if (!spec.ttl) return;
  const { field, expireAfterSeconds } = spec.ttl;
  try {
    await collection.createIndex({ [field]: 1 }, { expireAfterSeconds });
  } catch (err) {
    // The TTL changed since the index was made: MongoDB changes it in place with collMod.
    if (
      err instanceof MongoServerError &&
      err.code === INDEX_OPTIONS_CONFLICT &&
      caps.collMod !== false
    ) {
      try {
        await db.command({
          collMod: spec.name,
          index: { keyPattern: { [field]: 1 }, expireAfterSeconds },
        });
        caps.collMod = true;
        return;
      } catch (inner) {
        throw mapMongoError(inner, {
          url,
          action: `change the TTL of "${spec.name}.${field}" to ${expireAfterSeconds}s`,
        });
      }
    }
    throw mapMongoError(err, { url, action: `create the TTL index on "${spec.name}.${field}"` });
  }
}

/** Creates or updates every collection in `specs`; safe to run any number of times. */
export async function ensureMongoCollections(
  db: Db,
  specs: readonly CollectionSpec[],
  caps: MongoCapabilities,
  url: string,
): Promise<void> {
  for (const spec of specs) {
    await ensureValidator(db, spec, caps, url);
    await ensureIndexes(db, spec, caps, url);
  }
}
