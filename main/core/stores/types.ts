/**
 * The seams every backend implements. The DatabaseFactory talks only to these,
 * so the same conformance suite (test/conformance/) proves every profile behaves the same.
 */

import type { ServiceHealth } from '../sql-types.js';

export type {
  QueryResult,
  RelationalStore,
  ServiceHealth,
  SqlDialect,
  SqlExecutor,
} from '../sql-types.js';

/** Documents are plain JSON-like objects; `Date` values survive the round trip on every backend. */
export type Doc = Record<string, unknown> & { _id?: string };

/**
 * The filter subset every document backend supports: equality on (dotted)
 * paths, `$eq $ne $gt $gte $lt $lte $in $nin $exists`, and `$and`/`$or`.
 * Anything else is refused with UNSUPPORTED_FILTER rather than guessed at.
 */
export type DocFilter = Record<string, unknown>;

/** Update operators every backend supports: `$set`, `$unset`, `$inc`. */
export interface DocUpdate {
  $set?: Record<string, unknown>;
  $unset?: Record<string, unknown>;
  $inc?: Record<string, number>;
}

export interface FindOptions {
  sort?: Record<string, 1 | -1>;
  limit?: number;
  skip?: number;
}

/** A TTL rule as MongoDB has it: a document expires `expireAfterSeconds` after the Date in `field`. */
export interface TtlRule {
  field: string;
  expireAfterSeconds: number;
}

export interface DocumentStore {
  readonly backend: string;
  /** Creates the collections of docs/schema.md (validators, indexes, TTL) idempotently. */
  ensureCollections(): Promise<void>;
  insert(collection: string, docs: Doc[]): Promise<{ insertedIds: string[] }>;
  find(collection: string, filter?: DocFilter, options?: FindOptions): Promise<Doc[]>;
  count(collection: string, filter?: DocFilter): Promise<number>;
  update(
    collection: string,
    filter: DocFilter,
    update: DocUpdate,
  ): Promise<{ matched: number; modified: number }>;
  delete(collection: string, filter: DocFilter): Promise<{ deleted: number }>;
  /** Removes expired documents now (MongoDB does this itself; the others sweep). Returns how many. */
  sweepExpired(now?: Date): Promise<number>;
  /**
   * Optional: stores every document whose `_id` is absent, all or none, in
   * one durable transaction — or returns false, writing nothing, where the
   * server has no transactions (MongoDB standalone). The audit outbox uses it.
   */
  insertAbsentAtomically?(collection: string, docs: Doc[]): Promise<boolean>;
  health(): Promise<ServiceHealth>;
  close(): Promise<void>;
}

export interface CacheStats {
  hits: number;
  misses: number;
  keys: number;
}

export interface Cache {
  readonly backend: string;
  get<T = unknown>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown, ttlSeconds?: number): Promise<void>;
  del(key: string): Promise<void>;
  /** Read-through: returns the cached value, or runs `fn`, caches its result for `ttlSeconds` and returns it. */
  wrap<T>(key: string, ttlSeconds: number, fn: () => Promise<T>): Promise<T>;
  stats(): Promise<CacheStats>;
  clear(): Promise<void>;
  health(): Promise<ServiceHealth>;
  close(): Promise<void>;
}
