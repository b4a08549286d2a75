/**
 * The live PostgreSQL catalog the legacy view is built from (tables of the
 * current schema, their columns, primary and unique keys), and PostgreSQL
 * errors rewritten into the texts SQLite gave for the same mistakes, with
 * legacy names (`UNIQUE constraint failed: users.email`).
 */
import type { PoolClient } from 'pg';
import { LegacySqliteError, type SqliteCode } from './legacy-errors.js';
import type { CatalogTable, LegacyView, LiveCatalog } from './legacy-schema.js';

export async function loadPgCatalog(client: PoolClient): Promise<LiveCatalog> {
  const cols = await client.query<{
    table_name: string;
    column_name: string;
    data_type: string;
    is_nullable: string;
    column_default: string | null;
  }>(
    `SELECT c.table_name, c.column_name, c.data_type, c.is_nullable, c.column_default
       FROM information_schema.columns c
       JOIN information_schema.tables t
         ON t.table_schema = c.table_schema AND t.table_name = c.table_name
      WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
      ORDER BY c.table_name, c.ordinal_position`,
  );
  const keys = await client.query<{ table_name: string; primary: boolean; columns: string[] }>(
    `SELECT t.relname AS table_name, i.indisprimary AS primary,
            array_agg(a.attname::text ORDER BY k.ord) AS columns
       FROM pg_index i
       JOIN pg_class t ON t.oid = i.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = current_schema()
       CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
       JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
      WHERE i.indisunique AND i.indexprs IS NULL AND i.indpred IS NULL
      GROUP BY t.relname, i.indexrelid, i.indisprimary`,
  );
  const catalog: LiveCatalog = new Map();
  for (const c of cols.rows) {
    let table = catalog.get(c.table_name.toLowerCase());
    if (!table) {
      table = { name: c.table_name, columns: [], uniqueKeys: [], primaryKey: [] };
      catalog.set(c.table_name.toLowerCase(), table);
    }
    table.columns.push({
      name: c.column_name,
      dataType: c.data_type,
      notNull: c.is_nullable === 'NO',
      defaultSql: c.column_default,
    });
  }
  for (const k of keys.rows) {
    const table: CatalogTable | undefined = catalog.get(k.table_name.toLowerCase());
    if (!table) continue;
    if (k.primary) table.primaryKey = k.columns;
    else table.uniqueKeys.push(k.columns);
  }
  return catalog;
}

interface PgServerError {
  code: string;
  message: string;
  detail?: string;
  table?: string;
  column?: string;
  constraint?: string;
}

function legacyColumn(view: LegacyView, table: string | undefined, column: string): string {
  const t = table ? view.byTarget.get(table.toLowerCase()) : undefined;
  return t?.byTarget.get(column.toLowerCase())?.legacy ?? column;
}

function legacyTable(view: LegacyView, table: string | undefined): string {
  return (table && view.byTarget.get(table.toLowerCase())?.legacy) || table || '?';
}

function quoted(message: string, n = 0): string {
  const all = [...message.matchAll(/"((?:[^"]|"")*)"/g)].map((m) => m[1]!.replace(/""/g, '"'));
  return all[n] ?? '';
}

/** A PostgreSQL server error as node-sqlite3 would have reported the same failure. */
export function pgErrorToLegacy(err: PgServerError, view: LegacyView): LegacySqliteError {
  const e = (code: SqliteCode, text: string, fix?: string): LegacySqliteError =>
    new LegacySqliteError(code, text, { cause: err, ...(fix ? { fix } : {}) });
  const table = legacyTable(view, err.table);
  switch (err.code) {
    case '23505': {
      const cols = /^Key \((.*)\)=/.exec(err.detail ?? '')?.[1] ?? '';
      const names = cols
        .split(',')
        .map((c) =>
          c
            .trim()
            .replace(/^lower\((.*)\)$/, '$1')
            .replace(/^"(.*)"$/, '$1'),
        )
        .filter(Boolean)
        .map((c) => `${table}.${legacyColumn(view, err.table, c)}`);
      return e('SQLITE_CONSTRAINT', `UNIQUE constraint failed: ${names.join(', ') || table}`);
    }
    case '23502':
      return e(
        'SQLITE_CONSTRAINT',
        `NOT NULL constraint failed: ${table}.${legacyColumn(view, err.table, err.column ?? '?')}`,
      );
    case '23503':
      return e(
        'SQLITE_CONSTRAINT',
        'FOREIGN KEY constraint failed',
        'The upgraded schema enforces the links between tables that the legacy file did not: insert the referenced row first.',
      );
    case '23514':
      return e('SQLITE_CONSTRAINT', `CHECK constraint failed: ${err.constraint ?? table}`);
    case '42P01':
      return e('SQLITE_ERROR', `no such table: ${quoted(err.message)}`);
    case '42703': {
      const col = quoted(err.message);
      const rel = /of relation "/.test(err.message) ? quoted(err.message, 1) : '';
      if (rel) {
        return e('SQLITE_ERROR', `table ${legacyTable(view, rel)} has no column named ${col}`);
      }
      const bare = col || /column (\S+) does not exist/.exec(err.message)?.[1] || '?';
      return e('SQLITE_ERROR', `no such column: ${bare}`);
    }
    case '42702':
      return e('SQLITE_ERROR', `ambiguous column name: ${quoted(err.message)}`);
    case '42883': {
      const fn = /function ([\w.]+)\(/.exec(err.message)?.[1];
      return fn ? e('SQLITE_ERROR', `no such function: ${fn}`) : e('SQLITE_ERROR', err.message);
    }
    case '42601': {
      const near = /at or near "((?:[^"]|"")*)"/.exec(err.message)?.[1];
      return e(
        'SQLITE_ERROR',
        near ? `near "${near}": syntax error` : `incomplete input (${err.message})`,
      );
    }
    case '42P07':
      return e('SQLITE_ERROR', `table ${quoted(err.message)} already exists`);
    case '42701':
      return e('SQLITE_ERROR', `duplicate column name: ${quoted(err.message)}`);
    case '22P02':
    case '22007':
    case '22008':
    case '22003':
    case '42804':
      return e(
        'SQLITE_MISMATCH',
        `datatype mismatch: ${err.message}`,
        'The upgraded schema stores this column with a type (boolean, timestamp, JSON, number); pass a value of that type — SQLite stored any value as it was given.',
      );
    case '40001':
    case '40P01':
    case '55P03':
      return e('SQLITE_BUSY', 'database is locked');
    case '57014':
      return e('SQLITE_INTERRUPT', 'interrupted');
    case '42501':
      return e('SQLITE_PERM', `access permission denied (${err.message})`);
    default:
      return e('SQLITE_ERROR', err.message);
  }
}
