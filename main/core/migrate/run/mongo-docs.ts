/**
 * Documents of a migration into MongoDB, without the driver: collection
 * names, converted values as document values, and the canonical line of a
 * document that checksums compare. Kept apart from mongo-target.ts so a
 * PostgreSQL-only run never loads the MongoDB driver.
 */
import { NovaError } from '../../errors.js';
import { COLLECTION_NAME } from '../../stores/collections.js';
import { jsonbText } from './pg-text.js';

/** Refuses a collection name the document store cannot address, before anything is written. */
export function checkCollectionName(name: string, source: string): void {
  if (!COLLECTION_NAME.test(name)) {
    throw new NovaError(
      'INVALID_ARGUMENT',
      `The plan sends ${JSON.stringify(source)} to the MongoDB collection ${JSON.stringify(name)}, which is not a name Nova's document store accepts.`,
      {
        fix: 'Use letters, digits and underscores (starting with a letter or underscore), at most 63 characters.',
      },
    );
  }
}

/**
 * A converted value as a document value: bytes become base64 text and
 * out-of-range 64-bit integers decimal text (documents are JSON-like in
 * every Nova document store).
 */
export function toDocValue(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (typeof value === 'bigint')
    return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  return value;
}

/**
 * The canonical line of a document's mapped fields for checksums: the same
 * function on the values sent and on the values read back. Dates by their
 * instant, everything else as jsonb text (sorted keys, plain numbers).
 */
export function docLine(fields: readonly string[], doc: Record<string, unknown>): string {
  let line = '';
  for (let i = 0; i < fields.length; i++) {
    const v = doc[fields[i]!];
    if (i > 0) line += '\t';
    line += v instanceof Date ? `@${v.getTime()}` : v === undefined ? 'null' : jsonbText(v);
  }
  return line;
}
