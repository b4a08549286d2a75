/**
 * Content checksums of MongoDB collections (see content-checksum.ts): each
 * document as canonical Extended JSON, read without type promotion.
 */
import type { Db, Document } from 'mongodb';
import { BSON } from 'mongodb';
import { RowSetHasher, type TableContent } from './content-checksum.js';

/**
 * Read documents without turning BSON types into JS numbers: an Int32, a
 * Long and a Double 1.0 must stay what they are through a backup.
 */
export const MONGO_EXACT_READ = {
  promoteValues: false,
  promoteLongs: false,
  promoteBuffers: false,
  bsonRegExp: true,
} as const;

/** A document as canonical Extended JSON: every BSON type spelled out. */
export function mongoDocText(doc: Document): string {
  return BSON.EJSON.stringify(doc, { relaxed: false });
}

export interface MongoCollectionInfo {
  name: string;
  options: Document;
}

/** The collections of a database (not views, not system collections), by name. */
export async function listMongoCollections(db: Db): Promise<MongoCollectionInfo[]> {
  const infos = await db.listCollections({}, { nameOnly: false }).toArray();
  return infos
    .filter((c) => (c.type ?? 'collection') === 'collection' && !c.name.startsWith('system.'))
    .map((c) => ({
      name: c.name,
      options: ((c as { options?: Document }).options ?? {}) as Document,
    }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export async function mongoCollectionChecksum(db: Db, name: string): Promise<TableContent> {
  const hasher = new RowSetHasher();
  for await (const doc of db.collection(name).find({}, MONGO_EXACT_READ))
    hasher.add(mongoDocText(doc));
  return { name, rows: hasher.rows, checksum: hasher.digest() };
}

export async function mongoContentChecksums(db: Db): Promise<TableContent[]> {
  const out: TableContent[] = [];
  for (const c of await listMongoCollections(db))
    out.push(await mongoCollectionChecksum(db, c.name));
  return out;
}
