/**
 * node-sqlite3's Statement for the legacy `db`: what `db.prepare()` returns
 * and the `this` of every callback. Its own enumerable properties are only
 * `lastID` and `changes` (after a run), as the application saw them; bound
 * values persist until new ones are given, and get() without values steps
 * through the result as node-sqlite3's cursor does.
 */
import { EventEmitter } from 'node:events';
import type { LegacyDatabase } from '../legacy-db.js';
import { isPlainObject, NamedValues, type Row } from './driver-common.js';
import { LegacySqliteError } from './legacy-errors.js';

/** Any node-style callback; node-sqlite3 calls it with `this` set to the statement. */
export type Callback = (...args: never[]) => void;
export type Arg = unknown;

/** node-sqlite3's argument lists: `(sql, [values] | {named} | v1, v2…, callback?, callback?)`. */
export function splitArgs(
  args: Arg[],
  callbacks: number,
): { params: unknown[]; fns: (Callback | undefined)[] } {
  const rest = [...args];
  const fns: (Callback | undefined)[] = [];
  for (let n = 0; n < callbacks && typeof rest[rest.length - 1] === 'function'; n++) {
    fns.unshift(rest.pop() as Callback);
  }
  if (rest.length === 1 && Array.isArray(rest[0]))
    return { params: [...(rest[0] as unknown[])], fns };
  if (rest.length === 1 && isPlainObject(rest[0]))
    return { params: [new NamedValues(rest[0])], fns };
  return { params: rest, fns };
}

/** Runs the application's callback; what it throws becomes an uncaught exception, as with node-sqlite3. */
export function invoke(fn: Callback | undefined, self: unknown, args: unknown[]): void {
  if (!fn) return;
  try {
    (fn as (...a: unknown[]) => void).apply(self, args);
  } catch (err) {
    process.nextTick(() => {
      throw err;
    });
  }
}

/**
 * A prepared statement's position in its result, as node-sqlite3 keeps it:
 * get() without new values steps to the next row; run/all/each start over.
 */
export interface Cursor {
  /** The next row of a get() that continues, or undefined when the statement must run. */
  next(): { row: Row | undefined } | undefined;
  /** Records a fresh execution's rows and how many of them were consumed. */
  store(rows: Row[], consumed: number): void;
}

export class LegacyStatement extends EventEmitter {
  declare lastID: number;
  declare changes: number;
  #db: LegacyDatabase;
  #sql: string;
  #params: unknown[] = [];
  #finalized = false;
  #rows: Row[] | null = null;
  #pos = 0;
  readonly #cursor: Cursor = {
    next: () => {
      if (this.#rows === null) return undefined;
      const row = this.#rows[this.#pos];
      if (row !== undefined) this.#pos++;
      return { row };
    },
    store: (rows, consumed) => {
      this.#rows = rows;
      this.#pos = consumed;
    },
  };

  /** @internal */
  constructor(db: LegacyDatabase, sql: string) {
    super();
    this.#db = db;
    this.#sql = sql;
    // EventEmitter's bookkeeping is not part of node-sqlite3's Statement shape.
    for (const key of Object.keys(this)) {
      Object.defineProperty(this, key, { enumerable: false });
    }
  }

  get sql(): string {
    return this.#sql;
  }

  bind(...args: Arg[]): this {
    const { params, fns } = splitArgs(args, 1);
    this.#params = params;
    this.#db.enqueue(async () => {
      invoke(fns[0], this, this.#finalized ? [finalizedError()] : [null]);
    });
    return this;
  }

  reset(callback?: Callback): this {
    this.#db.enqueue(async () => {
      this.#rows = null;
      invoke(callback, this, [null]);
    });
    return this;
  }

  finalize(callback?: Callback): LegacyDatabase {
    this.#db.enqueue(async () => {
      this.#finalized = true;
      invoke(callback, this, []);
    });
    return this.#db;
  }

  run(...args: Arg[]): this {
    this.#db.call(
      this,
      'run',
      this.#sql,
      this.params(args, 1),
      () => this.#finalized,
      this.#cursor,
    );
    return this;
  }

  get(...args: Arg[]): this {
    this.#db.call(
      this,
      'get',
      this.#sql,
      this.params(args, 1),
      () => this.#finalized,
      this.#cursor,
    );
    return this;
  }

  all(...args: Arg[]): this {
    this.#db.call(
      this,
      'all',
      this.#sql,
      this.params(args, 1),
      () => this.#finalized,
      this.#cursor,
    );
    return this;
  }

  each(...args: Arg[]): this {
    this.#db.call(
      this,
      'each',
      this.#sql,
      this.params(args, 2),
      () => this.#finalized,
      this.#cursor,
    );
    return this;
  }

  /** Values given to a call replace the bound ones from then on, as in node-sqlite3. */
  private params(
    args: Arg[],
    callbacks: number,
  ): { params: unknown[]; fns: (Callback | undefined)[] } {
    const split = splitArgs(args, callbacks);
    if (args.length > split.fns.length && split.params.length > 0) {
      // New values: bound from now on, and the statement starts over.
      this.#params = split.params;
      this.#db.enqueue(async () => {
        this.#rows = null;
      });
    }
    return { params: this.#params, fns: split.fns };
  }
}

export function finalizedError(): LegacySqliteError {
  return new LegacySqliteError('SQLITE_MISUSE', 'Statement is already finalized');
}
