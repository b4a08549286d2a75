/**
 * The embedded profile's document store (docs/ARCHITECTURE.md#profiles): every collection lives in
 * one JSON table of the relational store's SQLite file. It goes through the
 * relational store rather than the raw handle so it shares its transaction
 * lock: a document write can never land inside someone else's open
 * transaction, and documents written inside relational.transaction() commit
 * or roll back with it.
 */
import { performance } from 'node:perf_hooks';
import { NovaError, isNovaError } from '../../errors.js';
import { COLLECTIONS, collectionSpec, type CollectionSpec } from '../collections.js';
import { decodeDoc, encodeDoc } from '../doc-codec.js';
import { checkCollectionName, checkCount, encodeBatch } from '../doc-sql-shared.js';
import { parseFilter, parseSort } from '../doc-filter.js';
import { applyParsedUpdate, parseUpdate } from '../doc-update.js';
import { validateDocument } from '../doc-validator.js';
import type {
  Doc,
  DocFilter,
  DocUpdate,
  DocumentStore,
  FindOptions,
  ServiceHealth,
} from '../types.js';
import {
  DOCUMENTS_TABLE,
  DOCUMENTS_TABLE_DDL,
  ParamList,
  collectionLiteral,
  compileFilter,
  compileSort,
  expiredSql,
  indexDdl,
  indexName,
  visibleSql,
} from './document-sql.js';
import type { SqliteRelationalStore } from './relational-store.js';
import { downHealth } from '../service-health.js';

export interface SqliteDocumentStoreOptions {
  /** The clock TTL rules are judged by (tests pass a fixed one). */
  now?: () => Date;
}

export class SqliteDocumentStore implements DocumentStore {
  readonly backend = 'sqlite-json';

  private readonly now: () => Date;
  private schemaReady = false;
  private closed = false;

  /** The relational store owns the connection; close it after this store. */
  constructor(
    private readonly sql: SqliteRelationalStore,
    options: SqliteDocumentStoreOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
  }

  ensureCollections(): Promise<void> {
    this.assertOpen();
    return this.ensureSchema();
  }

  async insert(collection: string, docs: Doc[]): Promise<{ insertedIds: string[] }> {
    const spec = this.checkCollection(collection);
    const now = this.now();
    const encoded = encodeBatch(spec, docs, now);
    if (encoded.length === 0) return { insertedIds: [] };
    await this.withSchema(() =>
      this.sql.transaction(async (tx) => {
        for (const { id, json } of encoded) {
          try {
            await tx.query(
              `INSERT INTO ${DOCUMENTS_TABLE} (collection, id, doc, created_at) VALUES ($1, $2, $3, $4)`,
              [collection, id, json, now.toISOString()],
            );
          } catch (err) {
            throw this.explainConstraint(err, collection, id);
          }
        }
      }),
    );
    return { insertedIds: encoded.map((e) => e.id) };
  }

  async find(
    collection: string,
    filter: DocFilter = {},
    options: FindOptions = {},
  ): Promise<Doc[]> {
    const spec = this.checkCollection(collection);
    const params = new ParamList();
    const where = this.whereClause(spec, collection, filter, params);
    const order = compileSort(parseSort(options.sort));
    const limit = checkCount(options.limit, 'limit');
    const skip = checkCount(options.skip, 'skip');
    // MongoDB reads limit 0 as "no limit"; SQLite spells that LIMIT -1.
    const page =
      limit || skip ? ` LIMIT ${params.bind(limit || -1)} OFFSET ${params.bind(skip ?? 0)}` : '';
    const { rows } = await this.withSchema(() =>
      this.sql.query<{ id: string; doc: string }>(
        `SELECT id, doc FROM ${DOCUMENTS_TABLE} WHERE ${where} ${order}${page}`,
        params.values,
      ),
    );
    return rows.map((row) => decodeDoc(row.id, row.doc));
  }

  async count(collection: string, filter: DocFilter = {}): Promise<number> {
    const spec = this.checkCollection(collection);
    const params = new ParamList();
    const where = this.whereClause(spec, collection, filter, params);
    const { rows } = await this.withSchema(() =>
      this.sql.query<{ n: number }>(
        `SELECT count(*) AS n FROM ${DOCUMENTS_TABLE} WHERE ${where}`,
        params.values,
      ),
    );
    return rows[0]?.n ?? 0;
  }

  async update(
    collection: string,
    filter: DocFilter,
    update: DocUpdate,
  ): Promise<{ matched: number; modified: number }> {
    const spec = this.checkCollection(collection);
    const params = new ParamList();
    const where = this.whereClause(spec, collection, filter, params);
    const parsed = parseUpdate(update);
    return this.withSchema(() =>
      this.sql.transaction(async (tx) => {
        const { rows } = await tx.query<{ id: string; doc: string }>(
          `SELECT id, doc FROM ${DOCUMENTS_TABLE} WHERE ${where}`,
          params.values,
        );
        let modified = 0;
        for (const row of rows) {
          const next = applyParsedUpdate(decodeDoc(row.id, row.doc), parsed);
          validateDocument(spec, next);
          const { json } = encodeDoc(next);
          if (json === row.doc) continue;
          try {
            await tx.query(
              `UPDATE ${DOCUMENTS_TABLE} SET doc = $1 WHERE collection = $2 AND id = $3`,
              [json, collection, row.id],
            );
          } catch (err) {
            throw this.explainConstraint(err, collection, row.id);
          }
          modified++;
        }
        return { matched: rows.length, modified };
      }),
    );
  }

  async delete(collection: string, filter: DocFilter): Promise<{ deleted: number }> {
    const spec = this.checkCollection(collection);
    const params = new ParamList();
    const where = this.whereClause(spec, collection, filter, params);
    const { rowCount } = await this.withSchema(() =>
      this.sql.query(`DELETE FROM ${DOCUMENTS_TABLE} WHERE ${where}`, params.values),
    );
    return { deleted: rowCount };
  }

  async sweepExpired(now: Date = this.now()): Promise<number> {
    this.assertOpen();
    if (!(now instanceof Date) || Number.isNaN(now.getTime())) {
      throw new NovaError('INVALID_ARGUMENT', 'sweepExpired(now) needs a valid Date.');
    }
    return this.withSchema(() =>
      this.sql.transaction(async (tx) => {
        let deleted = 0;
        for (const spec of COLLECTIONS) {
          if (!spec.ttl) continue;
          const params = new ParamList();
          const expired = expiredSql(spec.ttl, now, params);
          const { rowCount } = await tx.query(
            `DELETE FROM ${DOCUMENTS_TABLE} WHERE collection = ${collectionLiteral(spec.name)} AND ${expired}`,
            params.values,
          );
          deleted += rowCount;
        }
        return deleted;
      }),
    );
  }

  async health(): Promise<ServiceHealth> {
    const base = { service: 'documents', backend: this.backend } as const;
    if (this.closed || this.sql.isClosed) {
      return downHealth(base, 'The SQLite document store is closed.');
    }
    try {
      const started = performance.now();
      const { rows } = await this.withSchema(() =>
        this.sql.query<{ n: number }>(
          `SELECT count(*) AS n FROM (SELECT DISTINCT collection FROM ${DOCUMENTS_TABLE})`,
        ),
      );
      const latencyMs = Math.round((performance.now() - started) * 1000) / 1000;
      const detail = `SQLite JSON documents in ${this.sql.file} (${rows[0]?.n ?? 0} non-empty collections)`;
      return { ...base, status: 'ok', latencyMs, detail };
    } catch (err) {
      const e = isNovaError(err) ? err : new NovaError('INTERNAL', String(err));
      return downHealth(base, e);
    }
  }

  /** Stops this store; the shared connection stays open until the relational store closes it. */
  async close(): Promise<void> {
    this.closed = true;
  }

  private whereClause(
    spec: CollectionSpec | undefined,
    collection: string,
    filter: DocFilter,
    params: ParamList,
  ): string {
    const match = compileFilter(parseFilter(filter), params);
    const visible = visibleSql(spec?.ttl, this.now(), params);
    return `collection = ${collectionLiteral(collection)} AND ${match} AND ${visible}`;
  }

  private checkCollection(collection: string): CollectionSpec | undefined {
    this.assertOpen();
    checkCollectionName(collection);
    return collectionSpec(collection);
  }

  /**
   * Creates the table and indexes (idempotent DDL). Deliberately not one
   * shared promise: a caller inside an open transaction must not wait for a
   * creation queued behind that same transaction. Concurrent first calls just
   * run the IF NOT EXISTS statements twice.
   */
  private async ensureSchema(): Promise<void> {
    if (this.schemaReady) return;
    await this.sql.transaction(async (tx) => {
      await tx.exec(DOCUMENTS_TABLE_DDL);
      for (const spec of COLLECTIONS) {
        for (const index of spec.indexes) await tx.exec(indexDdl(spec, index));
      }
    });
    this.schemaReady = true;
  }

  /**
   * Creates the table on first use. If it vanished anyway (created inside a
   * caller's transaction that later rolled back) it is recreated once.
   */
  private async withSchema<T>(work: () => Promise<T>): Promise<T> {
    await this.ensureSchema();
    try {
      return await work();
    } catch (err) {
      if (!(err instanceof Error) || !err.message.includes(`no such table: ${DOCUMENTS_TABLE}`))
        throw err;
      this.schemaReady = false;
      await this.ensureSchema();
      return work();
    }
  }

  /** Turns SQLite's "UNIQUE constraint failed: index …" into which key of which collection clashed. */
  private explainConstraint(err: unknown, collection: string, id: string): unknown {
    if (!isNovaError(err, 'CONSTRAINT_VIOLATION')) return err;
    if (err.message.includes(`${DOCUMENTS_TABLE}.id`)) {
      return new NovaError(
        'CONSTRAINT_VIOLATION',
        `Duplicate _id ${JSON.stringify(id)} in ${collection}.`,
        {
          fix: 'Use a new _id, or leave _id out to have one generated.',
          cause: err,
        },
      );
    }
    const spec = collectionSpec(collection);
    const index = spec?.indexes.find(
      (ix) => ix.unique && err.message.includes(indexName(spec, ix)),
    );
    if (!index) return err;
    const keys = Object.keys(index.keys).join(', ');
    return new NovaError(
      'CONSTRAINT_VIOLATION',
      `Duplicate key in ${collection}: ${keys} must be unique (document ${JSON.stringify(id)}).`,
      {
        fix: `Update the existing ${collection} document with the same ${keys} instead of inserting another.`,
        cause: err,
      },
    );
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new NovaError('NOT_INITIALIZED', 'The SQLite document store is closed.', {
        fix: 'Re-initialise the database layer before using it.',
      });
    }
  }
}
