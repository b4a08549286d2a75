/**
 * The old API's `db` object, with node-sqlite3's shapes and semantics, on
 * whatever database the appliance is configured for (translation in
 * ./legacy/): `run/get/all/each/exec/prepare/serialize/parallelize/close`,
 * callbacks called once with `this.lastID` / `this.changes`, errors with
 * node-sqlite3's `code`/`errno`/message, and an exception thrown by the
 * application's callback propagating as an uncaught exception, as it did.
 *
 * Calls run one after another in call order on one logical connection —
 * what node-sqlite3 guarantees inside `serialize()`, and a valid ordering of
 * what `parallelize()` allows. Calls made before the database is open wait,
 * as node-sqlite3 queues them before its open completes.
 */
import { EventEmitter } from 'node:events';
import { NovaError } from '../errors.js';
import type { DatabaseFactory } from './database-factory.js';
import type { LegacyDriver, Row } from './legacy/driver-common.js';
import { LegacySqliteError, toLegacyError } from './legacy/legacy-errors.js';
import {
  finalizedError,
  invoke,
  LegacyStatement,
  splitArgs,
  type Arg,
  type Callback,
  type Cursor,
} from './legacy/legacy-statement.js';
import { splitScript } from './legacy/sql-lexer.js';

export { LegacySqliteError } from './legacy/legacy-errors.js';
export type { LegacyDriver } from './legacy/driver-common.js';
export { LegacyStatement } from './legacy/legacy-statement.js';

/** `this` inside a run() callback (node-sqlite3's Statement after a run). */
export interface RunContext {
  lastID: number;
  changes: number;
}

function closedError(): LegacySqliteError {
  return new LegacySqliteError('SQLITE_MISUSE', 'Database is closed');
}

type Method = 'run' | 'get' | 'all' | 'each';

export class LegacyDatabase extends EventEmitter {
  /** True once the database is open (node-sqlite3's `db.open`). */
  open = false;
  private queue: Promise<unknown> = Promise.resolve();
  private driver: LegacyDriver | undefined;
  private opening: Promise<LegacyDriver> | undefined;
  private closed = false;

  /**
   * `connect` opens the database; it is retried by the next call when it
   * fails. `lazy` waits for the first call (the package's default `db`, so
   * importing the module opens nothing until it is used).
   */
  constructor(
    private readonly connect: () => Promise<LegacyDriver>,
    options: { lazy?: boolean } = {},
  ) {
    super();
    if (!options.lazy) this.queue = this.ready().catch(() => undefined);
  }

  /** Resolves with the driver once open (for callers that await). */
  private ready(): Promise<LegacyDriver> {
    if (this.driver) return Promise.resolve(this.driver);
    this.opening ??= this.connect().then(
      (driver) => {
        this.driver = driver;
        this.open = true;
        this.emit('open');
        return driver;
      },
      (err: unknown) => {
        this.opening = undefined;
        const e = toLegacyError(err);
        if (this.listenerCount('error') > 0) this.emit('error', e);
        else
          process.stderr.write(`nova-db legacy: ${e.message}${e.fix ? `\nfix: ${e.fix}` : ''}\n`);
        throw e;
      },
    );
    return this.opening;
  }

  run(sql: string, ...args: Arg[]): this {
    this.call(new LegacyStatement(this, sql), 'run', sql, splitArgs(args, 1), () => false);
    return this;
  }

  get(sql: string, ...args: Arg[]): this {
    this.call(new LegacyStatement(this, sql), 'get', sql, splitArgs(args, 1), () => false);
    return this;
  }

  all(sql: string, ...args: Arg[]): this {
    this.call(new LegacyStatement(this, sql), 'all', sql, splitArgs(args, 1), () => false);
    return this;
  }

  /** Calls the row callback per row, then `complete(err, count)`. */
  each(sql: string, ...args: Arg[]): this {
    this.call(new LegacyStatement(this, sql), 'each', sql, splitArgs(args, 2), () => false);
    return this;
  }

  /** Runs a script of statements without parameters; stops at the first error. */
  exec(sql: string, callback?: Callback): this {
    this.enqueue(async () => {
      let error: LegacySqliteError | null = null;
      try {
        if (this.closed) throw closedError();
        const driver = await this.ready();
        for (const statement of splitScript(sql)) await driver.execute(statement, []);
      } catch (err) {
        error = toLegacyError(err);
      }
      this.finish(error, callback, this, []);
    });
    return this;
  }

  prepare(sql: string, ...args: Arg[]): LegacyStatement {
    const statement = new LegacyStatement(this, sql);
    const { params, fns } = splitArgs(args, 1);
    if (params.length > 0) statement.bind(params);
    this.enqueue(async () => {
      let error: LegacySqliteError | null = null;
      try {
        if (this.closed) throw closedError();
        await (await this.ready()).check(sql);
      } catch (err) {
        error = toLegacyError(err);
      }
      if (fns[0]) invoke(fns[0], statement, [error]);
      else if (error) this.raise(error, statement);
    });
    return statement;
  }

  /** Every call already runs in order; the callback runs at once, as node-sqlite3 does. */
  serialize(callback?: () => void): void {
    callback?.();
  }

  parallelize(callback?: () => void): void {
    callback?.();
  }

  /** node-sqlite3 options (busyTimeout…): the configured database manages these itself. */
  configure(_option: string, _value?: unknown): this {
    return this;
  }

  close(callback?: Callback): void {
    this.enqueue(async () => {
      let error: LegacySqliteError | null = null;
      try {
        if (this.closed) throw closedError();
        this.closed = true;
        this.open = false;
        const driver = this.driver ?? (await this.opening?.catch(() => undefined));
        await driver?.close();
        this.emit('close');
      } catch (err) {
        error = toLegacyError(err);
      }
      this.finish(error, callback, this, []);
    });
  }

  /** Resolves when every call queued so far has finished (for callers that await). */
  flush(): Promise<void> {
    return this.queue.then(() => undefined);
  }

  /** @internal Appends work to the call-order queue. */
  enqueue(work: () => Promise<void>): void {
    this.queue = this.queue.then(work).catch(() => undefined);
  }

  /** @internal One run/get/all/each, with node-sqlite3's callback shapes. */
  call(
    stmt: LegacyStatement,
    method: Method,
    sql: string,
    args: { params: unknown[]; fns: (Callback | undefined)[] },
    finalized: () => boolean,
    cursor?: Cursor,
  ): void {
    const [first, second] = args.fns;
    this.enqueue(async () => {
      let rows: Row[] = [];
      try {
        if (this.closed) throw closedError();
        if (finalized()) throw finalizedError();
        const continued = method === 'get' ? cursor?.next() : undefined;
        if (continued) {
          invoke(first, stmt, [null, continued.row]);
          return;
        }
        const driver = await this.ready();
        const result = await driver.execute(sql, args.params);
        rows = result.rows;
        cursor?.store(
          rows,
          method === 'all' || method === 'each' ? rows.length : Math.min(1, rows.length),
        );
        if (method === 'run') {
          stmt.lastID = result.lastID;
          stmt.changes = result.changes;
        }
      } catch (err) {
        const e = toLegacyError(err);
        if (method === 'each') this.finish(e, second ?? first, stmt, []);
        else this.finish(e, first, stmt, []);
        return;
      }
      switch (method) {
        case 'run':
          invoke(first, stmt, [null]);
          break;
        case 'get':
          invoke(first, stmt, [null, rows[0]]);
          break;
        case 'all':
          invoke(first, stmt, [null, rows]);
          break;
        case 'each':
          for (const row of rows) invoke(first, stmt, [null, row]);
          invoke(second, stmt, [null, rows.length]);
          break;
      }
    });
  }

  private finish(
    error: LegacySqliteError | null,
    callback: Callback | undefined,
    self: unknown,
    extra: unknown[],
  ): void {
    if (callback) invoke(callback, self, [error, ...extra]);
    else if (error) this.raise(error, self);
  }

  /**
   * An error no callback receives: node-sqlite3 emits it as 'error', which
   * without a listener is an uncaught exception. Listeners on the statement
   * or on the database receive it here.
   */
  private raise(error: LegacySqliteError, self: unknown): void {
    if (self instanceof EventEmitter && self !== this && self.listenerCount('error') > 0) {
      self.emit('error', error);
    } else if (this.listenerCount('error') > 0) this.emit('error', error);
    else {
      process.nextTick(() => {
        throw error;
      });
    }
  }
}

/** A legacy `db` whose database `connect` opens (main/legacy.ts makes the configured one). */
export function createLegacyDatabase(
  connect: () => Promise<LegacyDriver>,
  options: { lazy?: boolean } = {},
): LegacyDatabase {
  return new LegacyDatabase(connect, options);
}

/**
 * The legacy `db` on the relational store of an initialized (or initializing)
 * DatabaseFactory: the same SQLite connection on the embedded profile, a pool
 * of its own (with the legacy value shapes) on PostgreSQL.
 */
export function createLegacyDb(factory: DatabaseFactory): LegacyDatabase {
  return new LegacyDatabase(async () => {
    await factory.initialize();
    const relational = factory.backendsForHealth?.relational;
    if (!relational) {
      throw new NovaError('NOT_INITIALIZED', 'The data layer is not initialized.');
    }
    const { driverForStore } = await import('./legacy/open-driver.js');
    return driverForStore(relational);
  });
}
