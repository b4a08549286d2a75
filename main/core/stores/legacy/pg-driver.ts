/**
 * The legacy `db` on PostgreSQL, after `nova-db migrate`. It has its own
 * `pg` pool, built from the same settings as the product's (buildPoolConfig,
 * through the product's pool router) but with the legacy type parsers, so
 * the DatabaseFactory's types are never touched. Statements run one at a time in call order, as on the single
 * SQLite connection they were written for; an explicit BEGIN pins one
 * connection until COMMIT/ROLLBACK, and inside it every statement runs under
 * a savepoint, because a failed statement leaves a SQLite transaction usable
 * but aborts a PostgreSQL one. With a multi-host POSTGRES_URL the pool
 * follows the primary like the product's (postgres-pool-router.ts), and a
 * read outside a transaction cut off by a failover runs once more.
 */
import type { FieldDef, PoolClient } from 'pg';
import { NovaError } from '../../errors.js';
import {
  parsePostgresTarget,
  resolvePostgresOptions,
  type PostgresStoreOptions,
} from '../postgres/postgres-connection.js';
import { mapPostgresError, sqlState } from '../postgres/postgres-errors.js';
import { failoverError, isFailoverError } from '../postgres/postgres-failover.js';
import { PostgresPoolRouter, type RoutedPool } from '../postgres/postgres-pool-router.js';
import { hostLabel } from '../../config/postgres-url.js';
import { isIdempotentRead, retryReadOnce } from '../read-retry.js';
import {
  CatalogRefresh,
  ConnectionState,
  fitParams,
  PlanCache,
  schemaMiss,
  sqliteLimitValue,
  tableInfo,
  type ExecResult,
  type LegacyDriver,
  type Row,
} from './driver-common.js';
import {
  bumpSequenceSql,
  constraintError,
  insertRefusal,
  serialSequence,
} from './insert-checks.js';
import { fromNovaError, LegacySqliteError } from './legacy-errors.js';
import { buildLegacyView, type LegacyView } from './legacy-schema.js';
import { LegacyShadow } from './legacy-shadow.js';
import { loadPgCatalog, pgErrorToLegacy } from './pg-catalog.js';
import { legacyRows, legacyTypes } from './pg-legacy-types.js';
import { translate, type StatementPlan } from './translate.js';
import { integerComparand } from './translate-affinity.js';

interface RawResult {
  rows: unknown[][];
  fields: FieldDef[];
  rowCount: number;
}

export class PgLegacyDriver implements LegacyDriver {
  readonly mode = 'postgres' as const;
  private readonly router: PostgresPoolRouter;
  /** The pool (and so the host) each borrowed connection came from. */
  private readonly routes = new WeakMap<PoolClient, RoutedPool>();
  private readonly options: ReturnType<typeof resolvePostgresOptions>;
  private view: LegacyView | undefined;
  private readonly plans = new PlanCache();
  private readonly catalogRefresh = new CatalogRefresh();
  private readonly state = new ConnectionState();
  /** SQLite's verdict on each legacy statement before it is translated. */
  private readonly shadow = new LegacyShadow();
  /**
   * Connections whose session runs in UTC: the legacy file's timestamps
   * without a zone are UTC (CURRENT_TIMESTAMP wrote them so), so text like
   * '2024-01-02 10:00:00' must mean the same instant whatever the server's
   * TimeZone.
   */
  private readonly utcSessions = new WeakSet<PoolClient>();
  /** The connection of an open BEGIN … COMMIT. */
  private pinned: PoolClient | null = null;
  private savepoints = 0;

  constructor(options: PostgresStoreOptions) {
    this.options = resolvePostgresOptions({
      ...options,
      applicationName: options.applicationName ?? 'nova-db-legacy',
    });
    // The product's pool settings (TLS, timeouts, keepalive, the host to
    // use), with the legacy value shapes on these pools only.
    this.router = new PostgresPoolRouter(
      this.options,
      (err, routed) => {
        if (isFailoverError(err)) this.router.invalidate(routed);
      },
      { types: legacyTypes },
    );
  }

  /** The URL asks for a server that takes writes (target_session_attrs read-write or primary). */
  private get expectsWrites(): boolean {
    const attrs = this.router.parts.targetSessionAttrs;
    return attrs === 'read-write' || attrs === 'primary';
  }

  /** Connects and reads the catalog, so a bad URL or an unmigrated database fails at open. */
  async open(): Promise<void> {
    await this.withClient(async (client) => {
      this.view = buildLegacyView(await loadPgCatalog(client));
    });
  }

  async check(sql: string): Promise<void> {
    await this.planFresh(sql);
  }

  /** The plan, after reading the catalog again if the statement names what the view lacks. */
  private async planFresh(sql: string): Promise<StatementPlan> {
    try {
      return this.plan(sql);
    } catch (err) {
      const miss = schemaMiss(err);
      if (miss === null || !this.catalogRefresh.due(miss)) throw err;
      await this.withClient((client) => this.reloadSchema(client));
      return this.plan(sql);
    }
  }

  private plan(sql: string): StatementPlan {
    const view = this.view;
    if (!view) throw new LegacySqliteError('SQLITE_MISUSE', 'Database is closed');
    return this.plans.get(sql, () => {
      const order = this.shadow.check(sql, view);
      return translate(sql, view, 'postgres', order);
    });
  }

  async execute(sql: string, params: unknown[]): Promise<ExecResult> {
    const plan = await this.planFresh(sql);
    switch (plan.action) {
      case 'noop':
      case 'pragma-set':
        return this.state.result([]);
      case 'table-info':
        return this.state.result(tableInfo(this.view!, plan.table ?? ''));
      case 'tx':
        return this.transactionControl(plan);
      default:
        break;
    }
    const values = [...fitParams(plan, params), ...plan.stateParams.map((s) => this.state[s])];
    for (const { slot, clause } of plan.limitSlots) {
      values[slot] = sqliteLimitValue(values[slot], clause);
    }
    for (const slot of plan.integerSlots) values[slot] = integerComparand(values[slot]);
    // Outside BEGIN … COMMIT, a plain read cut off by a failover runs again on the new primary.
    const retryable =
      this.pinned === null &&
      plan.action === 'query' &&
      !plan.schemaChange &&
      plan.bumpSequence === null &&
      isIdempotentRead(plan.sql);
    return retryable
      ? retryReadOnce(plan.sql, () => this.runPlan(plan, values))
      : this.runPlan(plan, values);
  }

  private runPlan(plan: StatementPlan, values: unknown[]): Promise<ExecResult> {
    return this.withClient(async (client) => {
      const inTx = this.pinned !== null;
      const atomic = plan.action === 'replace' || plan.bumpSequence !== null;
      if (inTx) await this.raw(client, 'SAVEPOINT nova_legacy_statement');
      else if (atomic) await this.raw(client, 'BEGIN');
      try {
        const rows = await this.run(client, plan, values);
        if (inTx) await this.raw(client, 'RELEASE SAVEPOINT nova_legacy_statement');
        else if (atomic) await this.raw(client, 'COMMIT');
        if (plan.schemaChange) await this.reloadSchema(client);
        return this.state.result(rows);
      } catch (err) {
        // Only a statement that ran (constraint, type errors) resets changes(), as in SQLite.
        if (/^2[23]/.test(sqlState(err) ?? '')) this.state.failed(plan);
        if (inTx) {
          await this.raw(client, 'ROLLBACK TO SAVEPOINT nova_legacy_statement').catch(
            () => undefined,
          );
        } else if (atomic) await this.raw(client, 'ROLLBACK').catch(() => undefined);
        throw err;
      }
    });
  }

  private async run(client: PoolClient, plan: StatementPlan, values: unknown[]): Promise<Row[]> {
    const refusal = await insertRefusal(plan.insertChecks, values, async (sql, params) => {
      return (await this.query(client, sql, params, params.length)).rows;
    });
    if (refusal !== null) {
      // OR IGNORE skips the row (no change, lastID as it was); otherwise SQLite's error.
      const { ignore, sequence } = plan.insertChecks!;
      if (ignore) {
        if (sequence) await this.raw(client, `SELECT nextval(${serialSequence(sequence)})`);
        this.state.record(plan, 0, null);
        return [];
      }
      this.state.failed(plan);
      throw constraintError(refusal);
    }
    if (plan.replace?.deleteSql) {
      const deleteValues = plan.replace.deleteParams.map((k) => values[k]);
      await this.query(client, plan.replace.deleteSql, deleteValues, deleteValues.length);
    }
    const res = await this.query(client, plan.sql, values, values.length);
    let insertedId: number | null = null;
    let rows = res.rows;
    if (plan.hiddenTrailing > 0) {
      const width = res.fields.length - plan.hiddenTrailing;
      for (const r of rows) {
        const inserted = plan.insertedFlag ? r[r.length - 1] === 1 : true;
        if (plan.lastIdReturned && inserted) insertedId = Number(r[width]);
      }
      rows = rows.map((r) => r.slice(0, width));
    }
    if (plan.bumpSequence && res.rowCount > 0) {
      await this.raw(client, bumpSequenceSql(plan.bumpSequence));
    }
    this.state.record(plan, res.rowCount, insertedId);
    return legacyRows(plan, res.fields, rows, this.view!);
  }

  private async query(
    client: PoolClient,
    text: string,
    values: unknown[],
    count: number,
  ): Promise<RawResult> {
    const res = await client.query({
      text,
      values: values.slice(0, count),
      rowMode: 'array',
    });
    return { rows: res.rows as unknown[][], fields: res.fields, rowCount: res.rowCount ?? 0 };
  }

  private async raw(client: PoolClient, text: string): Promise<void> {
    await client.query(text);
  }

  private async transactionControl(plan: StatementPlan): Promise<ExecResult> {
    switch (plan.tx) {
      case 'begin': {
        if (this.pinned) {
          throw new LegacySqliteError(
            'SQLITE_ERROR',
            'cannot start a transaction within a transaction',
          );
        }
        const client = await this.connect();
        try {
          await this.raw(client, 'BEGIN');
        } catch (err) {
          client.release(true);
          throw this.legacyError(err);
        }
        this.pinned = client;
        this.savepoints = 0;
        return this.state.result([]);
      }
      case 'commit':
      case 'rollback': {
        const client = this.pinned;
        if (!client) {
          throw new LegacySqliteError(
            'SQLITE_ERROR',
            `cannot ${plan.tx} - no transaction is active`,
          );
        }
        try {
          await this.raw(client, plan.tx === 'commit' ? 'COMMIT' : 'ROLLBACK');
        } catch (err) {
          throw this.legacyError(err);
        } finally {
          this.pinned = null;
          client.release();
        }
        return this.state.result([]);
      }
      default: {
        // SAVEPOINT outside a transaction starts one, as in SQLite.
        if (!this.pinned) {
          if (plan.tx !== 'savepoint') {
            throw new LegacySqliteError('SQLITE_ERROR', 'no such savepoint');
          }
          const client = await this.connect();
          await this.raw(client, 'BEGIN');
          this.pinned = client;
        }
        try {
          await this.raw(this.pinned, plan.sql);
        } catch (err) {
          throw this.legacyError(err);
        }
        if (plan.tx === 'savepoint') this.savepoints++;
        return this.state.result([]);
      }
    }
  }

  private async connect(): Promise<PoolClient> {
    let routed: RoutedPool | undefined;
    try {
      routed = await this.router.pool();
      const client = await routed.pool.connect();
      this.routes.set(client, routed);
      if (!this.utcSessions.has(client)) {
        try {
          await client.query("SET TIME ZONE 'UTC'");
        } catch (err) {
          client.release(err instanceof Error ? err : true);
          throw err;
        }
        this.utcSessions.add(client);
      }
      return client;
    } catch (err) {
      throw this.legacyError(err, 'connect', routed);
    }
  }

  private async withClient<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    if (this.pinned) {
      try {
        return await work(this.pinned);
      } catch (err) {
        throw this.legacyError(err, 'query', this.routes.get(this.pinned));
      }
    }
    const client = await this.connect();
    let broken: unknown;
    try {
      return await work(client);
    } catch (err) {
      // A broken connection, or (25006) one that sits on a standby now: never pooled again.
      if (sqlState(err) === undefined && !(err instanceof LegacySqliteError)) broken = err;
      else if (this.router.followsFailover && isFailoverError(err, this.expectsWrites))
        broken = err;
      throw this.legacyError(err, 'query', this.routes.get(client));
    } finally {
      client.release(broken instanceof Error ? broken : undefined);
    }
  }

  private async reloadSchema(client: PoolClient): Promise<void> {
    this.view = buildLegacyView(await loadPgCatalog(client));
    this.plans.clear();
  }

  private legacyError(
    err: unknown,
    phase: 'connect' | 'query' = 'query',
    routed?: RoutedPool,
  ): LegacySqliteError {
    if (err instanceof LegacySqliteError) return err;
    // The server went away or is a standby now: find the primary again, and say it is retryable
    // (SQLITE_BUSY, with novaCode FAILOVER), as a locked SQLite file would be.
    if (routed && this.router.followsFailover && isFailoverError(err, this.expectsWrites)) {
      this.router.invalidate(routed);
      return fromNovaError(
        failoverError(
          err,
          hostLabel(routed.host),
          phase,
          mapPostgresError(err, this.errorContext(phase)),
        ),
      );
    }
    if (sqlState(err) !== undefined && phase === 'query' && this.view) {
      return pgErrorToLegacy(err as Parameters<typeof pgErrorToLegacy>[0], this.view);
    }
    const nova = err instanceof NovaError ? err : mapPostgresError(err, this.errorContext(phase));
    return fromNovaError(nova);
  }

  private errorContext(phase: 'connect' | 'query') {
    return {
      target: { ...parsePostgresTarget(this.options.url), ...this.router.host },
      phase,
      sslRequested: this.options.ssl !== 'disable',
      connectTimeoutMs: this.options.connectTimeoutMs,
      statementTimeoutMs: this.options.statementTimeoutMs,
      poolMax: this.options.poolMax,
    };
  }

  async close(): Promise<void> {
    if (this.pinned) {
      await this.raw(this.pinned, 'ROLLBACK').catch(() => undefined);
      this.pinned.release();
      this.pinned = null;
    }
    this.view = undefined;
    this.shadow.close();
    await this.router.end();
  }
}
