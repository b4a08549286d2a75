/**
 * The document collections of docs/schema.md, declared once so every document
 * backend (SQLite JSON, PostgreSQL JSONB, MongoDB) creates the same indexes,
 * uniqueness and TTL rules.
 */
import type { TtlRule } from './types.js';

export interface CollectionIndex {
  /** Field paths, each ascending (1) or descending (-1). */
  keys: Record<string, 1 | -1>;
  unique?: boolean;
}

export interface CollectionSpec {
  name: string;
  indexes: CollectionIndex[];
  ttl?: TtlRule;
  /** MongoDB `$jsonSchema` validator; the other backends check `required` and the BSON types they can. */
  validator?: Record<string, unknown>;
}

const DAY = 24 * 60 * 60;

export const COLLECTIONS: readonly CollectionSpec[] = [
  {
    name: 'user_preferences',
    indexes: [{ keys: { user_id: 1 }, unique: true }],
    validator: {
      $jsonSchema: {
        bsonType: 'object',
        required: ['user_id'],
        properties: {
          user_id: { bsonType: ['int', 'long'], description: 'the Nova user id' },
          theme: { bsonType: 'string' },
          notifications: { bsonType: 'bool' },
          last_updated: { bsonType: 'date' },
        },
      },
    },
  },
  {
    name: 'analytics',
    indexes: [{ keys: { event: 1, created_at: -1 } }],
    ttl: { field: 'created_at', expireAfterSeconds: 30 * DAY },
  },
  {
    name: 'audit_logs',
    indexes: [{ keys: { user_id: 1, created_at: -1 } }, { keys: { action: 1 } }],
    ttl: { field: 'created_at', expireAfterSeconds: 90 * DAY },
  },
  {
    name: 'sessions',
    indexes: [{ keys: { sid: 1 }, unique: true }],
    // expireAfterSeconds 0: the document expires at the Date held in expires_at.
    ttl: { field: 'expires_at', expireAfterSeconds: 0 },
  },
  { name: 'file_chunks', indexes: [{ keys: { files_id: 1, n: 1 }, unique: true }] },
  { name: 'notifications_queue', indexes: [{ keys: { status: 1, created_at: 1 } }] },
];

export function collectionSpec(name: string): CollectionSpec | undefined {
  return COLLECTIONS.find((c) => c.name === name);
}

/**
 * Collection names become table names or key prefixes on some backends, so
 * they are restricted to a safe alphabet (as MongoDB itself mostly does).
 */
export const COLLECTION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
