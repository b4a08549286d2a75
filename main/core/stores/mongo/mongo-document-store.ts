/**
 * DocumentStore on MongoDB through the official driver. The API speaks
 * string `_id`s and the DocFilter subset; this class converts both ways and
 * maps every driver error to a NovaError that names the host (never the password).
 */
import { existsSync } from 'node:fs';
import type { Collection, Db, MongoClientOptions } from 'mongodb';
import { MongoBulkWriteError, MongoClient } from 'mongodb';
import { redactSecrets } from '../../config/redact.js';
import { NovaError } from '../../errors.js';
import { COLLECTIONS, COLLECTION_NAME, collectionSpec } from '../collections.js';
import type {
  Doc,
  DocFilter,
  DocUpdate,
  DocumentStore,
  FindOptions,
  ServiceHealth,
} from '../types.js';
import { validateDocument } from '../doc-validator.js';
import { checkUpdateAgainstSchema } from './mongo-schema-check.js';
import type { MongoCapabilities } from './mongo-collections.js';
import {
  bulkInsertDocuments,
  type BulkInsertOptions,
  type BulkInsertResult,
} from './mongo-bulk-insert.js';
import { ensureMongoCollections, unknownCapabilities } from './mongo-collections.js';
import { mapMongoError, mongoHosts } from './mongo-errors.js';
import { toFindOptions, toMongoFilter } from './mongo-filter.js';
import { toMongoUpdate } from './mongo-update.js';
import { fromStoredDoc, fromStoredId, toStoredDoc, type DriverDoc } from './mongo-values.js';
import {
  insertAbsentInTransaction,
  readDeployment,
  type MongoDeployment,
} from './mongo-deployment.js';
import { mongoHealth, readDbStats } from './mongo-health.js';

export type { MongoCapabilities } from './mongo-collections.js';
export type { BulkInsertError, BulkInsertOptions, BulkInsertResult } from './mongo-bulk-insert.js';

export interface MongoConnectOptions {
  /** mongodb:// or mongodb+srv:// URL; credentials in it are never logged. */
  url: string;
  /** Database name; defaults to the URL's path, else "nova". */
  dbName?: string;
  poolMax?: number;
  /** Bounds connecting and server selection (each operation waits at most this long for a server). */
  connectTimeoutMs?: number;
  tls?: boolean;
  tlsCAFile?: string;
  /**
   * Resolve even when MongoDB is unreachable right now: operations fail (and
   * the data layer keeps audit entries in its outbox) until the server is
   * back, when the store reconnects by itself. Wrong credentials still throw.
   */
  allowOffline?: boolean;
}

type StoredDoc = Record<string, unknown>;

/** Connection failures a later attempt can cure (unlike AUTH_FAILED or bad TLS settings). */
const UNREACHABLE = new Set<string>(['CONN_REFUSED', 'TIMEOUT', 'SERVICE_UNAVAILABLE']);
const RECONNECT_DELAY_MS = 1_000;

function databaseFromUrl(url: string): string | undefined {
  const path = /^[a-z+]+:\/\/[^/]*\/([^?]*)/i.exec(url)?.[1];
  if (!path) return undefined;
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

export class MongoDocumentStore implements DocumentStore {
  readonly backend = 'mongodb';
  /** What the server supports, learned by ensureCollections(). */
  readonly capabilities: MongoCapabilities = unknownCapabilities();
  private closed = false;

  private reconnectTimer: NodeJS.Timeout | undefined;
  private deploymentInfo: Promise<MongoDeployment> | undefined;

  private constructor(
    private readonly client: MongoClient,
    private readonly db: Db,
    private readonly url: string,
  ) {
    // The driver closes its topology for good when a (re)connect attempt
    // fails — every later operation then says "Topology is closed" even after
    // MongoDB is back. Reopen it ourselves, at a gentle pace, until close().
    client.on('topologyClosed', () => this.scheduleReconnect());
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.closed) return;
      this.client.connect().catch(() => this.scheduleReconnect());
    }, RECONNECT_DELAY_MS);
    this.reconnectTimer.unref();
  }

  /** Connects and verifies the server answers; throws CONN_REFUSED, TIMEOUT, AUTH_FAILED, TLS_FAILED or CONFIG_INVALID. */
  static async connect(options: MongoConnectOptions): Promise<MongoDocumentStore> {
    const { url } = options;
    if (typeof url !== 'string' || !/^mongodb(\+srv)?:\/\//i.test(url)) {
      throw new NovaError(
        'CONFIG_INVALID',
        `MONGODB_URL ${typeof url === 'string' ? redactSecrets(url) : '(missing)'} is not a mongodb:// URL.`,
        {
          fix: 'Write it as mongodb://user:password@host:27017/nova.',
        },
      );
    }
    if (options.tlsCAFile !== undefined && !existsSync(options.tlsCAFile)) {
      throw new NovaError(
        'CONFIG_INVALID',
        `MONGODB_TLS_CA points to ${options.tlsCAFile}, which does not exist.`,
        {
          fix: 'Set MONGODB_TLS_CA to the path of the PEM file of the CA that signed the server certificate.',
        },
      );
    }
    const timeout = options.connectTimeoutMs ?? 5000;
    const clientOptions: MongoClientOptions = {
      serverSelectionTimeoutMS: timeout,
      connectTimeoutMS: timeout,
      maxPoolSize: options.poolMax ?? 10,
      appName: 'nova-db',
      ...(options.tls !== undefined ? { tls: options.tls } : {}),
      ...(options.tlsCAFile !== undefined ? { tlsCAFile: options.tlsCAFile } : {}),
    };
    let client: MongoClient;
    try {
      client = new MongoClient(url, clientOptions);
    } catch (err) {
      throw mapMongoError(err, { url, action: 'read MONGODB_URL' });
    }
    const dbName = options.dbName ?? databaseFromUrl(url) ?? 'nova';
    try {
      await client.connect();
      const db = client.db(dbName);
      await db.command({ ping: 1 });
      return new MongoDocumentStore(client, db, url);
    } catch (err) {
      await client.close().catch(() => undefined);
      const mapped = mapMongoError(err, {
        url,
        action: `connect to MongoDB at ${mongoHosts(url)}`,
      });
      if (!options.allowOffline || !UNREACHABLE.has(mapped.code)) throw mapped;
      // Start disconnected: the store reconnects until the server answers,
      // and health reports it down meanwhile.
      const offline = new MongoClient(url, clientOptions);
      const store = new MongoDocumentStore(offline, offline.db(dbName), url);
      store.scheduleReconnect();
      return store;
    }
  }

  get dbName(): string {
    return this.db.databaseName;
  }

  async ensureCollections(): Promise<void> {
    this.assertOpen();
    try {
      await ensureMongoCollections(this.db, COLLECTIONS, this.capabilities, this.url);
    } catch (err) {
      throw mapMongoError(err, { url: this.url, action: 'create the document collections' });
    }
  }

  async insert(collection: string, docs: Doc[]): Promise<{ insertedIds: string[] }> {
    const coll = this.collection(collection);
    if (!Array.isArray(docs))
      throw new NovaError(
        'INVALID_ARGUMENT',
        `insert into "${collection}" needs an array of documents.`,
        { fix: 'Pass [doc] for one document.' },
      );
    const stored = docs.map((d, i) => toStoredDoc(d, collection, i));
    stored.forEach((d) => this.checkSchema(collection, d));
    if (stored.length === 0) return { insertedIds: [] };
    try {
      // Unordered: one bad document does not stop the others (as a bulk load expects).
      await coll.insertMany(stored, { ordered: false });
    } catch (err) {
      // Counted from the write errors: unordered, every other document went in (the emulator's insertedCount is unreliable).
      const failed =
        err instanceof MongoBulkWriteError ? [err.writeErrors].flat().length : undefined;
      const inserted = failed === undefined ? undefined : stored.length - failed;
      const mapped = mapMongoError(err, { url: this.url, action: `insert into "${collection}"` });
      if (inserted === undefined) throw mapped;
      throw new NovaError(
        mapped.code,
        `${mapped.message} (${inserted} of ${stored.length} documents were inserted)`,
        {
          ...(mapped.fix ? { fix: mapped.fix } : {}),
          cause: err,
        },
      );
    }
    return { insertedIds: stored.map((d) => fromStoredId(d._id)) };
  }

  /**
   * Inserts many documents and reports each failure instead of throwing (the
   * migration engine records them and goes on). Unordered by default; with
   * `ordered: true` the documents after the first failure are not attempted
   * and are listed in `skipped`. Connection failures still throw.
   */
  async bulkInsert(
    collection: string,
    docs: Doc[],
    options: BulkInsertOptions = {},
  ): Promise<BulkInsertResult> {
    const coll = this.collection(collection);
    return bulkInsertDocuments(coll, docs, options, {
      prepare: (doc, index) => {
        const stored = toStoredDoc(doc, collection, index);
        this.checkSchema(collection, stored);
        return stored;
      },
      mapError: (err) =>
        mapMongoError(err, { url: this.url, action: `bulk insert into "${collection}"` }),
    });
  }

  async find(collection: string, filter?: DocFilter, options?: FindOptions): Promise<Doc[]> {
    const coll = this.collection(collection);
    const query = this.liveFilter(collection, toMongoFilter(filter));
    const findOptions = toFindOptions(options);
    if (findOptions.limit === 0) return [];
    try {
      const docs = await coll.find(query, findOptions).toArray();
      return docs.map((d) => fromStoredDoc(d as StoredDoc));
    } catch (err) {
      throw mapMongoError(err, { url: this.url, action: `find in "${collection}"` });
    }
  }

  async count(collection: string, filter?: DocFilter): Promise<number> {
    const coll = this.collection(collection);
    const query = this.liveFilter(collection, toMongoFilter(filter));
    try {
      return await coll.countDocuments(query);
    } catch (err) {
      throw mapMongoError(err, { url: this.url, action: `count in "${collection}"` });
    }
  }

  async update(
    collection: string,
    filter: DocFilter,
    update: DocUpdate,
  ): Promise<{ matched: number; modified: number }> {
    const coll = this.collection(collection);
    const query = this.liveFilter(collection, toMongoFilter(filter));
    const { parsed, update: mongoUpdate } = toMongoUpdate(update);
    if (this.capabilities.validators !== true)
      checkUpdateAgainstSchema(collectionSpec(collection), parsed);
    try {
      const res = await coll.updateMany(query, mongoUpdate);
      return { matched: res.matchedCount, modified: res.modifiedCount };
    } catch (err) {
      throw mapMongoError(err, { url: this.url, action: `update "${collection}"` });
    }
  }

  async delete(collection: string, filter: DocFilter): Promise<{ deleted: number }> {
    const coll = this.collection(collection);
    const query = this.liveFilter(collection, toMongoFilter(filter));
    try {
      const res = await coll.deleteMany(query);
      return { deleted: res.deletedCount };
    } catch (err) {
      throw mapMongoError(err, { url: this.url, action: `delete from "${collection}"` });
    }
  }

  /**
   * Deletes the documents whose TTL has passed at `now`. MongoDB's own TTL
   * monitor does this every 60 s, but not at a time we choose, and the test
   * emulator has none, so the sweep is explicit.
   */
  async sweepExpired(now: Date = new Date()): Promise<number> {
    this.assertOpen();
    let total = 0;
    for (const spec of COLLECTIONS) {
      if (!spec.ttl) continue;
      try {
        const res = await this.db
          .collection(spec.name)
          .deleteMany(expiredClause(spec.ttl.field, spec.ttl.expireAfterSeconds, now));
        total += res.deletedCount;
      } catch (err) {
        throw mapMongoError(err, {
          url: this.url,
          action: `remove expired documents from "${spec.name}"`,
        });
      }
    }
    return total;
  }

  async health(): Promise<ServiceHealth> {
    return mongoHealth(this.db, this.url, this.capabilities.notes, () => this.assertOpen());
  }

  /** Replica set, sharded cluster or standalone, and whether it has transactions (cached once known). */
  deployment(): Promise<MongoDeployment> {
    this.deploymentInfo ??= readDeployment(this.db).catch((err: unknown) => {
      this.deploymentInfo = undefined;
      throw mapMongoError(err, {
        url: this.url,
        action: 'ask MongoDB what kind of deployment it is',
      });
    });
    return this.deploymentInfo;
  }

  /**
   * Stores every document whose `_id` is absent, in one majority-committed
   * transaction; false (nothing written) where the deployment has no
   * transactions, so the caller inserts one at a time instead.
   */
  async insertAbsentAtomically(collection: string, docs: Doc[]): Promise<boolean> {
    const coll = this.collection(collection);
    if (!(await this.deployment()).transactions) return false;
    const stored = docs.map((d, i) => toStoredDoc(d, collection, i));
    stored.forEach((d) => this.checkSchema(collection, d));
    if (stored.length === 0) return true;
    try {
      await insertAbsentInTransaction(this.client, coll, stored);
    } catch (err) {
      throw mapMongoError(err, { url: this.url, action: `insert into "${collection}"` });
    }
    return true;
  }

  /**
   * The database's size as numbers, for /metrics (the health checker calls it
   * when present). A size the server does not report counts as 0 bytes.
   */
  async databaseStats(): Promise<{ collections: number; dataSizeBytes: number }> {
    this.assertOpen();
    try {
      const stats = await readDbStats(this.db);
      return { collections: stats.collections, dataSizeBytes: stats.dataSize ?? 0 };
    } catch (err) {
      throw mapMongoError(err, { url: this.url, action: 'read MongoDB database statistics' });
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    await this.client.close();
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new NovaError('NOT_INITIALIZED', 'The MongoDB document store is closed.', {
        fix: 'Connect a new store (DatabaseFactory.initialize()).',
      });
    }
  }

  private collection(name: string): Collection<DriverDoc> {
    this.assertOpen();
    if (typeof name !== 'string' || !COLLECTION_NAME.test(name)) {
      throw new NovaError('INVALID_ARGUMENT', `"${String(name)}" is not a valid collection name.`, {
        fix: 'Use letters, digits and underscores (starting with a letter or underscore), at most 63 characters.',
      });
    }
    return this.db.collection<DriverDoc>(name);
  }

  /** Checks the collection's validator in this process, only where the server does not enforce it itself. */
  private checkSchema(collection: string, doc: StoredDoc): void {
    if (this.capabilities.validators !== true) validateDocument(collectionSpec(collection), doc);
  }

  /** Adds "not expired" for collections with a TTL rule, so reads agree with sweepExpired whenever the monitor last ran. */
  private liveFilter(collection: string, query: StoredDoc): StoredDoc {
    const ttl = collectionSpec(collection)?.ttl;
    if (!ttl) return query;
    const live = {
      [ttl.field]: {
        $not: expiredClause(ttl.field, ttl.expireAfterSeconds, new Date())[ttl.field],
      },
    };
    return Object.keys(query).length === 0 ? live : { $and: [query, live] };
  }
}

/**
 * Expired as MongoDB's TTL monitor decides it: the field holds a Date (or an
 * array whose earliest Date) at or before now − expireAfterSeconds. `$lte`
 * against a Date only matches Dates, so missing or non-date fields never expire.
 */
function expiredClause(
  field: string,
  expireAfterSeconds: number,
  now: Date,
): Record<string, { $lte: Date }> {
  return { [field]: { $lte: new Date(now.getTime() - expireAfterSeconds * 1000) } };
}
