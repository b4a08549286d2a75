/**
 * Bulk inserts that report per-document failures instead of throwing, for
 * the migration engine (main/core/migrate/README.md#run: MongoDB unordered bulk writes). Documents that
 * fail our own checks are never sent; the rest go in one insertMany, and its
 * write errors are mapped back to input positions.
 */
import type { Collection } from 'mongodb';
import { MongoBulkWriteError } from 'mongodb';
import type { ErrorCode } from '../../errors.js';
import { NovaError, isNovaError } from '../../errors.js';
import type { Doc } from '../types.js';
import { mapWriteErrorCode } from './mongo-errors.js';
import type { DriverDoc } from './mongo-values.js';
import { fromStoredId } from './mongo-values.js';

export interface BulkInsertOptions {
  /** Stop at the first failure (default false: insert every document that can be). */
  ordered?: boolean;
}

/** One document that was not inserted, by its position in the input. */
export interface BulkInsertError {
  index: number;
  _id?: string;
  code: ErrorCode;
  message: string;
}

export interface BulkInsertResult {
  /** Ids of the inserted documents, in input order. */
  insertedIds: string[];
  errors: BulkInsertError[];
  /** Positions not attempted because an ordered insert stopped earlier. */
  skipped: number[];
}

export interface BulkInsertHooks {
  /** Validates and converts one document; throws a NovaError to reject it. */
  prepare(doc: Doc, index: number): DriverDoc;
  /** Maps a failure of the whole call (connection, auth…) to the error to throw. */
  mapError(err: unknown): NovaError;
}

export async function bulkInsertDocuments(
  coll: Collection<DriverDoc>,
  docs: Doc[],
  options: BulkInsertOptions,
  hooks: BulkInsertHooks,
): Promise<BulkInsertResult> {
  if (!Array.isArray(docs)) {
    throw new NovaError('INVALID_ARGUMENT', 'bulkInsert needs an array of documents.', {
      fix: 'Pass [doc] for one document.',
    });
  }
  const ordered = options.ordered ?? false;
  const errors: BulkInsertError[] = [];
  const toSend: { index: number; doc: DriverDoc }[] = [];
  for (const [index, doc] of docs.entries()) {
    try {
      toSend.push({ index, doc: hooks.prepare(doc, index) });
    } catch (err) {
      if (!isNovaError(err)) throw err;
      const id = (doc as { _id?: unknown } | null)?._id;
      errors.push({
        index,
        ...(typeof id === 'string' ? { _id: id } : {}),
        code: err.code,
        message: err.message,
      });
      if (ordered) break;
    }
  }
  const failedAt = new Set(errors.map((e) => e.index));
  if (toSend.length > 0) {
    try {
      await coll.insertMany(
        toSend.map((t) => t.doc),
        { ordered },
      );
    } catch (err) {
      if (!(err instanceof MongoBulkWriteError)) throw hooks.mapError(err);
      for (const we of [err.writeErrors].flat()) {
        const sent = toSend[we.index];
        if (!sent) continue;
        failedAt.add(sent.index);
        errors.push({
          index: sent.index,
          _id: fromStoredId(sent.doc._id),
          code: mapWriteErrorCode(we.code),
          message: we.errmsg ?? `write error ${we.code}`,
        });
      }
    }
  }
  errors.sort((a, b) => a.index - b.index);
  const firstFailure = errors[0]?.index ?? Number.POSITIVE_INFINITY;
  const sentByIndex = new Map(toSend.map((t) => [t.index, t.doc]));
  const insertedIds: string[] = [];
  const skipped: number[] = [];
  for (let i = 0; i < docs.length; i += 1) {
    if (failedAt.has(i)) continue;
    const sent = sentByIndex.get(i);
    if (ordered && i > firstFailure) skipped.push(i);
    else if (sent) insertedIds.push(fromStoredId(sent._id));
  }
  return { insertedIds, errors, skipped };
}
