/**
 * A row SQLite refused used up no id; a PostgreSQL identity column hands out
 * its next value before the constraints are checked, so every failed INSERT
 * left a gap and every later `this.lastID` was one higher than the legacy
 * file's. For a plain `INSERT … VALUES` into a table with an integer key, the
 * driver therefore checks first what SQLite checked, in SQLite's order, and
 * refuses the row itself without touching the sequence:
 *
 * 1. NOT NULL: a column left out that has no default, a literal NULL, or a
 *    parameter bound to null (`NOT NULL constraint failed: assets.url`);
 * 2. UNIQUE: one query for an existing row with the same key
 *    (`UNIQUE constraint failed: users.email`).
 *
 * `INSERT OR IGNORE` of one row gets the NOT NULL checks, and a row that
 * fails them is skipped, as SQLite's IGNORE skipped rows breaking NOT NULL
 * as well as UNIQUE (PostgreSQL's ON CONFLICT DO NOTHING covers UNIQUE only).
 * An ignored row did use up an AUTOINCREMENT id in SQLite (unlike a refused
 * one), so the skip takes one from the sequence too, and a UNIQUE conflict
 * is left to ON CONFLICT DO NOTHING, which does the same.
 *
 * A row that slips past the check (another connection inserted the same key
 * in between) still fails in PostgreSQL with the same error; only the id
 * gap comes back. `OR REPLACE`, `ON CONFLICT`, several `OR IGNORE` rows and
 * `INSERT … SELECT` are not checked.
 */
import { LegacySqliteError } from './legacy-errors.js';
import type { ViewTable } from './legacy-schema.js';
import { kw, quoteIdent } from './sql-lexer.js';
import type { Scope } from './statement-scope.js';
import type { TokenEdits } from './token-edits.js';
import type { ResolvedColumn } from './translate-names.js';

export interface InsertChecks {
  /** `INSERT OR IGNORE`: a row failing a check is skipped instead of refused. */
  ignore: boolean;
  /** The identity a skipped row still takes a value from (SQLite's AUTOINCREMENT did). */
  sequence: { table: string; column: string } | null;
  /** A NOT NULL column the statement always leaves empty: its error message. */
  alwaysNull: string | null;
  /** Parameters that must not be null, with the message when they are. */
  nullParams: { slot: number; message: string }[];
  /** The existing-key query: returns the index of the first conflicting key, or NULL. */
  unique: { sql: string; params: number[]; messages: string[] } | null;
}

function notNullMessage(table: ViewTable, target: string): string {
  const col = table.byTarget.get(target.toLowerCase());
  return `NOT NULL constraint failed: ${table.legacy}.${col?.legacy ?? target}`;
}

export function insertChecks(
  scope: Scope,
  edits: TokenEdits,
  table: ViewTable,
  columns: Map<number, ResolvedColumn>,
): InsertChecks | null {
  const shape = scope.insert!;
  const ignore = shape.conflict === 'IGNORE' && shape.rows.length === 1;
  if (
    (table.rowidKey === null && !ignore) ||
    table.keyless ||
    (shape.conflict !== null && !ignore) ||
    shape.upsertIndex !== null ||
    shape.source !== 'values' ||
    !shape.columns
  ) {
    return null;
  }
  const listed = shape.columns.map((i) => columns.get(i)?.col.target.toLowerCase() ?? '');
  const checks: InsertChecks = {
    ignore,
    sequence: table.rowidKey ? { table: table.target, column: table.rowidKey } : null,
    alwaysNull: null,
    nullParams: [],
    unique: null,
  };
  const slotOf = (first: number, last: number): number | null => {
    if (first !== last || scope.tokens[first]?.type !== 'param') return null;
    const n = /^\$(\d+)$/.exec(edits.get(first));
    return n ? Number(n[1]) - 1 : null;
  };

  // NOT NULL, in column order, as SQLite checks before any UNIQUE key.
  for (const col of table.columns) {
    if (!col.notNull || col.target === table.rowidKey) continue;
    const k = listed.indexOf(col.target.toLowerCase());
    const message = notNullMessage(table, col.target);
    if (k === -1) {
      if (col.defaultSql === null && checks.alwaysNull === null) checks.alwaysNull = message;
      continue;
    }
    for (const row of shape.rows) {
      const v = row.values[k];
      if (!v) continue;
      if (v[0] === v[1] && kw(scope.tokens[v[0]]) === 'NULL' && checks.alwaysNull === null) {
        checks.alwaysNull = message;
      }
      const slot = slotOf(v[0], v[1]);
      if (slot !== null) checks.nullParams.push({ slot, message });
    }
  }

  // UNIQUE keys the INSERT gives every column of (the integer key is the sequence's);
  // without an identity nothing is lost, and OR IGNORE's conflicts take an id as in SQLite.
  if (table.rowidKey === null || ignore) return checks;
  const keys = [table.primaryKey, ...table.uniqueKeys].filter(
    (key, n, all) =>
      key.length > 0 &&
      !(key.length === 1 && key[0] === table.rowidKey) &&
      key.every((c) => listed.includes(c.toLowerCase())) &&
      all.findIndex((o) => o.join() === key.join()) === n,
  );
  if (keys.length === 0) return checks;
  const params: number[] = [];
  const value = (first: number, last: number): string | null => {
    const slot = slotOf(first, last);
    if (slot !== null) {
      let k = params.indexOf(slot);
      if (k === -1) k = params.push(slot) - 1;
      return `$${k + 1}`;
    }
    const t = scope.tokens[first]!;
    return first === last && (t.type === 'string' || t.type === 'number') ? t.text : null;
  };
  const branches: string[] = [];
  for (const [n, key] of keys.entries()) {
    const rows: string[] = [];
    for (const row of shape.rows) {
      const parts: string[] = [];
      for (const c of key) {
        const v = row.values[listed.indexOf(c.toLowerCase())];
        const text = v ? value(v[0], v[1]) : null;
        if (text === null) return checks; // a computed key value: leave it to PostgreSQL
        parts.push(`${quoteIdent(c)} = ${text}`);
      }
      rows.push(`(${parts.join(' AND ')})`);
    }
    branches.push(`SELECT ${n} AS k FROM ${quoteIdent(table.target)} WHERE ${rows.join(' OR ')}`);
  }
  checks.unique = {
    sql: `SELECT min(k) FROM (${branches.join(' UNION ALL ')}) AS conflicts`,
    params,
    messages: keys.map(
      (key) =>
        `UNIQUE constraint failed: ${key
          .map((c) => `${table.legacy}.${table.byTarget.get(c.toLowerCase())?.legacy ?? c}`)
          .join(', ')}`,
    ),
  };
  return checks;
}

/** The SQLite error for a refused row. */
export function constraintError(message: string): LegacySqliteError {
  return new LegacySqliteError('SQLITE_CONSTRAINT', message);
}

/**
 * What SQLite refused before inserting, checked before PostgreSQL's identity
 * hands out an id: the message of the failed check, or null. `query` runs
 * the existing-key lookup and returns its rows.
 */
export async function insertRefusal(
  checks: InsertChecks | null,
  values: unknown[],
  query: (sql: string, params: unknown[]) => Promise<unknown[][]>,
): Promise<string | null> {
  if (!checks) return null;
  if (checks.alwaysNull) return checks.alwaysNull;
  for (const { slot, message } of checks.nullParams) {
    if (values[slot] === null || values[slot] === undefined) return message;
  }
  if (!checks.unique) return null;
  const { sql, params, messages } = checks.unique;
  const rows = await query(
    sql,
    params.map((k) => values[k]),
  );
  const k = rows[0]?.[0];
  return k === null || k === undefined ? null : messages[Number(k)]!;
}

/** The identity sequence of a table's integer key, as an SQL expression. */
export function serialSequence({ table, column }: { table: string; column: string }): string {
  return `pg_get_serial_sequence('"${table.replace(/"/g, '""')}"', '${column.replace(/'/g, "''")}')`;
}

/** After explicit ids went in: the identity moves past them (SQLite's next id was max + 1). */
export function bumpSequenceSql(bump: { table: string; column: string }): string {
  const seq = serialSequence(bump);
  const column = `"${bump.column.replace(/"/g, '""')}"`;
  const table = `"${bump.table.replace(/"/g, '""')}"`;
  return `SELECT setval(${seq}, GREATEST(nextval(${seq}) - 1, (SELECT max(${column}) FROM ${table})))`;
}
