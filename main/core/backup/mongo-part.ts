/**
 * The MongoDB part: `mongo.ejson.gz`, one canonical Extended JSON value per
 * line (every BSON type survives: Int32 stays Int32, a Double 1.0 stays a
 * Double), with each collection's options and indexes. mongodump is not
 * used: it is rarely installed next to Nova and cannot stream through our
 * encryption; the driver export needs nothing but the connection.
 *
 *   {"c":{"name":…,"options":{…},"indexes":[…]}}   a collection starts
 *   {"d":{…document…}}
 *   {"e":{"rows":N}}                               the collection ends
 *   {"done":T}                                     the file is complete
 *
 * Restore loads every collection into a temporary one, checks its content
 * against the manifest, builds its indexes, and only then swaps it in with
 * renameCollection(dropTarget). MongoDB has no cross-collection transaction,
 * so the swap is a short series of renames — but nothing is renamed until
 * every collection has loaded and matched.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { BSON, MongoClient, type Db, type Document } from 'mongodb';
import { NovaError } from '../errors.js';
import { localFileError } from '../local-fs-errors.js';
import { RowSetHasher } from './content-checksum.js';
import {
  MONGO_EXACT_READ,
  listMongoCollections,
  mongoCollectionChecksum,
  mongoDocText,
} from './content-checksum-mongo.js';
import { compareContents } from './content-checksum.js';
import type { ManifestPart, TableContent } from './manifest.js';
import { writePart } from './part-files.js';
import type { PartJobOptions, StagedRestore } from './part-types.js';
import { mapMongoError, mongoHosts } from '../stores/mongo/mongo-errors.js';

export const MONGO_PART = 'mongo.ejson.gz';
const TEMP_PREFIX = 'nova_restore_';
const BATCH = 1000;
const FLUSH_BYTES = 64 * 1024;

export interface MongoBackupTarget {
  url: string;
  dbName: string;
  tls?: boolean;
  tlsCAFile?: string;
  connectTimeoutMs?: number;
}

export function describeMongo(target: MongoBackupTarget): string {
  return `MongoDB ${mongoHosts(target.url)}/${target.dbName}`;
}

export async function withMongo<T>(
  target: MongoBackupTarget,
  action: string,
  fn: (client: MongoClient) => Promise<T>,
): Promise<T> {
  const timeout = target.connectTimeoutMs ?? 5_000;
  let client: MongoClient | undefined;
  try {
    client = new MongoClient(target.url, {
      serverSelectionTimeoutMS: timeout,
      connectTimeoutMS: timeout,
      appName: 'nova-db backup',
      ...(target.tls !== undefined ? { tls: target.tls } : {}),
      ...(target.tlsCAFile ? { tlsCAFile: target.tlsCAFile } : {}),
    });
    await client.connect();
    return await fn(client);
  } catch (err) {
    throw err instanceof NovaError
      ? err
      : (localFileError(err, 'the backup file') ?? mapMongoError(err, { url: target.url, action }));
  } finally {
    await client?.close().catch(() => undefined);
  }
}

/** Index definitions as createIndexes takes them (minus the implicit _id index). */
function indexSpecs(indexes: Document[]): Document[] {
  return indexes
    .filter((ix) => ix.name !== '_id_')
    .map((ix) => {
      const { v: _v, ns: _ns, ...spec } = ix;
      return spec;
    });
}

export async function backupMongo(
  target: MongoBackupTarget,
  dir: string,
  options: PartJobOptions = {},
): Promise<ManifestPart> {
  return withMongo(target, `back up ${describeMongo(target)}`, async (client) => {
    const db = client.db(target.dbName);
    const info = await db
      .admin()
      .serverInfo()
      .catch(() => ({ version: null }) as Document);
    const collections = await listMongoCollections(db);
    const views = (await db.listCollections({}, { nameOnly: false }).toArray()).filter(
      (c) => c.type === 'view',
    );
    const notes =
      views.length > 0 ? [`views are not included: ${views.map((v) => v.name).join(', ')}`] : [];
    const contents: TableContent[] = [];
    async function* lines(): AsyncGenerator<Buffer> {
      for (const [i, c] of collections.entries()) {
        options.signal?.throwIfAborted();
        options.onProgress?.(c.name, i, collections.length);
        const indexes = indexSpecs(await db.collection(c.name).listIndexes().toArray());
        let out = `${BSON.EJSON.stringify({ c: { name: c.name, options: c.options, indexes } }, { relaxed: false })}\n`;
        const hasher = new RowSetHasher();
        for await (const doc of db.collection(c.name).find({}, MONGO_EXACT_READ)) {
          const text = mongoDocText(doc);
          hasher.add(text);
          out += `{"d":${text}}\n`;
          if (out.length >= FLUSH_BYTES) {
            yield Buffer.from(out);
            out = '';
          }
        }
        yield Buffer.from(`${out}{"e":{"rows":${hasher.rows}}}\n`);
        contents.push({ name: c.name, rows: hasher.rows, checksum: hasher.digest() });
      }
      yield Buffer.from(`{"done":${collections.length}}\n`);
    }
    const written = await writePart(dir, Readable.from(lines(), { objectMode: false }), {
      partName: MONGO_PART,
      gzip: true,
      ...(options.key ? { key: options.key } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return {
      name: MONGO_PART,
      service: 'mongo',
      format: 'mongo-ejson-gzip',
      ...written,
      source: describeMongo(target),
      serverVersion: typeof info.version === 'string' ? info.version : null,
      tool: 'nova-db driver export (Extended JSON)',
      tables: contents,
      notes,
    };
  });
}

function damaged(where: string, detail: string): NovaError {
  return new NovaError('BACKUP_CORRUPT', `${where}: the MongoDB part is damaged (${detail}).`, {
    fix: 'This backup cannot be trusted; use another backup.',
  });
}

interface StagedCollection {
  name: string;
  temp: string;
  indexes: Document[];
}

/** Loads every collection of the part into temporary collections of `db` and checks each against the manifest. */
async function loadIntoTemporaries(
  db: Db,
  lines: AsyncIterable<string>,
  part: ManifestPart,
  where: string,
  options: PartJobOptions,
  staged: StagedCollection[],
): Promise<void> {
  const token = randomBytes(4).toString('hex');
  let current: (StagedCollection & { batch: Document[]; rows: number }) | undefined;
  let done = false;
  const flush = async () => {
    if (!current || current.batch.length === 0) return;
    await db
      .collection(current.temp)
      .insertMany(current.batch, { ordered: true, bypassDocumentValidation: true });
    current.batch = [];
  };
  for await (const line of lines) {
    if (line === '') continue;
    if (done) throw damaged(where, 'data after the end marker');
    let value: Document;
    try {
      value = BSON.EJSON.parse(line, { relaxed: false }) as Document;
    } catch {
      throw damaged(where, 'a line is not Extended JSON');
    }
    if (value.d !== undefined) {
      if (!current) throw damaged(where, 'a document outside any collection');
      current.batch.push(value.d as Document);
      current.rows += 1;
      if (current.batch.length >= BATCH) await flush();
    } else if (value.c !== undefined) {
      if (current) throw damaged(where, 'a collection starts before the previous one ended');
      options.signal?.throwIfAborted();
      const header = value.c as { name: string; options: Document; indexes: Document[] };
      options.onProgress?.(header.name, staged.length, part.tables.length);
      const { autoIndexId: _a, ...createOptions } = header.options ?? {};
      current = {
        name: header.name,
        temp: `${TEMP_PREFIX}${token}_${staged.length}`,
        indexes: header.indexes ?? [],
        batch: [],
        rows: 0,
      };
      staged.push(current);
      await db.createCollection(current.temp, createOptions);
    } else if (value.e !== undefined) {
      if (!current) throw damaged(where, 'an end marker outside any collection');
      await flush();
      const rows = (value.e as { rows: unknown }).rows;
      if (Number(rows) !== current.rows)
        throw damaged(
          where,
          `${current.name} has ${current.rows} documents, its end marker says ${String(rows)}`,
        );
      current = undefined;
    } else if (value.done !== undefined) {
      if (current) throw damaged(where, 'the end marker comes too early');
      done = true;
    } else {
      throw damaged(where, 'an unknown line');
    }
  }
  if (!done) throw damaged(where, 'it ends before its end marker');
  // Content is compared before any index exists: a TTL index could start
  // deleting expired documents and make a sound backup look damaged.
  const actual: TableContent[] = [];
  for (const s of staged)
    actual.push({ ...(await mongoCollectionChecksum(db, s.temp)), name: s.name });
  const diff = compareContents(part.tables, actual);
  if (diff.length > 0) throw damaged(where, diff.slice(0, 3).join('; '));
  for (const s of staged) {
    if (s.indexes.length > 0)
      await db
        .collection(s.temp)
        .createIndexes(s.indexes as Parameters<ReturnType<Db['collection']>['createIndexes']>[0]);
  }
}

/**
 * Stages the part in `target` (temporary collections, checked, indexed).
 * commit() swaps them in and drops collections the backup did not have;
 * discard() drops the temporaries. The client stays open in between.
 */
export async function stageMongoRestore(
  target: MongoBackupTarget,
  lines: AsyncIterable<string>,
  part: ManifestPart,
  where: string,
  options: PartJobOptions = {},
): Promise<StagedRestore> {
  const timeout = target.connectTimeoutMs ?? 5_000;
  const client = new MongoClient(target.url, {
    serverSelectionTimeoutMS: timeout,
    connectTimeoutMS: timeout,
    appName: 'nova-db restore',
    ...(target.tls !== undefined ? { tls: target.tls } : {}),
    ...(target.tlsCAFile ? { tlsCAFile: target.tlsCAFile } : {}),
  });
  const db = client.db(target.dbName);
  const staged: StagedCollection[] = [];
  const dropTemporaries = async () => {
    for (const s of staged)
      await db
        .collection(s.temp)
        .drop()
        .catch(() => undefined);
  };
  const fail = (err: unknown, action: string) =>
    err instanceof NovaError
      ? err
      : new NovaError(
          'RESTORE_FAILED',
          `${action} failed: ${mapMongoError(err, { url: target.url, action }).message}`,
          {
            fix: 'Nothing was changed in the live collections; fix the cause and run the restore again.',
            cause: err,
          },
        );
  try {
    await client.connect();
    // Temporaries of an earlier restore that was killed half-way.
    // Filtered here, not with a server-side $regex: a server that ignored the filter would list every collection.
    for (const c of await db.listCollections({}, { nameOnly: true }).toArray()) {
      if (c.name.startsWith(TEMP_PREFIX))
        await db
          .collection(c.name)
          .drop()
          .catch(() => undefined);
    }
    await loadIntoTemporaries(db, lines, part, where, options, staged);
  } catch (err) {
    await dropTemporaries();
    await client.close().catch(() => undefined);
    throw fail(err, `Restoring ${describeMongo(target)}`);
  }
  return {
    target: describeMongo(target),
    commit: async () => {
      try {
        for (const s of staged) await db.renameCollection(s.temp, s.name, { dropTarget: true });
        const keep = new Set(staged.map((s) => s.name));
        for (const c of await listMongoCollections(db)) {
          if (!keep.has(c.name)) await db.collection(c.name).drop();
        }
      } catch (err) {
        throw fail(err, `Swapping the restored collections into ${describeMongo(target)}`);
      } finally {
        await client.close().catch(() => undefined);
      }
    },
    discard: async () => {
      await dropTemporaries();
      await client.close().catch(() => undefined);
    },
  };
}
