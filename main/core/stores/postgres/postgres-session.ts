/**
 * One checked-out `pg` connection: runs statements, maps their errors, and
 * remembers whether the connection may go back to the pool afterwards.
 */
import type { PoolClient, QueryConfig, QueryResult as PgQueryResult } from 'pg';
import type { NovaError } from '../../errors.js';
import type { QueryResult, SqlExecutor } from '../types.js';
import { isSessionReusable } from './postgres-errors.js';

/** An executor that can also run a multi-statement script (schema migrations). */
export interface ScriptExecutor extends SqlExecutor {
  /** Runs `sql`, which may hold several `;`-separated statements and no parameters. */
  exec(sql: string): Promise<void>;
}

export class Session {
  /** Set when the connection can no longer be trusted; it is then destroyed, not pooled. */
  broken: Error | undefined;

  constructor(
    private readonly client: PoolClient,
    private readonly mapError: (err: unknown) => NovaError,
  ) {}

  /** Runs text through the simple protocol (BEGIN/COMMIT/SAVEPOINT, scripts). */
  async run(sql: string): Promise<PgQueryResult> {
    try {
      // Without values pg uses the simple protocol; a multi-statement script yields an array.
      const res = (await this.client.query(sql)) as PgQueryResult | PgQueryResult[];
      return Array.isArray(res) ? res[res.length - 1]! : res;
    } catch (err) {
      throw this.fail(err);
    }
  }

  async exec(sql: string): Promise<void> {
    await this.run(sql);
  }

  async query<R>(sql: string, params: readonly unknown[]): Promise<QueryResult<R>> {
    // The extended protocol, even without parameters, runs exactly one
    // statement, as the SQLite store does: a stray `;` cannot smuggle in a second one.
    const config: QueryConfig & { queryMode: 'extended' } = {
      text: sql,
      values: [...params],
      queryMode: 'extended',
    };
    try {
      return toQueryResult<R>(await this.client.query(config));
    } catch (err) {
      throw this.fail(err);
    }
  }

  private fail(err: unknown): NovaError {
    if (!isSessionReusable(err))
      this.broken ??= err instanceof Error ? err : new Error(String(err));
    return this.mapError(err);
  }
}

function toQueryResult<R>(res: PgQueryResult): QueryResult<R> {
  const rows = res.rows as R[];
  const result: QueryResult<R> = { rows, rowCount: res.rowCount ?? rows.length };
  if (res.command === 'INSERT') {
    // PostgreSQL has no "last insert id"; `INSERT … RETURNING id` is the idiom.
    const last = res.rows[res.rows.length - 1] as Record<string, unknown> | undefined;
    const id = last?.id;
    result.lastInsertId = typeof id === 'number' || typeof id === 'string' ? id : null;
  }
  return result;
}
