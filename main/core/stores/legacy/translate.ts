/**
 * One legacy statement → what the driver runs on the configured database.
 * Pure and cached per SQL text (per schema version) by the drivers: the
 * legacy `db` is the API's hot path, and most applications send a few dozen
 * distinct statements millions of times.
 *
 * Dialects:
 * - `postgres`: after `nova-db migrate` (names, idioms, booleans, functions,
 *   INSERT OR IGNORE/REPLACE, start-up DDL, PRAGMA table_info);
 * - `sqlite-product`: the embedded profile on the product's own schema
 *   (snake_case names, product-only columns hidden, PRAGMA emulated);
 * - `sqlite-legacy`: the legacy file opened as it is (only what
 *   better-sqlite3 reads differently: double-quoted string literals).
 */
import { LegacySqliteError, untranslatable } from './legacy-errors.js';
import type { LegacyView } from './legacy-schema.js';
import { rewriteFunctions, type StateParam } from './pg-functions.js';
import { translateAlterTable, translateCreateTable } from './pg-ddl.js';
import { firstStatement, kw, quoteIdent, tokenize } from './sql-lexer.js';
import { analyze, type Scope, type StatementKind } from './statement-scope.js';
import { TokenEdits } from './token-edits.js';
import { postgresInsert, sqliteProductInsert } from './translate-insert.js';
import { translateNames, type Dialect } from './translate-names.js';
import { rewriteBooleans, rewriteOperators, rewriteParams } from './translate-pg-idioms.js';

export type TxAction = 'begin' | 'commit' | 'rollback' | 'savepoint' | 'release' | 'rollback-to';

export interface ReplacePlan {
  /** DELETE of the rows the new ones conflict with ('' when no key is given). */
  deleteSql: string;
  /** For each `$n` of deleteSql, the index of the INSERT's value it takes. */
  deleteParams: number[];
}

export interface StatementPlan {
  kind: StatementKind;
  /** What the driver does. */
  action: 'query' | 'noop' | 'table-info' | 'replace' | 'tx' | 'pragma-set';
  sql: string;
  /** Parameter slots in the statement (more values than this is SQLITE_RANGE). */
  paramSlots: number;
  /** Named parameters (`$id`, `:id`, `@id`) by slot, when the statement uses them. */
  paramNames: string[] | null;
  /** Connection state bound after the caller's values (last_insert_rowid()…). */
  stateParams: StateParam[];
  /** Result keys by position; null = use the names the database reports. */
  keys: string[] | null;
  /** Result columns the layer appended (RETURNING for lastID), stripped from rows. */
  hiddenTrailing: number;
  /** The last hidden column is `xmax = 0`: true for rows an upsert inserted. */
  insertedFlag: boolean;
  /** INSERT/UPDATE/DELETE: sets `changes` (and INSERT `lastID`). */
  dml: 'insert' | 'update' | 'delete' | null;
  /** The hidden RETURNING column holds the rowid key (→ lastID). */
  lastIdReturned: boolean;
  /** Rows a keyless-table INSERT asked for (node-sqlite3 reports them all as inserted). */
  attemptedRows: number | null;
  /** After an INSERT that gave explicit keys: move the identity sequence past them. */
  bumpSequence: { table: string; column: string } | null;
  replace: ReplacePlan | null;
  table: string | null;
  tx: TxAction | null;
  /** The statement changes the schema: reload the catalog afterwards. */
  schemaChange: boolean;
}

function basePlan(kind: StatementKind, sql: string): StatementPlan {
  return {
    kind,
    action: 'query',
    sql,
    paramSlots: 0,
    paramNames: null,
    stateParams: [],
    keys: null,
    hiddenTrailing: 0,
    insertedFlag: false,
    dml: kind === 'insert' || kind === 'update' || kind === 'delete' ? kind : null,
    lastIdReturned: false,
    attemptedRows: null,
    bumpSequence: null,
    replace: null,
    table: null,
    tx: null,
    schemaChange: false,
  };
}

export function translate(sql: string, view: LegacyView, dialect: Dialect): StatementPlan {
  const { tokens } = firstStatement(tokenize(sql));
  const scope = analyze(tokens, view);
  const plan = basePlan(scope.kind, sql);
  switch (scope.kind) {
    case 'empty':
      return { ...plan, action: 'noop' };
    case 'pragma':
      return pragmaPlan(scope, view, dialect, plan);
    case 'begin':
    case 'commit':
    case 'rollback':
    case 'savepoint':
    case 'release':
      return dialect === 'postgres' ? txPlan(scope, plan) : sqliteOther(scope, view, dialect, plan);
    case 'maintenance':
      return dialect === 'postgres' ? { ...plan, action: 'noop' } : plan;
    case 'create-table':
    case 'alter':
      if (dialect === 'postgres') return ddlPlan(scope, view, sql, plan);
      return sqliteOther(scope, view, dialect, plan);
    case 'create-index':
    case 'drop':
      return dmlPlan(scope, view, dialect, sql, { ...plan, schemaChange: true });
    case 'create-other':
      if (dialect === 'postgres') {
        throw untranslatable(
          'CREATE VIEW/TRIGGER/VIRTUAL TABLE',
          'Create views and triggers in PostgreSQL with a migration instead of from the application.',
          sql,
        );
      }
      return sqliteOther(scope, view, dialect, { ...plan, schemaChange: true });
    case 'other':
      // Misspellings included: PostgreSQL's syntax error is mapped to SQLite's text.
      if (dialect === 'postgres') return dmlPlan(scope, view, dialect, sql, plan);
      return sqliteOther(scope, view, dialect, plan);
    default:
      return dmlPlan(scope, view, dialect, sql, plan);
  }
}

/** DDL and the like on SQLite: names and double-quoted strings only. */
function sqliteOther(
  scope: Scope,
  view: LegacyView,
  dialect: Dialect,
  plan: StatementPlan,
): StatementPlan {
  const edits = new TokenEdits(scope.tokens);
  if (dialect === 'sqlite-product' && scope.kind === 'create-table') {
    const ref = scope.refs[0];
    if (ref?.view && /IF\s+NOT\s+EXISTS/i.test(plan.sql)) return { ...plan, action: 'noop' };
  }
  if (dialect === 'sqlite-product' && scope.kind === 'alter') {
    const ref = scope.refs[0];
    const words = scope.code.map((i) => kw(scope.tokens[i]));
    const add = words.indexOf('ADD');
    if (ref?.view && add !== -1) {
      const nameTok = scope.tokens[scope.code[words[add + 1] === 'COLUMN' ? add + 2 : add + 1]!];
      const lower = nameTok?.value.toLowerCase() ?? '';
      if (ref.view.byLegacy.has(lower) || ref.view.hidden.has(lower)) {
        throw new LegacySqliteError('SQLITE_ERROR', `duplicate column name: ${nameTok!.value}`);
      }
    }
  }
  const params = rewriteParams(scope, edits, 'sqlite');
  return {
    ...plan,
    sql: edits.text(),
    paramSlots: params.slots,
    paramNames: params.names,
    schemaChange: plan.schemaChange || scope.kind === 'create-table' || scope.kind === 'alter',
  };
}

function txPlan(scope: Scope, plan: StatementPlan): StatementPlan {
  const words = scope.code.map((i) => kw(scope.tokens[i]));
  const name = (at: number): string => quoteIdent(scope.tokens[scope.code[at]!]?.value ?? '');
  switch (scope.kind) {
    case 'begin':
      return { ...plan, action: 'tx', tx: 'begin', sql: 'BEGIN' };
    case 'commit':
      return { ...plan, action: 'tx', tx: 'commit', sql: 'COMMIT' };
    case 'savepoint':
      return { ...plan, action: 'tx', tx: 'savepoint', sql: `SAVEPOINT ${name(1)}` };
    case 'release':
      return {
        ...plan,
        action: 'tx',
        tx: 'release',
        sql: `RELEASE SAVEPOINT ${name(words[1] === 'SAVEPOINT' ? 2 : 1)}`,
      };
    default: {
      const to = words.indexOf('TO');
      if (to === -1) return { ...plan, action: 'tx', tx: 'rollback', sql: 'ROLLBACK' };
      const at = words[to + 1] === 'SAVEPOINT' ? to + 2 : to + 1;
      return { ...plan, action: 'tx', tx: 'rollback-to', sql: `ROLLBACK TO SAVEPOINT ${name(at)}` };
    }
  }
}

const SETTABLE_PRAGMAS = new Set([
  'foreign_keys',
  'journal_mode',
  'synchronous',
  'busy_timeout',
  'cache_size',
  'temp_store',
  'recursive_triggers',
  'case_sensitive_like',
  'encoding',
]);

function pragmaPlan(
  scope: Scope,
  view: LegacyView,
  dialect: Dialect,
  plan: StatementPlan,
): StatementPlan {
  if (dialect === 'sqlite-legacy') return plan;
  const ts = scope.code.map((i) => scope.tokens[i]!);
  let at = 1;
  if (ts[2]?.text === '.') at = 3;
  const name = (ts[at]?.value ?? '').toLowerCase();
  if (name === 'table_info' || name === 'table_xinfo') {
    const arg = ts.slice(at + 1).find((t) => t.type !== 'punct');
    return { ...plan, action: 'table-info', table: arg?.value ?? '' };
  }
  if (dialect === 'sqlite-product') return plan;
  if (SETTABLE_PRAGMAS.has(name) && ts[at + 1]?.text === '=')
    return { ...plan, action: 'pragma-set' };
  throw untranslatable(
    `PRAGMA ${name}`,
    'Only PRAGMA table_info(table) and settings PostgreSQL manages itself (foreign_keys, journal_mode…) are understood; query information_schema for anything else.',
    plan.sql,
  );
}

function ddlPlan(scope: Scope, view: LegacyView, sql: string, plan: StatementPlan): StatementPlan {
  if (scope.kind === 'create-table') {
    const out = translateCreateTable(scope.tokens, view, sql);
    return out === null ? { ...plan, action: 'noop' } : { ...plan, sql: out, schemaChange: true };
  }
  return { ...plan, sql: translateAlterTable(scope.tokens, view, sql), schemaChange: true };
}

function dmlPlan(
  scope: Scope,
  view: LegacyView,
  dialect: Dialect,
  sql: string,
  plan: StatementPlan,
): StatementPlan {
  const edits = new TokenEdits(scope.tokens);
  const names = translateNames(scope, edits, dialect);
  const out: StatementPlan = { ...plan, keys: names.keys };
  if (dialect !== 'postgres') {
    const params = rewriteParams(scope, edits, 'sqlite');
    out.paramSlots = params.slots;
    out.paramNames = params.names;
    if (dialect === 'sqlite-legacy') {
      out.sql = edits.text();
      return out;
    }
    if (scope.kind === 'insert') sqliteProductInsert(scope, edits, out);
    out.sql = edits.text();
    return out;
  }
  const params = rewriteParams(scope, edits, 'postgres');
  out.paramSlots = params.slots;
  out.paramNames = params.names;
  rewriteBooleans(scope, edits, names.columns);
  rewriteOperators(scope, edits, sql);
  let nextParam = out.paramSlots;
  out.stateParams = rewriteFunctions(scope, edits, sql, () => ++nextParam);
  if (scope.kind === 'insert') return postgresInsert(scope, edits, out, names.columns, sql);
  if (scope.kind === 'update') postgresUpdateOr(scope, edits, sql);
  out.sql = edits.text();
  return out;
}

function postgresUpdateOr(scope: Scope, edits: TokenEdits, sql: string): void {
  const [first, second, third] = scope.code;
  if (kw(scope.tokens[second!]) !== 'OR' || first === undefined) return;
  const action = kw(scope.tokens[third!]);
  if (action === 'IGNORE' || action === 'REPLACE') {
    throw untranslatable(
      `UPDATE OR ${action}`,
      'Check for the conflicting row first, or use INSERT … ON CONFLICT (key) DO UPDATE.',
      sql,
    );
  }
  edits.remove(second!, third!);
}
