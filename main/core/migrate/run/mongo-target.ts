/**
 * A MongoDB destination for tables the plan sends there: inserts go through
 * the document store's unordered bulk insert (per-document errors come back
 * as data), and verification scans a collection with a plain driver cursor,
 * since an order-independent checksum needs no sort and no paging.
 *
 * Documents carry deterministic `_id`s — the plan's idField value, else the
 * source row's key — so a batch redone after a kill cannot insert twice.
 *
 * This module loads the MongoDB driver: a migration imports it only when its
 * plan has a MongoDB destination (the document helpers are in mongo-docs.ts).
 */
import { MongoClient } from 'mongodb';
import { mapMongoError } from '../../stores/mongo/mongo-errors.js';
import { MongoDocumentStore } from '../../stores/mongo/mongo-document-store.js';
import type { Doc } from '../../stores/types.js';

export class MongoMigrationTarget {
  private constructor(
    readonly store: MongoDocumentStore,
    private readonly client: MongoClient,
    private readonly url: string,
  ) {}

  static async connect(url: string, dbName: string): Promise<MongoMigrationTarget> {
    const store = await MongoDocumentStore.connect({ url, dbName });
    const client = new MongoClient(url, {
      serverSelectionTimeoutMS: 5000,
      appName: 'nova-db migrate',
    });
    try {
      await client.connect();
    } catch (err) {
      await store.close();
      throw mapMongoError(err, { url, action: 'connect to MongoDB for the migration' });
    }
    return new MongoMigrationTarget(store, client, url);
  }

  get dbName(): string {
    return this.store.dbName;
  }

  count(collection: string): Promise<number> {
    return this.store.count(collection);
  }

  /** Documents by `_id` (the ones a batch found already present). */
  async byIds(collection: string, ids: readonly string[]): Promise<Map<string, Doc>> {
    if (ids.length === 0) return new Map();
    const docs = await this.store.find(collection, { _id: { $in: [...ids] } });
    return new Map(docs.map((d) => [String(d._id), d]));
  }

  /** Every document of the collection (any order). */
  async *scan(collection: string): AsyncGenerator<Record<string, unknown>> {
    try {
      const cursor = this.client
        .db(this.dbName)
        .collection(collection)
        .find({}, { batchSize: 2000 });
      for await (const doc of cursor) yield doc as Record<string, unknown>;
    } catch (err) {
      throw mapMongoError(err, { url: this.url, action: `read "${collection}" to verify it` });
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.store.close(), this.client.close()]);
  }
}
