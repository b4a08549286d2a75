/**
 * What the legacy `db` needs from a database, and the parts of node-sqlite3's
 * behaviour every driver shares: how it binds JavaScript values, how many
 * parameters a statement takes, the connection-level `lastID`/`changes`, and
 * PRAGMA table_info answered from the legacy view.
 */
import { LegacySqliteError } from './legacy-errors.js';
import type { LegacyView } from './legacy-schema.js';
import type { StatementPlan } from './translate.js';

export type Row = Record<string, unknown>;

export interface ExecResult {
  rows: Row[];
  /** sqlite3_last_insert_rowid() / sqlite3_changes() after the statement, as node-sqlite3 reports them. */
  lastID: number;
  changes: number;
}

export interface LegacyDriver {
  /** Which database and schema the statements run on (for messages and tests). */
  readonly mode: 'postgres' | 'sqlite-legacy' | 'sqlite-product';
  /** Translates now, so prepare() reports errors as node-sqlite3 does at compile time. */
  check(sql: string): Promise<void>;
  execute(sql: string, params: unknown[]): Promise<ExecResult>;
  close(): Promise<void>;
}

/** Connection-level state node-sqlite3 reads after every run(). */
export class ConnectionState {
  lastID = 0;
  changes = 0;
  totalChanges = 0;

  /** Applies a DML statement's outcome; other statements leave both values as they were. */
  record(plan: StatementPlan, changes: number, insertedId: number | null): void {
    if (!plan.dml) return;
    const reported = plan.attemptedRows ?? changes;
    this.changes = reported;
    this.totalChanges += reported;
    if (insertedId !== null) this.lastID = insertedId;
  }

  /** A DML statement that failed while running rolled itself back: SQLite's changes() is 0 then. */
  failed(plan: StatementPlan): void {
    if (plan.dml) this.changes = 0;
  }

  result(rows: Row[]): ExecResult {
    return { rows, lastID: this.lastID, changes: this.changes };
  }
}

/**
 * A JavaScript value as node-sqlite3 bound it: booleans as 1/0, Dates as
 * their millisecond number, undefined and NaN as NULL, Buffers as blobs,
 * other objects as their string form.
 */
export function bindLikeNodeSqlite3(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  // SQLite stores NaN as NULL.
  if (typeof value === 'number' && Number.isNaN(value)) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'bigint') return value.toString();
  if (Buffer.isBuffer(value)) return value;
  if (typeof value === 'object' || typeof value === 'function' || typeof value === 'symbol') {
    return String(value);
  }
  return value;
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/**
 * The same for better-sqlite3, which binds every number as a REAL: node-sqlite3
 * bound 32-bit integers as INTEGER (5 into a TEXT column is '5', not '5.0').
 */
export function bindForBetterSqlite3(value: unknown): unknown {
  const v = bindLikeNodeSqlite3(value);
  if (typeof v === 'number' && Number.isInteger(v) && v >= INT32_MIN && v <= INT32_MAX) {
    return BigInt(v);
  }
  return v;
}

/** Named values passed as the only argument (`db.get(sql, { $id: 1 }, cb)`), as node-sqlite3 accepts. */
export class NamedValues {
  constructor(readonly values: Record<string, unknown>) {}
}

/** A plain object (not a Date, Buffer or array). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  if (value instanceof Date || Buffer.isBuffer(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** node-sqlite3 refuses more values than the statement has slots and binds NULL for missing ones. */
export function fitParams(
  plan: StatementPlan,
  params: unknown[],
  bind: (value: unknown) => unknown = bindLikeNodeSqlite3,
): unknown[] {
  const named = params.length === 1 && params[0] instanceof NamedValues ? params[0].values : null;
  if (named) {
    if (!plan.paramNames) {
      throw new LegacySqliteError('SQLITE_RANGE', 'column index out of range', {
        novaCode: 'INVALID_ARGUMENT',
        fix: 'The statement has no named parameters ($name, :name, @name); pass an array of values.',
      });
    }
    return plan.paramNames.map((n) => bind(named[n]));
  }
  if (params.length > plan.paramSlots) {
    throw new LegacySqliteError('SQLITE_RANGE', 'column index out of range', {
      novaCode: 'INVALID_ARGUMENT',
      fix: `The statement has ${plan.paramSlots} placeholder(s) but ${params.length} value(s) were given.`,
    });
  }
  const out = params.map(bind);
  while (out.length < plan.paramSlots) out.push(null);
  return out;
}

function legacyDefault(sql: string | null): string | null {
  if (sql === null) return null;
  const s = sql.trim();
  if (/^(false|'f'::boolean)$/i.test(s)) return '0';
  if (/^(true|'t'::boolean)$/i.test(s)) return '1';
  if (/now\(\)|CURRENT_TIMESTAMP|strftime\(/i.test(s)) return 'CURRENT_TIMESTAMP';
  const str = /^('(?:[^']|'')*')(::\w+)?$/.exec(s);
  if (str) return str[1]!;
  if (/^-?\d+(\.\d+)?$/.test(s)) return s;
  if (/^\(?-?\d+(\.\d+)?\)?$/.test(s)) return s.replace(/[()]/g, '');
  return null;
}

/** PRAGMA table_info rows for a table of the view, in legacy names; [] for an unknown table. */
export function tableInfo(view: LegacyView, table: string): Row[] {
  const t = view.tables.get(table.toLowerCase());
  if (!t) return [];
  return t.columns.map((c, cid) => ({
    cid,
    name: c.legacy,
    type: c.declaredType,
    notnull: c.notNull && !t.primaryKey.includes(c.target) ? 1 : 0,
    dflt_value: legacyDefault(c.defaultSql),
    pk: t.primaryKey.indexOf(c.target) + 1,
  }));
}

/** Rows from positional arrays with the plan's keys; later duplicates win, as in node-sqlite3. */
export function rowsFromArrays(arrays: unknown[][], keys: string[]): Row[] {
  return arrays.map((values) => {
    const row: Row = {};
    keys.forEach((k, i) => {
      row[k] = values[i];
    });
    return row;
  });
}

/**
 * A bounded cache of translations keyed by SQL text. Entries are dropped
 * oldest-first; the whole cache is cleared when the schema changes.
 */
export class PlanCache {
  private readonly plans = new Map<string, StatementPlan>();

  constructor(private readonly limit = 1000) {}

  get(sql: string, make: () => StatementPlan): StatementPlan {
    const hit = this.plans.get(sql);
    if (hit) return hit;
    const plan = make();
    this.plans.set(sql, plan);
    if (this.plans.size > this.limit) {
      const oldest = this.plans.keys().next().value;
      if (oldest !== undefined) this.plans.delete(oldest);
    }
    return plan;
  }

  clear(): void {
    this.plans.clear();
  }
}

const SQLITE_NUMERIC = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/;

/**
 * A bound LIMIT/OFFSET value as SQLite used it: an integer (numeric text and
 * integral reals included), else `datatype mismatch`; a negative LIMIT means
 * no limit (ALL → NULL on PostgreSQL), a negative OFFSET none.
 */
export function sqliteLimitValue(value: unknown, clause: 'limit' | 'offset'): number | null {
  let n: number | null = null;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && SQLITE_NUMERIC.test(value)) n = Number(value);
  if (n === null || !Number.isInteger(n)) {
    throw new LegacySqliteError('SQLITE_MISMATCH', 'datatype mismatch', {
      novaCode: 'INVALID_ARGUMENT',
      fix: `The ${clause.toUpperCase()} value must be an integer; it was ${JSON.stringify(value) ?? String(value)}.`,
    });
  }
  if (n >= 0) return n;
  return clause === 'limit' ? null : 0;
}

/**
 * The statement named a table or column the legacy view does not have. The
 * view is read at open and after the legacy db's own DDL; another client
 * (the appliance, psql) may have created the table since, so the driver
 * reads the catalog again before it believes it — once per missing name
 * every few seconds, so a route that keeps naming a table that does not
 * exist does not re-read the catalog on every call.
 */
export function schemaMiss(err: unknown): string | null {
  if (!(err instanceof LegacySqliteError)) return null;
  const m =
    /^SQLITE_ERROR: (no such table: .*|no such column: .*|table \S+ has no column named .*)$/.exec(
      err.message,
    );
  return m ? m[1]! : null;
}

/** Allows a catalog re-read per missing name at most once per interval. */
export class CatalogRefresh {
  private readonly last = new Map<string, number>();

  constructor(private readonly intervalMs = 5000) {}

  due(miss: string): boolean {
    const now = performance.now();
    const at = this.last.get(miss);
    if (at !== undefined && now - at < this.intervalMs) return false;
    this.last.delete(miss);
    this.last.set(miss, now);
    if (this.last.size > 200) this.last.delete(this.last.keys().next().value!);
    return true;
  }
}
