/**
 * The data layer the Nova API imports (main/core/stores/README.md). One facade over whichever
 * backends the configuration selects; every profile behaves the same, which
 * test/conformance/factory-contract.ts proves per backend.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { NovaError } from '../errors.js';
import type { NovaConfig } from '../config/schema.js';
import { drainOutbox, enqueueAudit, pendingCount, type DrainResult } from './audit-outbox.js';
import { openBackends, type Backends } from './open-backends.js';
import { retryReadOnce } from './read-retry.js';
import type {
  Cache,
  Doc,
  DocFilter,
  DocUpdate,
  FindOptions,
  QueryResult,
  ServiceHealth,
  SqlExecutor,
} from './types.js';

export interface FactoryHealth {
  status: 'ok' | 'degraded' | 'down';
  services: ServiceHealth[];
  auditOutboxPending: number | null;
}

export interface FactoryOptions {
  /** Backends to use instead of those the configuration selects (tests, the migration engine). */
  backends?: Backends;
  /** How often pending audit entries are retried and expired documents swept. 0 disables the timer. */
  maintenanceIntervalMs?: number;
  /** Run schema migrations on initialize (default true). */
  migrate?: boolean;
}

interface TxContext {
  tx: SqlExecutor;
  /** Set when an audit entry was enqueued, so delivery runs once after the commit. */
  auditPending: { value: boolean };
}

export class DatabaseFactory {
  private backends: Backends | undefined;
  private readonly txContext = new AsyncLocalStorage<TxContext>();
  private maintenanceTimer: NodeJS.Timeout | undefined;
  private draining: Promise<DrainResult> | undefined;
  private initializing: Promise<void> | undefined;
  /** False while a remote document store was unreachable at start (its indexes and validators are still missing). */
  private collectionsReady = false;

  constructor(
    private readonly config: NovaConfig,
    private readonly options: FactoryOptions = {},
  ) {}

  /** Opens the backends, applies pending schema migrations and creates collections. Idempotent. */
  initialize(): Promise<void> {
    this.initializing ??= this.doInitialize().catch(async (err: unknown) => {
      this.initializing = undefined;
      await this.backends?.close().catch(() => undefined);
      this.backends = undefined;
      throw err;
    });
    return this.initializing;
  }

  private async doInitialize(): Promise<void> {
    const backends = this.options.backends ?? (await openBackends(this.config));
    this.backends = backends;
    if (this.options.migrate !== false) await backends.migrateSchema();
    await this.ensureCollections(backends).catch((err: unknown) => {
      // A document store that is down at start must not keep the API from
      // serving SQL; audit entries wait in the outbox, health says why, and
      // maintenance creates the collections once the server is back.
      if (!backends.documentsRemote) throw err;
    });
    const interval = this.options.maintenanceIntervalMs ?? 30_000;
    if (interval > 0) {
      this.maintenanceTimer = setInterval(() => void this.runMaintenance(), interval);
      this.maintenanceTimer.unref();
    }
  }

  private get b(): Backends {
    if (!this.backends) {
      throw new NovaError('NOT_INITIALIZED', 'The data layer is not initialized.', {
        fix: 'Call and await initialize() before using the DatabaseFactory.',
      });
    }
    return this.backends;
  }

  /** Which dialect `query()` speaks; SQL is written with `$1…` placeholders on both. */
  get dialect(): SqlExecutor['dialect'] {
    return this.b.relational.dialect;
  }

  /**
   * Runs SQL; inside `transaction(fn)` it joins that transaction
   * automatically. Outside one, a read cut off by a failover (or a dropped
   * connection) runs once more on the server the store reconnects to.
   */
  query<R = Record<string, unknown>>(
    sql: string,
    params: readonly unknown[] = [],
  ): Promise<QueryResult<R>> {
    const ctx = this.txContext.getStore();
    if (ctx) return ctx.tx.query<R>(sql, params);
    const relational = this.b.relational;
    return retryReadOnce(sql, () => relational.query<R>(sql, params));
  }

  /**
   * Commits when `fn` resolves, rolls back when it throws. Audit entries
   * created inside are delivered only after the commit.
   */
  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const outer = this.txContext.getStore();
    const auditPending = outer?.auditPending ?? { value: false };
    const result = await this.b.relational.transaction((tx: SqlExecutor) =>
      this.txContext.run({ tx, auditPending }, () => fn(tx)),
    );
    // Only the outermost transaction commits for real; deliver after it, and
    // wait, so the caller reads its own audit entries once this resolves.
    if (!outer && auditPending.value) await this.deliverAudit().catch(() => undefined);
    return result;
  }

  async storeDocument(collection: string, doc: Doc): Promise<{ insertedId: string }> {
    const { insertedIds } = await this.b.documents.insert(collection, [doc]);
    return { insertedId: insertedIds[0]! };
  }

  findDocuments(
    collection: string,
    filter: DocFilter = {},
    options: FindOptions = {},
  ): Promise<Doc[]> {
    return this.b.documents.find(collection, filter, options);
  }

  updateDocuments(
    collection: string,
    filter: DocFilter,
    update: DocUpdate,
  ): Promise<{ matched: number; modified: number }> {
    return this.b.documents.update(collection, filter, update);
  }

  deleteDocuments(collection: string, filter: DocFilter): Promise<{ deleted: number }> {
    return this.b.documents.delete(collection, filter);
  }

  /**
   * Records an audit entry in `audit_logs`. Inside a transaction it is
   * delivered only if the transaction commits; when the document store is
   * unreachable it waits in the outbox and is delivered later, exactly once.
   */
  async createAuditLog(
    action: string,
    userId: unknown,
    details: unknown = {},
  ): Promise<{ id: string }> {
    if (typeof action !== 'string' || action.trim() === '') {
      throw new NovaError('INVALID_ARGUMENT', 'createAuditLog needs a non-empty action name.');
    }
    const ctx = this.txContext.getStore();
    // A legacy file keeps its outbox in the companion file: outside the caller's transaction.
    const outbox = this.b.outbox ?? ctx?.tx ?? this.b.relational;
    const entry = await enqueueAudit(outbox, action, userId, details);
    if (ctx) ctx.auditPending.value = true;
    else await this.deliverAudit().catch(() => undefined);
    return { id: entry.id };
  }

  /** Delivers pending audit entries now; concurrent callers share one drain. */
  deliverAudit(): Promise<DrainResult> {
    this.draining ??= drainOutbox(this.b.outbox ?? this.b.relational, this.b.documents).finally(
      () => {
        this.draining = undefined;
      },
    );
    return this.draining;
  }

  get cache(): Cache {
    return this.b.cache;
  }

  /**
   * The open stores, for the health checkers (main/core/health), which need
   * backend-specific readings (pool usage, file sizes, INFO). Undefined
   * before initialize() and after close(). Read them; do not close them.
   */
  get backendsForHealth():
    Readonly<Pick<Backends, 'relational' | 'documents' | 'cache' | 'documentsRemote'>> | undefined {
    const b = this.backends;
    return (
      b && {
        relational: b.relational,
        documents: b.documents,
        cache: b.cache,
        documentsRemote: b.documentsRemote,
      }
    );
  }

  async healthCheck(): Promise<FactoryHealth> {
    const b = this.b;
    const services = await Promise.all([
      b.relational.health(),
      b.documents.health(),
      b.cache.health(),
    ]);
    const pending = await pendingCount(b.outbox ?? b.relational).catch(() => null);
    const [relational, documents, cache] = services as [
      ServiceHealth,
      ServiceHealth,
      ServiceHealth,
    ];
    // Without SQL nothing works; documents or cache down degrade the service
    // (audit waits in the outbox, reads go to the database).
    const status =
      relational.status === 'down'
        ? 'down'
        : [relational, documents, cache].some((s) => s.status !== 'ok')
          ? 'degraded'
          : 'ok';
    return { status, services, auditOutboxPending: pending };
  }

  private async ensureCollections(backends: Backends): Promise<void> {
    await backends.documents.ensureCollections();
    this.collectionsReady = true;
  }

  /** Retries pending audit entries and sweeps expired documents; never throws. */
  async runMaintenance(now = new Date()): Promise<void> {
    if (!this.backends) return;
    if (!this.collectionsReady) await this.ensureCollections(this.backends).catch(() => undefined);
    await this.deliverAudit().catch(() => undefined);
    await this.backends.documents.sweepExpired(now).catch(() => undefined);
  }

  /** Delivers what it can, then closes every backend. Safe to call twice. */
  async close(): Promise<void> {
    if (this.maintenanceTimer) clearInterval(this.maintenanceTimer);
    this.maintenanceTimer = undefined;
    const backends = this.backends;
    this.backends = undefined;
    this.initializing = undefined;
    this.collectionsReady = false;
    if (!backends) return;
    await this.draining?.catch(() => undefined);
    await drainOutbox(backends.outbox ?? backends.relational, backends.documents).catch(
      () => undefined,
    );
    await backends.close();
  }
}
