/**
 * The document store on PostgreSQL JSONB (docs/ARCHITECTURE.md#profiles: the native profile
 * without mongod). Every collection lives in one `nova_documents` table of
 * the relational database, with the same API and semantics as the SQLite
 * JSON store: the shared parser (doc-filter.ts), update rules (doc-update.ts),
 * codec (doc-codec.ts) and validator (doc-validator.ts), compiled here to
 * JSONB SQL. TTL rules hide expired documents at once; sweepExpired deletes them.
 *
 * It runs its statements on the relational store's pool, each on its own
 * connection: unlike the SQLite store it does not join a transaction the
 * caller has open on the relational store (the audit outbox covers the one
 * place that needs that).
 */
import { performance } from 'node:perf_hooks';
import { NovaError, isNovaError } from '../../errors.js';
import { COLLECTIONS, collectionSpec, type CollectionSpec } from '../collections.js';
import { decodeDoc, encodeDoc } from '../doc-codec.js';
import { parseFilter, parseSort } from '../doc-filter.js';
import {
  DOCUMENTS_TABLE,
  ParamList,
  checkCollectionName,
  checkCount,
  encodeBatch,
  collectionLiteral,
} from '../doc-sql-shared.js';
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
  assertFilterMatchable,
  assertJsonbStorable,
  explainDocumentError,
} from './postgres-document-errors.js';
import {
  DOCUMENTS_TABLE_DDL,
  compileFilter,
  compileSort,
  expiredSql,
  indexDdl,
  ttlIndexDdl,
  visibleSql,
} from './postgres-document-sql.js';
import type { PostgresStore } from './postgres-store.js';
import { downHealth } from '../service-health.js';

export interface PostgresDocumentStoreOptions {
  /** The clock TTL rules are judged by (tests pass a fixed one). */
  now?: () => Date;
}

/**
 * Key of the advisory lock taken while creating the table and indexes:
 * "Nova" in the high 32 bits, 2 in the low ones (the migration runner uses 1).
 * Concurrent CREATE … IF NOT EXISTS can otherwise fail on the catalog's own
 * unique indexes when two processes start at once.
 */
const SCHEMA_LOCK_KEY = '5651866216357167106';

export class PostgresDocumentStore implements DocumentStore {
  readonly backend = 'postgres-jsonb';

  private readonly now: () => Date;
  private schema: Promise<void> | undefined;
  private closed = false;

  /** The relational store owns the pool; close it after this store. */
  constructor(
    private readonly store: PostgresStore,
    options: PostgresDocumentStoreOptions = {},
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
    const encoded = encodeBatch(spec, docs, now, (json, i) =>
      assertJsonbStorable(json, `Document ${i} for ${collection}`),
    );
    if (encoded.length === 0) return { insertedIds: [] };
    await this.ensureSchema();
    // One statement, so the batch is atomic without a transaction; WITH
    // ORDINALITY keeps the batch order in seq (the default sort).
    await this.run(
      collection,
      `INSERT INTO ${DOCUMENTS_TABLE} (collection, id, doc, created_at)
       SELECT ${collectionLiteral(collection)}, u.id, u.doc, $3::timestamptz
       FROM unnest($1::text[], $2::jsonb[]) WITH ORDINALITY AS u(id, doc, ord)
       ORDER BY u.ord`,
      [encoded.map((e) => e.id), encoded.map((e) => e.json), now],
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
    // MongoDB reads limit 0 as "no limit"; PostgreSQL spells that LIMIT NULL.
    const page =
      limit || skip
        ? ` LIMIT ${params.bind(limit || null)}::bigint OFFSET ${params.bind(skip ?? 0)}::bigint`
        : '';
    await this.ensureSchema();
    const { rows } = await this.run<{ id: string; doc: string }>(
      collection,
      `SELECT id, doc::text AS doc FROM ${DOCUMENTS_TABLE} WHERE ${where} ${order}${page}`,
      params.values,
    );
    return rows.map((row) => decodeDoc(row.id, row.doc));
  }

  async count(collection: string, filter: DocFilter = {}): Promise<number> {
    const spec = this.checkCollection(collection);
    const params = new ParamList();
    const where = this.whereClause(spec, collection, filter, params);
    await this.ensureSchema();
    const { rows } = await this.run<{ n: string }>(
      collection,
      `SELECT count(*) AS n FROM ${DOCUMENTS_TABLE} WHERE ${where}`,
      params.values,
    );
    return Number(rows[0]?.n ?? 0);
  }

  /**
   * Locks the matching rows (SELECT … FOR UPDATE, so a concurrent update
   * waits and then re-checks the filter), applies the update in JavaScript
   * with the shared rules, and writes back only the documents that changed.
   * Unique indexes re-check every rewritten document.
   */
  async update(
    collection: string,
    filter: DocFilter,
    update: DocUpdate,
  ): Promise<{ matched: number; modified: number }> {
    const spec = this.checkCollection(collection);
    const params = new ParamList();
    const where = this.whereClause(spec, collection, filter, params);
    const parsed = parseUpdate(update);
    await this.ensureSchema();
    return this.store
      .transaction(async (tx) => {
        const { rows } = await tx.query<{ id: string; doc: string }>(
          `SELECT id, doc::text AS doc FROM ${DOCUMENTS_TABLE} WHERE ${where} ORDER BY seq FOR UPDATE`,
          params.values,
        );
        if (rows.length === 0) return { matched: 0, modified: 0 };
        const ids: string[] = [];
        const next: string[] = [];
        for (const row of rows) {
          const updated = applyParsedUpdate(decodeDoc(row.id, row.doc), parsed);
          validateDocument(spec, updated);
          const { json } = encodeDoc(updated);
          assertJsonbStorable(json, `The update of document ${JSON.stringify(row.id)}`);
          ids.push(row.id);
          next.push(json);
        }
        // JSONB equality decides "modified", as MongoDB's nModified does: a
        // $set to the current value or an $inc by 0 writes nothing.
        const { rowCount } = await tx.query(
          `UPDATE ${DOCUMENTS_TABLE} AS d SET doc = u.doc
           FROM unnest($1::text[], $2::jsonb[]) AS u(id, doc)
           WHERE d.collection = ${collectionLiteral(collection)} AND d.id = u.id AND d.doc <> u.doc`,
          [ids, next],
        );
        return { matched: rows.length, modified: rowCount };
      })
      .catch((err: unknown) => {
        throw explainDocumentError(err, collection);
      });
  }

  async delete(collection: string, filter: DocFilter): Promise<{ deleted: number }> {
    const spec = this.checkCollection(collection);
    const params = new ParamList();
    const where = this.whereClause(spec, collection, filter, params);
    await this.ensureSchema();
    const { rowCount } = await this.run(
      collection,
      `DELETE FROM ${DOCUMENTS_TABLE} WHERE ${where}`,
      params.values,
    );
    return { deleted: rowCount };
  }

  async sweepExpired(now: Date = this.now()): Promise<number> {
    this.assertOpen();
    if (!(now instanceof Date) || Number.isNaN(now.getTime())) {
      throw new NovaError('INVALID_ARGUMENT', 'sweepExpired(now) needs a valid Date.');
    }
    const params = new ParamList();
    const expired = COLLECTIONS.flatMap((spec) =>
      spec.ttl
        ? [
            `(collection = ${collectionLiteral(spec.name)} AND ${expiredSql(spec.ttl, now, params)})`,
          ]
        : [],
    );
    if (expired.length === 0) return 0;
    await this.ensureSchema();
    const { rowCount } = await this.store.query(
      `DELETE FROM ${DOCUMENTS_TABLE} WHERE ${expired.join(' OR ')}`,
      params.values,
    );
    return rowCount;
  }

  async health(): Promise<ServiceHealth> {
    const base = { service: 'documents', backend: this.backend } as const;
    const at = `${this.store.target.host}:${this.store.target.port}/${this.store.target.database}`;
    if (this.closed) {
      return downHealth(base, `The PostgreSQL JSONB document store for ${at} is closed.`);
    }
    try {
      const started = performance.now();
      await this.store.query('SELECT 1');
      const latencyMs = Math.round((performance.now() - started) * 100) / 100;
      await this.ensureSchema();
      const { rows } = await this.store.query<{ n: string }>(
        `SELECT count(*) AS n FROM ${DOCUMENTS_TABLE}`,
      );
      const detail = `PostgreSQL JSONB documents in ${at} (${Number(rows[0]?.n ?? 0)} documents)`;
      return { ...base, status: 'ok', latencyMs, detail };
    } catch (err) {
      const e = isNovaError(err) ? err : new NovaError('INTERNAL', String(err));
      return downHealth(base, e);
    }
  }

  /** Stops this store; the pool stays open until the relational store closes it. */
  async close(): Promise<void> {
    this.closed = true;
  }

  private whereClause(
    spec: CollectionSpec | undefined,
    collection: string,
    filter: DocFilter,
    params: ParamList,
  ): string {
    const node = parseFilter(filter);
    assertFilterMatchable(node);
    const match = compileFilter(node, params);
    const visible = visibleSql(spec?.ttl, this.now(), params);
    return `collection = ${collectionLiteral(collection)} AND ${match} AND ${visible}`;
  }

  private checkCollection(collection: string): CollectionSpec | undefined {
    this.assertOpen();
    checkCollectionName(collection);
    return collectionSpec(collection);
  }

  private async run<R>(
    collection: string,
    sql: string,
    params: readonly unknown[],
  ): Promise<{ rows: R[]; rowCount: number }> {
    try {
      return await this.store.query<R>(sql, params);
    } catch (err) {
      throw explainDocumentError(err, collection);
    }
  }

  /**
   * Creates the table and indexes once per store, under an advisory lock so
   * concurrent starters do not trip over each other. A failure is not
   * remembered: the next call tries again (the server may be back).
   */
  private ensureSchema(): Promise<void> {
    this.schema ??= this.store
      .transaction(async (tx) => {
        // Index builds on a big table may rightly outlast statement_timeout.
        await tx.query('SET LOCAL statement_timeout = 0');
        await tx.query(`SELECT pg_advisory_xact_lock(${SCHEMA_LOCK_KEY})`);
        for (const ddl of DOCUMENTS_TABLE_DDL) await tx.query(ddl);
        for (const spec of COLLECTIONS) {
          for (const index of spec.indexes) await tx.query(indexDdl(spec, index));
          if (spec.ttl) await tx.query(ttlIndexDdl({ ...spec, ttl: spec.ttl }));
        }
      })
      .catch((err: unknown) => {
        this.schema = undefined;
        throw err;
      });
    return this.schema;
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new NovaError('NOT_INITIALIZED', 'The PostgreSQL JSONB document store is closed.', {
        fix: 'Re-initialise the database layer before using it.',
      });
    }
  }
}
