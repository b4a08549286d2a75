/**
 * The old API's `db` object (node-sqlite3 shape) on top of the DatabaseFactory,
 * so code written for `log.sqlite` keeps working on every profile (SPEC §4):
 * `run/get/all/each/exec/prepare/serialize/parallelize/close`, `?`
 * placeholders, node-style callbacks, `this.lastID` / `this.changes`.
 *
 * Calls run one after another in call order — what node-sqlite3 guarantees
 * inside `serialize()`, and a valid ordering of what `parallelize()` allows.
 */
import { EventEmitter } from 'node:events';
import { NovaError } from '../errors.js';
import { questionToDollar } from './sql-placeholders.js';
import type { QueryResult, SqlExecutor } from './types.js';

/** What the legacy layer needs from the factory (DatabaseFactory satisfies it). */
export interface LegacyBackend {
  readonly dialect: SqlExecutor['dialect'];
  query<R = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
  ): Promise<QueryResult<R>>;
  close?(): Promise<void>;
}

/** `this` inside a run/get/all callback, as node-sqlite3's Statement exposes it. */
export interface RunContext {
  sql: string;
  lastID: number | string | null;
  changes: number;
}

type Row = Record<string, unknown>;
type RunCallback = (this: RunContext, err: Error | null) => void;
type RowCallback = (this: RunContext, err: Error | null, row?: Row) => void;
type DoneCallback = (err: Error | null, count?: number) => void;
type Arg = unknown;

/** Splits node-sqlite3's flexible argument lists: `(sql, [p…] | p1, p2…, cb1?, cb2?)`. */
function splitArgs(args: Arg[]): { params: unknown[]; callbacks: ((...a: never[]) => void)[] } {
  const callbacks: ((...a: never[]) => void)[] = [];
  while (args.length > 0 && typeof args[args.length - 1] === 'function') {
    callbacks.unshift(args.pop() as (...a: never[]) => void);
  }
  if (args.length === 1 && Array.isArray(args[0]))
    return { params: [...(args[0] as unknown[])], callbacks };
  if (
    args.length === 1 &&
    args[0] !== null &&
    typeof args[0] === 'object' &&
    !(args[0] instanceof Date) &&
    !Buffer.isBuffer(args[0])
  ) {
    throw new NovaError(
      'INVALID_ARGUMENT',
      'Named parameters ($name / :name objects) are not supported by the compatibility layer.',
      { fix: 'Use ? placeholders with an array of values.' },
    );
  }
  return { params: args, callbacks };
}

export class LegacyStatement {
  private boundParams: unknown[] = [];

  constructor(
    private readonly db: LegacyDatabase,
    readonly sql: string,
  ) {}

  bind(...args: Arg[]): this {
    const { params, callbacks } = splitArgs(args);
    this.boundParams = params;
    this.db.enqueue(async () => undefined, callbacks[0] as RunCallback | undefined);
    return this;
  }

  reset(callback?: (err: null) => void): this {
    this.db.enqueue(async () => undefined, callback as RunCallback | undefined);
    return this;
  }

  finalize(callback?: (err: null) => void): void {
    this.db.enqueue(async () => undefined, callback as RunCallback | undefined);
  }

  run(...args: Arg[]): this {
    this.db.run(this.sql, ...this.withBound(args));
    return this;
  }

  get(...args: Arg[]): this {
    this.db.get(this.sql, ...this.withBound(args));
    return this;
  }

  all(...args: Arg[]): this {
    this.db.all(this.sql, ...this.withBound(args));
    return this;
  }

  each(...args: Arg[]): this {
    this.db.each(this.sql, ...this.withBound(args));
    return this;
  }

  /** Parameters given to a call replace the bound ones, as in node-sqlite3. */
  private withBound(args: Arg[]): Arg[] {
    const hasParams = args.some((a) => typeof a !== 'function');
    return hasParams ? args : [this.boundParams, ...args];
  }
}

export class LegacyDatabase extends EventEmitter {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly idColumnCache = new Map<string, boolean>();
  private closed = false;

  constructor(private readonly backend: LegacyBackend) {
    super();
  }

  run(sql: string, ...args: Arg[]): this {
    return this.call(sql, args, async (params, ctx) => {
      const result = await this.execute(sql, params, true);
      ctx.lastID = result.lastInsertId ?? null;
      ctx.changes = result.rowCount;
      return [];
    });
  }

  get(sql: string, ...args: Arg[]): this {
    return this.call(sql, args, async (params) => {
      const result = await this.execute(sql, params, false);
      return [result.rows[0]];
    });
  }

  all(sql: string, ...args: Arg[]): this {
    return this.call(sql, args, async (params) => {
      const result = await this.execute(sql, params, false);
      return [result.rows];
    });
  }

  /** Calls the row callback per row, then `complete(err, count)`. */
  each(sql: string, ...args: Arg[]): this {
    let parsed: ReturnType<typeof splitArgs>;
    try {
      parsed = splitArgs([...args]);
    } catch (err) {
      this.report(
        err as Error,
        args.filter((a) => typeof a === 'function').pop() as RunCallback | undefined,
        { sql, lastID: null, changes: 0 },
      );
      return this;
    }
    const [onRow, onComplete] = parsed.callbacks as [
      RowCallback | undefined,
      DoneCallback | undefined,
    ];
    const ctx: RunContext = { sql, lastID: null, changes: 0 };
    this.enqueue(async () => {
      try {
        const { rows } = await this.execute(sql, parsed.params, false);
        for (const row of rows) onRow?.call(ctx, null, row);
        onComplete?.(null, rows.length);
      } catch (err) {
        if (onComplete) onComplete(err as Error);
        else this.report(err as Error, onRow as RunCallback | undefined, ctx);
      }
    });
    return this;
  }

  /** Runs a script of several statements (no parameters). */
  exec(sql: string, callback?: RunCallback): this {
    const ctx: RunContext = { sql, lastID: null, changes: 0 };
    this.enqueue(async () => {
      try {
        for (const statement of splitStatements(sql)) await this.backend.query(statement);
        callback?.call(ctx, null);
      } catch (err) {
        this.report(err as Error, callback, ctx);
      }
    });
    return this;
  }

  prepare(sql: string, ...args: Arg[]): LegacyStatement {
    const statement = new LegacyStatement(this, sql);
    if (args.length > 0) statement.bind(...args);
    return statement;
  }

  /** Every call already runs in order; the callback runs immediately, as node-sqlite3 does. */
  serialize(callback?: () => void): void {
    callback?.();
  }

  parallelize(callback?: () => void): void {
    callback?.();
  }

  close(callback?: (err: Error | null) => void): void {
    this.enqueue(async () => {
      try {
        if (!this.closed) await this.backend.close?.();
        this.closed = true;
        callback?.(null);
      } catch (err) {
        if (callback) callback(err as Error);
        else this.emit('error', err);
      }
    });
  }

  /** Resolves when every call queued so far has finished (for callers that await). */
  flush(): Promise<void> {
    return this.queue.then(() => undefined);
  }

  /** @internal Appends work to the call-order queue. */
  enqueue(work: () => Promise<unknown>, done?: RunCallback): void {
    this.queue = this.queue.then(async () => {
      await work();
      done?.call({ sql: '', lastID: null, changes: 0 }, null);
    });
  }

  private call(
    sql: string,
    args: Arg[],
    work: (params: unknown[], ctx: RunContext) => Promise<unknown[]>,
  ): this {
    const ctx: RunContext = { sql, lastID: null, changes: 0 };
    let parsed: ReturnType<typeof splitArgs>;
    try {
      parsed = splitArgs([...args]);
    } catch (err) {
      const cb = args.filter((a) => typeof a === 'function').pop() as RunCallback | undefined;
      this.enqueue(async () => this.report(err as Error, cb, ctx));
      return this;
    }
    const callback = parsed.callbacks[0] as
      ((this: RunContext, err: Error | null, ...r: unknown[]) => void) | undefined;
    this.enqueue(async () => {
      try {
        const results = await work(parsed.params, ctx);
        callback?.call(ctx, null, ...results);
      } catch (err) {
        this.report(err as Error, callback, ctx);
      }
    });
    return this;
  }

  private report(
    err: Error,
    callback: ((this: RunContext, err: Error) => void) | undefined,
    ctx: RunContext,
  ): void {
    if (callback) callback.call(ctx, err);
    // node-sqlite3 emits 'error' when no callback was given; without a
    // listener that would crash the API, so it is logged instead.
    else if (this.listenerCount('error') > 0) this.emit('error', err);
    else process.stderr.write(`nova-db legacy: ${err.message}\n`);
  }

  private async execute(
    sql: string,
    params: unknown[],
    wantsLastId: boolean,
  ): Promise<QueryResult<Row>> {
    const { sql: translated, count } = questionToDollar(sql);
    if (count !== params.length) {
      throw new NovaError(
        'INVALID_ARGUMENT',
        `The statement has ${count} placeholder(s) but ${params.length} value(s) were given: ${sql.slice(0, 120)}`,
      );
    }
    const finalSql = wantsLastId ? await this.withReturningId(translated) : translated;
    return this.backend.query<Row>(finalSql, params);
  }

  /**
   * node-sqlite3 reports `lastID` for every INSERT; PostgreSQL only returns
   * ids it is asked for. Append `RETURNING id` when the target table has one.
   */
  private async withReturningId(sql: string): Promise<string> {
    if (this.backend.dialect !== 'postgres') return sql;
    const m = /^\s*insert\s+(?:or\s+\w+\s+)?into\s+("(?:[^"]|"")+"|[A-Za-z_][\w]*)/i.exec(sql);
    if (!m || /\breturning\b/i.test(sql)) return sql;
    const table = m[1]!.startsWith('"')
      ? m[1]!.slice(1, -1).replace(/""/g, '"')
      : m[1]!.toLowerCase();
    let hasId = this.idColumnCache.get(table);
    if (hasId === undefined) {
      const { rows } = await this.backend.query(
        "SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 AND column_name = 'id'",
        [table],
      );
      hasId = rows.length > 0;
      this.idColumnCache.set(table, hasId);
    }
    return hasId ? `${sql.replace(/[\s;]+$/, '')} RETURNING id` : sql;
  }
}

/** Splits a script on top-level semicolons (outside quotes and comments). */
export function splitStatements(script: string): string[] {
  const out: string[] = [];
  let current = '';
  let quote: string | null = null;
  for (let i = 0; i < script.length; i++) {
    const ch = script[i]!;
    if (quote) {
      current += ch;
      if (ch === quote) quote = null;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      current += ch;
    } else if (ch === '-' && script[i + 1] === '-') {
      const end = script.indexOf('\n', i);
      i = end === -1 ? script.length : end;
    } else if (ch === ';') {
      if (current.trim()) out.push(current.trim());
      current = '';
    } else {
      current += ch;
    }
  }
  if (current.trim()) out.push(current.trim());
  return out;
}

/** The `db` object the old API imported, bound to a factory. */
export function createLegacyDb(backend: LegacyBackend): LegacyDatabase {
  return new LegacyDatabase(backend);
}
