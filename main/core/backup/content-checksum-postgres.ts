/**
 * Content checksums of PostgreSQL tables (see content-checksum.ts): rows are
 * read with COPY in text format under fixed output settings, so the same
 * data gives the same lines in any session and on any server.
 */
import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import type pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { RowSetHasher, type TableContent } from './content-checksum.js';

/**
 * COPY's text output depends on these settings; fixing them makes the rows
 * of two sessions (or two servers) comparable byte for byte.
 */
export const PG_STABLE_OUTPUT_SETTINGS = [
  "SET TimeZone = 'UTC'",
  "SET DateStyle = 'ISO, YMD'",
  "SET IntervalStyle = 'postgres'",
  'SET extra_float_digits = 3',
  "SET bytea_output = 'hex'",
  "SET client_encoding = 'UTF8'",
].join('; ');

export function quotePgIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A table and the columns COPY moves (generated columns are recomputed, never copied). */
export interface PgTableRef {
  schema: string;
  name: string;
  columns: string[];
}

/** The user schemas of a database: not the system's, not an extension's. */
export const PG_USER_SCHEMA_FILTER = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'`;

export async function listPgTables(client: pg.ClientBase): Promise<PgTableRef[]> {
  const { rows } = await client.query<{ schema: string; name: string; columns: string[] | null }>(
    `SELECT n.nspname AS schema, c.relname AS name,
            array(SELECT a.attname::text FROM pg_attribute a
                  WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
                  ORDER BY a.attnum) AS columns
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'r' AND ${PG_USER_SCHEMA_FILTER}
        AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
      ORDER BY n.nspname, c.relname`,
  );
  return rows.map((r) => ({ schema: r.schema, name: r.name, columns: r.columns ?? [] }));
}

export function pgTableSql(t: { schema: string; name: string }): string {
  return `${quotePgIdent(t.schema)}.${quotePgIdent(t.name)}`;
}

export function pgColumnList(t: PgTableRef): string {
  return t.columns.length === 0 ? '' : ` (${t.columns.map(quotePgIdent).join(', ')})`;
}

/** Streams a table out with COPY; yields each row's text line (without the newline). */
export async function* pgCopyOutLines(
  client: pg.ClientBase,
  table: PgTableRef,
): AsyncGenerator<string> {
  const stream = client.query(
    copyStreams.to(`COPY ${pgTableSql(table)}${pgColumnList(table)} TO STDOUT`),
  ) as Readable;
  const decoder = new StringDecoder('utf8');
  let rest = '';
  // COPY text format escapes newlines inside values, so every raw \n ends a row.
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const lines = (rest + decoder.write(chunk)).split('\n');
    rest = lines.pop() ?? '';
    yield* lines;
  }
  rest += decoder.end();
  if (rest !== '') yield rest;
}

/**
 * Checksums of every user table, read through COPY in the caller's session
 * (call inside a REPEATABLE READ transaction for a consistent snapshot).
 * Sets PG_STABLE_OUTPUT_SETTINGS on the session.
 */
export async function postgresContentChecksums(
  client: pg.ClientBase,
  onTable?: (table: PgTableRef) => void,
): Promise<TableContent[]> {
  await client.query(PG_STABLE_OUTPUT_SETTINGS);
  const out: TableContent[] = [];
  for (const table of await listPgTables(client)) {
    onTable?.(table);
    const hasher = new RowSetHasher();
    for await (const line of pgCopyOutLines(client, table)) hasher.add(line);
    out.push({
      schema: table.schema,
      name: table.name,
      rows: hasher.rows,
      checksum: hasher.digest(),
    });
  }
  return out;
}
