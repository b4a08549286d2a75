/**
 * The building blocks of the compatibility corpus: each step makes one call
 * through node-sqlite3's API (`run/get/all/each/exec/prepare…`) and records
 * what the application would see — the error's code/errno/message, the rows,
 * the callback's `this` (lastID/changes) — so the same step can run on the
 * real node-sqlite3 driver (the oracle) and on the product's legacy `db`.
 */

/** The subset of node-sqlite3's Database both sides implement. */
export interface DbLike {
  run(sql: string, ...args: unknown[]): unknown;
  get(sql: string, ...args: unknown[]): unknown;
  all(sql: string, ...args: unknown[]): unknown;
  each(sql: string, ...args: unknown[]): unknown;
  exec(sql: string, cb?: (err: Error | null) => void): unknown;
  prepare(sql: string, ...args: unknown[]): StmtLike;
  serialize(cb?: () => void): void;
}

export interface StmtLike {
  run(...args: unknown[]): unknown;
  get(...args: unknown[]): unknown;
  all(...args: unknown[]): unknown;
  finalize(cb?: () => void): unknown;
}

export type Backend = 'legacy-file' | 'postgres' | 'product-schema';

export interface ErrorShape {
  code: unknown;
  errno: unknown;
  message: string;
  keys: string[];
}

export type Outcome = Record<string, unknown>;

export interface Step {
  id: string;
  /** The SQL it sends (shown in failure messages and the report). */
  sql: string;
  run(db: DbLike): Promise<Outcome>;
  /** Keys whose values come from the clock: compared by their shape. */
  clock?: string[];
  /** Rows in no defined order (no ORDER BY): compared as a sorted list. */
  unordered?: boolean;
  /** Rows compared without duplicates (legacy junction tables held duplicate pairs). */
  distinct?: boolean;
  /** Columns holding JSON text: compared parsed (jsonb keeps its own key order). */
  json?: string[];
  /** Compare `lastID` (after INSERTs into tables with an integer key). */
  lastID?: boolean;
  /** PRAGMA table_info: compare the set of column names and types. */
  columnsOnly?: boolean;
  /** A difference the guide documents, per backend. */
  differs?: Partial<Record<Backend, string>>;
}

export function errorShape(err: unknown): ErrorShape | null {
  if (!err) return null;
  const e = err as { code?: unknown; errno?: unknown; message?: unknown };
  return {
    code: e.code,
    errno: e.errno,
    message: String(e.message),
    keys: Object.keys(err as object),
  };
}

/** `this` as the application can read it: its own enumerable keys and values. */
function ctxOf(self: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys((self ?? {}) as object))
    out[k] = (self as Record<string, unknown>)[k];
  return out;
}

type Opts = Omit<Step, 'id' | 'sql' | 'run'>;

type Params = unknown[] | Record<string, unknown>;

/** A step making one db.run/get/all call; `record` turns its callback into the outcome. */
function oneCall(
  method: 'run' | 'get' | 'all',
  record: (self: unknown, err: Error | null, result: unknown, argCount: number) => Outcome,
) {
  return (id: string, sql: string, params: Params = [], opts: Opts = {}): Step => ({
    id,
    sql,
    ...opts,
    run: (db) =>
      new Promise((resolve) => {
        db[method](sql, params, function (this: unknown, err: Error | null, result?: unknown) {
          resolve(record(this, err, result, arguments.length));
        });
      }),
  });
}

export const run = oneCall('run', (self, err, _r, argCount) => ({
  err: errorShape(err),
  ctx: ctxOf(self),
  args: argCount,
}));
export const get = oneCall('get', (self, err, row) => ({
  err: errorShape(err),
  row,
  ctx: ctxOf(self),
}));
export const all = oneCall('all', (self, err, rows) => ({
  err: errorShape(err),
  rows,
  ctx: ctxOf(self),
}));

export function each(id: string, sql: string, params: unknown[] = [], opts: Opts = {}): Step {
  return {
    id,
    sql,
    ...opts,
    run: (db) =>
      new Promise((resolve) => {
        const rows: unknown[] = [];
        db.each(
          sql,
          params,
          (err: Error | null, row: unknown) => {
            if (err) rows.push({ rowError: errorShape(err) });
            else rows.push(row);
          },
          (err: Error | null, count?: number) => resolve({ err: errorShape(err), rows, count }),
        );
      }),
  };
}

export function exec(id: string, sql: string, opts: Opts = {}): Step {
  return {
    id,
    sql,
    ...opts,
    run: (db) =>
      new Promise((resolve) => {
        db.exec(sql, (err) => resolve({ err: errorShape(err) }));
      }),
  };
}

/** prepare(sql) once, stmt.run(values) for each set, finalize(): every run's outcome. */
export function prepareRun(id: string, sql: string, sets: unknown[][], opts: Opts = {}): Step {
  return {
    id,
    sql,
    ...opts,
    run: (db) =>
      new Promise((resolve) => {
        const outcomes: unknown[] = [];
        const stmt = db.prepare(sql);
        for (const values of sets) {
          stmt.run(values, function (this: unknown, err: Error | null) {
            outcomes.push({ err: errorShape(err), ctx: ctxOf(this), self: this === stmt });
          });
        }
        stmt.finalize(function (this: unknown) {
          resolve({ outcomes, finalizeArgs: arguments.length, self: this === stmt });
        });
      }),
  };
}

/** prepare(sql, bound) then stmt.get()/stmt.all(), rebinding with new values. */
export function prepareRead(
  id: string,
  sql: string,
  bound: unknown[],
  rebind: unknown[],
  opts: Opts = {},
): Step {
  return {
    id,
    sql,
    ...opts,
    run: (db) =>
      new Promise((resolve) => {
        const out: unknown[] = [];
        const stmt = db.prepare(sql, bound);
        stmt.get((err: Error | null, row: unknown) => out.push({ err: errorShape(err), row }));
        stmt.all(rebind, (err: Error | null, rows: unknown) =>
          out.push({ err: errorShape(err), rows }),
        );
        stmt.get((err: Error | null, row: unknown) => out.push({ err: errorShape(err), row }));
        stmt.finalize(() => resolve({ out }));
      }),
  };
}

/** Several calls inside db.serialize(); records the order their callbacks ran in. */
export function serialized(
  id: string,
  calls: [string, string, unknown[]][],
  opts: Opts = {},
): Step {
  return {
    id,
    sql: calls.map((c) => c[1]).join('; '),
    ...opts,
    run: (db) =>
      new Promise((resolve) => {
        const out: unknown[] = [];
        db.serialize(() => {
          calls.forEach(([method, sql, params], n) => {
            const done = function (this: unknown, err: Error | null, res?: unknown): void {
              out.push({
                n,
                err: errorShape(err),
                res,
                ctx: method === 'run' ? ctxOf(this) : undefined,
              });
              if (out.length === calls.length) resolve({ out });
            };
            (db as unknown as Record<string, (...a: unknown[]) => void>)[method]!(
              sql,
              params,
              done,
            );
          });
        });
      }),
  };
}
