/**
 * Compiles the dialect-free filter tree (doc-filter.ts) to SQLite SQL over the
 * JSON1 functions. Values are always bound parameters. JSON paths are written
 * inline: their segments are already restricted to [A-Za-z0-9_], and an
 * expression index is only used when the query repeats its expression
 * verbatim, which a bound path would not.
 *
 * json_extract returns SQL types (JSON true is the integer 1, an object is its
 * JSON text), so every comparison also checks json_type to keep MongoDB's
 * rule that only like types compare equal.
 */
import type { CollectionIndex, CollectionSpec } from '../collections.js';
import type { FieldPath, FilterNode, FilterScalar, parseSort } from '../doc-filter.js';
import { parseFieldPath } from '../doc-filter.js';
import { DOCUMENTS_TABLE, ParamList, collectionLiteral, indexName } from '../doc-sql-shared.js';
import type { TtlRule } from '../types.js';

// Shared with the PostgreSQL JSONB store; re-exported so existing imports keep working.
export { DOCUMENTS_TABLE, ParamList, collectionLiteral, indexName };

export const DOCUMENTS_TABLE_DDL = `
CREATE TABLE IF NOT EXISTS ${DOCUMENTS_TABLE} (
  collection TEXT NOT NULL,
  id TEXT NOT NULL,
  doc TEXT NOT NULL CHECK (json_valid(doc)),
  created_at TEXT NOT NULL,
  PRIMARY KEY (collection, id)
);`;

/** The SQL expressions that read one field of the stored document. */
interface FieldSql {
  value: string;
  type: string;
  /** The ISO string inside a stored Date (`{"$date": …}`), NULL otherwise. */
  dateValue: string;
  dateType: string;
}

const NUMBER_TYPES = `('integer','real')`;

export function fieldSql(path: FieldPath): FieldSql {
  // _id lives in its own column and is always text.
  if (path[0] === '_id')
    return { value: 'id', type: `'text'`, dateValue: 'NULL', dateType: 'NULL' };
  const jsonPath = `$${path.map((s) => `."${s}"`).join('')}`;
  const datePath = `${jsonPath}."$date"`;
  return {
    value: `json_extract(doc, '${jsonPath}')`,
    type: `json_type(doc, '${jsonPath}')`,
    dateValue: `json_extract(doc, '${datePath}')`,
    dateType: `json_type(doc, '${datePath}')`,
  };
}

/** A WHERE-clause expression for the tree; may evaluate to NULL, which WHERE treats as false. */
export function compileFilter(node: FilterNode, params: ParamList): string {
  switch (node.kind) {
    case 'and':
      return node.children.length === 0
        ? '1'
        : `(${node.children.map((c) => compileFilter(c, params)).join(' AND ')})`;
    case 'or':
      return `(${node.children.map((c) => compileFilter(c, params)).join(' OR ')})`;
    case 'exists':
      return `(${fieldSql(node.path).type} IS ${node.exists ? 'NOT ' : ''}NULL)`;
    case 'in': {
      const hit = inSql(fieldSql(node.path), node.values, params);
      return node.negated ? not(hit) : hit;
    }
    case 'compare': {
      const field = fieldSql(node.path);
      switch (node.op) {
        case 'eq':
          return equalsSql(field, node.value, params);
        case 'ne':
          return not(equalsSql(field, node.value, params));
        default:
          return rangeSql(field, SQL_OPS[node.op], node.value, params);
      }
    }
  }
}

const SQL_OPS = { gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

/** NULL-safe negation: a missing field makes the inner test NULL, and `$ne`/`$nin` must then match. */
function not(expr: string): string {
  return `(NOT coalesce(${expr}, 0))`;
}

function equalsSql(field: FieldSql, value: FilterScalar, params: ParamList): string {
  if (value === null) return `(${field.value} IS NULL)`;
  if (typeof value === 'boolean') return `(${field.type} = '${value ? 'true' : 'false'}')`;
  return rangeSql(field, '=', value, params);
}

function rangeSql(field: FieldSql, op: string, value: FilterScalar, params: ParamList): string {
  if (typeof value === 'number')
    return `(${field.type} IN ${NUMBER_TYPES} AND ${field.value} ${op} ${params.bind(value)})`;
  if (typeof value === 'string')
    return `(${field.type} = 'text' AND ${field.value} ${op} ${params.bind(value)})`;
  if (value instanceof Date) {
    return `(${field.dateType} = 'text' AND ${field.dateValue} ${op} ${params.bind(value.toISOString())})`;
  }
  // The parser only lets numbers, strings and Dates reach a range operator.
  return '0';
}

function inSql(field: FieldSql, values: FilterScalar[], params: ParamList): string {
  const parts: string[] = [];
  const list = (vs: unknown[]): string => `(${vs.map((v) => params.bind(v)).join(', ')})`;
  if (values.some((v) => v === null)) parts.push(`(${field.value} IS NULL)`);
  const booleans = [...new Set(values.filter((v): v is boolean => typeof v === 'boolean'))];
  if (booleans.length > 0)
    parts.push(`(${field.type} IN (${booleans.map((b) => `'${String(b)}'`).join(', ')}))`);
  const numbers = values.filter((v) => typeof v === 'number');
  if (numbers.length > 0)
    parts.push(`(${field.type} IN ${NUMBER_TYPES} AND ${field.value} IN ${list(numbers)})`);
  const strings = values.filter((v) => typeof v === 'string');
  if (strings.length > 0)
    parts.push(`(${field.type} = 'text' AND ${field.value} IN ${list(strings)})`);
  const dates = values.filter((v): v is Date => v instanceof Date).map((d) => d.toISOString());
  if (dates.length > 0)
    parts.push(`(${field.dateType} = 'text' AND ${field.dateValue} IN ${list(dates)})`);
  return parts.length === 0 ? '0' : `(${parts.join(' OR ')})`;
}

/**
 * ORDER BY in MongoDB's cross-type order (missing/null < numbers < strings <
 * objects < arrays < booleans < Dates), then by value. Stored Dates compare
 * correctly as their JSON text because they all share the `{"$date":"` prefix.
 * rowid last keeps ties in insertion order, so skip/limit pages are stable.
 */
export function compileSort(sort: ReturnType<typeof parseSort>): string {
  const terms = sort.flatMap(({ path, direction }) => {
    const field = fieldSql(path);
    const dir = direction === -1 ? 'DESC' : 'ASC';
    if (path[0] === '_id') return [`id ${dir}`];
    const rank =
      `CASE ${field.type} WHEN 'integer' THEN 1 WHEN 'real' THEN 1 WHEN 'text' THEN 2 ` +
      `WHEN 'object' THEN (CASE WHEN ${field.dateType} = 'text' THEN 6 ELSE 3 END) ` +
      `WHEN 'array' THEN 4 WHEN 'true' THEN 5 WHEN 'false' THEN 5 ELSE 0 END`;
    return [`${rank} ${dir}`, `${field.value} ${dir}`];
  });
  return `ORDER BY ${[...terms, 'rowid ASC'].join(', ')}`;
}

/** True for documents past their TTL: the field holds a Date earlier than `now - expireAfterSeconds`. */
export function expiredSql(ttl: TtlRule, now: Date, params: ParamList): string {
  const field = fieldSql(parseFieldPath(ttl.field));
  const cutoff = new Date(now.getTime() - ttl.expireAfterSeconds * 1000).toISOString();
  return `(${field.dateType} = 'text' AND ${field.dateValue} < ${params.bind(cutoff)})`;
}

export function visibleSql(ttl: TtlRule | undefined, now: Date, params: ParamList): string {
  return ttl ? not(expiredSql(ttl, now, params)) : '1';
}

/** One expression index per declared index, partial on its collection so collections never collide. */
export function indexDdl(spec: CollectionSpec, index: CollectionIndex): string {
  const columns = Object.entries(index.keys)
    .map(([key, dir]) => `${fieldSql(parseFieldPath(key)).value} ${dir === -1 ? 'DESC' : 'ASC'}`)
    .join(', ');
  const name = `"${indexName(spec, index).replace(/"/g, '""')}"`;
  return (
    `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX IF NOT EXISTS ${name} ` +
    `ON ${DOCUMENTS_TABLE} (${columns}) WHERE collection = ${collectionLiteral(spec.name)};`
  );
}
