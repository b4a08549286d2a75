/**
 * What the SQL document stores (SQLite JSON, PostgreSQL JSONB) share: the
 * table name, bound-parameter bookkeeping, collection-name literals, index
 * names and the checks on caller arguments. Kept in one place so both stores
 * refuse the same inputs with the same messages.
 */
import { NovaError } from '../errors.js';
import { COLLECTION_NAME, type CollectionIndex, type CollectionSpec } from './collections.js';
import { encodeDoc } from './doc-codec.js';
import { validateDocument } from './doc-validator.js';
import type { Doc } from './types.js';

export const DOCUMENTS_TABLE = 'nova_documents';

/** Collects bound values and hands out `$n` placeholders for them. */
export class ParamList {
  readonly values: unknown[] = [];

  bind(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/**
 * Collection names are validated against COLLECTION_NAME before they get
 * here. They are written as literals, not bound, because a partial index
 * (`WHERE collection = 'x'`) is only used when the planner can see the same literal.
 */
export function collectionLiteral(name: string): string {
  return `'${name.replace(/'/g, "''")}'`;
}

/** The name of a declared index; at most 63 characters for the collections of collections.ts. */
export function indexName(spec: CollectionSpec, index: CollectionIndex): string {
  return `nova_doc_${spec.name}__${Object.keys(index.keys).join('_').replace(/\./g, '_')}`;
}

/** Throws INVALID_ARGUMENT unless `collection` is a safe collection name. */
export function checkCollectionName(collection: unknown): asserts collection is string {
  if (typeof collection !== 'string' || !COLLECTION_NAME.test(collection)) {
    throw new NovaError(
      'INVALID_ARGUMENT',
      `${JSON.stringify(collection)} is not a valid collection name.`,
      {
        fix: 'Collection names start with a letter or _, then letters, digits or _ (at most 63 characters).',
      },
    );
  }
}

/** Validates FindOptions.limit / skip: undefined, or a non-negative safe integer. */
export function checkCount(value: number | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new NovaError(
      'INVALID_ARGUMENT',
      `${name} must be a non-negative integer, got ${String(value)}.`,
    );
  }
  return value;
}

/**
 * Validates and encodes a whole insert batch before anything is written, so
 * a bad document fails the batch up front. `check` adds a backend's own
 * limits on the encoded JSON (PostgreSQL cannot store NUL characters).
 */
export function encodeBatch(
  spec: CollectionSpec | undefined,
  docs: unknown,
  now: Date,
  check?: (json: string, index: number) => void,
): { id: string; json: string }[] {
  if (!Array.isArray(docs))
    throw new NovaError('INVALID_ARGUMENT', 'insert() takes an array of documents.');
  return (docs as Doc[]).map((doc, i) => {
    validateDocument(spec, doc);
    const encoded = encodeDoc(doc, now.getTime());
    check?.(encoded.json, i);
    return encoded;
  });
}
