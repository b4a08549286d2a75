/**
 * What a PostgreSQL target table looks like right now, read from the
 * catalog: its columns and types, primary key, unique and other indexes, and
 * foreign keys. The loader decides from this what the database enforces by
 * itself during the load and what it must check on its own.
 *
 * Table names are passed as text and resolved with to_regclass on the quoted
 * name, so a hostile name is data, never SQL.
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { quoteIdent } from '../sqlite-ident.js';

type Db = Pick<pg.ClientBase, 'query'>;

export interface PgColumn {
  name: string;
  /** format_type(): `integer`, `timestamp with time zone`, `character varying(20)`… */
  type: string;
  notNull: boolean;
  /** Backed by a sequence (identity or serial): moved past the loaded ids after the load. */
  sequence: string | null;
}

export interface PgIndex {
  name: string;
  unique: boolean;
  primary: boolean;
  /** Backs a PRIMARY KEY / UNIQUE / EXCLUDE constraint (cannot be dropped on its own). */
  constraint: boolean;
  /** Plain column names in order; null entries for expressions. */
  columns: (string | null)[];
  partial: boolean;
  definition: string;
}

export interface PgForeignKey {
  name: string;
  columns: string[];
  parentOid: number;
  /** The parent table as SQL (regclass output: quoted and schema-qualified as needed). */
  parentSql: string;
  parentColumns: string[];
}

export interface PgTable {
  oid: number;
  name: string;
  columns: PgColumn[];
  indexes: PgIndex[];
  foreignKeys: PgForeignKey[];
}

/** The table `name` (unqualified, found on the search_path), or null when there is none. */
export async function describeTable(db: Db, name: string): Promise<PgTable | null> {
  const oid = await tableOid(db, name);
  if (oid === null) return null;
  const columns = await db.query<{
    name: string;
    type: string;
    not_null: boolean;
    sequence: string | null;
  }>(
    `SELECT a.attname::text AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null,
            pg_get_serial_sequence(a.attrelid::regclass::text, a.attname) AS sequence
       FROM pg_attribute a
      WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attnum`,
    [oid],
  );
  const indexes = await db.query<{
    name: string;
    unique: boolean;
    primary: boolean;
    constraint: boolean;
    columns: (string | null)[];
    partial: boolean;
    definition: string;
  }>(
    `SELECT c.relname::text AS name, i.indisunique AS unique, i.indisprimary AS primary,
            EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid) AS constraint,
            ARRAY(SELECT a.attname::text FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, n)
                    LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                   ORDER BY k.n) AS columns,
            i.indpred IS NOT NULL AS partial,
            pg_get_indexdef(i.indexrelid) AS definition
       FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
      WHERE i.indrelid = $1 ORDER BY c.relname`,
    [oid],
  );
  const fks = await db.query<{
    name: string;
    columns: string[];
    parent_oid: number;
    parent_sql: string;
    parent_columns: string[];
  }>(
    `SELECT k.conname::text AS name, k.confrelid::int AS parent_oid, k.confrelid::regclass::text AS parent_sql,
            ARRAY(SELECT a.attname::text FROM unnest(k.conkey) WITH ORDINALITY AS x(n, o)
                    JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = x.n ORDER BY x.o) AS columns,
            ARRAY(SELECT a.attname::text FROM unnest(k.confkey) WITH ORDINALITY AS x(n, o)
                    JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = x.n ORDER BY x.o) AS parent_columns
       FROM pg_constraint k WHERE k.conrelid = $1 AND k.contype = 'f' ORDER BY k.conname`,
    [oid],
  );
  return {
    oid,
    name,
    columns: columns.rows.map((c) => ({
      name: c.name,
      type: c.type,
      notNull: c.not_null,
      sequence: c.sequence,
    })),
    indexes: indexes.rows,
    foreignKeys: fks.rows.map((f) => ({
      name: f.name,
      columns: f.columns,
      parentOid: f.parent_oid,
      parentSql: f.parent_sql,
      parentColumns: f.parent_columns,
    })),
  };
}

export async function tableOid(db: Db, name: string): Promise<number | null> {
  const { rows } = await db.query<{ oid: number | null }>(
    'SELECT to_regclass($1)::oid::int AS oid',
    [quoteIdent(name)],
  );
  return rows[0]?.oid ?? null;
}

/** Same column set, in any order. */
export function sameColumns(a: readonly (string | null)[], b: readonly string[]): boolean {
  return a.length === b.length && b.every((c) => a.includes(c));
}

/**
 * A deterministic name for an index or constraint the migration creates:
 * `<table>_<columns>_<suffix>`, shortened with a hash when PostgreSQL's
 * 63-byte limit would truncate it (truncation could make two names collide).
 */
export function objectName(table: string, columns: readonly string[], suffix: string): string {
  const name = `${table}_${columns.join('_')}_${suffix}`;
  if (Buffer.byteLength(name, 'utf8') <= 63) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  let base = table.slice(0, 40);
  while (Buffer.byteLength(`${base}_${hash}_${suffix}`, 'utf8') > 63) base = base.slice(0, -1);
  return `${base}_${hash}_${suffix}`;
}
