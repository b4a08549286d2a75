/**
 * Compiles the dialect-free filter tree (doc-filter.ts) to PostgreSQL SQL over
 * JSONB, with the semantics of matchesFilter (and so of the SQLite store).
 *
 * - Values are always bound parameters. JSON paths are written inline: their
 *   segments are restricted to [A-Za-z0-9_] by parseFieldPath, and an
 *   expression index is only used when the query repeats its expression.
 * - Equality compares JSONB with JSONB, which is exact and type-aware (1 is
 *   not true, not "1"); `NULLIF(…, 'null')` makes JSON null and a missing
 *   field the same SQL NULL, as MongoDB's `{a: null}` wants. The unique
 *   indexes use the very same expression, so lookups can use them and JSON
 *   nulls never clash (as in the SQLite store).
 * - Range operators are guarded by jsonb_typeof so only like types compare.
 *   Numbers compare as JSONB numerics (exact); strings and Dates (their
 *   `$date` ISO text, which sorts chronologically in toISOString's fixed
 *   format) compare with COLLATE "C", i.e. by code point like JavaScript and
 *   SQLite, whatever the database's collation is.
 */
import type { CollectionIndex, CollectionSpec } from '../collections.js';
import { encodeValue } from '../doc-codec.js';
import type { FieldPath, FilterNode, FilterScalar, parseSort } from '../doc-filter.js';
import { parseFieldPath } from '../doc-filter.js';
import {
  DOCUMENTS_TABLE,
  collectionLiteral,
  indexName,
  type ParamList,
} from '../doc-sql-shared.js';
import type { TtlRule } from '../types.js';

/** Statements run (in order, in one transaction) to create the table; all idempotent. */
export const DOCUMENTS_TABLE_DDL: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS ${DOCUMENTS_TABLE} (
  collection text NOT NULL,
  id text NOT NULL,
  doc jsonb NOT NULL CHECK (jsonb_typeof(doc) = 'object'),
  -- Insertion order: the tie-break of every sort, so skip/limit pages are stable.
  seq bigint GENERATED ALWAYS AS IDENTITY,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (collection, id)
)`,
  `CREATE INDEX IF NOT EXISTS ${DOCUMENTS_TABLE}_collection_seq ON ${DOCUMENTS_TABLE} (collection, seq)`,
];

/** Inline SQL string literal for a validated path segment (defence in depth: quotes doubled). */
function segmentLiteral(segment: string): string {
  return `'${segment.replace(/'/g, "''")}'`;
}

/** The JSONB value at `path`, or SQL NULL when missing (JSON null stays the JSONB `null`). */
function rawSql(path: FieldPath): string {
  return `(doc${path.map((s) => ` -> ${segmentLiteral(s)}`).join('')})`;
}

/** The value at `path` with JSON null folded into SQL NULL: the key of equality and indexes. */
function keySql(path: FieldPath): string {
  return `NULLIF(${rawSql(path)}, 'null'::jsonb)`;
}

/** The text of a string at `path` (only meaningful when jsonb_typeof is 'string'). */
function textSql(path: FieldPath): string {
  const parent = path.slice(0, -1).map((s) => ` -> ${segmentLiteral(s)}`);
  return `(doc${parent.join('')} ->> ${segmentLiteral(path[path.length - 1] as string)})`;
}

function typeSql(path: FieldPath): string {
  return `jsonb_typeof(${rawSql(path)})`;
}

/** The ISO string inside a stored Date (`{"$date": …}`), and its JSON type. */
function dateTextSql(path: FieldPath): string {
  return `(${rawSql(path)} ->> '$date')`;
}

function dateTypeSql(path: FieldPath): string {
  return `jsonb_typeof(${rawSql(path)} -> '$date')`;
}

const isId = (path: FieldPath): boolean => path[0] === '_id';

/** The stored JSON text of a filter operand (a Date becomes `{"$date": iso}` as in documents). */
function jsonParam(value: FilterScalar, params: ParamList): string {
  return `${params.bind(JSON.stringify(encodeValue(value, 'filter')))}::jsonb`;
}

/** A WHERE-clause expression for the tree; may evaluate to NULL, which WHERE treats as false. */
export function compileFilter(node: FilterNode, params: ParamList): string {
  switch (node.kind) {
    case 'and':
      return node.children.length === 0
        ? 'TRUE'
        : `(${node.children.map((c) => compileFilter(c, params)).join(' AND ')})`;
    case 'or':
      return `(${node.children.map((c) => compileFilter(c, params)).join(' OR ')})`;
    case 'exists':
      // _id is its own column and always present.
      if (isId(node.path)) return node.exists ? 'TRUE' : 'FALSE';
      return `(${rawSql(node.path)} IS ${node.exists ? 'NOT ' : ''}NULL)`;
    case 'in': {
      const hit = isId(node.path)
        ? idInSql(node.values, params)
        : inSql(node.path, node.values, params);
      return node.negated ? not(hit) : hit;
    }
    case 'compare': {
      const { path, op, value } = node;
      if (op === 'eq' || op === 'ne') {
        const eq = isId(path) ? idEqualsSql(value, params) : equalsSql(path, value, params);
        return op === 'eq' ? eq : not(eq);
      }
      return isId(path)
        ? idRangeSql(SQL_OPS[op], value, params)
        : rangeSql(path, SQL_OPS[op], value, params);
    }
  }
}

const SQL_OPS = { gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

/** NULL-safe negation: a missing field makes the inner test NULL, and `$ne`/`$nin` must then match. */
function not(expr: string): string {
  return `(NOT coalesce(${expr}, FALSE))`;
}

function equalsSql(path: FieldPath, value: FilterScalar, params: ParamList): string {
  if (value === null) return `(${keySql(path)} IS NULL)`;
  return `(${keySql(path)} = ${jsonParam(value, params)})`;
}

function rangeSql(path: FieldPath, op: string, value: FilterScalar, params: ParamList): string {
  // jsonb's own ordering compares two numbers numerically and exactly; the
  // type guard keeps it from ordering a number against a string.
  if (typeof value === 'number')
    return `(${typeSql(path)} = 'number' AND ${rawSql(path)} ${op} ${jsonParam(value, params)})`;
  if (typeof value === 'string') {
    return `(${typeSql(path)} = 'string' AND ${textSql(path)} COLLATE "C" ${op} ${params.bind(value)}::text)`;
  }
  if (value instanceof Date) {
    return `(${dateTypeSql(path)} = 'string' AND ${dateTextSql(path)} COLLATE "C" ${op} ${params.bind(value.toISOString())}::text)`;
  }
  // The parser only lets numbers, strings and Dates reach a range operator.
  return 'FALSE';
}

function inSql(path: FieldPath, values: FilterScalar[], params: ParamList): string {
  const parts: string[] = [];
  if (values.some((v) => v === null)) parts.push(`(${keySql(path)} IS NULL)`);
  const others = values.filter((v) => v !== null);
  if (others.length > 0) {
    const list = others.map((v) => JSON.stringify(encodeValue(v, 'filter')));
    parts.push(`(${keySql(path)} = ANY (${params.bind(list)}::jsonb[]))`);
  }
  return parts.length === 0 ? 'FALSE' : `(${parts.join(' OR ')})`;
}

/** `_id` is a text column: only strings can equal it. */
function idEqualsSql(value: FilterScalar, params: ParamList): string {
  return typeof value === 'string' ? `(id = ${params.bind(value)}::text)` : 'FALSE';
}

function idRangeSql(op: string, value: FilterScalar, params: ParamList): string {
  return typeof value === 'string' ? `(id COLLATE "C" ${op} ${params.bind(value)}::text)` : 'FALSE';
}

function idInSql(values: FilterScalar[], params: ParamList): string {
  const strings = values.filter((v): v is string => typeof v === 'string');
  return strings.length === 0 ? 'FALSE' : `(id = ANY (${params.bind(strings)}::text[]))`;
}

/**
 * ORDER BY in MongoDB's cross-type order (missing/null < numbers < strings <
 * objects < arrays < booleans < Dates), then by value: numbers numerically,
 * strings and Dates by code point, false before true. Embedded objects and
 * arrays fall back to JSONB's own ordering. `seq` last keeps ties in
 * insertion order, so skip/limit pages are stable.
 */
export function compileSort(sort: ReturnType<typeof parseSort>): string {
  const terms = sort.flatMap(({ path, direction }) => {
    const dir = direction === -1 ? 'DESC' : 'ASC';
    if (isId(path)) return [`id COLLATE "C" ${dir}`];
    const type = typeSql(path);
    const raw = rawSql(path);
    const rank =
      `CASE ${type} WHEN 'number' THEN 1 WHEN 'string' THEN 2 ` +
      `WHEN 'object' THEN (CASE WHEN ${dateTypeSql(path)} = 'string' THEN 6 ELSE 3 END) ` +
      `WHEN 'array' THEN 4 WHEN 'boolean' THEN 5 ELSE 0 END`;
    // One value term per type; within a rank only that type's term is non-NULL.
    // CASE (not AND) guards the casts: PostgreSQL may evaluate AND operands in any order.
    return [
      `${rank} ${dir}`,
      `(CASE WHEN ${type} = 'number' THEN ${raw}::numeric END) ${dir}`,
      `(CASE WHEN ${type} = 'string' THEN ${textSql(path)} WHEN ${dateTypeSql(path)} = 'string' THEN ${dateTextSql(path)} END) COLLATE "C" ${dir}`,
      `(CASE WHEN ${type} = 'boolean' THEN ${raw}::boolean END) ${dir}`,
      `(CASE WHEN ${type} IN ('object', 'array') THEN ${raw} END) ${dir}`,
    ];
  });
  return `ORDER BY ${[...terms, 'seq ASC'].join(', ')}`;
}

/** True for documents past their TTL: the field holds a Date earlier than `now - expireAfterSeconds`. */
export function expiredSql(ttl: TtlRule, now: Date, params: ParamList): string {
  const path = parseFieldPath(ttl.field);
  const cutoff = new Date(now.getTime() - ttl.expireAfterSeconds * 1000).toISOString();
  return `(${dateTypeSql(path)} = 'string' AND ${dateTextSql(path)} COLLATE "C" < ${params.bind(cutoff)}::text)`;
}

export function visibleSql(ttl: TtlRule | undefined, now: Date, params: ParamList): string {
  return ttl ? not(expiredSql(ttl, now, params)) : 'TRUE';
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * One expression index per declared index, partial on its collection so
 * collections never collide. Unique ones turn duplicates into SQLSTATE 23505
 * naming the index (see postgres-document-errors.ts).
 */
export function indexDdl(spec: CollectionSpec, index: CollectionIndex): string {
  const columns = Object.entries(index.keys)
    .map(([key, dir]) => `(${keySql(parseFieldPath(key))}) ${dir === -1 ? 'DESC' : 'ASC'}`)
    .join(', ');
  return (
    `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX IF NOT EXISTS ${quoteIdent(indexName(spec, index))} ` +
    `ON ${DOCUMENTS_TABLE} (${columns}) WHERE collection = ${collectionLiteral(spec.name)}`
  );
}

/** An index matching expiredSql, so the sweeper finds expired documents without a scan. */
export function ttlIndexDdl(spec: CollectionSpec & { ttl: TtlRule }): string {
  const path = parseFieldPath(spec.ttl.field);
  return (
    `CREATE INDEX IF NOT EXISTS ${quoteIdent(`nova_doc_${spec.name}__ttl`)} ` +
    `ON ${DOCUMENTS_TABLE} ((${dateTextSql(path)}) COLLATE "C") WHERE collection = ${collectionLiteral(spec.name)}`
  );
}
