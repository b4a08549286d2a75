/**
 * The schema half of the driver-based PostgreSQL export, used when no
 * pg_dump new enough is installed: the catalog is read under
 * `search_path = ''` (so every name the server prints is schema-qualified,
 * as pg_dump does) and turned into the statements that rebuild it. It covers
 * what a Nova database uses — schemas, tables (identity, generated and
 * defaulted columns), sequences, constraints, indexes, functions, triggers,
 * views. Objects it cannot rebuild faithfully (extensions, user-defined
 * types, partitioned or inherited tables, materialized views) make it refuse
 * with advice to install pg_dump, rather than produce an incomplete backup.
 */
import type pg from 'pg';
import { NovaError } from '../../errors.js';
import { PG_USER_SCHEMA_FILTER, quotePgIdent } from '../content-checksum-postgres.js';

/** Everything needed to rebuild the schema, in the order a restore applies it. */
export interface PgSchemaScript {
  schemas: string[];
  /** CREATE SEQUENCE for sequences not owned by an identity column. */
  sequences: string[];
  functions: string[];
  tables: string[];
  /** Run after the data is loaded: sequence positions, OWNED BY links. */
  sequenceState: { sql: string; params: unknown[] }[];
  /** Primary keys, unique, check and exclusion constraints, then foreign keys. */
  constraints: string[];
  indexes: string[];
  views: string[];
  triggers: string[];
  notes: string[];
}

const NOT_EXTENSION = (classTable: string, alias: string) =>
  `NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = '${classTable}'::regclass AND e.objid = ${alias}.oid AND e.deptype = 'e')`;

async function refuseUnsupported(client: pg.ClientBase): Promise<void> {
  const { rows } = await client.query<{ what: string }>(
    `SELECT 'extension ' || extname AS what FROM pg_extension WHERE extname <> 'plpgsql'
     UNION ALL
     SELECT 'type ' || n.nspname || '.' || t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE ${PG_USER_SCHEMA_FILTER} AND (t.typtype IN ('e', 'd', 'r', 'm')
            OR (t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c'))
     UNION ALL
     SELECT CASE c.relkind WHEN 'm' THEN 'materialized view ' WHEN 'p' THEN 'partitioned table ' ELSE 'foreign table ' END
            || n.nspname || '.' || c.relname
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE ${PG_USER_SCHEMA_FILTER} AND c.relkind IN ('m', 'p', 'f')
     UNION ALL
     SELECT 'inherited table ' || n.nspname || '.' || c.relname
       FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE ${PG_USER_SCHEMA_FILTER}
     UNION ALL
     SELECT 'aggregate ' || n.nspname || '.' || p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE ${PG_USER_SCHEMA_FILTER} AND p.prokind IN ('a', 'w')
     LIMIT 5`,
  );
  if (rows.length > 0) {
    throw new NovaError(
      'BINARY_MISSING',
      `pg_dump is not installed, and the built-in export cannot capture this database faithfully (it has ${rows.map((r) => r.what).join(', ')}).`,
      {
        fix: 'Install the PostgreSQL client tools matching the server (apt-get install postgresql-client-<major>, brew install postgresql@<major>) so backups use pg_dump.',
      },
    );
  }
}

function sequenceOptions(s: {
  start: string;
  inc: string;
  min: string;
  max: string;
  cache: string;
  cycle: boolean;
}): string {
  return `START WITH ${s.start} INCREMENT BY ${s.inc} MINVALUE ${s.min} MAXVALUE ${s.max} CACHE ${s.cache} ${s.cycle ? 'CYCLE' : 'NO CYCLE'}`;
}

interface SeqRow {
  oid: number;
  qname: string;
  type: string;
  start: string;
  inc: string;
  min: string;
  max: string;
  cache: string;
  cycle: boolean;
  /** 'i' identity, 'a' OWNED BY a column, null free-standing. */
  deptype: 'i' | 'a' | null;
  owner_table: string | null;
  owner_column: string | null;
}

async function readSequences(client: pg.ClientBase): Promise<SeqRow[]> {
  const { rows } = await client.query<SeqRow>(
    `SELECT c.oid, format('%I.%I', n.nspname, c.relname) AS qname, format_type(s.seqtypid, NULL) AS type,
            s.seqstart::text AS start, s.seqincrement::text AS inc, s.seqmin::text AS min, s.seqmax::text AS max,
            s.seqcache::text AS cache, s.seqcycle AS cycle, d.deptype,
            CASE WHEN t.oid IS NOT NULL THEN format('%I.%I', tn.nspname, t.relname) END AS owner_table,
            a.attname::text AS owner_column
       FROM pg_sequence s
       JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('i', 'a')
       LEFT JOIN pg_class t ON t.oid = d.refobjid LEFT JOIN pg_namespace tn ON tn.oid = t.relnamespace
       LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
      WHERE ${PG_USER_SCHEMA_FILTER} AND ${NOT_EXTENSION('pg_class', 'c')}
      ORDER BY c.oid`,
  );
  return rows;
}

interface ColumnRow {
  name: string;
  type: string;
  notnull: boolean;
  identity: '' | 'a' | 'd';
  generated: '' | 's';
  default: string | null;
  collation: string | null;
}

async function tableDefinition(
  client: pg.ClientBase,
  oid: number,
  qname: string,
  identitySeqs: Map<string, SeqRow>,
): Promise<string> {
  const { rows } = await client.query<ColumnRow>(
    `SELECT a.attname::text AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS notnull,
            a.attidentity::text AS identity, a.attgenerated::text AS generated, pg_get_expr(d.adbin, d.adrelid) AS default,
            CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation
                 THEN (SELECT format('%I.%I', cn.nspname, co.collname) FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace WHERE co.oid = a.attcollation)
            END AS collation
       FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
       LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attnum`,
    [oid],
  );
  const columns = rows.map((c) => {
    let def = `${quotePgIdent(c.name)} ${c.type}`;
    if (c.collation) def += ` COLLATE ${c.collation}`;
    if (c.generated === 's') def += ` GENERATED ALWAYS AS (${c.default ?? 'NULL'}) STORED`;
    else if (c.identity) {
      const seq = identitySeqs.get(`${qname}.${c.name}`);
      def += ` GENERATED ${c.identity === 'a' ? 'ALWAYS' : 'BY DEFAULT'} AS IDENTITY${seq ? ` (${sequenceOptions(seq)})` : ''}`;
    } else if (c.default !== null) def += ` DEFAULT ${c.default}`;
    if (c.notnull) def += ' NOT NULL';
    return def;
  });
  return `CREATE TABLE ${qname} (\n  ${columns.join(',\n  ')}\n)`;
}

/**
 * Reads the catalog into a rebuild script. Call inside the export's
 * REPEATABLE READ transaction; sets search_path to '' for that transaction.
 */
export async function capturePgSchema(client: pg.ClientBase): Promise<PgSchemaScript> {
  await client.query("SELECT set_config('search_path', '', true)");
  await refuseUnsupported(client);
  const userRel = (alias: string) =>
    `${alias}.relnamespace IN (SELECT n.oid FROM pg_namespace n WHERE ${PG_USER_SCHEMA_FILTER}) AND ${NOT_EXTENSION('pg_class', alias)}`;

  const schemas = (
    await client.query<{ name: string }>(
      `SELECT n.nspname AS name FROM pg_namespace n WHERE ${PG_USER_SCHEMA_FILTER} AND ${NOT_EXTENSION('pg_namespace', 'n')} ORDER BY n.nspname`,
    )
  ).rows.map((r) => r.name);

  const seqs = await readSequences(client);
  const identitySeqs = new Map<string, SeqRow>();
  const sequences: string[] = [];
  const sequenceState: PgSchemaScript['sequenceState'] = [];
  for (const s of seqs) {
    const { rows } = await client.query<{ last: string; called: boolean }>(
      `SELECT last_value::text AS last, is_called AS called FROM ${s.qname}`,
    );
    const state = rows[0]!;
    if (s.deptype === 'i' && s.owner_table && s.owner_column) {
      identitySeqs.set(`${s.owner_table}.${s.owner_column}`, s);
      sequenceState.push({
        sql: 'SELECT setval(pg_get_serial_sequence($1, $2), $3::bigint, $4)',
        params: [s.owner_table, s.owner_column, state.last, state.called],
      });
      continue;
    }
    sequences.push(`CREATE SEQUENCE ${s.qname} AS ${s.type} ${sequenceOptions(s)}`);
    sequenceState.push({
      sql: 'SELECT setval($1::regclass, $2::bigint, $3)',
      params: [s.qname, state.last, state.called],
    });
    if (s.deptype === 'a' && s.owner_table && s.owner_column) {
      sequenceState.push({
        sql: `ALTER SEQUENCE ${s.qname} OWNED BY ${s.owner_table}.${quotePgIdent(s.owner_column)}`,
        params: [],
      });
    }
  }

  const functions = (
    await client.query<{ def: string }>(
      `SELECT pg_get_functiondef(p.oid) AS def FROM pg_proc p
        WHERE p.pronamespace IN (SELECT n.oid FROM pg_namespace n WHERE ${PG_USER_SCHEMA_FILTER})
          AND p.prokind IN ('f', 'p') AND ${NOT_EXTENSION('pg_proc', 'p')}
        ORDER BY p.oid`,
    )
  ).rows.map((r) => r.def);

  const tableRows = (
    await client.query<{ oid: number; qname: string }>(
      `SELECT c.oid, format('%I.%I', n.nspname, c.relname) AS qname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'r' AND ${userRel('c')} ORDER BY c.oid`,
    )
  ).rows;
  const tables: string[] = [];
  for (const t of tableRows)
    tables.push(await tableDefinition(client, t.oid, t.qname, identitySeqs));

  const constraints = (
    await client.query<{ sql: string }>(
      `SELECT format('ALTER TABLE %I.%I ADD CONSTRAINT %I %s', n.nspname, c.relname, k.conname, pg_get_constraintdef(k.oid)) AS sql
         FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE k.contype IN ('p', 'u', 'c', 'x', 'f') AND c.relkind = 'r' AND ${userRel('c')}
        ORDER BY CASE k.contype WHEN 'p' THEN 0 WHEN 'u' THEN 1 WHEN 'x' THEN 1 WHEN 'c' THEN 2 ELSE 3 END, k.oid`,
    )
  ).rows.map((r) => r.sql);

  const indexes = (
    await client.query<{ sql: string }>(
      `SELECT pg_get_indexdef(i.indexrelid) AS sql FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
        WHERE c.relkind = 'r' AND ${userRel('c')}
          AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid AND k.contype IN ('p', 'u', 'x'))
        ORDER BY i.indexrelid`,
    )
  ).rows.map((r) => r.sql);

  const views = (
    await client.query<{ sql: string }>(
      `SELECT format('CREATE VIEW %I.%I AS %s', n.nspname, c.relname, pg_get_viewdef(c.oid)) AS sql
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'v' AND ${userRel('c')} ORDER BY c.oid`,
    )
  ).rows.map((r) => r.sql.replace(/;\s*$/, ''));

  const triggers = (
    await client.query<{ sql: string }>(
      `SELECT pg_get_triggerdef(t.oid) AS sql FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
        WHERE NOT t.tgisinternal AND ${userRel('c')} ORDER BY t.oid`,
    )
  ).rows.map((r) => r.sql);

  const notes = [
    'built-in export (pg_dump was not available): ownership, privileges and comments are not included',
  ];
  const { rows: rls } = await client.query<{ n: string }>(
    `SELECT count(*)::text AS n FROM pg_class c WHERE c.relrowsecurity AND ${userRel('c')}`,
  );
  if (Number(rls[0]?.n ?? 0) > 0) notes.push('row-level security policies are not included');
  return {
    schemas,
    sequences,
    functions,
    tables,
    sequenceState,
    constraints,
    indexes,
    views,
    triggers,
    notes,
  };
}
